"""Large CSV exports, built by a Celery task that reports its progress on the row."""

import io
from collections.abc import Iterable

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from core import csv_safe
from core.queue import enqueue_on_commit
from teams import policy
from teams.models import AuditEvent, Patient, User
from teams.services import audit_record, audit_record_many

from . import dashboard
from .metrics import EMPTY, Rate
from .models import Export

HEADER = ["MRN", "Family name", "Given name", "Team", "Primary clinician", "Status"]


def header(metric: str) -> list[str]:
    """The columns of the patients behind a number: who they are, then their own value behind it."""
    return [*HEADER, str(dashboard.METRICS[metric]), "Counted", "Out of"]


def patient_row(patient: Patient, rate: Rate = EMPTY) -> list[str]:
    """One patient as a CSV row under ``header`` (the patient list behind a dashboard number): their
    value as a percentage and in whole units, blank when they have nothing to count."""
    counts = [str(rate.whole_numerator), str(rate.whole_denominator)] if rate.denominator else ["", ""]
    return [
        patient.mrn,
        patient.family_name,
        patient.given_name,
        patient.team.name,
        str(patient.primary_clinician),
        patient.status,
        rate.percent if rate.denominator else "",
        *counts,
    ]


def export_audit(*, user: User, what: str, patient_ids: Iterable[int], export: Export | None = None) -> None:
    """A file leaving the application: one ``export`` event per patient in it (in one query), or one
    event naming only the list when the file holds nobody, so that every export is on record."""
    patient_ids = list(patient_ids)
    if patient_ids:
        audit_record_many(
            actor=user,
            action=AuditEvent.Action.EXPORT,
            patient_ids=patient_ids,
            obj=export,
            object_type=what,
        )
    else:
        audit_record(actor=user, action=AuditEvent.Action.EXPORT, obj=export, object_type=what)


CHUNK = 200


def export_request(*, user: User, title: str, params: dict[str, str]) -> Export:
    with transaction.atomic():
        export = Export.objects.create(requested_by=user, title=title, params=params)
        enqueue_on_commit("adherence.tasks.export_build", export.pk)
    return export


def export_build(*, export_id: int) -> None:
    """Write the CSV in chunks, saving progress after each, so the page's bar moves."""
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    if export.status == Export.Status.DONE:
        return
    teams = policy.overseen_teams(export.requested_by)
    if teams is None:
        Export.objects.filter(pk=export.pk).update(status=Export.Status.FAILED)
        return
    query = QueryDict(mutable=True)
    query.update(export.params)
    filters = dashboard.DashboardFilters(query, teams=teams)
    window, patients = dashboard.window_and_patients(dashboard.overseen_patients(teams), filters)
    metric = export.params.get("metric", "attendance")
    if metric not in dashboard.METRICS:
        metric = "attendance"
    rows = dashboard.drilldown_patients(
        patients, window, metric, export.params.get("by", ""), export.params.get("group", "")
    )
    today = timezone.localdate()
    total = rows.count()
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, total_rows=total, done_rows=0)
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer)
    writer.writerow(header(metric))
    patient_ids: list[int] = []
    done = 0
    for start in range(0, total, CHUNK):
        chunk = list(rows[start : start + CHUNK])
        values = dashboard.patient_values(metric, [p.pk for p in chunk], window, today)
        for p in chunk:
            writer.writerow(patient_row(p, values.get(p.pk, EMPTY)))
            patient_ids.append(p.pk)
        done = min(total, start + CHUNK)
        Export.objects.filter(pk=export.pk).update(done_rows=done)
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.DONE,
        content=buffer.getvalue(),
        patient_ids=patient_ids,
        done_rows=total,
        finished_at=timezone.now(),
    )
