"""Writes for staff, teams, patients and emergency access, and the audit trail every write goes through."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import context
from core.queue import enqueue_on_commit

from . import policy
from .models import (
    AuditEvent,
    EmergencyAccess,
    EmergencyNote,
    Membership,
    Patient,
    Team,
    User,
)


def audit_record(
    *,
    action: str,
    actor: Any = None,
    patient: Patient | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changed_fields: Iterable[str] = (),
    username: str = "",
) -> AuditEvent:
    """Append one event. Field names are recorded, never their values; the client's address comes from
    the request's context (``core.context``), which the edge of the system set."""
    actor = context.signed_in(actor)  # a signed-out visitor is recorded by address (and any username) only
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
        ip_address=context.current().address,
    )


def audit_record_many(
    *,
    action: str,
    actor: Any,
    patient_ids: Iterable[int],
    obj: models.Model | None = None,
    object_type: str = "",
) -> None:
    """One event per patient whose record a page shows, in one query (an agenda lists many)."""
    actor = context.signed_in(actor)
    ip_address = context.current().address
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


M = TypeVar("M", bound=models.Model)


def audited_save(
    instance: M,
    *,
    actor: Any,
    patient: Patient | None,
    fields: Iterable[str] | None = None,
    action: str | None = None,
    clean: bool = True,
    username: str = "",
    bookkeeping: Iterable[str] = (),
) -> M:
    """The one way a service writes a row and says so: validate (``full_clean``), save, and append one
    audit event naming the fields written, never their values. Creating saves every field; updating
    saves only ``fields`` (with any ``auto_now`` field). Runs in the caller's transaction, so a refused
    audit leaves no row. The actor is also the author of the row's history where it keeps one; with no
    actor (a patient's link), ``username`` says who wrote it. ``bookkeeping`` fields (a version counter)
    are saved with the update but are not a change the audit names."""
    creating = instance._state.adding
    names = list(fields) if fields is not None else []
    if clean:
        instance.full_clean()
    if hasattr(type(instance), "history"):
        instance._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
    if creating or fields is None:
        instance.save()
    else:
        auto_now = [f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)]
        extra = [name for name in [*bookkeeping, *auto_now] if name not in names]
        instance.save(update_fields=[*names, *dict.fromkeys(extra)])
    if not names and creating:
        names = [f.name for f in instance._meta.concrete_fields if not f.primary_key and f.editable]
    audit_record(
        actor=actor,
        action=action or (AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE),
        patient=patient,
        obj=instance,
        changed_fields=names,
        username=username,
    )
    return instance


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
def patient_create(*, user: User, data: dict[str, Any]) -> Patient:
    patient = Patient(**data)
    return audited_save(
        patient, actor=user, patient=patient, fields=data.keys(), action=AuditEvent.Action.CREATE
    )


def _stored_value(instance: models.Model, name: str) -> Any:
    """A field's value as stored: the id for a foreign key, so comparing loads nothing."""
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname if isinstance(field, models.Field) else name)


def _given_value(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


@transaction.atomic
def patient_update(*, user: User, patient: Patient, data: dict[str, Any]) -> Patient:
    """Apply ``data`` to the stored record (locked while we compare), audit the changed fields.

    Only the patient's current team (or a clinic admin) changes the record, its team and primary
    clinician included (``teams.policy``); emergency access never does. Moving a patient out of a
    team tells that team's leads."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if not policy.may_change_patient(user, patient):
        raise PermissionDenied(
            _("Only a member of %(team)s or a clinic admin can change this patient's record.")
            % {"team": patient.team}
        )
    changed = [name for name, value in data.items() if _stored_value(patient, name) != _given_value(value)]
    if not changed:
        return patient
    from_team_id = patient.team_id
    for name in changed:
        setattr(patient, name, data[name])
    # A number or address a provider could not deliver to is flagged until it is changed.
    for contact in ("mobile", "email"):
        if contact in changed and getattr(patient, f"{contact}_failed_at") is not None:
            setattr(patient, f"{contact}_failed_at", None)
            setattr(patient, f"{contact}_failed_reason", "")
            changed += [f"{contact}_failed_at", f"{contact}_failed_reason"]
    audited_save(patient, actor=user, patient=patient, fields=changed)
    if patient.team_id != from_team_id:
        enqueue_on_commit("teams.tasks.patient_moved_notify", patient.pk, from_team_id, user.pk)
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
    subject = _("RehabCare: a patient moved from %(from_team)s to %(to_team)s") % {
        "from_team": from_team,
        "to_team": patient.team,
    }
    send_mass_mail([(subject, body, None, [address]) for address in recipients])
    return len(recipients)


# --- Emergency access ("break glass") -------------------------------------------------------------

EMERGENCY_REASON_MIN = 20


def emergency_access_grant(*, user: User, mrn: str, reason: str) -> EmergencyAccess:
    """Open a patient outside the user's teams for EMERGENCY_ACCESS_MINUTES, for a stated reason: a
    high-severity audit event, and the patient's team leads and the clinic admins told by email.

    The reason comes first: without one no MRN is looked up, so the form tells nothing about which
    MRNs exist. With one, every lookup is audited, an MRN that matches nobody included (that event is
    written on its own, as the refusal rolls nothing back that it needs)."""
    reason = reason.strip()
    if len(reason) < EMERGENCY_REASON_MIN:
        raise ValidationError(
            {
                "reason": _("Say why you need this record now, in at least %(count)d characters.")
                % {"count": EMERGENCY_REASON_MIN}
            }
        )
    patient = Patient.objects.filter(mrn__iexact=mrn.strip()).select_related("team").first()
    if patient is None:
        audit_record(
            actor=user,
            action=AuditEvent.Action.DENIED,
            object_type="emergency access lookup",
            object_id=mrn.strip()[:64],
        )
        raise ValidationError({"mrn": _("No patient has this MRN.")})
    with transaction.atomic():
        access = EmergencyAccess(
            user=user,
            patient=patient,
            reason=reason,
            expires_at=timezone.now() + timedelta(minutes=settings.EMERGENCY_ACCESS_MINUTES),
        )
        audited_save(access, actor=user, patient=patient, action=AuditEvent.Action.EMERGENCY, clean=False)
        enqueue_on_commit("teams.tasks.emergency_access_notify", access.pk)
    return access


def emergency_access_active(*, user: User, patient: Patient) -> EmergencyAccess | None:
    return (
        EmergencyAccess.objects.filter(user=user, patient=patient, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


@transaction.atomic
def emergency_note_add(*, patient: Patient, user: User, text: str) -> EmergencyNote:
    """What the clinician did under emergency access, kept for the patient's team (while it lasts)."""
    access = emergency_access_active(user=user, patient=patient)
    if access is None:
        raise ValidationError(_("An emergency note is written while your emergency access lasts."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write what you did or found.")})
    note = audited_save(
        EmergencyNote(access=access, patient=patient, author=user, text=text),
        actor=user,
        patient=patient,
        fields=["text"],
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
    subject = _("RehabCare: emergency access to a patient of %(team)s") % {"team": access.patient.team}
    send_mass_mail([(subject, body, None, [address]) for address in recipients])
    return len(recipients)


# --- interface language ---


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """The interface language ``user`` chose (one of settings.LANGUAGES; empty follows the clinic's),
    saved and audited."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    user = User.objects.select_for_update().get(pk=user.pk)
    user.language = language
    return audited_save(user, actor=user, patient=None, fields=["language"], clean=False)
