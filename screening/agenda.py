"""Screening's reasons for a case-conference agenda (see ``teams.agenda``)."""

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject

from teams.agenda import Window
from teams.models import Patient

from .instruments import INSTRUMENTS, change_between
from .instruments.model import HIGH_FLAG
from .models import Alert, Screening
from .selectors import all_overrides


def urgent_alerts(patients: QuerySet[Patient], window: Window) -> list[tuple[int, str]]:
    """Urgent alerts still unresolved, or raised since the last conference (even if closed since)."""
    alerts = (
        Alert.objects.filter(patient__in=patients, kind=Alert.Kind.URGENT, opened_at__lt=window.until)
        .filter(~Q(status=Alert.Status.CLOSED) | Q(opened_at__gte=window.since))
        .order_by("opened_at", "id")
    )
    return [
        (
            alert.patient_id,
            f"{alert.reason} — raised {alert.opened_at:%d %b}, {alert.get_status_display().lower()}",
        )
        for alert in alerts
    ]


def distress_rising(patients: QuerySet[Patient], window: Window) -> list[tuple[int, str]]:
    """Results since the last conference that reliably deteriorated on the previous result of the same
    instrument, or moved into a high band: one query, the previous result read by one subquery."""
    previous = (
        Screening.objects.current()
        .filter(
            patient_id=OuterRef("patient_id"),
            instrument=OuterRef("instrument"),
            administered_at__lt=OuterRef("administered_at"),
        )
        .order_by("-administered_at", "-id")
    )
    results = (
        Screening.objects.current()
        .filter(patient__in=patients, administered_at__gte=window.since, administered_at__lt=window.until)
        .annotate(previous=Subquery(previous.values(pair=JSONObject(total="total", flags="flags"))[:1]))
        .order_by("administered_at", "id")
        # Plain rows, not model instances: a big team has thousands of results a fortnight.
        .values_list("patient_id", "instrument", "total", "band", "flags", "administered_at", "previous")
    )
    overrides = all_overrides()
    found = []
    for patient_id, code, total, band, flags, administered_at, previous in results:
        instrument = INSTRUMENTS.get(code)
        if instrument is None:
            continue
        when = f"{administered_at:%d %b}"
        if previous is not None and previous["total"] != total:
            change = change_between(instrument, previous["total"], total, overrides=overrides.get(code))
            if change.reliable and change.direction == "deterioration":
                found.append(
                    (patient_id, f"{code} {previous['total']} → {total} on {when}: reliable deterioration")
                )
                continue
        was_high = previous is not None and HIGH_FLAG in previous["flags"]
        if HIGH_FLAG in flags and not was_high:
            found.append(
                (patient_id, f"{code} {total}{f' ({band})' if band else ''} on {when}: into the high band")
            )
    return found
