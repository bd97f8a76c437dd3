"""Closed conferences keep their notes as written, whatever the application does.

A note row marked ``locked`` (set when its conference closes) can no longer be updated or
deleted; amendments are append-only.
"""

from django.db import migrations

from core.db import reject_update_delete_sql

LOCKED_NOTE = """
CREATE FUNCTION teams_conferencenote_reject_locked() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the note of a closed conference can only be amended: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER teams_conferencenote_locked
    BEFORE UPDATE OR DELETE ON teams_conferencenote
    FOR EACH ROW WHEN (OLD.locked) EXECUTE FUNCTION teams_conferencenote_reject_locked();
"""

UNLOCKED = """
DROP TRIGGER IF EXISTS teams_conferencenote_locked ON teams_conferencenote;
DROP FUNCTION IF EXISTS teams_conferencenote_reject_locked();
"""


class Migration(migrations.Migration):
    dependencies = [("teams", "0003_case_conferences")]

    operations = [
        migrations.RunSQL(LOCKED_NOTE, UNLOCKED),
        migrations.RunSQL(
            *reject_update_delete_sql(table="teams_noteamendment", message="note amendments are append-only")
        ),
    ]
