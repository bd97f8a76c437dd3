"""Reads for case conferences, the team page and "my tasks", built on who is asking."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest

from teams import policy
from teams.models import Patient, Team, User

from .models import ActionItem, CaseConference, ConferenceSeries


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


def my_tasks(*, user: User) -> QuerySet[ActionItem]:
    """Open conference actions the user owns, for patients they may still see, soonest due first."""
    return (
        ActionItem.objects.open()
        .filter(owner=user, patient__in=Patient.objects.visible_to(user))
        .select_related("patient", "conference__team")
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
