"""Results are immutable in PostgreSQL itself, and the three standard batteries exist from the start."""

from django.db import migrations

from screening.batteries import batteries_ensure

FORWARD = """
CREATE FUNCTION screening_screening_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'screening results are immutable: % is not allowed; record an amendment instead', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER screening_screening_no_update_delete
    BEFORE UPDATE OR DELETE ON screening_screening
    FOR EACH ROW EXECUTE FUNCTION screening_screening_immutable();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS screening_screening_no_update_delete ON screening_screening;
DROP FUNCTION IF EXISTS screening_screening_immutable();
"""


def batteries_create(apps, schema_editor):
    batteries_ensure(apps.get_model("screening", "Battery"))


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunPython(batteries_create, migrations.RunPython.noop),
    ]
