from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Distress screening"

    def ready(self) -> None:
        from teams.agenda import agenda_finder_register
        from teams.demo import demo_seeder_register
        from teams.overview import OverviewSection, overview_section_register

        from .agenda import distress_rising, urgent_alerts
        from .demo import demo_screenings_seed
        from .overview import screening_section_context

        overview_section_register(
            OverviewSection(
                key="screening",
                template="screening/overview_section.html",
                order=10,
                context=screening_section_context,
            )
        )
        demo_seeder_register("screenings", demo_screenings_seed)
        agenda_finder_register("urgent_alert", urgent_alerts)
        agenda_finder_register("distress_rising", distress_rising)
