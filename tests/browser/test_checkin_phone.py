"""A patient on a phone: a check-in from a reminder link, then a PHQ-9 by link with the self-harm item."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from careplans.services import part_update
from checkins import services
from screening.batteries import batteries_ensure
from screening.models import Alert, Battery

from ..careplans.factories import make_exercise, make_plan
from ..checkins.factories import make_schedule
from ..factories import PASSWORD
from ..screening.factories import lowest_answers, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _link(patient) -> str:
    local = timezone.localtime(timezone.now() - timedelta(minutes=1))
    make_schedule(patient, local_time=local.time().replace(second=0, microsecond=0))
    [reminder_id] = services.reminders_dispatch()
    services.reminder_send_now(reminder_id=reminder_id)
    return re.search(r"/r/[\w-]+/", mail.outbox[-1].body).group(0)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_patient_checks_in_from_a_phone_and_the_clinician_sees_it(phone, page, sign_in, clinician, patient):
    batteries_ensure(Battery)
    record(patient, clinician, code="PHQ-4", answers=lowest_answers("PHQ-4"), timepoint="intake")
    # The plan's review is weeks away, so no review questionnaire follows the check-in, whatever the day.
    plan = make_plan(patient, clinician, review_date=timezone.localdate() + timedelta(weeks=6))
    make_exercise(plan, clinician, name="Sit to stand", lighter_alternative="2 sets from a higher chair")
    make_exercise(plan, clinician, name="Bridging", lighter_alternative="1 set of 8")
    part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)

    phone.goto(_link(patient))
    expect(phone.get_by_role("heading", name="Hello Amelia")).to_be_visible()
    expect(phone.get_by_text(patient.family_name)).to_have_count(0)
    phone.get_by_label("How is your mood today?").fill("7")
    phone.get_by_label("How bad is your pain today?").fill("3")
    phone.get_by_label("How well did you sleep?").fill("6")
    phone.get_by_label("Hours slept last night").fill("7.5")
    sit = phone.get_by_role("group", name="Sit to stand")
    expect(sit).to_contain_text("2 sets from a higher chair")
    sit.get_by_label("Done", exact=True).check()
    phone.get_by_role("group", name="Bridging").get_by_label("Partly").check()
    phone.get_by_role("button", name="Send my check-in").click()
    expect(phone.get_by_role("heading", name="Thank you, Amelia")).to_be_visible()

    sign_in("physio", PASSWORD)
    page.goto(patient.get_absolute_url())
    timeline = page.locator(".checkin-timeline")
    expect(timeline).to_contain_text("mood 7 · pain 3 · sleep 6 (7.5 h)")
    expect(timeline).to_contain_text("Sit to stand: done")
    expect(timeline).to_contain_text("Bridging: partly")
    expect(page.locator("#checkin-sparklines")).to_be_visible()


def test_phq9_by_link_with_the_self_harm_item_shows_the_crisis_message_and_alerts(phone, clinician, patient):
    batteries_ensure(Battery)
    Battery.objects.filter(name="Intake").update(instruments=["PHQ-9"])  # intake not done: it is due
    phone.goto(_link(patient))
    # The sliders start unset: even a middling day is set by the patient, not assumed.
    for question in ("How is your mood today?", "How bad is your pain today?", "How well did you sleep?"):
        phone.get_by_label(question).fill("5")
    phone.get_by_label("Hours slept last night").fill("6")
    phone.get_by_role("button", name="Send my check-in").click()
    expect(phone.get_by_role("heading", name="How you have been feeling")).to_be_visible()
    for number in range(1, 9):
        phone.get_by_role("radiogroup").nth(number - 1).get_by_label("Several days").check()
    phone.get_by_role("radiogroup").nth(8).get_by_label("More than half the days").check()
    phone.get_by_role("button", name="Send my answers").click()
    crisis = phone.get_by_role("alert")
    expect(crisis).to_contain_text(settings.CRISIS_MESSAGE)
    alert = Alert.objects.get(kind=Alert.Kind.URGENT)
    assert alert.patient == patient
    assert alert.screening.source == "patient" and alert.screening.total == 10
