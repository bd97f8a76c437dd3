"""Each unresolved review alert from before the routing rules becomes an assigned review, and the alert
is closed with "Became an assigned psychosocial review" (``routing.alert_reviews``)."""

from django.db import migrations

from routing.alert_reviews import review_alerts_convert


def convert(apps, schema_editor):
    review_alerts_convert(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0003_seed_rules"),
        ("screening", "0005_alert_escalation_setting_source"),
        ("teams", "0013_staff_mobile_team_ack_minutes"),
    ]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
