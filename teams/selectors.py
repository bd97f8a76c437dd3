"""Reads that depend on who is asking, all built on ``Patient.objects.visible_to``."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest

from . import policy
from .models import ActionItem, CaseConference, ConferenceSeries, Patient, Team, User


def patient_list(
    *, user: User, q: str = "", team=None, status: str = "", clinician=None
) -> QuerySet[Patient]:
    """The patients a user may see, searched by name or MRN and filtered, ready for one page."""
    patients = Patient.objects.visible_to(user).select_related("team", "primary_clinician")
    for term in q.split():
        patients = patients.filter(
            Q(mrn__istartswith=term) | Q(given_name__istartswith=term) | Q(family_name__istartswith=term)
        )
    if team is not None:
        patients = patients.filter(team=team)
    if status:
        patients = patients.filter(status=status)
    if clinician is not None:
        patients = patients.filter(primary_clinician=clinician)
    return patients


def conferences_for(*, user: User) -> QuerySet[CaseConference]:
    """Conferences of the user's teams, with what the list shows in the same query."""
    return (
        CaseConference.objects.visible_to(user)
        .select_related("team", "chair")
        .annotate(patients=Count("items", distinct=True))
    )


def conference_for(*, user: User, conference_id: int) -> CaseConference | None:
    return (
        CaseConference.objects.visible_to(user)
        .select_related("team", "chair", "closed_by")
        .filter(pk=conference_id)
        .first()
    )


def team_members(team_id: int) -> QuerySet[User]:
    return User.objects.filter(memberships__team_id=team_id, is_active=True).order_by(
        "last_name", "first_name"
    )


def my_tasks(*, user: User) -> QuerySet[ActionItem]:
    """Open conference actions the user owns, for patients they may still see, soonest due first."""
    return (
        ActionItem.objects.open()
        .filter(owner=user, patient__in=Patient.objects.visible_to(user))
        .select_related("patient", "conference__team", "part_type")
        .order_by("due_on", "id")
    )


def actions_section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The patient overview's open conference actions: one query."""
    actions = list(
        ActionItem.objects.open()
        .filter(patient=patient)
        .select_related("owner", "conference")
        .order_by("due_on", "id")
    )
    return {"actions": actions}


@dataclass(frozen=True)
class TeamPage:
    team: Team
    members: list[Any]  # Users annotated with their role and caseload
    is_lead: bool
    upcoming: CaseConference | None
    open_actions: list[ActionItem]
    open_action_count: int
    series: ConferenceSeries | None


TEAM_PAGE_ACTIONS = 50


def team_page(*, team: Team, user: User) -> TeamPage:
    """Members with their discipline, role and caseload (active patients they are primary clinician
    of, counted in the database), the next conference and the open actions: a fixed number of queries."""
    members = list(
        User.objects.filter(memberships__team=team)
        .annotate(
            role=F("memberships__role"),
            caseload=Count(
                "primary_patients",
                filter=Q(primary_patients__team=team, primary_patients__status=Patient.Status.ACTIVE),
            ),
        )
        .order_by("last_name", "first_name")
    )
    upcoming = (
        CaseConference.objects.filter(team=team)
        .exclude(status=CaseConference.Status.CLOSED)
        .select_related("chair")
        .order_by("starts_at")
        .first()
    )
    actions = ActionItem.objects.open().filter(conference__team=team)
    return TeamPage(
        team=team,
        members=members,
        is_lead=policy.leads_team(user, team.pk),
        upcoming=upcoming,
        open_actions=list(
            actions.select_related("owner", "patient").order_by("due_on", "id")[:TEAM_PAGE_ACTIONS]
        ),
        open_action_count=actions.count(),
        series=ConferenceSeries.objects.filter(team=team).select_related("chair").first(),
    )
