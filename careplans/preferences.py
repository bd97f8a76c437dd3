"""What a patient's care preferences steer: the modality proposed for plan work, and the message when a
proposal goes against what they prefer.

Every proposal the product makes (a template's responsibilities, a routed review's work, the plan's
psychological support) asks here, so the patient's preferred modalities are read one way everywhere.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .catalogue import CATALOGUE
from .models import CarePreferences, Exercise, Modality, Responsibility, SupportModality

# The modalities each way of delivering psychological support reaches the patient in.
SUPPORT_REACHES: dict[str, tuple[str, ...]] = {
    SupportModality.IN_PERSON: (Modality.IN_PERSON,),
    SupportModality.TELEHEALTH: (Modality.VIDEO, Modality.PHONE),
    SupportModality.GROUP: (Modality.GROUP,),
    SupportModality.INTEGRATED: (Modality.IN_PERSON,),
    SupportModality.DIGITAL: (Modality.SELF_GUIDED,),
}
# The psychological support proposed for a preferred modality.
SUPPORT_FOR: dict[str, str] = {
    Modality.IN_PERSON: SupportModality.IN_PERSON,
    Modality.VIDEO: SupportModality.TELEHEALTH,
    Modality.PHONE: SupportModality.TELEHEALTH,
    Modality.GROUP: SupportModality.GROUP,
    Modality.SELF_GUIDED: SupportModality.DIGITAL,
}


@dataclass(frozen=True)
class Proposal:
    modality: str
    # Empty when the proposal follows the preferences (or none are recorded); else what it goes against.
    conflict: str = ""


def _label(modality: str) -> str:
    return str(Modality(modality).label).lower() if modality in Modality.values else modality


def _either(modalities: Iterable[str]) -> str:
    words = [_label(modality) for modality in modalities]
    if len(words) == 1:
        return words[0]
    return _("%(some)s or %(last)s") % {"some": ", ".join(words[:-1]), "last": words[-1]}


def _delivered(modality: str) -> str:
    """ "in person", "by video", "by phone", "in a group", "self-guided"."""
    words: dict[str, str] = {
        Modality.IN_PERSON: _("in person"),
        Modality.VIDEO: _("by video"),
        Modality.PHONE: _("by phone"),
        Modality.GROUP: _("in a group"),
        Modality.SELF_GUIDED: _("self-guided"),
    }
    return words.get(modality, _label(modality))


def _name(preferences: CarePreferences) -> str:
    return preferences.patient.given_name or _("The patient")


def preferred(preferences: CarePreferences | None) -> list[str]:
    """The patient's modalities in their order; empty when none are recorded."""
    return list(preferences.modalities) if preferences is not None else []


def modality_for(intervention: str, preferences: CarePreferences | None) -> Proposal:
    """The modality to propose for an intervention: the first of the patient's preferred modalities it
    is offered in; when it is offered in none of them, the way it is usually delivered, with a message
    saying so. No intervention in the catalogue, or no preferences: no proposal."""
    entry = CATALOGUE.get(intervention)
    if entry is None:
        return Proposal("")
    offered = entry.modalities
    wanted = preferred(preferences)
    if not wanted:
        return Proposal(offered[0])
    for modality in wanted:
        if modality in offered:
            return Proposal(modality)
    assert preferences is not None  # noqa: S101 (narrowing: wanted is empty without preferences)
    return Proposal(
        offered[0],
        _("Proposed %(way)s: %(name)s prefers %(wanted)s; this intervention is not offered that way.")
        % {"way": _delivered(offered[0]), "name": _name(preferences), "wanted": _either(wanted)},
    )


def modality_conflict(modality: str, preferences: CarePreferences | None) -> str:
    """What a chosen modality goes against, or "" when it fits the preferences (or there are none)."""
    wanted = preferred(preferences)
    if not modality or not wanted or modality in wanted:
        return ""
    assert preferences is not None  # noqa: S101
    return _("Delivered %(way)s: %(name)s prefers %(wanted)s.") % {
        "way": _delivered(modality),
        "name": _name(preferences),
        "wanted": _either(wanted),
    }


def support_modality_for(current: str, preferences: CarePreferences | None) -> Proposal:
    """The psychological support's modality to propose: the plan's own when it fits the preferences,
    else the one reaching the patient in their first preferred modality, saying what the plan said."""
    wanted = preferred(preferences)
    if not wanted or (current and set(SUPPORT_REACHES.get(current, ())) & set(wanted)):
        return Proposal(current)
    assert preferences is not None  # noqa: S101
    proposed = SUPPORT_FOR[wanted[0]]
    if not current:
        return Proposal(proposed)
    said = str(SupportModality(current).label).lower() if current in SupportModality.values else current
    return Proposal(
        proposed,
        _("The plan says %(said)s: %(name)s prefers %(wanted)s, so %(proposed)s is proposed.")
        % {
            "said": said,
            "name": _name(preferences),
            "wanted": _either(wanted),
            "proposed": str(SupportModality(proposed).label).lower(),
        },
    )


def support_conflict(support_modality: str, preferences: CarePreferences | None) -> str:
    """What the plan's psychological support goes against, or ""."""
    wanted = preferred(preferences)
    if not support_modality or not wanted or set(SUPPORT_REACHES.get(support_modality, ())) & set(wanted):
        return ""
    assert preferences is not None  # noqa: S101
    said = str(SupportModality(support_modality).label).lower()
    return _("Psychological support (%(said)s): %(name)s prefers %(wanted)s.") % {
        "said": said,
        "name": _name(preferences),
        "wanted": _either(wanted),
    }


def flag_responsibilities(
    responsibilities: Iterable[Responsibility], preferences: CarePreferences | None
) -> None:
    """Mark each responsibility whose modality goes against the preferences (``preference_conflict``)."""
    for responsibility in responsibilities:
        responsibility.preference_conflict = modality_conflict(  # type: ignore[attr-defined]
            responsibility.modality, preferences
        )


@dataclass(frozen=True)
class Summary:
    """The preferences as the plan page's top panel shows them."""

    preferences: CarePreferences
    modalities: list[str]
    contact_days: list[str]
    literacy_limited: bool


def summary(preferences: CarePreferences) -> Summary:
    return Summary(
        preferences=preferences,
        modalities=[str(Modality(modality).label) for modality in preferences.modalities],
        contact_days=[str(Exercise.Weekday(day).label) for day in sorted(preferences.contact_days)],
        literacy_limited=preferences.literacy_limited,
    )


def contact_words(preferences: CarePreferences | None) -> str:
    """The best days and times to contact the patient in words ("Monday, Wednesday, 10:00–16:00");
    "" when no preferences are recorded."""
    if preferences is None:
        return ""
    days = ", ".join(str(Exercise.Weekday(day).label) for day in sorted(preferences.contact_days))
    start, end = preferences.contact_from, preferences.contact_until
    hours = f"{start:%H:%M}–{end:%H:%M}" if start is not None and end is not None else _("any time")
    return f"{days or _('Any day')}, {hours}"


def name_for_print(responsibilities: Iterable[Responsibility], *, plain: bool) -> None:
    """What each responsibility is called on the printed plan (``printed_as``): its everyday words in
    the plain-language version ("Learning how pain works"), else the intervention's name."""
    for responsibility in responsibilities:
        entry = CATALOGUE.get(responsibility.intervention)
        words = entry.plain if plain and entry is not None and entry.plain else ""
        responsibility.printed_as = words or responsibility.get_intervention_display()  # type: ignore[attr-defined]
