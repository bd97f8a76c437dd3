"""A patient answers the intake questionnaire by link on a phone (390 × 844): the check-in's sliders start
unset and name their ends, then one instrument a page with "Part 2 of 5", plain titles and no totals,
scores or acronyms, every answer target at least 44 × 44 px; they pause, carry on with the same link (the
answers kept), finish on a kind page; the clinic's phone on every page, the expired link's included."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from checkins import services
from checkins.models import CheckIn
from core.phone import tel_uri
from screening.batteries import batteries_ensure
from screening.instruments import INSTRUMENTS
from screening.models import Alert, Battery, Screening

from ..checkins.factories import make_schedule
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/work/tasks/shots")
INTAKE = ["PHQ-9", "GAD-7", "STarT-Back", "PCS", "TSK-11"]
# What a patient must never read: the instruments' codes and names, totals, scores, ranges.
CLINICAL_WORDS = re.compile(
    "|".join(re.escape(word) for code in INTAKE for word in (code, INSTRUMENTS[code].name))
    + r"|PHQ|GAD|total|score|range|\(\d+\)",
    re.IGNORECASE,
)
# Everything a patient taps to answer or to go on.
TARGETS = "label.patient-choice, input[type=range], input.form-control, textarea, button[type=submit]"


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"patient-{name}.png"), full_page=True)


def _link(patient) -> str:
    local = timezone.localtime(timezone.now() - timedelta(minutes=1))
    make_schedule(patient, local_time=local.time().replace(second=0, microsecond=0))
    [reminder_id] = services.reminders_dispatch()
    services.reminder_send_now(reminder_id=reminder_id)
    return re.search(r"/r/[\w-]+/", mail.outbox[-1].body).group(0)


def _new_phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def phone(browser, live_server):
    context, page = _new_phone(browser, live_server)
    yield page
    context.close()


def _assert_targets_large(page) -> int:
    boxes = [target.bounding_box() for target in page.locator(TARGETS).all()]
    small = [box for box in boxes if box is None or box["width"] < 44 or box["height"] < 44]
    assert boxes and not small, f"{len(small)} of {len(boxes)} answer targets under 44 × 44 px: {small[:3]}"
    return len(boxes)


def _assert_plain(page) -> None:
    text = page.locator("main").inner_text()
    assert not CLINICAL_WORDS.search(text), CLINICAL_WORDS.search(text)
    assert page.locator("main .badge, main output.running-total").count() == 0


def _assert_clinic_phone(page) -> None:
    call = page.get_by_role("contentinfo").get_by_role("link", name=settings.CLINIC_PHONE)
    expect(call).to_have_attribute("href", tel_uri(settings.CLINIC_PHONE))


def _answer_part(page, code: str, *, skip: int = 0) -> None:
    """Choose the first answer of each question of the page, but for the first ``skip`` ones."""
    groups = page.get_by_role("radiogroup")
    expect(groups).to_have_count(len(INSTRUMENTS[code].items))
    for index in range(skip, groups.count()):
        groups.nth(index).locator("label.patient-choice").first.click()


def test_a_patient_answers_the_intake_questionnaire_on_a_phone_with_a_pause(
    phone, browser, live_server, patient
):
    batteries_ensure(Battery)
    Battery.objects.filter(name="Intake").update(instruments=INTAKE)  # no intake yet: it is due
    link = _link(patient)
    assert "It takes about 9 minutes" in mail.outbox[-1].body  # 49 items and 5 check-in questions

    # The check-in: the sliders start unset, and a slider left alone is asked for, not sent as a 5.
    phone.goto(link)
    expect(phone.get_by_role("heading", name="Hello Amelia")).to_be_visible()
    expect(phone.get_by_text("then some questions in 5 short parts")).to_be_visible()
    expect(phone.get_by_text("0 = Very low")).to_be_visible()
    expect(phone.get_by_text("10 = Worst pain imaginable")).to_be_visible()
    expect(phone.locator("output[for=id_mood]")).to_have_text("not set")
    expect(phone.get_by_text("required", exact=True).first).to_be_visible()
    _assert_clinic_phone(phone)
    _assert_targets_large(phone)
    assert_no_serious_violations(phone, context="patient: check-in")
    _shot(phone, "checkin")
    phone.get_by_label("How bad is your pain today?").fill("3")
    phone.get_by_label("Hours slept last night").fill("7")
    phone.get_by_role("button", name="Send my check-in").click()
    expect(phone.get_by_role("alert")).to_contain_text("Some answers are missing")
    expect(phone.get_by_text("Move the slider to your answer: it has not been set yet.")).to_have_count(2)
    expect(phone.locator("output[for=id_pain]")).to_have_text("3")
    assert_no_serious_violations(phone, context="patient: check-in with errors")
    _shot(phone, "checkin-unset-sliders")
    phone.get_by_label("How is your mood today?").fill("6")
    # A tap on the middle sets the slider too, though its value does not change.
    phone.get_by_label("How well did you sleep?").click()
    expect(phone.locator("output[for=id_sleep_quality]")).to_have_text("5")
    phone.get_by_role("button", name="Send my check-in").click()

    # One instrument a page, in plain words, with where the patient is.
    expect(phone.get_by_text("Part 1 of 5")).to_be_visible()
    expect(phone.get_by_role("heading", name="How you have been feeling")).to_be_visible()
    _assert_plain(phone)
    _assert_clinic_phone(phone)
    assert _assert_targets_large(phone) >= 9 * 4
    assert_no_serious_violations(phone, context="patient: questionnaire part")
    _shot(phone, "questionnaire-part")
    phone.get_by_role("button", name="Next").click()
    expect(phone.get_by_role("alert")).to_contain_text("9 questions still need an answer")
    _answer_part(phone, "PHQ-9")
    phone.get_by_role("button", name="Next").click()

    expect(phone.get_by_text("Part 2 of 5")).to_be_visible()
    expect(phone.get_by_role("heading", name="Worry and nerves")).to_be_visible()
    _assert_plain(phone)
    groups = phone.get_by_role("radiogroup")
    for index in range(3):
        groups.nth(index).get_by_label("More than half the days").check()
    phone.get_by_role("button", name="Save and finish later").click()
    expect(phone.get_by_role("heading", name="Your answers are saved, Amelia")).to_be_visible()
    _assert_clinic_phone(phone)
    assert_no_serious_violations(phone, context="patient: paused")
    _shot(phone, "paused")
    assert not Screening.objects.exists()
    assert CheckIn.objects.get(patient=patient).sleep_quality == 5

    # Later, in another browser: the same link carries on where the patient left off, answers kept.
    later, resumed = _new_phone(browser, live_server)
    resumed.goto(link)
    expect(resumed.get_by_text("Part 2 of 5")).to_be_visible()
    groups = resumed.get_by_role("radiogroup")
    for index in range(3):
        expect(groups.nth(index).get_by_label("More than half the days")).to_be_checked()
    expect(groups.nth(3).get_by_role("radio", checked=True)).to_have_count(0)
    resumed.get_by_role("button", name="Back").click()
    expect(resumed.get_by_text("Part 1 of 5")).to_be_visible()
    expect(resumed.get_by_role("radio", checked=True)).to_have_count(9)
    resumed.get_by_role("button", name="Next").click()
    _answer_part(resumed, "GAD-7", skip=3)
    resumed.get_by_role("button", name="Next").click()
    for number, code in enumerate(INTAKE[2:], 3):
        expect(resumed.get_by_text(f"Part {number} of 5")).to_be_visible()
        _assert_plain(resumed)
        _assert_targets_large(resumed)
        _answer_part(resumed, code)
        resumed.get_by_role("button", name="Send my answers" if number == 5 else "Next").click()

    expect(resumed.get_by_role("heading", name="Thank you, Amelia")).to_be_visible()
    expect(resumed.get_by_text("Your answers have reached your care team")).to_be_visible()
    _assert_clinic_phone(resumed)
    assert_no_serious_violations(resumed, context="patient: thanks")
    _shot(resumed, "thanks")
    recorded = Screening.objects.filter(patient=patient, source="patient")
    assert sorted(recorded.values_list("instrument", flat=True)) == sorted(INTAKE)
    gad7 = recorded.get(instrument="GAD-7")
    assert gad7.answers == {"1": 2, "2": 2, "3": 2, "4": 0, "5": 0, "6": 0, "7": 0}

    # The link is used up: the kind page, with the clinic's number to call.
    resumed.goto(link)
    expect(resumed.get_by_role("heading", name="This link is not available")).to_be_visible()
    expect(resumed.get_by_role("main").get_by_role("link", name=settings.CLINIC_PHONE)).to_have_attribute(
        "href", tel_uri(settings.CLINIC_PHONE)
    )
    _assert_clinic_phone(resumed)
    assert_no_serious_violations(resumed, context="patient: link not available")
    _shot(resumed, "link-unavailable")
    later.close()


def test_the_crisis_numbers_are_links_to_call(phone, patient):
    batteries_ensure(Battery)
    Battery.objects.filter(name="Intake").update(instruments=["PHQ-9"])
    phone.goto(_link(patient))
    for name in ("How is your mood today?", "How bad is your pain today?", "How well did you sleep?"):
        phone.get_by_label(name).fill("5")
    phone.get_by_label("Hours slept last night").fill("6")
    phone.get_by_role("button", name="Send my check-in").click()
    expect(phone.get_by_text("Part 1 of 1")).to_be_visible()
    _answer_part(phone, "PHQ-9", skip=8)
    phone.get_by_role("radiogroup").nth(8).get_by_label("Several days").check()
    for index in range(8):
        phone.get_by_role("radiogroup").nth(index).get_by_label("Not at all").check()
    phone.get_by_role("button", name="Send my answers").click()
    crisis = phone.get_by_role("alert")
    expect(crisis).to_contain_text("Please look after yourself now")
    expect(crisis.get_by_role("link", name="999")).to_have_attribute("href", "tel:999")
    expect(crisis.get_by_role("link", name="116 123")).to_have_attribute("href", "tel:116123")
    assert_no_serious_violations(phone, context="patient: thanks with the crisis message")
    _shot(phone, "thanks-crisis")


def _send_check_in(page) -> None:
    for name in ("How is your mood today?", "How bad is your pain today?", "How well did you sleep?"):
        page.get_by_label(name).fill("5")
    page.get_by_label("Hours slept last night").fill("6")
    page.get_by_role("button", name="Send my check-in").click()


def _assert_crisis_links(page) -> None:
    crisis = page.get_by_role("alert")
    expect(crisis).to_contain_text("Please look after yourself now")
    expect(crisis.get_by_role("link", name="999")).to_have_attribute("href", "tel:999")
    expect(crisis.get_by_role("link", name="116 123")).to_have_attribute("href", "tel:116123")


def test_a_self_harm_answer_reaches_the_team_at_once_and_the_next_page_gives_the_crisis_numbers(
    phone, patient
):
    batteries_ensure(Battery)
    Battery.objects.filter(name="Intake").update(instruments=["PHQ-9", "GAD-7"])
    phone.goto(_link(patient))
    _send_check_in(phone)
    expect(phone.get_by_text("Part 1 of 2")).to_be_visible()
    expect(phone.get_by_role("alert")).to_have_count(0)
    groups = phone.get_by_role("radiogroup")
    for index in range(8):
        groups.nth(index).get_by_label("Not at all").check()
    groups.nth(8).get_by_label("Several days").check()
    phone.get_by_role("button", name="Next").click()

    # The next page: the crisis numbers to tap, above the next part; the team's urgent alert is raised.
    expect(phone.get_by_text("Part 2 of 2")).to_be_visible()
    _assert_crisis_links(phone)
    _assert_clinic_phone(phone)
    _assert_plain(phone)
    _assert_targets_large(phone)
    assert_no_serious_violations(phone, context="patient: questionnaire part after a self-harm answer")
    _shot(phone, "safety-crisis-next-page")
    [screening] = Screening.objects.filter(patient=patient, source="patient")
    assert screening.instrument == "PHQ-9" and screening.has_safety_flag
    assert Alert.objects.filter(patient=patient, kind=Alert.Kind.URGENT, screening=screening).count() == 1

    # Back: the part sent reads as sent, its answers shown and no longer to be changed; Next goes on.
    phone.get_by_role("button", name="Back").click()
    expect(phone.get_by_text("Part 1 of 2")).to_be_visible()
    expect(phone.get_by_text("Sent to your care team")).to_be_visible()
    expect(phone.get_by_text("Your answer: Several days")).to_be_visible()
    expect(phone.get_by_role("radio")).to_have_count(0)
    expect(phone.get_by_role("button", name="Save and finish later")).to_have_count(0)
    _assert_crisis_links(phone)
    _assert_plain(phone)
    _assert_targets_large(phone)
    assert_no_serious_violations(phone, context="patient: a questionnaire part already sent")
    _shot(phone, "safety-part-sent")
    phone.get_by_role("button", name="Next").click()

    expect(phone.get_by_text("Part 2 of 2")).to_be_visible()
    _answer_part(phone, "GAD-7")
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Thank you, Amelia")).to_be_visible()
    _assert_crisis_links(phone)
    recorded = Screening.objects.filter(patient=patient, source="patient")
    assert sorted(recorded.values_list("instrument", flat=True)) == ["GAD-7", "PHQ-9"]
    assert Alert.objects.filter(patient=patient, kind=Alert.Kind.URGENT).count() == 1


def test_without_javascript_the_check_in_asks_for_typed_numbers(browser, live_server, patient):
    batteries_ensure(Battery)
    Battery.objects.filter(name="Intake").update(instruments=["PHQ-4"])
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(_link(patient))
    answers = page.get_by_label("Your answer, 0 to 10")
    expect(answers).to_have_count(3)
    for index, value in enumerate(("4", "6", "7")):
        answers.nth(index).fill(value)
    page.get_by_label("Hours slept last night").fill("6.5")
    page.get_by_role("button", name="Send my check-in").click()
    expect(page.get_by_text("Part 1 of 1")).to_be_visible()
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.mood, checkin.pain, checkin.sleep_quality) == (4, 6, 7)
    context.close()
