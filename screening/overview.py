"""The screening section of the patient overview."""

from typing import Any

from django.http import HttpRequest

from teams.models import Patient

from .selectors import screening_panel


def screening_section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    panel = screening_panel(patient=patient)
    return {
        "panel": panel,
        "charts": [
            {
                "id": f"trajectory-{track.instrument.code}",
                "code": track.instrument.code,
                "points": track.points,
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
