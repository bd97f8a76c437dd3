from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("Care routing")

    def ready(self) -> None:
        from teams.overview import OverviewSection, overview_section_register

        # Connects the receiver of screening.signals.screening_recorded.
        from . import receivers  # noqa: F401
        from .rescreen_views import rescreen_section_context
        from .views import review_section_context

        # Psychosocial reviews (issue 19): the patient's open reviews and the last ones resolved.
        overview_section_register(
            OverviewSection(
                key="reviews",
                template="routing/overview_reviews.html",
                order=12,
                context=review_section_context,
            )
        )

        # Follow-up screening (issue 19, re-screens): due, missed, by link or in clinic.
        overview_section_register(
            OverviewSection(
                key="follow-up-screening",
                template="routing/overview_rescreens.html",
                order=14,
                context=rescreen_section_context,
            )
        )
