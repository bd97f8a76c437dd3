"""Schedules for tests."""

from datetime import date, time

from checkins.models import Schedule


def make_schedule(patient, consent_given_on=date(2026, 1, 1), **kwargs) -> Schedule:
    """A daily schedule at 18:00, London, by email, for a patient who agreed on ``consent_given_on``."""
    patient.consent_to_reminders = True
    patient.reminder_consent_given_on = consent_given_on
    patient.save(update_fields=["consent_to_reminders", "reminder_consent_given_on"])
    fields = {
        "cadence": "daily",
        "local_time": time(18, 0),
        "time_zone": "Europe/London",
        "channel": "email",
    }
    schedule = Schedule(patient=patient, **(fields | kwargs))
    schedule.full_clean()
    schedule.save()
    return schedule
