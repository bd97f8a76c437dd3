"""Writes for care plans. Every save is atomic, audited, kept in history, and refused if made
from a stale version of the row (optimistic locking): nobody's work is silently overwritten."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teams.models import AuditEvent, Membership, Patient, User
from teams.services import audit_record, audited_save
from training.gate import automatic_reason, competent_first, owner_check, strict

from . import preferences as steering
from .catalogue import CATALOGUE, competencies_for
from .models import (
    Caregiver,
    CarePlan,
    CarePreferences,
    CommunityResource,
    EducationAssignment,
    EducationItem,
    Milestone,
    PlanTemplate,
    Responsibility,
    Versioned,
)

V = TypeVar("V", bound=Versioned)
# What a responsibility proposed by a template says until the team and the patient agree how often: a
# placeholder for the team, left out of what the patient and family read (the printable plan).
FREQUENCY_TO_AGREE = "to agree with the patient"
REASON_LENGTH = 100


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class FieldClash:
    """A field both editors changed, to different values: one of them must be chosen."""

    field: str
    label: str
    theirs: str
    mine: str


class EditConflict(Exception):
    """Someone saved the row after the editor loaded it, and both changed a field differently (or what
    the editor started from is unknown). Carries what they changed, the clashes and the fresh row."""

    def __init__(
        self,
        *,
        current: Versioned,
        changes: list[FieldChange],
        changed_by: Any,
        changed_at: Any,
        clashes: list[FieldClash] | None = None,
    ) -> None:
        super().__init__(f"{current._meta.verbose_name} was changed by {changed_by} while you were editing")
        self.current = current
        self.changes = changes
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.clashes = clashes or []


RelatedLabel = Callable[[models.Field, Any], str]


def _display(instance: models.Model, field: models.Field, related_label: RelatedLabel | None) -> str:
    value = getattr(instance, field.attname)
    if value is None or value == "" or value == []:
        return "—"
    if field.is_relation:
        # A caller showing many changes passes labels it loaded in bulk, to keep queries flat.
        return related_label(field, value) if related_label else str(getattr(instance, field.name))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    base = getattr(field, "base_field", None)
    if isinstance(value, list) and base is not None and base.choices:  # e.g. the scopes consented to
        labels = dict(base.flatchoices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if isinstance(value, datetime):  # a moment (a consent withdrawn), as people read it
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)


def changes_between(
    before: models.Model, after: models.Model, names: list[str], related_label: RelatedLabel | None = None
) -> list[FieldChange]:
    """The fields among ``names`` whose values differ, for people to read."""
    changes = []
    for name in names:
        field = after._meta.get_field(name)
        if not isinstance(field, models.Field):
            continue
        old, new = _display(before, field, related_label), _display(after, field, related_label)
        if old != new:
            changes.append(FieldChange(field=name, label=str(field.verbose_name), before=old, after=new))
    return changes


def _patient_of(instance: Versioned) -> Patient:
    if isinstance(instance, CarePreferences):  # the patient's own, whichever plan is current
        return instance.patient
    return instance.plan_of.patient  # type: ignore[attr-defined]


ONE_ACTIVE_PLAN = "careplan_one_active_per_patient"


def _confirmed(instance: Versioned, *, user: User, fields: list[str]) -> list[str]:
    """Whoever records a milestone as reached is the one who confirms it: ``fields``, with that one."""
    if isinstance(instance, Milestone) and instance.achieved_on and instance.confirmed_by_id is None:
        instance.confirmed_by = user
        if "confirmed_by" not in fields:
            return [*fields, "confirmed_by"]
    return fields


@contextmanager
def _one_active_plan() -> Iterator[None]:
    """Two activations racing past full_clean: the database's constraint decides, and the loser is
    refused as validation would have refused it."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if ONE_ACTIVE_PLAN in str(error):
            raise ValidationError(
                {"status": [_("This patient already has an active plan: complete it first.")]}
            ) from None
        raise


def _with_reason(instance: Versioned, reason: str) -> None:
    """Why the change was made (e.g. the review that asked for it), kept in the row's history."""
    # The history keeps 100 characters of a reason.
    text = reason if len(reason) <= REASON_LENGTH else reason[: REASON_LENGTH - 1] + "…"
    instance._change_reason = text or None  # type: ignore[attr-defined]  # read by django-simple-history


@transaction.atomic
def part_create(*, instance: V, user: User, reason: str = "") -> V:
    """Add a plan, or a part of one: validated, audited, and in its history under ``user`` (with
    ``reason``, when the change has one the plan's timeline should show)."""
    fields = [f.name for f in instance._meta.concrete_fields if f.name not in ("id", "version")]
    fields = _confirmed(instance, user=user, fields=fields)
    fields = _consent_recorded(instance, user=user, fields=fields)
    _with_reason(instance, reason)
    gated = isinstance(instance, Responsibility)
    if gated:  # validated first, so that a refusal of the owner's team comes before their competence
        instance.full_clean()
        responsibility_gate(instance)  # type: ignore[arg-type]
    with _one_active_plan():
        audited_save(instance, actor=user, patient=_patient_of(instance), fields=fields, clean=not gated)
    return instance


@transaction.atomic
def part_update(
    *,
    instance: V,
    data: dict[str, Any],
    expected_version: int,
    user: User,
    reason: str = "",
) -> V:
    """Apply ``data`` to the stored row (``reason``, if given, is kept in its history). If someone saved
    it since ``expected_version``, merge three ways against the version the editor started from: a field
    only they changed keeps their value, a field only the editor changed takes the editor's, and a field
    both changed to different values is an ``EditConflict`` (with its clashes) for the editor to choose,
    so nobody's change is undone unseen."""
    model = type(instance)
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    if current.version != expected_version:
        data = _merged(current, data, expected_version)
    before = copy(current)
    for name, value in data.items():
        setattr(current, name, value)
    names = list(data)
    gated = isinstance(current, Responsibility) and _owner_or_work_changed(before, current)
    if gated:
        names = list(dict.fromkeys([*names, GATE_REASON]))
        if GATE_REASON not in data:  # a reason given for the owner before is not one for the new owner
            current.competence_override_reason = ""  # type: ignore[attr-defined]
        current.full_clean()
        responsibility_gate(current)  # type: ignore[arg-type]
    changed = [change.field for change in changes_between(before, current, names)]
    if not changed:
        return current
    current.version += 1
    fields = _confirmed(current, user=user, fields=changed)
    fields = _consent_recorded(current, user=user, fields=fields)
    _with_reason(current, reason)
    with _one_active_plan():
        audited_save(
            current,
            actor=user,
            patient=_patient_of(current),
            fields=fields,
            bookkeeping=["version"],
            clean=not gated,
        )
    return current


def _merged(current: V, data: dict[str, Any], expected_version: int) -> dict[str, Any]:
    """The editor's ``data`` less what only the other person changed, or EditConflict on a clash."""
    history = current.history  # type: ignore[attr-defined]  # added by django-simple-history
    seen = history.filter(version=expected_version).order_by("-history_date").first()
    latest = history.select_related("history_user").order_by("-history_date").first()
    mine = copy(current)
    for name, value in data.items():
        setattr(mine, name, value)
    theirs = (
        {change.field: change for change in changes_between(seen.instance, current, list(data))}
        if seen
        else {}
    )
    # A clash: both changed the field, to different values. With the starting version gone, every
    # difference is the editor's to settle.
    clashes = [
        FieldClash(change.field, change.label, theirs=change.before, mine=change.after)
        for change in changes_between(current, mine, list(data))
        if seen is None or (change.field in theirs and changes_between(seen.instance, mine, [change.field]))
    ]
    if clashes:
        raise EditConflict(
            current=current,
            changes=list(theirs.values()),
            changed_by=latest.history_user if latest else None,
            changed_at=latest.history_date if latest else None,
            clashes=clashes,
        )
    return {name: value for name, value in data.items() if name not in theirs}


def _owner_for(patient: Patient, code: str, fallback: User) -> tuple[User, list[str]]:
    """Who takes on a proposed responsibility, and the competencies they lack for it: of the primary
    clinician (if of the intervention's discipline) and then the team's members of that discipline in name
    order, the first who holds what the intervention needs (``training.gate``), else the first of them;
    with nobody of that discipline, the clinician creating the plan."""
    discipline = CATALOGUE[code].discipline
    members = [
        membership.user
        for membership in Membership.objects.filter(
            team=patient.team, user__discipline=discipline, user__is_active=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    ]
    primary = patient.primary_clinician
    candidates = [primary] if primary.discipline == discipline else []
    candidates += [member for member in members if member.pk != primary.pk] or (
        [] if candidates else [fallback]
    )
    return competent_first(candidates, competencies_for([code]), on=timezone.localdate())


@transaction.atomic
def plan_create(
    *,
    patient: Patient,
    user: User,
    start_date: date,
    review_date: date,
    template: PlanTemplate | None = None,
    risk_stratum: str = "",
    summary_physical: str = "",
    summary_psychological: str = "",
    summary_social: str = "",
) -> CarePlan:
    """A draft plan, with the template's responsibilities proposed to the disciplines that provide them,
    each in the patient's preferred modality where it is offered that way (``careplans.preferences``)."""
    plan = CarePlan(
        patient=patient,
        created_by=user,
        start_date=start_date,
        review_date=review_date,
        template=template,
        risk_stratum=risk_stratum or (template.stratum if template else ""),
        summary_physical=summary_physical,
        summary_psychological=summary_psychological or (template.summary_psychological if template else ""),
        summary_social=summary_social,
    )
    part_create(instance=plan, user=user)
    wanted = CarePreferences.objects.filter(patient=patient).first() if template else None
    for code in template.interventions if template else []:
        intervention = CATALOGUE[code]
        owner, gaps = _owner_for(patient, code, user)
        if gaps and strict():
            continue  # nobody competent to propose it to: the page says what was left out
        part_create(
            instance=Responsibility(
                plan=plan,
                intervention=code,
                owner=owner,
                discipline=intervention.discipline,
                frequency=FREQUENCY_TO_AGREE,
                modality=steering.modality_for(code, wanted).modality,
                starts_on=start_date,
                competence_override_reason=automatic_reason(
                    patient.team, gaps, by=_("proposed by discipline from the plan template")
                )
                if gaps
                else "",
            ),
            user=user,
        )
    return plan


def plan_proposals_left_out(*, plan: CarePlan) -> list[str]:
    """The template's interventions a new plan has no responsibility for (strict competence gate: nobody
    in the team could take them on), by name."""
    if plan.template is None:
        return []
    present = set(plan.responsibilities.values_list("intervention", flat=True))
    labels = dict(Responsibility._meta.get_field("intervention").flatchoices)
    return [str(labels.get(code, code)) for code in plan.template.interventions if code not in present]


def plan_set_status(*, plan: CarePlan, status: str, expected_version: int, user: User) -> CarePlan:
    """Activate or complete a plan; at most one plan per patient is active."""
    return part_update(instance=plan, data={"status": status}, expected_version=expected_version, user=user)


def milestone_mark_achieved(*, milestone: Milestone, expected_version: int, user: User) -> Milestone:
    """Record the milestone as reached today, confirmed by this clinician."""
    return part_update(
        instance=milestone,
        data={"achieved_on": timezone.localdate()},
        expected_version=expected_version,
        user=user,
    )


# --- education ---

ALREADY_ASSIGNED = gettext_lazy("“{title}” is already assigned on this plan.")


@transaction.atomic
def education_assign(*, plan: CarePlan, item: EducationItem, user: User) -> EducationAssignment:
    """Give the patient an education item from their plan, to read through their check-in link: an active
    item for patients, once per plan (a second time is refused, also when two clinicians race)."""
    if not item.active or item.audience != EducationItem.Audience.PATIENT:
        raise ValidationError({"item": [_("Choose an item of the library that is written for patients.")]})
    if plan.status == CarePlan.Status.COMPLETED:
        raise ValidationError({"item": [_("This plan is completed: assign education on the current plan.")]})
    already = ValidationError({"item": [ALREADY_ASSIGNED.format(title=item.title)]})
    if EducationAssignment.objects.filter(plan=plan, item=item).exists():
        raise already
    assignment = EducationAssignment(plan=plan, item=item, assigned_by=user)
    try:
        with transaction.atomic():
            # The unique constraint decides a race; validation would only repeat the check above.
            audited_save(assignment, actor=user, patient=plan.patient, clean=False)
    except IntegrityError:
        raise already from None
    return assignment


# --- caregivers ---

# What the patient consented to: a change to any of these is a consent recorded by the one who saves it.
CONSENT_FIELDS = {
    "consent_scopes",
    "consent_given_by",
    "consent_given_on",
    "consent_recorded_how",
    "consent_until",
}
WITHDRAWAL_FIELDS = ["consent_withdrawn_at", "consent_withdrawn_by", "consent_withdrawal_note"]


def _consent_recorded(instance: Versioned, *, user: User, fields: list[str]) -> list[str]:
    """A caregiver's consent saved through the form is recorded by ``user``; one given again on or after
    the day it was withdrawn is a new consent, which lifts the withdrawal (the history keeps the old one)."""
    if not isinstance(instance, Caregiver):
        return fields
    creating = instance._state.adding
    if (creating and not instance.consent_scopes) or (not creating and not CONSENT_FIELDS & set(fields)):
        return fields
    instance.consent_recorded_by = user
    added = ["consent_recorded_by"]
    withdrawn = instance.consent_withdrawn_at
    if (
        withdrawn is not None
        and "consent_given_on" in fields
        and instance.consent_scopes
        and instance.consent_given_on is not None
        and instance.consent_given_on >= timezone.localdate(withdrawn)
    ):
        instance.consent_withdrawn_at, instance.consent_withdrawn_by = None, None
        instance.consent_withdrawal_note = ""
        added += WITHDRAWAL_FIELDS
    return [*fields, *(name for name in added if name not in fields)]


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


@dataclass(frozen=True)
class Withdrawal:
    caregiver: Caregiver
    refused: int  # queued messages refused by it


@transaction.atomic
def caregiver_consent_withdraw(
    *, caregiver: Caregiver, user: User, note: str = "", now: datetime | None = None
) -> Withdrawal:
    """The patient withdrew their consent: from this moment nothing is sent to the caregiver. The row is
    locked (a message being sent waits, then finds the withdrawal), the scopes and who gave them stay for
    the history, and the messages still queued are refused in the same transaction, each audited."""
    current = (
        Caregiver.objects.select_for_update(of=("self",)).select_related("plan__patient").get(pk=caregiver.pk)
    )
    if current.consent_withdrawn_at is not None:
        raise ValidationError(
            _("Consent was already withdrawn on %(day)s.")
            % {"day": _day(timezone.localdate(current.consent_withdrawn_at))}
        )
    now = now or timezone.now()
    current.consent_withdrawn_at, current.consent_withdrawn_by = now, user
    current.consent_withdrawal_note = note.strip()
    current.version += 1
    patient = current.plan.patient
    audited_save(current, actor=user, patient=patient, fields=WITHDRAWAL_FIELDS, bookkeeping=["version"])
    # checkins.CaregiverMessage, reached through its relation (checkins is above careplans).
    queued = list(current.messages.select_for_update().filter(status="queued").values_list("pk", flat=True))
    reason = f"consent withdrawn on {_day(timezone.localdate(now))}"
    current.messages.filter(pk__in=queued).update(status="refused", refused_reason=reason)
    for pk in queued:
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=user,
            patient=patient,
            object_type="caregivermessage",
            object_id=str(pk),
            changed_fields=["status", "refused_reason"],
        )
    return Withdrawal(caregiver=current, refused=len(queued))


# --- preferences ---


@transaction.atomic
def preferences_save(
    *, patient: Patient, user: User, data: dict[str, Any], expected_version: int, reason: str = ""
) -> CarePreferences:
    """Record the patient's care preferences, or change them (``expected_version``: the version the
    editor started from, 0 for none yet). Versioned, merged and audited like a part of the plan, kept in
    the history; two people recording them for the first time at once are serialised on the patient, and
    the second is merged with what the first recorded."""
    list(Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True))
    current = CarePreferences.objects.filter(patient=patient).first()
    if current is None:
        preferences = CarePreferences(patient=patient, **data)
        return part_create(instance=preferences, user=user, reason=reason)
    return part_update(
        instance=current, data=data, expected_version=expected_version, user=user, reason=reason
    )


# --- directory and referrals ---

RESOURCE_CHANGED = gettext_lazy(
    "Someone else saved this resource while you were editing it: reload the page to see their changes, "
    "then make yours again."
)


@transaction.atomic
def resource_save(
    *, resource: CommunityResource, user: User, seen_updated_at: datetime | None = None
) -> CommunityResource:
    """Add a resource to the directory, or save changes to one (audited, with history). An edit made from
    a page loaded before someone else's save (``seen_updated_at``) is refused rather than undo it."""
    if resource.pk is not None:
        current = CommunityResource.objects.select_for_update().get(pk=resource.pk)
        if seen_updated_at is not None and current.updated_at != seen_updated_at:
            raise ValidationError(str(RESOURCE_CHANGED))
    audited_save(resource, actor=user, patient=None)
    return resource


@transaction.atomic
def resource_verify(*, resource: CommunityResource, user: User, day: date | None = None) -> CommunityResource:
    """Record that ``user`` checked the resource's details today (or on ``day``): its re-verify reminder
    starts again."""
    current = CommunityResource.objects.select_for_update().get(pk=resource.pk)
    current.last_verified_on = day or timezone.localdate()
    current.verified_by = user
    audited_save(current, actor=user, patient=None, fields=["last_verified_on", "verified_by"])
    return current


# --- competence gate ---

GATE_REASON = "competence_override_reason"


def _owner_or_work_changed(before: Versioned, after: Versioned) -> bool:
    """The owner, the intervention or the reason given changed: the gate asks again (an unrelated edit
    does not ask for a reason already recorded)."""
    return any(
        getattr(before, name) != getattr(after, name) for name in ("owner_id", "intervention", GATE_REASON)
    )


def responsibility_gate(responsibility: Responsibility) -> list[str]:
    """The competence gate (``training.gate.owner_check``) for a responsibility's owner and what its
    intervention needs, on today's date, with the reason on the row: refused (``ValidationError`` on the
    owner or on ``competence_override_reason``), or the competencies they lack, kept with the reason. A
    competent owner needs no reason: one left from before is cleared."""
    reason = responsibility.competence_override_reason.strip()
    gaps = owner_check(
        responsibility.owner,
        competencies_for([responsibility.intervention]),
        on=timezone.localdate(),
        reason=reason,
    )
    responsibility.competence_override_reason = reason if gaps else ""
    return gaps
