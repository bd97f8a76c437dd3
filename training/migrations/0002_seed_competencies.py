"""The seeded competencies (``training.seed``)."""

from django.db import migrations

from training.seed import competencies_ensure


def competencies_create(apps, schema_editor):
    competencies_ensure(apps.get_model("training", "Competency"))


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(competencies_create, migrations.RunPython.noop)]
