from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "conferences"
    verbose_name = _("Case conferences")

    def ready(self) -> None:
        from teams.overview import OverviewSection, overview_section_register

        from .selectors import actions_section_context

        overview_section_register(
            OverviewSection(
                key="conference-actions",
                template="conferences/overview_actions.html",
                order=25,
                context=actions_section_context,
            )
        )
