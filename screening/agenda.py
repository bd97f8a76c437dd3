"""Screening's reasons for a case-conference agenda (``conferences.agenda`` calls them): what changed
between ``since`` (the previous conference) and ``until`` (this one)."""

from datetime import datetime

from django.db import connection
from django.db.models import Q, QuerySet

from core.dates import day_month
from teams.models import Patient

from .instruments import INSTRUMENTS, change_between, thresholds_in_force
from .instruments.model import HIGH_FLAG
from .models import Alert
from .selectors import all_overrides


def urgent_alerts(patients: QuerySet[Patient], *, since: datetime, until: datetime) -> list[tuple[int, str]]:
    """Urgent alerts still unresolved, or raised since the last conference (even if closed since)."""
    alerts = (
        Alert.objects.filter(patient__in=patients, kind=Alert.Kind.URGENT, opened_at__lt=until)
        .filter(~Q(status=Alert.Status.CLOSED) | Q(opened_at__gte=since))
        .order_by("opened_at", "id")
    )
    return [
        (
            alert.patient_id,
            f"{alert.reason} — raised {day_month(alert.opened_at)}, {alert.get_status_display().lower()}",
        )
        for alert in alerts
    ]


# Each current result since the last conference beside the previous current result of its instrument
# (read by index for each), kept only when it reliably deteriorated on it (by the instrument's
# effective reliable-change threshold) or moved into the high band. Python then words the few rows
# with ``change_between``, the one judgement of a change.
DISTRESS_SQL = """
SELECT s.patient_id, s.instrument, s.total, s.band, s.administered_at, previous.total
FROM screening_screening s
LEFT JOIN LATERAL (
    SELECT p.total, p.flags FROM screening_screening p
    WHERE p.patient_id = s.patient_id AND p.instrument = s.instrument
      AND p.administered_at < s.administered_at
      AND NOT EXISTS (SELECT 1 FROM screening_screening a WHERE a.amends_id = p.id)
    ORDER BY p.administered_at DESC, p.id DESC
    LIMIT 1
) previous ON true
LEFT JOIN UNNEST(%s::text[], %s::numeric[], %s::boolean[]) AS t(code, rc, better) ON t.code = s.instrument
WHERE s.patient_id IN ({patients}) AND s.administered_at >= %s AND s.administered_at < %s
  AND NOT EXISTS (SELECT 1 FROM screening_screening a WHERE a.amends_id = s.id)
  AND (
      (previous.total IS NOT NULL AND s.total <> previous.total AND t.rc IS NOT NULL
       AND abs(s.total - previous.total) >= t.rc AND (s.total > previous.total) <> t.better)
      OR (%s = ANY(s.flags) AND NOT coalesce(%s = ANY(previous.flags), false))
  )
ORDER BY s.administered_at, s.id
"""


def distress_rising(
    patients: QuerySet[Patient], *, since: datetime, until: datetime
) -> list[tuple[int, str]]:
    """Results since the last conference that reliably deteriorated on the previous result of the same
    instrument, or moved into a high band: one query that returns only those."""
    overrides = all_overrides()
    codes = list(INSTRUMENTS)
    rcs = [thresholds_in_force(INSTRUMENTS[code], overrides.get(code))[1] for code in codes]
    better = [INSTRUMENTS[code].higher_is_better for code in codes]
    # Unordered: the patients' names are then not read, and their ids come from an index alone.
    patient_sql, patient_params = patients.order_by().values("id").query.sql_with_params()
    params = [codes, rcs, better, *patient_params, since, until, HIGH_FLAG, HIGH_FLAG]
    with connection.cursor() as cursor:
        cursor.execute(DISTRESS_SQL.format(patients=patient_sql), params)
        rows = cursor.fetchall()
    found = []
    for patient_id, code, total, band, administered_at, previous_total in rows:
        instrument = INSTRUMENTS[code]
        when = f"{day_month(administered_at)}"
        if previous_total is not None:
            change = change_between(instrument, previous_total, total, overrides=overrides.get(code))
            if change.reliable and change.direction == "deterioration":
                found.append(
                    (patient_id, f"{code} {previous_total} → {total} on {when}: reliable deterioration")
                )
                continue
        found.append(
            (patient_id, f"{code} {total}{f' ({band})' if band else ''} on {when}: into the high band")
        )
    return found
