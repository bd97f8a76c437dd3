"""The demo's care preferences: three North MSK patients with an active plan and a check-in schedule (one
with limited literacy, one preferring video or phone within a contact window, one needing an
interpreter), recorded through the service; seeding again adds nothing."""

from datetime import UTC, datetime, time

from careplans.demo import demo_preferences_seed
from careplans.models import CarePlan, CarePreferences, PlanTemplate
from teams.demo import DemoCalendar

from ..checkins.factories import make_schedule
from ..factories import PatientFactory
from .factories import make_plan

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _active_with_schedule(patient, template=None):
    plan = make_plan(patient, patient.primary_clinician, template=template)
    CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.ACTIVE)
    make_schedule(patient)
    return plan


def test_the_demo_records_preferences_for_three_north_patients(north, south, clinician, outsider):
    template = PlanTemplate.objects.create(
        name="Mixed", stratum="medium", description="", interventions=["pain_education", "manual_therapy"]
    )
    plans = [
        _active_with_schedule(PatientFactory(team=north, primary_clinician=clinician), template)
        for _ in range(5)
    ]
    _active_with_schedule(PatientFactory(team=south, primary_clinician=outsider))
    PatientFactory(team=north, primary_clinician=clinician)  # no plan: left alone

    assert demo_preferences_seed(DemoCalendar.at(NOW)) == 3

    recorded = list(CarePreferences.objects.select_related("patient").order_by("patient__mrn"))
    assert len(recorded) == 3 and {p.patient.team for p in recorded} == {north}
    assert {p.patient for p in recorded} <= {plan.patient for plan in plans}
    limited, remote, interpreter = recorded
    assert limited.literacy_limited
    assert remote.modalities == ["video", "phone"]
    assert (remote.contact_from, remote.contact_until) == (time(10), time(16))
    assert interpreter.interpreter_needed and interpreter.language == "Polish"
    # Every one recorded by the patient's clinician, in the history.
    assert all(p.history.get().history_user == clinician for p in recorded)
    # The remote patient's plan work follows the preference where it can: pain education by video,
    # manual therapy (only in person) stays and is flagged on the plan.
    remote_plan = CarePlan.objects.get(patient=remote.patient)
    assert dict(remote_plan.responsibilities.values_list("intervention", "modality")) == {
        "pain_education": "video",
        "manual_therapy": "in_person",
    }

    assert demo_preferences_seed(DemoCalendar.at(NOW)) == 0
    assert CarePreferences.objects.count() == 3
