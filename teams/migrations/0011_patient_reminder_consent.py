"""Consent to reminders gets its day and how it was given, on the patient: the one record of it.

A patient already consenting is dated by the day their record was made and says the day was not kept;
checkins migration 0005 then gives every patient with a check-in schedule the day and note the schedule
held (its own copy of consent, dropped there)."""

from django.db import migrations, models
from django.utils import timezone

UNDATED = "Consent was on file before its day was kept: the day shown is when the record was made."


def date_existing_consent(apps, schema_editor):
    Patient = apps.get_model("teams", "Patient")
    for patient in Patient.objects.filter(consent_to_reminders=True, reminder_consent_given_on__isnull=True):
        patient.reminder_consent_given_on = timezone.localdate(patient.created_at)
        patient.reminder_consent_note = UNDATED
        patient.save(update_fields=["reminder_consent_given_on", "reminder_consent_note"])


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0010_conferences_move_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="reminder_consent_given_on",
            field=models.DateField(
                blank=True,
                help_text="The day the patient agreed to receive reminders.",
                null=True,
                verbose_name="agreed to reminders on",
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="reminder_consent_note",
            field=models.CharField(
                blank=True,
                help_text="E.g. verbally at intake, or a signed form.",
                max_length=200,
                verbose_name="how they agreed",
            ),
        ),
        # Backwards the two columns go, and with them what this filled in.
        migrations.RunPython(date_existing_consent, migrations.RunPython.noop),
    ]
