"""Results are immutable in PostgreSQL itself, and the three standard batteries exist from the start."""

from django.db import migrations

from core.db import reject_update_delete_sql
from screening.batteries import batteries_ensure


def batteries_create(apps, schema_editor):
    batteries_ensure(apps.get_model("screening", "Battery"))


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [
        migrations.RunSQL(
            *reject_update_delete_sql(
                table="screening_screening",
                message="screening results are immutable (record an amendment instead)",
            )
        ),
        migrations.RunPython(batteries_create, migrations.RunPython.noop),
    ]
