"""Reads for case conferences, the team page and "my tasks", built on who is asking."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest

from teams import policy
from teams.models import Patient, Team, User

from .agenda import ReasonGroup, reason_groups
from .models import ActionItem, AgendaItem, CaseConference, ConferenceSeries


def conferences_for(*, user: User) -> QuerySet[CaseConference]:
    """Conferences of the user's teams, with what the list shows in the same query: how many patients
    were on the agenda, and how many of them were discussed."""
    return (
        CaseConference.objects.visible_to(user)
        .select_related("team", "chair")
        .annotate(
            patients=Count("items", distinct=True),
            discussed=Count("items", filter=Q(items__discussed_at__isnull=False), distinct=True),
        )
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


def conference_lists(*, user: User) -> tuple[list[CaseConference], QuerySet[CaseConference]]:
    """The user's conferences still to hold (soonest first), and the closed ones (latest first, to page)."""
    conferences = conferences_for(user=user)
    upcoming = list(conferences.exclude(status=CaseConference.Status.CLOSED).order_by("starts_at", "id"))
    return upcoming, conferences.filter(status=CaseConference.Status.CLOSED).order_by("-starts_at", "-id")


def attendees_of(*, conference: CaseConference) -> list[User]:
    return list(conference.attendees.order_by("last_name"))


def agenda_item_of(*, conference: CaseConference, item_id: int) -> AgendaItem | None:
    return AgendaItem.objects.select_related("patient").filter(conference=conference, pk=item_id).first()


def item_discussion(*, item: AgendaItem) -> tuple[QuerySet[ActionItem], Any]:
    """What the discussion page lists under the note: the item's actions, and the note's amendments."""
    note = getattr(item, "note", None)
    actions = item.actions.select_related("owner", "done_by").order_by("due_on", "id")
    return actions, note.amendments.select_related("author") if note else []


@dataclass(frozen=True)
class SummaryLine:
    """A patient on the summary: the agenda item (note, amendments, actions) and its reasons grouped."""

    item: AgendaItem
    reason_groups: list[ReasonGroup]


def summary_items(*, conference: CaseConference) -> list[SummaryLine]:
    """Every item of the conference with its note, amendments and actions: four queries."""
    items = (
        AgendaItem.objects.filter(conference=conference)
        .select_related("patient", "note__author")
        .prefetch_related("actions__owner", "note__amendments__author")
        .order_by("position", "id")
    )
    return [SummaryLine(item=item, reason_groups=reason_groups(item.reasons)) for item in items]


def undiscussed_items(*, conference: CaseConference, limit: int) -> list[AgendaItem]:
    """The first ``limit`` patients of the agenda not discussed yet, in the agenda's order: one query."""
    return list(
        AgendaItem.objects.filter(conference=conference, discussed_at__isnull=True)
        .select_related("patient")
        .order_by("position", "id")[:limit]
    )


def action_for(*, user: User, action_id: int) -> ActionItem | None:
    """An action of a patient the user may see (else None: the view answers 404)."""
    return (
        ActionItem.objects.select_related("conference")
        .filter(pk=action_id, patient__in=Patient.objects.visible_to(user))
        .first()
    )
