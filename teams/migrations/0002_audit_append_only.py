"""Make the audit trail append-only in PostgreSQL itself, whatever the application does.

TRUNCATE is left to the table's owner: the test suite's database flush needs it,
and in production the application connects as a role that does not own the table
(see README, "Production").
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION teams_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % is not allowed on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER teams_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON teams_auditevent
    FOR EACH ROW EXECUTE FUNCTION teams_auditevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS teams_auditevent_no_update_delete ON teams_auditevent;
DROP FUNCTION IF EXISTS teams_auditevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
