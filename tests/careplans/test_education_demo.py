"""The demo's education: a few North MSK patients with check-in links have items assigned from their plans,
some read through the link, one in plain language; seeding again adds nothing."""

from datetime import UTC, datetime, timedelta

from careplans.models import CarePlan, EducationAssignment
from checkins.demo import demo_education_seed
from teams.demo import DemoCalendar
from teams.models import AuditEvent

from ..checkins.factories import make_schedule
from ..factories import PatientFactory
from .factories import make_plan

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_the_demo_assigns_items_to_north_patients_some_read_one_in_plain_language(
    north, south, clinician, outsider
):
    patients = [PatientFactory(team=north, primary_clinician=clinician) for _ in range(5)]
    elsewhere = PatientFactory(team=south, primary_clinician=outsider)
    for patient in [*patients, elsewhere]:
        plan = make_plan(patient, patient.primary_clinician)
        CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.ACTIVE)
        make_schedule(patient)
    calendar = DemoCalendar.at(NOW)

    count = demo_education_seed(calendar)

    assignments = EducationAssignment.objects.select_related("plan", "item")
    assert count == assignments.count() == 7
    assert {a.plan.patient.team_id for a in assignments} == {north.pk}
    assert len({a.plan_id for a in assignments}) == 4  # a few patients, not all five
    read = [a for a in assignments if a.first_read_at is not None]
    assert len(read) == 4 and all(a.first_read_at <= NOW for a in read)
    assert all(a.assigned_at == NOW - timedelta(days=7) for a in assignments)
    assert [a.item.slug for a in read if a.read_plain] == ["how-pain-works"]
    # Read through the service: each read is in the audit trail as the patient's own.
    assert AuditEvent.objects.filter(object_type="educationassignment", username="patient link").count() == 4

    assert demo_education_seed(calendar) == 7
