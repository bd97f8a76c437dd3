"""A consenting patient's consent has its day (after 0011 dated every existing one)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0011_patient_reminder_consent"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="patient",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("consent_to_reminders", False),
                    ("reminder_consent_given_on__isnull", False),
                    _connector="OR",
                ),
                name="patient_reminder_consent_dated",
            ),
        ),
    ]
