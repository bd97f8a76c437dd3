"""The seeded routing rules (``routing.rules_seed``), each with its first history row."""

from django.db import migrations

from routing.rules_seed import rules_ensure


def rules_create(apps, schema_editor):
    rules_ensure(apps.get_model("routing", "RoutingRule"), apps.get_model("routing", "HistoricalRoutingRule"))


class Migration(migrations.Migration):
    dependencies = [("routing", "0002_rule_interventions_choices")]

    operations = [migrations.RunPython(rules_create, migrations.RunPython.noop)]
