"""Least privilege in the database: the application's role reads and adds to the audit trail, and
nothing more; the seal runs as the owner; migrate grants the role what the application needs; the
deploy check fails while the application's role could alter the audit trail.

The suite connects as the database's owner (it creates, migrates and empties its database). The
tests of the application's role connect as that role, with its own login (``DATABASE_URL``), to the
suite's database; they need the two roles ``make test`` has (``scripts/devservices.py``).
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.db import connection
from django.db.models.sql import InsertQuery

from conferences.models import AgendaItem, CaseConference, ConferenceNote, NoteAmendment
from teams.audit_chain import verify
from teams.database_roles import app_role_grant, audit_trail_exposures
from teams.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

DENIED = "permission denied for table teams_auditevent"
NOT_OWNER = "must be owner of"


@pytest.fixture
def app_database() -> Iterator[psycopg.Connection]:
    """The suite's database, as the application's role (autocommit, as each statement is a try)."""
    login = settings.DATABASE_APP_LOGIN
    if login["USER"] == connection.settings_dict["USER"]:
        pytest.skip(
            "the suite has one database role: set DATABASE_URL to the application's role and "
            "DATABASE_OWNER_URL to the owner, as make test does"
        )
    with psycopg.connect(_url(login), autocommit=True) as app:
        yield app


def _url(login: dict[str, str]) -> str:
    own = connection.settings_dict
    password = f":{quote(login['PASSWORD'], safe='')}" if login["PASSWORD"] else ""
    return f"postgresql://{quote(login['USER'], safe='')}{password}@{own['HOST']}:{own['PORT']}/{own['NAME']}"


def _insert(event: AuditEvent) -> tuple[str, list]:
    """The INSERT the application sends for ``event``, to send as its role."""
    query = InsertQuery(AuditEvent)
    query.insert_values([f for f in AuditEvent._meta.concrete_fields if not f.primary_key], [event])
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def _refused(app: psycopg.Connection, sql: str, match: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match=match):
        app.execute(sql)


@contextmanager
def _connected(**login: str) -> Iterator[None]:
    """Django's connection logged in otherwise for the block (as the application's does in production)."""
    own = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(login)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(own)


# The audit trail -----------------------------------------------------------------------------------


def test_the_application_role_adds_audit_events_and_they_are_sealed_at_commit(app_database, patient):
    with app_database.transaction():  # two in one transaction, sealed at its commit, in order
        for n in range(2):
            app_database.execute(*_insert(AuditEvent(action="view", patient=patient, object_id=str(n))))
    app_database.execute(*_insert(AuditEvent(action="create", object_type="patient", object_id="2")))

    rows = app_database.execute("SELECT seq, object_id FROM teams_auditevent ORDER BY seq").fetchall()
    assert rows == [(1, "0"), (2, "1"), (3, "2")]
    report = verify()
    assert report.intact and report.events == 3 and report.head_seq == 3


def test_the_application_role_cannot_change_remove_or_empty_the_audit_trail(app_database, patient):
    app_database.execute(*_insert(AuditEvent(action="view", patient=patient)))
    _refused(app_database, "UPDATE teams_auditevent SET object_id = 'forged'", DENIED)
    _refused(app_database, "UPDATE teams_auditevent SET seq = NULL, hash = ''", DENIED)
    _refused(app_database, "DELETE FROM teams_auditevent", DENIED)
    _refused(app_database, "TRUNCATE teams_auditevent", DENIED)
    assert verify().intact and AuditEvent.objects.count() == 1


def test_the_application_role_cannot_switch_the_audit_triggers_off(app_database):
    for sql in (
        "ALTER TABLE teams_auditevent DISABLE TRIGGER USER",
        "ALTER TABLE teams_auditevent DISABLE TRIGGER teams_auditevent_seal",
        "ALTER TABLE teams_auditevent DISABLE TRIGGER teams_auditevent_no_update_delete",
        "DROP TRIGGER teams_auditevent_seal ON teams_auditevent",
        "ALTER TABLE teams_auditevent OWNER TO CURRENT_USER",
    ):
        _refused(app_database, sql, NOT_OWNER)
    _refused(app_database, "SET session_replication_role = replica", "session_replication_role")
    triggers = dict(
        app_database.execute(
            "SELECT tgname, tgenabled FROM pg_trigger"
            " WHERE tgrelid = 'teams_auditevent'::regclass AND NOT tgisinternal"
        ).fetchall()
    )
    assert triggers == {"teams_auditevent_no_update_delete": "O", "teams_auditevent_seal": "O"}


def test_the_application_role_cannot_replace_the_seal(app_database):
    harmless = "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"
    _refused(
        app_database, f"CREATE OR REPLACE FUNCTION teams_auditevent_seal() {harmless}", "permission denied"
    )
    _refused(app_database, "ALTER FUNCTION teams_auditevent_seal() SECURITY INVOKER", NOT_OWNER)
    _refused(app_database, "ALTER FUNCTION teams_auditevent_seal() RESET search_path", NOT_OWNER)
    _refused(app_database, "DROP FUNCTION teams_auditevent_seal() CASCADE", NOT_OWNER)
    _refused(app_database, "ALTER FUNCTION teams_auditevent_digest(teams_auditevent, text) STABLE", NOT_OWNER)


def test_a_temporary_table_of_the_same_name_does_not_reach_the_seal(app_database, patient):
    """The seal's search_path puts the session's temporary objects last: it seals the real table."""
    app_database.execute("CREATE TEMPORARY TABLE teams_auditevent (seq bigint, hash text)")
    app_database.execute("INSERT INTO pg_temp.teams_auditevent VALUES (1000, 'forged')")
    sql, params = _insert(AuditEvent(action="view", patient=patient))
    app_database.execute(sql.replace('"teams_auditevent"', "public.teams_auditevent"), params)
    assert AuditEvent.objects.get().seq == 1 and verify().intact


def test_the_seal_runs_as_the_owner_with_a_fixed_search_path():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.prosecdef, p.proconfig, p.proowner = t.relowner,"
            " has_function_privilege('public', p.oid, 'EXECUTE')"
            " FROM pg_proc p, pg_class t"
            " WHERE p.oid = 'teams_auditevent_seal()'::regprocedure AND t.oid = 'teams_auditevent'::regclass"
        )
        definer, config, owners_function, anyone_may_call = cursor.fetchone()
    assert definer and owners_function and not anyone_may_call
    assert config == ["search_path=public, pg_temp"]


# What the application may do elsewhere -------------------------------------------------------------


def test_the_application_role_owns_nothing_and_has_only_what_the_application_needs(app_database):
    owned = app_database.execute(
        "SELECT count(*) FROM pg_class WHERE relowner = current_user::text::regrole"
        " UNION ALL SELECT count(*) FROM pg_proc WHERE proowner = current_user::text::regrole"
    ).fetchall()
    assert owned == [(0,), (0,)]
    privileges = dict(
        app_database.execute(
            """SELECT c.relname, array_remove(ARRAY[
                   CASE WHEN has_table_privilege(c.oid, 'SELECT') THEN 'SELECT' END,
                   CASE WHEN has_table_privilege(c.oid, 'INSERT') THEN 'INSERT' END,
                   CASE WHEN has_table_privilege(c.oid, 'UPDATE') THEN 'UPDATE' END,
                   CASE WHEN has_table_privilege(c.oid, 'DELETE') THEN 'DELETE' END,
                   CASE WHEN has_table_privilege(c.oid, 'TRUNCATE') THEN 'TRUNCATE' END,
                   CASE WHEN has_table_privilege(c.oid, 'REFERENCES') THEN 'REFERENCES' END,
                   CASE WHEN has_table_privilege(c.oid, 'TRIGGER') THEN 'TRIGGER' END], NULL)
               FROM pg_class c
               WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')"""
        ).fetchall()
    )
    assert privileges.pop("teams_auditevent") == ["SELECT", "INSERT"]
    assert privileges.pop("django_migrations") == ["SELECT"]
    assert {
        name for name, granted in privileges.items() if granted != ["SELECT", "INSERT", "UPDATE", "DELETE"]
    } == set()
    assert "teams_patient" in privileges and "axes_accessattempt" in privileges
    sequences = app_database.execute(
        "SELECT bool_and(has_sequence_privilege(c.oid, 'USAGE')"
        " AND NOT has_sequence_privilege(c.oid, 'UPDATE'))"
        " FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'"
    ).fetchone()
    assert sequences == (True,)


def test_locked_notes_and_amendments_keep_their_triggers_for_the_application_role(
    app_database, north, lead, patient
):
    conference = CaseConference.objects.create(
        team=north, starts_at=datetime(2026, 11, 19, 13, tzinfo=UTC), chair=lead
    )
    item = AgendaItem.objects.create(conference=conference, patient=patient)
    note = ConferenceNote.objects.create(item=item, decisions="Graded exposure", author=lead, locked=True)
    NoteAmendment.objects.create(note=note, text="Declined for now", author=lead)

    for sql, match in (
        ("UPDATE conferences_conferencenote SET decisions = 'changed'", "only be amended"),
        ("DELETE FROM conferences_conferencenote", "only be amended"),
        ("UPDATE conferences_noteamendment SET text = 'changed'", "append-only"),
        ("DELETE FROM conferences_noteamendment", "append-only"),
        ("ALTER TABLE conferences_conferencenote DISABLE TRIGGER USER", NOT_OWNER),
        ("ALTER TABLE conferences_noteamendment DISABLE TRIGGER USER", NOT_OWNER),
    ):
        _refused(app_database, sql, match)
    note.refresh_from_db()
    assert note.decisions == "Graded exposure"


def test_migrate_connects_as_the_owner_and_grants_the_application_role_again(app_database):
    with connection.cursor() as cursor:  # as if a new table, and a privilege too many
        cursor.execute(f"REVOKE ALL ON teams_patient FROM {settings.DATABASE_APP_ROLE}")
        cursor.execute(f"GRANT TRUNCATE ON teams_auditevent TO {settings.DATABASE_APP_ROLE}")
    held = (
        "SELECT has_table_privilege('teams_patient', 'INSERT'),"
        " has_table_privilege('teams_auditevent', 'TRUNCATE')"
    )
    assert app_database.execute(held).fetchone() == (False, True)

    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        env=os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "rehabcare.settings.dev",
            "DATABASE_URL": _url(settings.DATABASE_APP_LOGIN),
            "DATABASE_OWNER_URL": _url(settings.DATABASE_OWNER),
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert f"Granted the application's role {settings.DATABASE_APP_ROLE} its privileges." in result.stdout
    assert app_database.execute(held).fetchone() == (True, False)


def test_granting_the_role_the_connection_logs_in_as_does_nothing():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (user,) = cursor.fetchone()
    assert app_role_grant(connection=connection, role=user) is False


# The deploy check ----------------------------------------------------------------------------------


def _role_errors(*, deploy: bool = True) -> list[str]:
    return [
        f"{error.id}: {error.msg}"
        for error in run_checks(include_deployment_checks=deploy)
        if error.id in ("teams.E001", "teams.E002")
    ]


def test_the_deploy_check_fails_when_the_application_could_alter_the_audit_trail():
    """The suite's own role owns the audit table (or is a superuser). Only `check --deploy` asks."""
    assert _role_errors(deploy=False) == []
    [error] = _role_errors()
    assert error.startswith("teams.E001: The application's database role could alter the audit trail")
    assert "owns teams_auditevent" in error or "is a superuser" in error


def test_the_deploy_check_passes_for_the_application_role(app_database):
    with _connected(**settings.DATABASE_APP_LOGIN):
        assert _role_errors() == []


def test_the_deploy_check_names_each_privilege_too_many(app_database):
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE, TRIGGER ON teams_auditevent TO {settings.DATABASE_APP_ROLE}")
    assert audit_trail_exposures(app_database) == [
        f"the role {settings.DATABASE_APP_LOGIN['USER']} holds TRUNCATE, TRIGGER on teams_auditevent"
    ]
    with _connected(**settings.DATABASE_APP_LOGIN):
        [error] = _role_errors()
    assert error.startswith("teams.E001") and "holds TRUNCATE, TRIGGER" in error


def test_the_deploy_check_fails_when_the_database_cannot_be_reached():
    with _connected(PORT="1"):
        [error] = _role_errors()
    assert error.startswith("teams.E002: The database role could not be checked")
