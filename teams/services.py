"""Writes for staff, teams, patients and case conferences, and the audit trail every write goes through."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import models, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.client_ip import client_ip
from core.queue import enqueue_on_commit

from . import policy
from .agenda import agenda_entries, agenda_window
from .models import (
    ActionItem,
    AgendaItem,
    AuditEvent,
    CaseConference,
    ConferenceNote,
    ConferenceSeries,
    EmergencyAccess,
    EmergencyNote,
    Membership,
    NoteAmendment,
    Patient,
    Team,
    User,
)


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    actor: Any = None,
    patient: Patient | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changed_fields: Iterable[str] = (),
    username: str = "",
) -> AuditEvent:
    """Append one event. Field names are recorded, never their values."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        object_type = object_type or obj._meta.model_name or ""
        object_id = object_id or str(obj.pk)
    return AuditEvent.objects.create(
        actor=actor,
        username=username or (actor.get_username() if actor is not None else ""),
        action=action,
        patient=patient,
        object_type=object_type,
        object_id=object_id,
        changed_fields=sorted(changed_fields),
        ip_address=client_ip(request) if request is not None else None,
    )


def audit_record_many(
    *,
    action: str,
    request: HttpRequest,
    patient_ids: Iterable[int],
    obj: models.Model | None = None,
    object_type: str = "",
) -> None:
    """One event per patient whose record a page shows, in one query (an agenda lists many)."""
    actor = request.user if request.user.is_authenticated else None
    ip_address = client_ip(request)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            username=actor.get_username() if actor is not None else "",
            action=action,
            patient_id=patient_id,
            object_type=object_type or (obj._meta.model_name or "" if obj is not None else ""),
            object_id=str(obj.pk) if obj is not None else "",
            ip_address=ip_address,
        )
        for patient_id in sorted(set(patient_ids))
    )


def patient_mrn_taken(*, user: User, mrn: str, exclude_id: int | None = None) -> bool:
    """Whether an MRN is registered to another patient. The form gives one answer whoever's patient it
    is; a match the user may not see is audited, so probing for other teams' MRNs leaves a trail."""
    taken = Patient.objects.filter(mrn__iexact=mrn).exclude(pk=exclude_id).first()
    if taken is None:
        return False
    if not Patient.objects.visible_to(user).filter(pk=taken.pk).exists():
        audit_record(
            actor=user,
            action=AuditEvent.Action.DENIED,
            patient=taken,
            object_type="mrn lookup",
            object_id=mrn[:64],
        )
    return True


@transaction.atomic
def patient_create(*, request: HttpRequest, data: dict[str, Any]) -> Patient:
    patient = Patient(**data)
    patient.full_clean()
    patient.save()
    audit_record(
        request=request,
        action=AuditEvent.Action.CREATE,
        patient=patient,
        obj=patient,
        changed_fields=data.keys(),
    )
    return patient


def _stored_value(instance: models.Model, name: str) -> Any:
    """A field's value as stored: the id for a foreign key, so comparing loads nothing."""
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname if isinstance(field, models.Field) else name)


def _given_value(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


@transaction.atomic
def patient_update(*, request: HttpRequest, patient: Patient, data: dict[str, Any]) -> Patient:
    """Apply ``data`` to the stored record (locked while we compare), audit the changed fields.

    Only the patient's current team (or a clinic admin) changes the record, its team and primary
    clinician included (``teams.policy``); emergency access never does. Moving a patient out of a
    team tells that team's leads."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if not policy.may_change_patient(request.user, patient):
        raise PermissionDenied(
            f"Only a member of {patient.team} or a clinic admin can change this patient's record."
        )
    changed = [name for name, value in data.items() if _stored_value(patient, name) != _given_value(value)]
    if not changed:
        return patient
    from_team_id = patient.team_id
    for name in changed:
        setattr(patient, name, data[name])
    patient.full_clean()
    patient.save(update_fields=[*changed, "updated_at"])
    audit_record(
        request=request,
        action=AuditEvent.Action.UPDATE,
        patient=patient,
        obj=patient,
        changed_fields=changed,
    )
    if patient.team_id != from_team_id:
        from .tasks import patient_moved_notify

        enqueue_on_commit(patient_moved_notify, patient.pk, from_team_id, request.user.pk)
    return patient


def patient_moved_notify_send(*, patient_id: int, from_team_id: int, moved_by_id: int) -> int:
    """Email the leads of the team a patient left: who moved them, where to; initials only."""
    patient = Patient.objects.select_related("team").get(pk=patient_id)
    from_team = Team.objects.get(pk=from_team_id)
    recipients = sorted(
        set(
            User.objects.filter(
                memberships__team=from_team, memberships__role=Membership.Role.LEAD, is_active=True
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    body = render_to_string(
        "teams/patient_moved_email.txt",
        {
            "initials": f"{patient.given_name[:1]}{patient.family_name[:1]}".upper(),
            "from_team": from_team,
            "to_team": patient.team,
            "moved_by": User.objects.get(pk=moved_by_id),
        },
    )
    subject = f"RehabCare: a patient moved from {from_team} to {patient.team}"
    send_mass_mail([(subject, body, None, [address]) for address in recipients])
    return len(recipients)


# Case conferences ----------------------------------------------------------------------------------


def _locked(conference: CaseConference) -> CaseConference:
    return CaseConference.objects.select_for_update().get(pk=conference.pk)


def _require_open(conference: CaseConference) -> None:
    if conference.status == CaseConference.Status.CLOSED:
        raise ValidationError("This conference is closed: its notes can only be amended.")


@transaction.atomic
def conference_plan(
    *, team: Team, starts_at: datetime, chair: User, attendees: Iterable[User], user: User
) -> CaseConference:
    if not Membership.objects.filter(team=team, user=chair, role=Membership.Role.LEAD).exists():
        raise ValidationError({"chair": f"{chair} is not a lead of {team}."})
    if CaseConference.objects.filter(team=team, starts_at=starts_at).exists():
        raise ValidationError({"starts_at": f"{team} already has a conference at that time."})
    conference = CaseConference.objects.create(team=team, starts_at=starts_at, chair=chair)
    conference.attendees.set({*attendees, chair})
    audit_record(actor=user, action=AuditEvent.Action.CREATE, obj=conference)
    return conference


def conference_next_start(series: ConferenceSeries, after: datetime) -> datetime:
    """The series' first meeting after ``after``, in the clinic's time zone (daylight saving included)."""
    local = timezone.localtime(after)
    day = local.date() + timedelta(days=(series.weekday - local.weekday()) % 7)
    while True:
        start = timezone.make_aware(datetime.combine(day, series.local_time))
        if start > after:
            return start
        day += timedelta(days=7 * series.every_weeks)


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
    series.full_clean()
    series.save()
    audit_record(
        actor=user,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=series,
        changed_fields=changed,
    )
    conference_plan_next(series=series)
    return (
        CaseConference.objects.filter(team_id=series.team_id, starts_at__gt=timezone.now())
        .exclude(status=CaseConference.Status.CLOSED)
        .order_by("starts_at")
        .first()
    )


@transaction.atomic
def conference_start(*, conference: CaseConference, user: User, request: HttpRequest | None = None):
    """Open a planned conference: the agenda it lists today is stored, with its reasons, in its order."""
    conference = _locked(conference)
    if conference.status != CaseConference.Status.PLANNED:
        return conference
    window = agenda_window(conference)
    entries = agenda_entries(conference, window)
    # Two writes whatever the agenda's length: the new lines together, the stored ones together.
    stored = [entry.item for entry in entries if entry.item is not None]
    for position, entry in enumerate(entries):
        if entry.item is not None:
            entry.item.position, entry.item.reasons = position, entry.reasons
    AgendaItem.objects.bulk_create(
        AgendaItem(conference=conference, patient=entry.patient, position=position, reasons=entry.reasons)
        for position, entry in enumerate(entries)
        if entry.item is None
    )
    AgendaItem.objects.bulk_update(stored, ["position", "reasons"])
    conference.status = CaseConference.Status.IN_PROGRESS
    conference.agenda_since = window.since
    conference.started_at = timezone.now()
    conference.save(update_fields=["status", "agenda_since", "started_at"])
    audit_record(
        request=request,
        actor=user,
        action=AuditEvent.Action.UPDATE,
        obj=conference,
        changed_fields=["status"],
    )
    return conference


@transaction.atomic
def agenda_item_add(
    *, conference: CaseConference, patient: Patient, user: User, request: HttpRequest | None = None
) -> AgendaItem:
    conference = _locked(conference)
    _require_open(conference)
    if patient.team_id != conference.team_id:
        raise ValidationError({"patient": f"{patient.full_name} is not a patient of {conference.team}."})
    existing = AgendaItem.objects.filter(conference=conference, patient=patient).first()
    if existing is not None:
        return existing
    last = AgendaItem.objects.filter(conference=conference).aggregate(last=Max("position"))["last"]
    item = AgendaItem.objects.create(
        conference=conference,
        patient=patient,
        position=0 if last is None else last + 1,
        reasons=[{"code": "added", "label": "Added by hand", "detail": f"by {user}"}],
        added_by=user,
    )
    audit_record(request=request, actor=user, action=AuditEvent.Action.CREATE, patient=patient, obj=item)
    return item


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
def note_save(
    *, item: AgendaItem, data: dict[str, str], user: User, request: HttpRequest | None = None
) -> ConferenceNote:
    """Write the note while the conference is open; once closed it can only be amended."""
    _require_open(_locked(item.conference))
    note = ConferenceNote.objects.select_for_update().filter(item=item).first()
    action = AuditEvent.Action.UPDATE
    if note is None:
        note, action = ConferenceNote(item=item, author=user), AuditEvent.Action.CREATE
    changed = [name for name in NOTE_FIELDS if getattr(note, name) != data.get(name, "")]
    for name in NOTE_FIELDS:
        setattr(note, name, data.get(name, ""))
    note.author = user
    note.save()
    if item.discussed_at is None:
        item.discussed_at = timezone.now()
        item.save(update_fields=["discussed_at"])
    audit_record(
        request=request, actor=user, action=action, patient=item.patient, obj=note, changed_fields=changed
    )
    return note


@transaction.atomic
def note_amend(
    *, item: AgendaItem, text: str, user: User, request: HttpRequest | None = None
) -> NoteAmendment:
    """Add to the note of a closed conference, keeping what it said."""
    if item.conference.status != CaseConference.Status.CLOSED:
        raise ValidationError("The conference is still open: edit the note itself.")
    if not text.strip():
        raise ValidationError({"text": "Write the amendment."})
    note = ConferenceNote.objects.filter(item=item).first()
    if note is None:
        note = ConferenceNote.objects.create(item=item, author=user, locked=True)
    amendment = NoteAmendment.objects.create(note=note, text=text.strip(), author=user)
    audit_record(
        request=request,
        actor=user,
        action=AuditEvent.Action.CREATE,
        patient=item.patient,
        obj=amendment,
        changed_fields=["text"],
    )
    return amendment


@transaction.atomic
def action_add(
    *,
    item: AgendaItem,
    description: str,
    owner: User,
    due_on: date,
    user: User,
    plan_change: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> ActionItem:
    """An owned action for the patient, and the plan change it makes (if any), saved together."""
    from .plan_changes import plan_change_provider

    conference = _locked(item.conference)
    _require_open(conference)
    if not Membership.objects.filter(team_id=conference.team_id, user=owner).exists():
        raise ValidationError({"owner": f"{owner} is not a member of {conference.team}."})
    part, summary = None, ""
    provider = plan_change_provider()
    if plan_change and provider is not None:
        part, summary = provider.apply(
            patient=item.patient,
            cleaned_data=plan_change,
            owner=owner,
            due_on=due_on,
            description=description,
            user=user,
            request=request,
        )
    action = ActionItem.objects.create(
        conference=conference,
        item=item,
        patient=item.patient,
        description=description,
        owner=owner,
        due_on=due_on,
        part_type=ContentType.objects.get_for_model(part) if part is not None else None,
        part_id=part.pk if part is not None else None,
        plan_change=summary,
        created_by=user,
    )
    audit_record(
        request=request,
        actor=user,
        action=AuditEvent.Action.CREATE,
        patient=item.patient,
        obj=action,
        changed_fields=["description", "owner", "due_on", *(["plan_change"] if summary else [])],
    )
    return action


@transaction.atomic
def action_complete(*, action: ActionItem, user: User, request: HttpRequest | None = None) -> ActionItem:
    """Mark done by its owner, a lead of the team or a clinic admin."""
    action = ActionItem.objects.select_for_update().get(pk=action.pk)
    if not policy.may_complete_action(user, action):
        raise ValidationError("Only the owner or a lead of the team can mark this action done.")
    if action.status == ActionItem.Status.DONE:
        return action
    action.status, action.done_at, action.done_by = ActionItem.Status.DONE, timezone.now(), user
    action.save(update_fields=["status", "done_at", "done_by"])
    audit_record(
        request=request,
        actor=user,
        action=AuditEvent.Action.UPDATE,
        patient=action.patient,
        obj=action,
        changed_fields=["status"],
    )
    return action


@transaction.atomic
def conference_close(
    *, conference: CaseConference, user: User, request: HttpRequest | None = None
) -> CaseConference:
    """Close the conference: its notes lock, the attendees are sent the summary, the next one is planned."""
    from .tasks import conference_summary_email

    conference = _locked(conference)
    if conference.status == CaseConference.Status.CLOSED:
        return conference
    if conference.status == CaseConference.Status.PLANNED:
        raise ValidationError("Start the conference before closing it.")
    conference.status = CaseConference.Status.CLOSED
    conference.closed_at, conference.closed_by = timezone.now(), user
    conference.save(update_fields=["status", "closed_at", "closed_by"])
    ConferenceNote.objects.filter(item__conference=conference).update(locked=True)
    audit_record(
        request=request,
        actor=user,
        action=AuditEvent.Action.UPDATE,
        obj=conference,
        changed_fields=["status"],
    )
    enqueue_on_commit(conference_summary_email, conference.pk)
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
            "teams/conference_summary_email.txt",
            {
                "conference": conference,
                "items": items,
                "link": settings.SITE_URL
                + reverse("conference_summary", kwargs={"conference_id": conference.pk}),
            },
        )
        subject = f"RehabCare: summary of the {conference}"
        send_mass_mail([(subject, body, None, [address]) for address in recipients])
        conference.summary_sent_at = timezone.now()
        conference.save(update_fields=["summary_sent_at"])
        return len(recipients)


# --- Emergency access ("break glass") -------------------------------------------------------------

EMERGENCY_REASON_MIN = 20


def emergency_access_grant(
    *, user: User, mrn: str, reason: str, request: HttpRequest | None = None
) -> EmergencyAccess:
    """Open a patient outside the user's teams for EMERGENCY_ACCESS_MINUTES, for a stated reason: a
    high-severity audit event, and the patient's team leads and the clinic admins told by email.

    The reason comes first: without one no MRN is looked up, so the form tells nothing about which
    MRNs exist. With one, every lookup is audited, an MRN that matches nobody included (that event is
    written on its own, as the refusal rolls nothing back that it needs)."""
    reason = reason.strip()
    if len(reason) < EMERGENCY_REASON_MIN:
        raise ValidationError(
            {"reason": f"Say why you need this record now, in at least {EMERGENCY_REASON_MIN} characters."}
        )
    patient = Patient.objects.filter(mrn__iexact=mrn.strip()).select_related("team").first()
    if patient is None:
        audit_record(
            request=request,
            actor=user,
            action=AuditEvent.Action.DENIED,
            object_type="emergency access lookup",
            object_id=mrn.strip()[:64],
        )
        raise ValidationError({"mrn": "No patient has this MRN."})
    with transaction.atomic():
        access = EmergencyAccess.objects.create(
            user=user,
            patient=patient,
            reason=reason,
            expires_at=timezone.now() + timedelta(minutes=settings.EMERGENCY_ACCESS_MINUTES),
        )
        audit_record(
            request=request, actor=user, action=AuditEvent.Action.EMERGENCY, patient=patient, obj=access
        )
        from .tasks import emergency_access_notify

        enqueue_on_commit(emergency_access_notify, access.pk)
    return access


def emergency_access_active(*, user: User, patient: Patient) -> EmergencyAccess | None:
    return (
        EmergencyAccess.objects.filter(user=user, patient=patient, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


@transaction.atomic
def emergency_note_add(
    *, patient: Patient, user: User, text: str, request: HttpRequest | None = None
) -> EmergencyNote:
    """What the clinician did under emergency access, kept for the patient's team (while it lasts)."""
    access = emergency_access_active(user=user, patient=patient)
    if access is None:
        raise ValidationError("An emergency note is written while your emergency access lasts.")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write what you did or found."})
    note = EmergencyNote.objects.create(access=access, patient=patient, author=user, text=text)
    audit_record(
        request=request,
        actor=user,
        action=AuditEvent.Action.CREATE,
        patient=patient,
        obj=note,
        changed_fields=["text"],
    )
    return note


def emergency_access_notify_send(*, access_id: int) -> int:
    """Email the patient's team leads and the clinic admins: who, why, until when; no patient identifiers."""
    access = EmergencyAccess.objects.select_related("user", "patient__team").get(pk=access_id)
    leads = Membership.objects.filter(team=access.patient.team, role=Membership.Role.LEAD).values("user")
    recipients = sorted(
        set(
            User.objects.filter(models.Q(pk__in=leads) | models.Q(is_clinic_admin=True), is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    body = render_to_string(
        "teams/emergency_access_email.txt",
        {
            "access": access,
            "link": settings.SITE_URL + reverse("patient_overview", kwargs={"patient_id": access.patient_id}),
        },
    )
    subject = f"RehabCare: emergency access to a patient of {access.patient.team}"
    send_mass_mail([(subject, body, None, [address]) for address in recipients])
    return len(recipients)
