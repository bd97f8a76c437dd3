from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = "Check-ins and reminders"

    def ready(self) -> None:
        from teams.agenda import agenda_finder_register
        from teams.demo import demo_seeder_register
        from teams.overview import OverviewSection, overview_section_register

        from .agenda import checkins_silent
        from .demo import demo_schedules_seed
        from .overview import checkin_section_context

        overview_section_register(
            OverviewSection(
                key="check-ins",
                template="checkins/overview_section.html",
                order=30,
                context=checkin_section_context,
            )
        )
        demo_seeder_register("check-in schedules", demo_schedules_seed)
        agenda_finder_register("no_checkin", checkins_silent)
