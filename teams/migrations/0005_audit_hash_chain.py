"""The audit trail becomes a hash chain, sealed by PostgreSQL as each writing transaction commits."""

from django.db import migrations, models

# The fields an event's hash covers, in order, as text that does not depend on the session's settings.
DIGEST = """
CREATE FUNCTION teams_auditevent_digest(e teams_auditevent, previous text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws(
        '|', previous, e.id::text,
        to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        coalesce(e.actor_id::text, ''), e.username, e.action, coalesce(e.patient_id::text, ''),
        e.object_type, e.object_id, e.changed_fields::text, coalesce(host(e.ip_address), '')
    ), 'UTF8')), 'hex')
$$;
"""

# Append-only still, with one exception: sealing an unsealed event, changing nothing else.
APPEND_ONLY_BUT_SEALING = """
CREATE OR REPLACE FUNCTION teams_auditevent_reject_update_delete() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND (NEW.id, NEW.at, NEW.actor_id, NEW.username, NEW.action, NEW.patient_id, NEW.object_type,
            NEW.object_id, NEW.changed_fields, NEW.ip_address)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.actor_id, OLD.username, OLD.action, OLD.patient_id, OLD.object_type,
            OLD.object_id, OLD.changed_fields, OLD.ip_address) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % is not allowed on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION teams_auditevent_reject_update_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % is not allowed on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

# At commit (deferred), under a lock held only until that commit ends: the next number, the previous
# hash, and this event's hash. The chain therefore follows commit order and never forks.
SEAL = """
CREATE FUNCTION teams_auditevent_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(7310002);
    SELECT seq, hash INTO last_seq, last_hash FROM teams_auditevent WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
    UPDATE teams_auditevent
       SET seq = coalesce(last_seq, 0) + 1,
           prev_hash = coalesce(last_hash, ''),
           hash = teams_auditevent_digest(NEW, coalesce(last_hash, ''))
     WHERE id = NEW.id;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER teams_auditevent_seal AFTER INSERT ON teams_auditevent
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION teams_auditevent_seal();
"""
DROP_SEAL = """
DROP TRIGGER teams_auditevent_seal ON teams_auditevent;
DROP FUNCTION teams_auditevent_seal();
"""

# The events written before the chain existed are sealed in the order they were written.
SEAL_EXISTING = """
DO $$
DECLARE
    e teams_auditevent;
    previous text := '';
    n bigint := 0;
BEGIN
    FOR e IN SELECT * FROM teams_auditevent WHERE seq IS NULL ORDER BY id LOOP
        n := n + 1;
        UPDATE teams_auditevent SET seq = n, prev_hash = previous, hash = teams_auditevent_digest(e, previous)
         WHERE id = e.id;
        previous := teams_auditevent_digest(e, previous);
    END LOOP;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("teams", "0004_conference_notes_locked")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.RunSQL(DIGEST, "DROP FUNCTION teams_auditevent_digest(teams_auditevent, text);"),
        migrations.RunSQL(APPEND_ONLY_BUT_SEALING, APPEND_ONLY),
        migrations.RunSQL(SEAL_EXISTING, migrations.RunSQL.noop),
        migrations.RunSQL(SEAL, DROP_SEAL),
    ]
