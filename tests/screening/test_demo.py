import pytest
from django.core.management import call_command

from screening.instruments import change_between, get_instrument
from screening.models import Alert, Screening

pytestmark = pytest.mark.slow


def test_demo_has_intake_and_milestones_with_varied_trajectories_and_one_safety_alert(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    count = Screening.objects.count()
    call_command("seed_demo")
    assert Screening.objects.count() == count

    assert Screening.objects.filter(timepoint="intake").values("patient").distinct().count() >= 35
    assert Screening.objects.filter(timepoint="milestone").exists()
    phq9 = get_instrument("PHQ-9")
    directions = set()
    for patient_id in (
        Screening.objects.filter(timepoint="milestone").values_list("patient", flat=True).distinct()
    ):
        totals = list(
            Screening.objects.filter(
                patient_id=patient_id, instrument="PHQ-9", timepoint__in=["intake", "milestone"]
            )
            .order_by("administered_at")
            .values_list("total", flat=True)
        )
        change = change_between(phq9, totals[0], totals[-1])
        # A reliable improvement out of the clinical range reads "reliable recovery" (issue 19).
        directions.add("reliable improvement" if change.recovered else change.label)
    assert {"reliable improvement", "reliable deterioration", "no reliable change"} <= directions

    urgent = Alert.objects.filter(kind=Alert.Kind.URGENT)
    assert urgent.count() == 1
    assert urgent.get().status == Alert.Status.OPEN
    assert urgent.get().patient.team.name == "North MSK"
    # High results open owned reviews now, not review alerts (issue 19; tests/routing/test_demo.py).
    assert not Alert.objects.filter(kind=Alert.Kind.REVIEW).exists()
