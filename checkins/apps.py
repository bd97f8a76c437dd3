from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = "Check-ins and reminders"

    def ready(self) -> None:
        from anymail.signals import tracking

        from teams.overview import OverviewSection, overview_section_register

        from .hooks import anymail_tracking_received
        from .overview import checkin_section_context

        # Email providers' delivery receipts come through anymail's webhooks as this signal.
        tracking.connect(anymail_tracking_received, dispatch_uid="checkins.delivery_receipts")

        overview_section_register(
            OverviewSection(
                key="check-ins",
                template="checkins/overview_section.html",
                order=30,
                context=checkin_section_context,
            )
        )
