from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Staff, teams and patients"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (auth events into the audit trail)
