from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Staff, teams and patients"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (the deploy checks; auth events into the audit trail)
        from .agenda import agenda_finder_register, open_actions_finder
        from .overview import OverviewSection, overview_section_register
        from .selectors import actions_section_context

        agenda_finder_register("open_action", open_actions_finder)
        overview_section_register(
            OverviewSection(
                key="conference-actions",
                template="teams/overview_actions.html",
                order=25,
                context=actions_section_context,
            )
        )
