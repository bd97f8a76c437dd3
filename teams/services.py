"""Writes for staff, teams and patients, and the audit trail every write goes through."""

from collections.abc import Iterable
from typing import Any

from axes.helpers import get_client_ip_address
from django.db import models, transaction
from django.http import HttpRequest

from .models import AuditEvent, Patient


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
        ip_address=get_client_ip_address(request) if request is not None else None,
    )


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
    """Apply ``data`` to the stored record (locked while we compare), audit the changed fields."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    changed = [name for name, value in data.items() if _stored_value(patient, name) != _given_value(value)]
    if not changed:
        return patient
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
    return patient
