"""Conferences moved out of ``teams`` without losing a row: data written under the old schema (the tables
named ``teams_*``, an action's plan part a generic relation) reads the same under the new one."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from careplans.models import Milestone, Responsibility
from conferences.models import ActionItem, AgendaItem, CaseConference, ConferenceNote, NoteAmendment

from ..careplans.factories import make_goal, make_milestone, make_plan

pytestmark = pytest.mark.slow

BEFORE = [("teams", "0009_audit_seal_as_owner"), ("conferences", None)]
STARTS = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def _migrate(targets):
    """Migrate to ``targets``; the models as they stood there (the ``teams`` side of it). The test's
    transaction checks its deferred foreign keys first, as a commit would, so the schema may change."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets[0]).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.fixture
def old_schema(db):
    """The database as it was before the move; put back as it is now afterwards, whatever happened."""
    latest = _latest()
    old = _migrate(BEFORE)
    ContentType.objects.clear_cache()
    yield old
    _migrate(latest)
    ContentType.objects.clear_cache()


def test_rows_written_before_the_move_read_the_same_after_it(patient, clinician, lead, old_schema):
    # The cast is made under today's schema, before the database steps back: a patient written by
    # today's model under the old schema would name columns that came after it (e.g. teams 0011).
    assert "teams_caseconference" in _tables() and "conferences_caseconference" not in _tables()
    plan = make_plan(patient, clinician)
    milestone = make_milestone(make_goal(plan, clinician), clinician)
    responsibility = Responsibility.objects.create(
        plan=plan,
        intervention="graded_exposure",
        owner=clinician,
        frequency="weekly",
        starts_on=date(2026, 10, 1),
    )
    gone = make_milestone(
        make_goal(plan, clinician), clinician
    )  # a part deleted later: the generic relation kept its id
    old = old_schema
    old_type = old.get_model("contenttypes", "ContentType")
    part_type = {model: old_type.objects.get_for_model(model) for model in (Milestone, Responsibility)}
    team_conference = old.get_model("teams", "CaseConference")
    conference = team_conference.objects.create(
        team_id=patient.team_id, starts_at=STARTS, chair_id=lead.pk, status="closed", closed_at=STARTS
    )
    conference.attendees.set([lead.pk, clinician.pk])
    item = old.get_model("teams", "AgendaItem").objects.create(
        conference=conference, patient_id=patient.pk, reasons=[{"code": "urgent_alert"}]
    )
    note = old.get_model("teams", "ConferenceNote").objects.create(
        item=item, physical="Walks 400 m", author_id=lead.pk, locked=True
    )
    old.get_model("teams", "NoteAmendment").objects.create(note=note, text="Added later", author_id=lead.pk)
    old_action = old.get_model("teams", "ActionItem")
    actions = {
        what: old_action.objects.create(
            conference=conference,
            item=item,
            patient_id=patient.pk,
            description=what,
            owner_id=clinician.pk,
            due_on=date(2026, 10, 8),
            created_by_id=lead.pk,
            plan_change=f"{what} changed" if part else "",
            part_type=part_type[type(part)] if part else None,
            part_id=part.pk if part else None,
        ).pk
        for what, part in [
            ("milestone", milestone),
            ("responsibility", responsibility),
            ("nothing", None),
            ("gone", gone),
        ]
    }
    with connection.cursor() as cursor:  # as the old schema let it happen: nothing held the action's part
        cursor.execute("DELETE FROM careplans_milestone WHERE id = %s", [gone.pk])

    _migrate(_latest())

    assert {"conferences_caseconference", "conferences_actionitem"} <= _tables()
    assert not {name for name in _tables() if name.startswith("teams_") and "conference" in name}
    moved = CaseConference.objects.get(pk=conference.pk)
    assert (moved.team_id, moved.starts_at, moved.status) == (patient.team_id, STARTS, "closed")
    assert set(moved.attendees.all()) == {lead, clinician}
    assert AgendaItem.objects.get(conference=moved).reasons == [{"code": "urgent_alert"}]
    stored_note = ConferenceNote.objects.get(item__conference=moved)
    assert (stored_note.physical, stored_note.locked) == ("Walks 400 m", True)
    assert list(NoteAmendment.objects.filter(note=stored_note).values_list("text", flat=True)) == [
        "Added later"
    ]
    parts = {action.description: action.part for action in ActionItem.objects.filter(pk__in=actions.values())}
    assert parts == {"milestone": milestone, "responsibility": responsibility, "nothing": None, "gone": None}
    assert ActionItem.objects.get(pk=actions["gone"]).plan_change == "gone changed"
    assert ContentType.objects.get_for_model(CaseConference).app_label == "conferences"
    assert not ContentType.objects.filter(app_label="teams", model="caseconference").exists()
