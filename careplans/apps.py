from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"
    verbose_name = "Care plans"

    def ready(self) -> None:
        from teams.demo import demo_seeder_register
        from teams.overview import OverviewSection, overview_section_register

        from .demo import demo_plans_seed
        from .overview import careplan_section_context

        overview_section_register(
            OverviewSection(
                key="care-plan",
                template="careplans/overview_section.html",
                order=20,
                context=careplan_section_context,
            )
        )
        demo_seeder_register("care plans", demo_plans_seed)
