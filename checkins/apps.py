from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = "Check-ins and reminders"

    def ready(self) -> None:
        from teams.overview import OverviewSection, overview_section_register

        from .overview import checkin_section_context

        overview_section_register(
            OverviewSection(
                key="check-ins",
                template="checkins/overview_section.html",
                order=30,
                context=checkin_section_context,
            )
        )
