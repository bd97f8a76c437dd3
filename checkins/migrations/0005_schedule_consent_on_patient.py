"""One record of consent: the schedule's own "consent given on" and note move to the patient's record
(teams 0011) and leave the schedule; a schedule keeps only its own cadence's fields.

A patient who consents takes the day and note their schedule held (more exact than the day 0011 could
give). A schedule whose patient does not consent (never recorded, or withdrawn by the patient's opt-out)
gives nothing: moving its day over would start reminders nobody agreed to. Backwards, each schedule gets
its patient's day and note again (its own creation day where the patient has none)."""

import django.core.validators
from django.db import migrations, models
from django.utils import timezone

# Each cadence and the fields it does not use (as checkins.models.CADENCE_FIELDS says today).
UNUSED = {
    "daily": ("weekdays", "every_n_days", "anchor_date"),
    "weekdays": ("every_n_days", "anchor_date"),
    "every_n_days": ("weekdays",),
}


def consent_to_patient(apps, schema_editor):
    Schedule = apps.get_model("checkins", "Schedule")
    Patient = apps.get_model("teams", "Patient")
    consenting = Schedule.objects.filter(patient__consent_to_reminders=True, consent_given_on__isnull=False)
    for schedule in consenting:
        Patient.objects.filter(pk=schedule.patient_id).update(
            reminder_consent_given_on=schedule.consent_given_on, reminder_consent_note=schedule.consent_note
        )


def consent_to_schedule(apps, schema_editor):
    Schedule = apps.get_model("checkins", "Schedule")
    for schedule in Schedule.objects.select_related("patient"):
        patient = schedule.patient
        made = timezone.localdate(schedule.created_at)
        schedule.consent_given_on = patient.reminder_consent_given_on or made
        schedule.consent_note = patient.reminder_consent_note
        schedule.save(update_fields=["consent_given_on", "consent_note"])


def cadence_fields_clear(apps, schema_editor):
    Schedule = apps.get_model("checkins", "Schedule")
    for cadence, names in UNUSED.items():
        Schedule.objects.filter(cadence=cadence).update(
            **{name: [] if name == "weekdays" else None for name in names}
        )


def cadence_fields_fill(apps, schema_editor):
    """Backwards: the columns were required; the values the earlier code would have proposed."""
    Schedule = apps.get_model("checkins", "Schedule")
    Schedule.objects.filter(every_n_days=None).update(every_n_days=2)
    for schedule in Schedule.objects.filter(anchor_date=None):
        schedule.anchor_date = timezone.localdate(schedule.created_at)
        schedule.save(update_fields=["anchor_date"])


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0004_reminder_questionnaire_draft"),
        ("teams", "0011_patient_reminder_consent"),
    ]

    operations = [
        migrations.AlterField(
            model_name="schedule",
            name="consent_given_on",
            field=models.DateField(null=True, help_text="When the patient agreed to receive reminders."),
        ),
        migrations.RunPython(consent_to_patient, consent_to_schedule),
        migrations.RemoveField(model_name="schedule", name="consent_given_on"),
        migrations.RemoveField(model_name="schedule", name="consent_note"),
        migrations.AlterField(
            model_name="schedule",
            name="every_n_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="From 2 to 28.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(2),
                    django.core.validators.MaxValueValidator(28),
                ],
                verbose_name="every how many days",
            ),
        ),
        migrations.AlterField(
            model_name="schedule",
            name="anchor_date",
            field=models.DateField(
                blank=True, help_text="The first day of the count.", null=True, verbose_name="counting from"
            ),
        ),
        migrations.RunPython(cadence_fields_clear, cadence_fields_fill),
    ]
