from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareplansConfig(AppConfig):
    name = "careplans"
    verbose_name = _("Care plans")

    def ready(self) -> None:
        from teams.overview import OverviewSection, overview_section_register

        from .overview import careplan_section_context

        overview_section_register(
            OverviewSection(
                key="care-plan",
                template="careplans/overview_section.html",
                order=20,
                context=careplan_section_context,
            )
        )
