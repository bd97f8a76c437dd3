"""Indexes for the review queue's closed view (most recently closed first) and its "raised between"
filter (issue 18)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0003_alter_alert_kind_alter_alert_screening"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(fields=["status", "-closed_at"], name="alert_status_closed_at"),
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(fields=["opened_at"], name="alert_opened_at"),
        ),
    ]
