"""The three standard plan templates exist from the start."""

from django.db import migrations

from careplans.templates_seed import templates_ensure


def templates_create(apps, schema_editor):
    templates_ensure(apps.get_model("careplans", "PlanTemplate"))


class Migration(migrations.Migration):
    dependencies = [("careplans", "0001_initial")]

    operations = [migrations.RunPython(templates_create, migrations.RunPython.noop)]
