"""The demo's delivery receipts: three North MSK patients with check-in links get a reminder sent through
the send flow two days ago and its providers' receipts: a text delivered; a text to a number that can
never receive, flagged on the patient and followed by an email they agreed to, delivered; an email that
bounced softly, sent again and delivered. Seeding again adds nothing."""

from datetime import UTC, datetime

from careplans.models import CarePlan
from checkins.demo import DEMO_UNKNOWN_NUMBER, demo_deliveries_seed
from checkins.models import Delivery, Reminder
from teams.demo import DemoCalendar

from ..careplans.factories import make_plan
from ..factories import PatientFactory
from .factories import make_schedule

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_the_demo_shows_each_delivery_state_for_three_north_patients(north, south, clinician, outsider):
    for number in range(10):
        patient = PatientFactory(team=north, primary_clinician=clinician, mobile=f"+4474001{number:05d}")
        plan = make_plan(patient, clinician)
        CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.ACTIVE)
        make_schedule(patient)
    calendar = DemoCalendar.at(NOW)

    count = demo_deliveries_seed(calendar)

    assert count == Delivery.objects.count() == 5
    reminders = list(Reminder.objects.filter(deliveries__isnull=False).distinct().order_by("patient__mrn"))
    assert len(reminders) == 3 and all(r.patient.team == north for r in reminders)
    states = [[(d.channel, d.status) for d in r.deliveries.order_by("created_at", "id")] for r in reminders]
    assert states == [
        [("sms", "delivered")],
        [("sms", "failed_permanent"), ("email", "delivered")],
        [("email", "failed_temporary"), ("email", "delivered")],
    ]
    assert all(r.status == Reminder.Status.SENT and r.delivery_status == "delivered" for r in reminders)
    flagged = reminders[1].patient
    assert flagged.mobile_failed_reason == DEMO_UNKNOWN_NUMBER and flagged.mobile_failed_at is not None
    assert flagged.checkin_schedule.fallback_channel == "email"
    assert demo_deliveries_seed(calendar) == count
