"""Writes for case conferences: plan, start, the agenda, notes and amendments, actions, close, and the
summary sent to attendees. Keyword-only, atomic, audited."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from careplans.catalogue import competencies_for
from careplans.models import Responsibility
from core.calendar import weekly_next
from core.queue import enqueue_on_commit
from teams import policy
from teams.models import Membership, Patient, Team, User
from teams.services import audited_save
from training.gate import owner_check

from .agenda import agenda_order, agenda_window, hand_added_position
from .models import ActionItem, AgendaItem, CaseConference, ConferenceNote, ConferenceSeries, NoteAmendment
from .plan_changes import Change, plan_change_apply


def _locked(conference: CaseConference) -> CaseConference:
    return CaseConference.objects.select_for_update().get(pk=conference.pk)


def _require_open(conference: CaseConference) -> None:
    if conference.status == CaseConference.Status.CLOSED:
        raise ValidationError(_("This conference is closed: its notes can only be amended."))


@transaction.atomic
def conference_plan(
    *, team: Team, starts_at: datetime, chair: User, attendees: Iterable[User], user: User
) -> CaseConference:
    if not Membership.objects.filter(team=team, user=chair, role=Membership.Role.LEAD).exists():
        raise ValidationError(
            {"chair": _("%(user)s is not a lead of %(team)s.") % {"user": chair, "team": team}}
        )
    if CaseConference.objects.filter(team=team, starts_at=starts_at).exists():
        raise ValidationError(
            {"starts_at": _("%(team)s already has a conference at that time.") % {"team": team}}
        )
    conference = audited_save(
        CaseConference(team=team, starts_at=starts_at, chair=chair), actor=user, patient=None, clean=False
    )
    conference.attendees.set({*attendees, chair})
    return conference


def conference_next_start(series: ConferenceSeries, after: datetime) -> datetime:
    """The series' first meeting after ``after``, in the clinic's time zone (daylight saving included)."""
    return weekly_next(after, weekday=series.weekday, at=series.local_time, every_weeks=series.every_weeks)


@transaction.atomic
def conference_plan_next(*, series: ConferenceSeries, now: datetime | None = None) -> CaseConference | None:
    """Plan the series' next conference unless the team already has one ahead. Idempotent."""
    now = now or timezone.now()
    series = ConferenceSeries.objects.select_for_update().select_related("team").get(pk=series.pk)
    if not series.active:
        return None
    upcoming = CaseConference.objects.filter(team_id=series.team_id, starts_at__gt=now).exclude(
        status=CaseConference.Status.CLOSED
    )
    if upcoming.exists():
        return None
    last = CaseConference.objects.filter(team_id=series.team_id).aggregate(last=Max("starts_at"))["last"]
    starts_at = conference_next_start(series, max(now, last) if last else now)
    conference = CaseConference.objects.create(
        team_id=series.team_id, starts_at=starts_at, chair=series.chair
    )
    conference.attendees.set(User.objects.filter(memberships__team_id=series.team_id, is_active=True))
    return conference


def conferences_plan_next() -> int:
    """Plan the next conference of every active series that has none ahead; how many were planned."""
    return sum(
        conference_plan_next(series=series) is not None
        for series in ConferenceSeries.objects.filter(active=True)
    )


@transaction.atomic
def conference_series_save(*, series: ConferenceSeries, user: User) -> CaseConference | None:
    """Save a team's cadence and agenda thresholds, and plan its next conference if none is ahead."""
    created = series.pk is None
    previous = ConferenceSeries.objects.filter(pk=series.pk).first()
    changed = [
        field.name
        for field in ConferenceSeries._meta.concrete_fields
        if previous is not None and getattr(previous, field.attname) != getattr(series, field.attname)
    ]
    audited_save(series, actor=user, patient=None, fields=None if created else changed)
    conference_plan_next(series=series)
    return (
        CaseConference.objects.filter(team_id=series.team_id, starts_at__gt=timezone.now())
        .exclude(status=CaseConference.Status.CLOSED)
        .order_by("starts_at")
        .first()
    )


@transaction.atomic
def conference_start(*, conference: CaseConference, user: User) -> CaseConference:
    """Open a planned conference: the agenda it lists today is stored, with its reasons, in its order."""
    conference = _locked(conference)
    if conference.status != CaseConference.Status.PLANNED:
        return conference
    window = agenda_window(conference)
    entries = agenda_order(conference, window)
    # Two writes whatever the agenda's length: the new lines together, the stored ones together.
    stored = [entry.item for entry in entries if entry.item is not None]
    for position, entry in enumerate(entries):
        if entry.item is not None:
            entry.item.position, entry.item.reasons = position, entry.reasons
    AgendaItem.objects.bulk_create(
        AgendaItem(
            conference=conference, patient_id=entry.patient_id, position=position, reasons=entry.reasons
        )
        for position, entry in enumerate(entries)
        if entry.item is None
    )
    AgendaItem.objects.bulk_update(stored, ["position", "reasons"])
    conference.status = CaseConference.Status.IN_PROGRESS
    conference.agenda_since = window.since
    conference.started_at = timezone.now()
    return audited_save(
        conference, actor=user, patient=None, fields=["status", "agenda_since", "started_at"], clean=False
    )


@transaction.atomic
def agenda_item_add(*, conference: CaseConference, patient: Patient, user: User) -> AgendaItem:
    """Put a patient of the team on the agenda by hand. Once the conference has started, the patient
    joins after the urgent items (``agenda.hand_added_position``); before, the agenda places them
    there each time it is built."""
    conference = _locked(conference)
    _require_open(conference)
    if patient.team_id != conference.team_id:
        raise ValidationError(
            {
                "patient": _("%(name)s is not a patient of %(team)s.")
                % {"name": patient.full_name, "team": conference.team}
            }
        )
    existing = AgendaItem.objects.filter(conference=conference, patient=patient).first()
    if existing is not None:
        return existing
    items = list(AgendaItem.objects.filter(conference=conference).order_by("position", "id"))
    position = (
        hand_added_position(items) if conference.status != CaseConference.Status.PLANNED else len(items)
    )
    item = AgendaItem(
        conference=conference,
        patient=patient,
        position=position,
        reasons=[{"code": "added", "label": "Added by hand", "detail": f"by {user}"}],
        added_by=user,
    )
    # The items below make room: one write whatever their number.
    following = items[position:]
    for offset, other in enumerate(following, start=position + 1):
        other.position = offset
    AgendaItem.objects.bulk_update(following, ["position"])
    return audited_save(item, actor=user, patient=patient, clean=False)


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, up: bool) -> None:
    """Swap the item with its neighbour above or below."""
    _require_open(_locked(item.conference))
    items = list(AgendaItem.objects.filter(conference_id=item.conference_id).order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    moved = [each for position, each in enumerate(items) if each.position != position]
    for each in moved:
        each.position = items.index(each)
    AgendaItem.objects.bulk_update(moved, ["position"])


@transaction.atomic
def agenda_item_discussed(*, item: AgendaItem, discussed: bool = True) -> AgendaItem:
    _require_open(_locked(item.conference))
    item.discussed_at = timezone.now() if discussed else None
    item.save(update_fields=["discussed_at"])
    return item


NOTE_FIELDS = ["physical", "psychological", "social", "patient_perspective", "decisions"]


@transaction.atomic
def note_save(*, item: AgendaItem, data: dict[str, str], user: User) -> ConferenceNote:
    """Write the note while the conference is open; once closed it can only be amended."""
    _require_open(_locked(item.conference))
    note = ConferenceNote.objects.select_for_update().filter(item=item).first() or ConferenceNote(item=item)
    changed = [name for name in NOTE_FIELDS if getattr(note, name) != data.get(name, "")]
    for name in NOTE_FIELDS:
        setattr(note, name, data.get(name, ""))
    note.author = user
    if item.discussed_at is None:
        item.discussed_at = timezone.now()
        item.save(update_fields=["discussed_at"])
    return audited_save(note, actor=user, patient=item.patient, fields=[*changed, "author"], clean=False)


@transaction.atomic
def note_amend(*, item: AgendaItem, text: str, user: User) -> NoteAmendment:
    """Add to the note of a closed conference, keeping what it said."""
    if item.conference.status != CaseConference.Status.CLOSED:
        raise ValidationError(_("The conference is still open: edit the note itself."))
    if not text.strip():
        raise ValidationError({"text": _("Write the amendment.")})
    note = ConferenceNote.objects.filter(item=item).first()
    if note is None:
        note = ConferenceNote.objects.create(item=item, author=user, locked=True)
    amendment = NoteAmendment(note=note, text=text.strip(), author=user)
    return audited_save(amendment, actor=user, patient=item.patient, fields=["text"], clean=False)


@transaction.atomic
def action_add(
    *,
    item: AgendaItem,
    description: str,
    owner: User,
    due_on: date,
    user: User,
    plan_change: dict[str, Any] | None = None,
    competence_override_reason: str = "",
) -> ActionItem:
    """An owned action for the patient, and the plan change it makes (if any), saved together. An action
    that adds or changes a responsibility passes the competence gate for its intervention
    (``training.gate``): an owner without it is refused (strict) or kept with the reason given (warn),
    recorded on the action and on a responsibility it adds."""
    conference = _locked(item.conference)
    _require_open(conference)
    if not Membership.objects.filter(team_id=conference.team_id, user=owner).exists():
        raise ValidationError(
            {"owner": _("%(user)s is not a member of %(team)s.") % {"user": owner, "team": conference.team}}
        )
    # --- competence gate ---
    needs = action_needs(plan_change)
    gaps = (
        owner_check(owner, needs, on=timezone.localdate(), reason=competence_override_reason) if needs else []
    )
    reason = competence_override_reason.strip() if gaps else ""
    if plan_change and reason:
        plan_change = {**plan_change, "competence_override_reason": reason}
    part, summary = None, ""
    if plan_change:
        part, summary = plan_change_apply(
            patient=item.patient,
            cleaned_data=plan_change,
            owner=owner,
            due_on=due_on,
            description=description,
            user=user,
        )
    action = ActionItem(
        conference=conference,
        item=item,
        patient=item.patient,
        description=description,
        owner=owner,
        due_on=due_on,
        **({ActionItem.part_field(part): part} if part is not None else {}),
        plan_change=summary,
        created_by=user,
        competence_override_reason=reason,
    )
    fields = ["description", "owner", "due_on", *(["plan_change"] if summary else [])]
    fields += ["competence_override_reason"] if reason else []
    return audited_save(action, actor=user, patient=item.patient, fields=fields, clean=False)


@transaction.atomic
def action_complete(*, action: ActionItem, user: User) -> ActionItem:
    """Mark done by its owner, a lead of the team or a clinic admin."""
    action = ActionItem.objects.select_for_update().get(pk=action.pk)
    if not policy.may_complete_action(user, action):
        raise ValidationError(_("Only the owner or a lead of the team can mark this action done."))
    if action.status == ActionItem.Status.DONE:
        return action
    action.status, action.done_at, action.done_by = ActionItem.Status.DONE, timezone.now(), user
    return audited_save(
        action, actor=user, patient=action.patient, fields=["status", "done_at", "done_by"], clean=False
    )


class CloseNotConfirmed(ValidationError):
    """Closing would leave more patients undiscussed than the user agreed to: ask them first."""

    def __init__(self, *, undiscussed: int, total: int) -> None:
        self.undiscussed, self.total = undiscussed, total
        super().__init__(
            ngettext(
                "%(undiscussed)d of %(total)d patient not discussed: close anyway?",
                "%(undiscussed)d of %(total)d patients not discussed: close anyway?",
                total,
            )
            % {"undiscussed": undiscussed, "total": total}
        )


@transaction.atomic
def conference_close(*, conference: CaseConference, user: User, leave_undiscussed: int = 0) -> CaseConference:
    """Close the conference: its notes lock, the attendees are sent the summary, the next one is planned.

    A conference closes with patients not discussed only when the user agreed to leave at least that
    many (``leave_undiscussed``, the count they were shown); otherwise ``CloseNotConfirmed`` says how
    many of how many, and nothing changes. Someone adding a patient meanwhile makes it ask again.
    """
    conference = _locked(conference)
    if conference.status == CaseConference.Status.CLOSED:
        return conference
    if conference.status == CaseConference.Status.PLANNED:
        raise ValidationError(_("Start the conference before closing it."))
    counts = AgendaItem.objects.filter(conference=conference).aggregate(
        total=Count("id"), undiscussed=Count("id", filter=Q(discussed_at__isnull=True))
    )
    if counts["undiscussed"] > leave_undiscussed:
        raise CloseNotConfirmed(undiscussed=counts["undiscussed"], total=counts["total"])
    conference.status = CaseConference.Status.CLOSED
    conference.closed_at, conference.closed_by = timezone.now(), user
    audited_save(
        conference, actor=user, patient=None, fields=["status", "closed_at", "closed_by"], clean=False
    )
    ConferenceNote.objects.filter(item__conference=conference).update(locked=True)
    enqueue_on_commit("conferences.tasks.conference_summary_email", conference.pk)
    series = ConferenceSeries.objects.filter(team_id=conference.team_id).first()
    if series is not None:
        conference_plan_next(series=series)
    return conference


def conference_summary_send(*, conference_id: int) -> int:
    """Email each attendee the closed conference's summary, once. Returns how many were sent now.

    The email names patients by initials only and carries decisions and actions, never the clinical
    note; the full summary is one click away, behind sign-in and the team rule.
    """
    with transaction.atomic():
        conference = (
            CaseConference.objects.select_for_update().select_related("team", "chair").get(pk=conference_id)
        )
        if conference.status != CaseConference.Status.CLOSED or conference.summary_sent_at is not None:
            return 0
        items = (
            AgendaItem.objects.filter(conference=conference)
            .select_related("patient", "note")
            .prefetch_related("actions__owner")
            .order_by("position", "id")
        )
        recipients = sorted(
            set(conference.attendees.filter(is_active=True).exclude(email="").values_list("email", flat=True))
        )
        body = render_to_string(
            "conferences/conference_summary_email.txt",
            {
                "conference": conference,
                "items": items,
                "link": settings.SITE_URL
                + reverse("conference_summary", kwargs={"conference_id": conference.pk}),
            },
        )
        subject = _("RehabCare: summary of the %(conference)s") % {"conference": conference}
        send_mass_mail([(subject, body, None, [address]) for address in recipients])
        conference.summary_sent_at = timezone.now()
        conference.save(update_fields=["summary_sent_at"])
        return len(recipients)


# --- competence gate ---


def action_needs(plan_change: dict[str, Any] | None) -> list[str]:
    """The competencies an action's owner needs: those of the intervention of the responsibility the
    action adds or reschedules; none for any other action."""
    change = (plan_change or {}).get("change")
    if change == Change.ADD_RESPONSIBILITY:
        return competencies_for([plan_change.get("intervention") or ""])  # type: ignore[union-attr]
    part = str((plan_change or {}).get("part") or "")
    if change == Change.RESCHEDULE and part.startswith("responsibility:"):
        pk = part.split(":")[1]
        code = Responsibility.objects.filter(pk=int(pk) if pk.isdigit() else 0).values_list(
            "intervention", flat=True
        )
        return competencies_for(code[:1])
    return []
