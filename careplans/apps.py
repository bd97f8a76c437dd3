from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"
    verbose_name = "Care plans"

    def ready(self) -> None:
        from teams.agenda import agenda_finder_register
        from teams.demo import demo_seeder_register
        from teams.overview import OverviewSection, overview_section_register
        from teams.plan_changes import plan_change_provider_register

        from .agenda import discharge_review_due, milestones_overdue
        from .conference import CarePlanChanges
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
        agenda_finder_register("milestone_overdue", milestones_overdue)
        agenda_finder_register("discharge_review", discharge_review_due)
        plan_change_provider_register(CarePlanChanges())
