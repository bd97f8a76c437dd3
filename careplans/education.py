"""Reading levels of the clinic's education items, and which version a patient is shown.

The level is the Flesch-Kincaid grade (a US school grade, from words per sentence and syllables per word),
computed by textstat whenever an item is saved (the admin, the starter items' migration), and shown to
staff as the school year a reader would be in: US grade N is about England's Year N + 1.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Protocol

import textstat
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import EducationItem

# The plain-language version is written for about US grade 6 (Year 7), what health-literacy guidance asks
# of patient material; above it the admin warns.
PLAIN_GRADE_TARGET = Decimal("6.0")


class Leveled(Protocol):
    body: str
    plain_body: str
    reading_grade: Decimal | None
    plain_reading_grade: Decimal | None


def reading_grade(text: str) -> Decimal | None:
    """The Flesch-Kincaid grade of ``text`` to one decimal place; None for a text with no words."""
    if not text.strip():
        return None
    grade = Decimal(str(textstat.flesch_kincaid_grade(text)))
    return grade.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def reading_levels_set(item: Leveled) -> None:
    """Compute both grades of an item from its texts (before it is saved)."""
    item.reading_grade = reading_grade(item.body)
    item.plain_reading_grade = reading_grade(item.plain_body)


def school_year(grade: Decimal | float | None) -> int | None:
    """The school year in England that a Flesch-Kincaid grade corresponds to (Year 1 at least)."""
    if grade is None:
        return None
    return max(int(Decimal(str(grade)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)) + 1, 1)


def reading_level_label(grade: Decimal | float | None) -> str:
    """ "Reading level: about school year 6 (Flesch-Kincaid grade 5.2)", or that it is not known."""
    year = school_year(grade)
    if year is None:
        return _("Reading level: not known yet")
    if year > 13:
        return _("Reading level: beyond school, university level (Flesch-Kincaid grade %(grade)s)") % {
            "grade": grade
        }
    return _("Reading level: about school year %(year)s (Flesch-Kincaid grade %(grade)s)") % {
        "year": year,
        "grade": grade,
    }


def plain_reads_easier(item: Leveled) -> bool:
    """Whether the plain-language version reads at a lower grade than the full one."""
    if item.reading_grade is None or item.plain_reading_grade is None:
        return False
    return item.plain_reading_grade < item.reading_grade


def paragraphs(text: str) -> list[str]:
    """An item's text as its paragraphs (separated by a blank line), for the pages to show."""
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


def plain_chosen(version: str | None, *, limited: bool) -> bool:
    """Whether to show the plain-language version: the one the reader chose (``?version=plain|full``), else
    plain where the patient's health literacy is limited."""
    if version in ("plain", "full"):
        return version == "plain"
    return limited


def choice_label(item: EducationItem) -> str:
    """An item as the plan page offers it: its title, topic and how plain its plain version is."""
    year = school_year(item.plain_reading_grade)
    level = f"; plain version about school year {year}" if year is not None else ""
    return f"{item.title} ({item.get_topic_display()}{level})"
