"""Schedules for tests."""

from datetime import date, time

from checkins.models import Schedule


def make_schedule(patient, **kwargs) -> Schedule:
    patient.consent_to_reminders = True
    patient.save(update_fields=["consent_to_reminders"])
    fields = {
        "cadence": "daily",
        "anchor_date": date(2026, 1, 1),
        "local_time": time(18, 0),
        "time_zone": "Europe/London",
        "channel": "email",
        "consent_given_on": date(2026, 1, 1),
    }
    schedule = Schedule(patient=patient, **(fields | kwargs))
    schedule.full_clean()
    schedule.save()
    return schedule
