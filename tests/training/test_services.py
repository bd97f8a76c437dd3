"""training.services: clinicians add their own records, leads of their team verify, supervision is logged
by the people in it; every write is audited; reads through the selectors are audited as views."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from teams.models import AuditEvent
from training import selectors, services
from training.models import Level, SupervisionSession

from .factories import LONDON, TrainingRecordFactory, competency


def _events(actor, action):
    return list(
        AuditEvent.objects.filter(actor=actor, action=action).values_list("object_type", "changed_fields")
    )


def test_a_clinician_adds_their_own_record_audited(clinician):
    record = services.training_record_add(
        user=clinician,
        competency=competency("graded-exposure"),
        course_or_evidence="  Graded exposure workshop  ",
        completed_on=date(2026, 5, 1),
        level=Level.UNDER_SUPERVISION,
        renews_on=date(2028, 5, 1),
    )
    assert (record.user, record.created_by, record.verified_by) == (clinician, clinician, None)
    assert record.course_or_evidence == "Graded exposure workshop"
    [(object_type, fields)] = _events(clinician, AuditEvent.Action.CREATE)
    assert object_type == "trainingrecord" and "level" in fields and "course_or_evidence" in fields


def test_nobody_adds_a_record_for_someone_else_but_a_clinic_admin(clinician, lead, clinic_admin):
    fields = {
        "competency": competency("graded-exposure"),
        "course_or_evidence": "x",
        "completed_on": date(2026, 1, 1),
    }
    with pytest.raises(PermissionDenied):
        services.training_record_add(user=lead, clinician=clinician, **fields)
    record = services.training_record_add(user=clinic_admin, clinician=clinician, **fields)
    assert record.user == clinician and record.created_by == clinic_admin


def test_a_renewal_must_come_after_completion(clinician):
    with pytest.raises(ValidationError):
        services.training_record_add(
            user=clinician,
            competency=competency("graded-exposure"),
            course_or_evidence="x",
            completed_on=date(2026, 5, 1),
            renews_on=date(2026, 5, 1),
        )


def test_only_a_lead_of_their_team_verifies(clinician, colleague, lead, outsider, clinic_admin):
    record = TrainingRecordFactory(user=clinician)
    for refused in (clinician, colleague, outsider):
        with pytest.raises(PermissionDenied):
            services.training_record_verify(user=refused, record=record)
    record = services.training_record_verify(user=lead, record=record)
    assert record.verified_by == lead and record.verified_at is not None
    assert _events(lead, AuditEvent.Action.UPDATE) == [("trainingrecord", ["verified_at", "verified_by"])]
    services.training_record_verify(user=clinic_admin, record=record)


def test_a_lead_does_not_verify_their_own(lead):
    record = TrainingRecordFactory(user=lead)
    with pytest.raises(PermissionDenied):
        services.training_record_verify(user=lead, record=record)


def test_changing_a_verified_record_withdraws_the_verification(clinician, lead):
    record = services.training_record_verify(user=lead, record=TrainingRecordFactory(user=clinician))
    with pytest.raises(PermissionDenied):
        services.training_record_update(user=lead, record=record, data={"level": Level.INDEPENDENT})
    record = services.training_record_update(user=clinician, record=record, data={"level": Level.INDEPENDENT})
    assert record.level == Level.INDEPENDENT and record.verified_by is None and record.verified_at is None
    [(_, fields)] = _events(clinician, AuditEvent.Action.UPDATE)
    assert set(fields) == {"level", "verified_by", "verified_at"}


def test_supervision_is_logged_by_its_people_audited(clinician, colleague, lead, outsider):
    held_at = datetime(2027, 1, 31, 23, 30, tzinfo=LONDON)
    with pytest.raises(PermissionDenied):
        services.supervision_log(
            user=outsider, supervisor=lead, supervisees=[clinician], held_at=held_at, minutes=60
        )
    session = services.supervision_log(
        user=clinician,
        supervisor=lead,
        supervisees=[clinician],
        held_at=held_at,
        minutes=60,
        competencies=[competency("graded-exposure")],
        cases_discussed="T200001, T200002",
        learning_points="Build the hierarchy with the patient.",
    )
    assert list(session.supervisees.all()) == [clinician]
    assert session.held_on == date(2027, 1, 31)
    [(object_type, fields)] = _events(clinician, AuditEvent.Action.CREATE)
    assert object_type == "supervisionsession" and {"supervisees", "competencies", "cases_discussed"} <= set(
        fields
    )
    group = services.supervision_log(
        user=lead,
        supervisees=[clinician, colleague],
        held_at=held_at,
        minutes=90,
        format=SupervisionSession.Format.GROUP,
    )
    assert group.supervisor == lead and group.supervisees.count() == 2


@pytest.mark.parametrize(
    ("format", "count"),
    [(SupervisionSession.Format.INDIVIDUAL, 2), (SupervisionSession.Format.GROUP, 1)],
)
def test_an_individual_session_has_one_supervisee_and_a_group_several(
    lead, clinician, colleague, format, count
):
    with pytest.raises(ValidationError):
        services.supervision_log(
            user=lead,
            supervisees=[clinician, colleague][:count],
            held_at=datetime(2027, 1, 5, 9, tzinfo=LONDON),
            minutes=60,
            format=format,
        )


@pytest.mark.parametrize("cases", ["Amelia Okafor", "T200001, low mood after surgery", "T200001; Mrs Smith"])
def test_cases_are_patient_references_only(lead, clinician, cases):
    with pytest.raises(ValidationError) as refused:
        services.supervision_log(
            user=lead,
            supervisees=[clinician],
            held_at=datetime(2027, 1, 5, 9, tzinfo=LONDON),
            minutes=60,
            cases_discussed=cases,
        )
    assert "cases_discussed" in refused.value.message_dict
    assert not SupervisionSession.objects.exists()


def test_reads_show_what_policy_allows_and_are_audited(clinician, colleague, lead, outsider):
    TrainingRecordFactory(user=clinician)
    assert len(selectors.training_records_of(user=colleague, clinician=clinician)) == 1
    assert selectors.training_records_of(user=outsider, clinician=clinician) == []
    assert _events(colleague, AuditEvent.Action.VIEW) == [("training records", [])]
    assert _events(outsider, AuditEvent.Action.VIEW) == []
    session = services.supervision_log(
        user=lead, supervisees=[clinician], held_at=datetime(2027, 1, 5, 9, tzinfo=LONDON), minutes=60
    )
    assert selectors.supervision_session_for(user=colleague, session_id=session.pk) is None
    assert selectors.supervision_session_for(user=clinician, session_id=session.pk) == session
    assert _events(clinician, AuditEvent.Action.VIEW) == [("supervisionsession", [])]
    assert list(selectors.supervision_sessions_visible(lead)) == [session]
    assert list(selectors.supervision_sessions_visible(outsider)) == []
