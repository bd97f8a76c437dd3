"""The patient overview is composed of sections that other apps contribute.

``teams`` knows nothing of screening or care plans: each app registers its section
(a template and a function that builds its context) from its ``AppConfig.ready``.
Each context function must run a fixed number of queries, whatever the patient's
history, so the overview's query count stays flat.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from .models import Patient


@dataclass(frozen=True)
class OverviewSection:
    key: str
    template: str
    order: int
    context: Callable[[HttpRequest, Patient], dict[str, Any]]


_SECTIONS: dict[str, OverviewSection] = {}


def overview_section_register(section: OverviewSection) -> None:
    _SECTIONS[section.key] = section


def overview_sections(request: HttpRequest, patient: Patient) -> list[tuple[OverviewSection, dict[str, Any]]]:
    ordered = sorted(_SECTIONS.values(), key=lambda section: section.order)
    return [(section, section.context(request, patient)) for section in ordered]
