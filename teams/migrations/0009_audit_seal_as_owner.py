"""Sealing an audit event needs no UPDATE from the application: the seal runs as the table's owner.

The application's role may only read the audit trail and add to it (``teams/database_roles.py``),
yet each event is sealed at commit by an UPDATE (teams migration 0005). The sealing function becomes
``SECURITY DEFINER``, so it runs with the rights of its owner (who ran the migrations), with a fixed
``search_path`` (the schema of the tables, then ``pg_temp`` last) so that no object another role can
create is found in its place. Nobody may call it but the trigger.
"""

from django.db import migrations

AS_OWNER = """
ALTER FUNCTION teams_auditevent_seal() SECURITY DEFINER;
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION teams_auditevent_seal() SET search_path = %I, pg_temp', current_schema());
END $$;
REVOKE EXECUTE ON FUNCTION teams_auditevent_seal() FROM PUBLIC;
"""
AS_INVOKER = """
GRANT EXECUTE ON FUNCTION teams_auditevent_seal() TO PUBLIC;
ALTER FUNCTION teams_auditevent_seal() RESET search_path;
ALTER FUNCTION teams_auditevent_seal() SECURITY INVOKER;
"""


class Migration(migrations.Migration):
    dependencies = [("teams", "0008_emergency_notes")]

    operations = [migrations.RunSQL(AS_OWNER, AS_INVOKER)]
