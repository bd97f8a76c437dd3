"""The starter education items (``careplans.education_seed``), with their reading levels and first
history row."""

from django.db import migrations

from careplans.education_seed import education_ensure


def items_create(apps, schema_editor):
    education_ensure(
        apps.get_model("careplans", "EducationItem"), apps.get_model("careplans", "HistoricalEducationItem")
    )


class Migration(migrations.Migration):
    dependencies = [("careplans", "0005_person_centred_care")]

    operations = [migrations.RunPython(items_create, migrations.RunPython.noop)]
