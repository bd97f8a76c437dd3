from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdherenceConfig(AppConfig):
    name = "adherence"
    verbose_name = _("Adherence and outcomes")

    def ready(self) -> None:
        from teams.overview import OverviewSection, overview_section_register

        from .overview import adherence_section_context

        overview_section_register(
            OverviewSection(
                key="adherence",
                template="adherence/overview_section.html",
                order=40,
                context=adherence_section_context,
            )
        )
