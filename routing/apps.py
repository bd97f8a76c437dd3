from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "Care routing"

    def ready(self) -> None:
        # Connects the receiver of screening.signals.screening_recorded.
        from . import receivers  # noqa: F401
