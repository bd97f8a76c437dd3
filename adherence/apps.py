from django.apps import AppConfig


class AdherenceConfig(AppConfig):
    name = "adherence"
    verbose_name = "Adherence and outcomes"

    def ready(self) -> None:
        from teams.agenda import agenda_finder_register
        from teams.demo import demo_seeder_register
        from teams.overview import OverviewSection, overview_section_register

        from .agenda import attendance_low, exercise_low
        from .demo import demo_adherence_seed, demo_rollups_seed
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
        demo_seeder_register("weekly roll-ups", demo_rollups_seed)
        agenda_finder_register("exercise_low", exercise_low)
        agenda_finder_register("attendance_low", attendance_low)
