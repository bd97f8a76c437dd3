from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Staff, teams and patients"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (the deploy checks; auth events into the audit trail)
