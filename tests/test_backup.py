"""make backup / make restore: back up, wipe, restore, and every table's rows and checksum match."""

import psycopg
import pytest
from django.db import connection

from scripts import backup
from teams.services import audit_record

from .screening.factories import record

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True)]
SCRATCH = "rehabcare_restore_check"


def _url(name: str | None = None) -> str:
    s = connection.settings_dict
    credentials = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{credentials}@{s['HOST']}:{s['PORT']}/{name or s['NAME']}"


def _drop_scratch() -> None:
    # Not WITH (FORCE): that refuses when an autovacuum worker (no role of ours) is analysing the
    # freshly restored tables. A plain DROP cancels autovacuum and waits for closing sessions.
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}"')


@pytest.fixture
def scratch_database():
    _drop_scratch()
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{SCRATCH}"')
    yield _url(SCRATCH)
    _drop_scratch()


def test_backup_wipe_and_restore_give_back_every_row(tmp_path, scratch_database, patient, clinician):
    record(patient, clinician)
    audit_record(action="view", patient=patient, actor=clinician)
    dumped = tmp_path / "clinic.dump"
    taken = backup.dump(_url(), dumped)
    assert taken["teams_patient"][0] == 1 and taken["screening_screening"][0] == 1
    assert taken["teams_auditevent"][0] >= 1

    # Into an empty database, then again over the restored one (the wipe is pg_restore --clean).
    for _ in range(2):
        assert backup.restore(dumped, scratch_database) == taken
    with psycopg.connect(scratch_database) as restored:
        sealed = restored.execute("SELECT count(*) FROM teams_auditevent WHERE seq IS NOT NULL").fetchone()
        assert sealed == (taken["teams_auditevent"][0],)


def test_a_damaged_backup_is_refused_before_anything_is_replaced(tmp_path, scratch_database, patient):
    dumped = tmp_path / "clinic.dump"
    backup.dump(_url(), dumped)
    backup.restore(dumped, scratch_database)
    with dumped.open("ab") as stream:
        stream.write(b"\0")
    with pytest.raises(backup.BackupError, match="clinic.dump does not match its checksum"):
        backup.restore(dumped, scratch_database)
    with psycopg.connect(scratch_database) as restored:
        assert restored.execute("SELECT count(*) FROM teams_patient").fetchone() == (1,)
