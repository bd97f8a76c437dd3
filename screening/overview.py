"""The screening section of the patient overview."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import formats

from teams.models import Patient

from .selectors import ALERT_HISTORY_ROWS, alert_history, screening_panel


def screening_section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    panel = screening_panel(patient=patient)
    return {
        "panel": panel,
        "alerts": alert_history(patient=patient),
        "alert_rows": ALERT_HISTORY_ROWS,
        "charts": [
            {
                "id": f"trajectory-{track.instrument.code}",
                "code": track.instrument.code,
                # Dated as everywhere in the product ("30 Nov 2026"): a trajectory spans years.
                "points": [
                    {"x": formats.date_format(date.fromisoformat(point["x"])), "y": point["y"]}
                    for point in track.points
                ],
                "bands": [
                    {"label": label, "low": low, "high": high}
                    for label, low, high in track.instrument.band_edges
                ],
                "min": track.instrument.min_total,
                "max": track.instrument.max_total,
            }
            for track in panel.tracks
        ],
    }
