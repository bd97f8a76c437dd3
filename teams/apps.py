from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Staff, teams and patients")

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (the deploy checks; auth events into the audit trail)
