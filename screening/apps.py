from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Distress screening"

    def ready(self) -> None:
        from teams.overview import OverviewSection, overview_section_register

        from .overview import screening_section_context

        overview_section_register(
            OverviewSection(
                key="screening",
                template="screening/overview_section.html",
                order=10,
                context=screening_section_context,
            )
        )
