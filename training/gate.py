"""The competence gate: the one check every path that gives work an owner calls (a plan's responsibility
from the page, the API, a template, a routed review or a conference action; issue 22).

``owner_check(owner, needs, on=, reason=)``, with ``needs`` the competency codes the work asks for (the
catalogue's, ``careplans.catalogue.competencies_for``) and the clinic's ``COMPETENCE_GATE``:

- the owner holds them all (``training.competence.competence_gaps``: trained or independent, or under
  supervision with supervision up to date): ``[]``, and any reason recorded before is for the caller to
  clear;
- ``strict``: refused, the message on the owner field (``field``);
- ``warn`` without a reason: refused, the message on ``competence_override_reason`` asking for one;
- ``warn`` with a reason: the codes lacked, for the caller to record the reason beside the owner.

Where work must not be lost (a routed review opened by a screening result), nobody is refused: the
caller picks a competent owner when there is one (``competent_first``) and records ``automatic_reason``
otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import dates

from .competence import COMPETENT_WITHOUT_SUPERVISION, competence_gaps, effective_level
from .models import Competency, Level, TrainingRecord
from .skillmix import Competence

REASON_FIELD = "competence_override_reason"


def competency_names(codes: Iterable[str]) -> dict[str, str]:
    """{code: the clinic's name for it}, in one query; a code the clinic no longer has keeps its code."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        return {}
    found = dict(Competency.objects.filter(code__in=codes).values_list("code", "name"))
    return {code: found.get(code, code) for code in codes}


def names_in_words(names: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _why(owner: Any, gaps: list[str], *, on: date) -> dict[str, str]:
    """Why each gap is one, in words: no record, a renewal that lapsed, or practice under supervision
    without the supervision expected. One query."""
    records: dict[str, list[tuple[str, date | None]]] = {}
    rows = TrainingRecord.objects.filter(
        user_id=owner.pk, competency__code__in=gaps, completed_on__lte=on
    ).values_list("competency__code", "level", "renews_on")
    for code, level, renews_on in rows:
        records.setdefault(code, []).append((level, renews_on))
    why = {}
    for code in gaps:
        held = records.get(code, [])
        lapsed = [
            renews_on
            for level, renews_on in held
            if level in COMPETENT_WITHOUT_SUPERVISION
            and renews_on is not None
            and effective_level(level, renews_on, on=on) == Level.UNDER_SUPERVISION
        ]
        if not held:
            why[code] = _("no training record")
        elif lapsed:
            why[code] = _(
                "renewal lapsed on %(day)s, so under supervision without supervision up to date"
            ) % {"day": dates.day(max(lapsed))}
        else:
            why[code] = _("practising under supervision without supervision up to date")
    return why


def gaps_in_words(owner: Any, gaps: list[str], *, on: date) -> str:
    """ "Sam Jones lacks CBT-informed practice (no training record)": who, what, and why. Two queries."""
    names = competency_names(gaps)
    why = _why(owner, gaps, on=on)
    lacking = names_in_words([f"{names[code]} ({why[code]})" for code in gaps])
    who = owner.get_full_name() or owner.get_username()
    return _("%(owner)s lacks %(competencies)s") % {"owner": who, "competencies": lacking}


def strict() -> bool:
    return settings.COMPETENCE_GATE == "strict"


def owner_check(
    owner: Any, needs: Iterable[str], *, on: date, reason: str = "", field: str = "owner"
) -> list[str]:
    """The codes of ``needs`` that ``owner`` lacks on ``on`` when they may keep the work anyway (warn mode,
    with a reason), ``[]`` when they lack none; otherwise ``ValidationError`` (see the module's rules)."""
    gaps = competence_gaps(owner, needs, on=on)
    if not gaps:
        return []
    if strict():
        raise ValidationError(
            {
                field: _("%(gaps)s; the clinic assigns this work to competent owners only.")
                % {"gaps": gaps_in_words(owner, gaps, on=on)}
            },
            code="competence_strict",
        )
    if not reason.strip():
        raise ValidationError(
            {
                REASON_FIELD: _("%(gaps)s: give a reason to keep them as owner, or choose someone else.")
                % {"gaps": gaps_in_words(owner, gaps, on=on)}
            },
            code="competence_reason",
        )
    return gaps


def competent_first(candidates: Sequence[Any], needs: Iterable[str], *, on: date) -> tuple[Any, list[str]]:
    """The first of ``candidates`` (in the caller's order of preference) who holds every need, with no
    gaps; when none does, the first candidate with what they lack. Every candidate's competence is read
    at once (``skillmix.Competence``: at most three queries, however many candidates)."""
    if not candidates:
        raise ValueError("competent_first needs at least one candidate")
    needs = list(dict.fromkeys(needs))
    if not needs:
        return candidates[0], []
    competence = Competence.of([candidate.pk for candidate in candidates], on=on)
    for candidate in candidates:
        if not competence.gaps(candidate.pk, needs):
            return candidate, []
    return candidates[0], competence.gaps(candidates[0].pk, needs)


def automatic_reason(team: Any, gaps: list[str], *, by: str) -> str:
    """What is recorded when nobody competent could take the work: "No member of North MSK holds
    CBT-informed practice; assigned by discipline." ``by``: how the owner was chosen instead."""
    names = names_in_words(list(competency_names(gaps).values()))
    return _("No member of %(team)s holds %(competencies)s; %(by)s.") % {
        "team": team,
        "competencies": names,
        "by": by,
    }


def kept_without(needs: Iterable[str], reason: str, names: dict[str, str] | None = None) -> str:
    """How a recorded reason reads beside its owner: "kept without CBT-informed practice: <reason>"."""
    needs = list(needs)
    names = names if names is not None else competency_names(needs)
    lacking = names_in_words([names.get(code, code) for code in needs]) or _("the competence")
    return _("kept without %(competencies)s: %(reason)s") % {"competencies": lacking, "reason": reason}
