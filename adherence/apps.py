from django.apps import AppConfig


class AdherenceConfig(AppConfig):
    name = "adherence"
    verbose_name = "Adherence and outcomes"

    def ready(self) -> None:
        from teams.demo import demo_seeder_register
        from teams.overview import OverviewSection, overview_section_register

        from .demo import demo_adherence_seed
        from .overview import adherence_section_context

        overview_section_register(
            OverviewSection(
                key="adherence",
                template="adherence/overview_section.html",
                order=40,
                context=adherence_section_context,
            )
        )
        demo_seeder_register("sessions", demo_adherence_seed)
