"""How a case-conference action reaches the care plan, without ``teams`` importing ``careplans``.

``careplans`` registers one provider from its ``AppConfig.ready``: a form for the change
(add a responsibility or milestone, move the plan's review date, reschedule a part) and
a function that applies it through the plan's own services, with their history and
version check. ``teams.services.action_add`` calls it inside its transaction, so an action
and its plan change are saved together or not at all.
"""

from __future__ import annotations

from typing import Any, Protocol

from django import forms
from django.db import models
from django.http import HttpRequest

from .models import Patient, User


class PlanChangeProvider(Protocol):
    def form(self, *, patient: Patient, data: Any = None, prefix: str = "plan") -> forms.Form: ...

    def apply(
        self,
        *,
        patient: Patient,
        cleaned_data: dict[str, Any],
        owner: User,
        due_on: Any,
        description: str,
        user: User,
        request: HttpRequest | None = None,
    ) -> tuple[models.Model | None, str]:
        """Make the change; return the plan part it created or changed (None for no change) and a
        one-line summary. Raises ``django.core.exceptions.ValidationError`` when it cannot."""
        ...


_PROVIDER: list[PlanChangeProvider] = []


def plan_change_provider_register(provider: PlanChangeProvider) -> None:
    _PROVIDER[:] = [provider]


def plan_change_provider() -> PlanChangeProvider | None:
    return _PROVIDER[0] if _PROVIDER else None
