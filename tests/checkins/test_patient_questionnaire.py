"""The patient's pages by link: one instrument a page with its progress and no scores, answers kept page
by page to pause and carry on, one record per instrument at the end; sliders that start unset; an honest
time in the reminder; the clinic's phone on every page and the crisis numbers as tel: links."""

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from careplans.services import part_update
from checkins import services
from checkins.models import CheckIn, OutboxMessage, Reminder, Schedule
from checkins.templatetags.patient_pages import phone_links
from core.phone import tel_uri
from screening.batteries import batteries_ensure
from screening.instruments import INSTRUMENTS
from screening.models import Alert, Battery, Screening

from ..careplans.factories import make_exercise, make_plan
from ..factories import PatientFactory
from ..screening.factories import lowest_answers, record
from .factories import make_schedule

NOW = datetime(2026, 3, 2, 18, 0, 30, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
CHECKIN = {"mood": 6, "pain": 3, "sleep_quality": 7, "sleep_hours": 7}


def _send(patient, *, instruments=None) -> str:
    """A sent reminder's token; with ``instruments``, the intake battery (due: no intake yet) holds them."""
    batteries_ensure(Battery)
    if instruments is None:
        record(patient, patient.primary_clinician, code="PHQ-4", answers=lowest_answers("PHQ-4"))
    else:
        Battery.objects.filter(name="Intake").update(instruments=instruments)
    make_schedule(patient)
    [reminder_id] = services.reminders_dispatch(now=NOW)
    services.reminder_send_now(reminder_id=reminder_id, now=NOW)
    return re.search(r"/r/([\w-]+)/", mail.outbox[-1].body).group(1)


def _answers(code: str, value: int = 0, *, leave_out=()) -> dict[str, str]:
    return {
        f"{code}:{item.number}": str(value)
        for item in INSTRUMENTS[code].items
        if item.number not in leave_out
    }


@pytest.fixture
def phone():
    return Client(REMOTE_ADDR="192.0.2.77")


@pytest.fixture
def questionnaire(patient, phone):
    """The link of a reminder opening PHQ-9 then GAD-7, its check-in sent: at the questionnaire's start."""
    token = _send(patient, instruments=["PHQ-9", "GAD-7"])
    with time_machine.travel(LATER, tick=False):
        phone.post(reverse("checkin_form", args=[token]), CHECKIN)
    return reverse("checkin_questionnaire", args=[token])


def _plan_with_one_exercise(patient, clinician) -> None:
    plan = make_plan(patient, clinician, start_date=NOW.date(), review_date=NOW.date() + timedelta(weeks=6))
    make_exercise(plan, clinician, name="Sit to stand")
    part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)


def test_a_check_in_alone_promises_a_minute(patient, clinician):
    _plan_with_one_exercise(patient, clinician)
    _send(patient)  # no questionnaire due: 5 check-in questions and 1 exercise, 60 s
    assert "It takes about 1 minute:" in mail.outbox[-1].body


def test_the_reminder_promises_the_time_its_questions_take(patient, clinician):
    _plan_with_one_exercise(patient, clinician)
    intake = ["PHQ-9", "GAD-7", "STarT-Back", "PCS", "TSK-11"]
    _send(patient, instruments=intake)
    # 49 items + 6 check-in questions = 55 questions at 10 s: 550 s, rounded up to 10 minutes.
    assert sum(len(INSTRUMENTS[code].items) for code in intake) == 49
    assert "It takes about 10 minutes, and you can pause and carry on later:" in mail.outbox[-1].body


def test_an_sms_reminder_says_the_time_too(patient):
    patient.mobile = "+447400123456"
    patient.save(update_fields=["mobile"])
    batteries_ensure(Battery)
    Battery.objects.filter(name="Intake").update(instruments=["PHQ-9"])
    make_schedule(patient, channel="sms")
    [reminder_id] = services.reminders_dispatch(now=NOW)
    services.reminder_send_now(reminder_id=reminder_id, now=NOW)
    # 9 items + 5 check-in questions = 140 s: 3 minutes.
    assert "(about 3 minutes)" in OutboxMessage.objects.get().body


def test_the_check_in_page_gives_the_whole_time_and_the_parts_to_come(patient, phone):
    token = _send(patient, instruments=["PHQ-9", "GAD-7"])
    with time_machine.travel(LATER, tick=False):
        page = phone.get(reverse("checkin_form", args=[token])).text
    assert "then some questions in 2 short parts" in page
    assert "It takes about 4 minutes in all" in page  # 5 + 9 + 7 = 21 questions, 210 s


def test_an_untouched_slider_is_asked_again_not_stored_as_five(patient, phone):
    token = _send(patient)
    url = reverse("checkin_form", args=[token])
    with time_machine.travel(LATER, tick=False):
        page = phone.get(url).text
        sent = phone.post(url, {"pain": 3, "sleep_quality": 7, "sleep_hours": 7})
    # The slider starts with no value and no name: nothing is sent until the patient moves it.
    mood = re.search(r'<input type="range"[^>]*id="id_mood"[^>]*>', page).group(0)
    assert "value=" not in mood and " name=" not in mood and 'data-name="mood"' in mood
    assert "0 = Very low" in page and "10 = Very good" in page
    assert "0 = No pain" in page and "10 = Worst pain imaginable" in page
    assert sent.status_code == 200
    assert "Move the slider to your answer: it has not been set yet." in sent.text
    assert not CheckIn.objects.exists()
    # The answers given are kept: the pain slider comes back set where the patient put it.
    pain = re.search(r'<input type="range"[^>]*id="id_pain"[^>]*>', sent.text).group(0)
    assert 'name="pain"' in pain and 'value="3"' in pain


def test_one_instrument_a_page_with_progress_plain_title_and_no_scores(questionnaire, phone):
    with time_machine.travel(LATER, tick=False):
        html = phone.get(questionnaire).text
    page = re.sub(r"<[^>]*>", " ", html)  # what the patient reads
    assert "Part 1 of 2" in page
    assert "How you have been feeling" in page
    assert "Little interest or pleasure in doing things" in page
    assert "Not being able to stop or control worrying" not in page  # GAD-7 waits for part 2
    for hidden in ("PHQ", "GAD", "Patient Health Questionnaire", "total", "Total", "score", "range 0"):
        assert hidden not in page
    assert "badge" not in html and "data-score" not in html


def test_pause_and_carry_on_with_the_same_link_keeps_every_answer(questionnaire, phone):
    with time_machine.travel(LATER, tick=False):
        # No thoughts of self-harm (item 9): a part like that waits for the end to be recorded.
        no_self_harm = _answers("PHQ-9", 1, leave_out=[9]) | {"PHQ-9:9": "0"}
        to_part_2 = phone.post(questionnaire, {"part": "1", "action": "next"} | no_self_harm)
        assert to_part_2.url == f"{questionnaire}?part=2"
        paused = phone.post(questionnaire, {"part": "2", "action": "pause", "GAD-7:1": "2", "GAD-7:2": "3"})
    assert "Your answers are saved" in paused.text
    assert not Screening.objects.filter(source="patient").exists()  # nothing recorded before the end
    # Hours later, from another browser: the same link opens where the patient left off.
    with time_machine.travel(LATER + timedelta(hours=20), tick=False):
        resumed = Client(REMOTE_ADDR="192.0.2.78").get(questionnaire).text
        back = phone.get(f"{questionnaire}?part=1").text
    assert "Part 2 of 2" in resumed and "Worry and nerves" in resumed
    assert re.search(r'name="GAD-7:1"[^>]*value="2" checked', resumed)
    assert re.search(r'name="GAD-7:2"[^>]*value="3" checked', resumed)
    assert not re.search(r'name="GAD-7:3"[^>]*checked', resumed)
    assert len(re.findall(r'name="PHQ-9:\d"[^>]*value="1" checked', back)) == 8
    assert re.search(r'name="PHQ-9:9"[^>]*value="0" checked', back)


def test_a_missing_answer_is_asked_again_and_skipping_ahead_is_not_possible(questionnaire, phone):
    with time_machine.travel(LATER, tick=False):
        again = phone.post(questionnaire, {"part": "1"} | _answers("PHQ-9", leave_out=[3]))
        ahead = phone.get(f"{questionnaire}?part=2").text
    assert "1 question still needs an answer" in again.text
    assert again.text.count("Please choose an answer.") == 1
    assert 'aria-invalid="true" aria-describedby="phq-91-error"' not in again.text
    assert 'aria-invalid="true" aria-describedby="phq-93-error"' in again.text
    assert "Part 1 of 2" in ahead  # part 2 is not open while part 1 has a question unanswered


def test_the_last_page_records_every_instrument_once(questionnaire, phone, settings):
    with time_machine.travel(LATER, tick=False):
        phone.post(questionnaire, {"part": "1"} | _answers("PHQ-9", 0))
        done = phone.post(questionnaire, {"part": "2"} | _answers("GAD-7", 1))
        twice = phone.post(questionnaire, {"part": "2"} | _answers("GAD-7", 1))
    assert "Thank you, Amelia" in done.text
    assert settings.CRISIS_MESSAGE[:20] not in done.text
    recorded = Screening.objects.filter(source="patient").order_by("instrument")
    assert [(s.instrument, s.total) for s in recorded] == [("GAD-7", 7), ("PHQ-9", 0)]
    assert twice.status_code == 404
    reminder = Reminder.objects.get()
    assert reminder.questionnaire_completed_at is not None and reminder.questionnaire_draft == {}


def test_the_crisis_numbers_are_tel_links_on_the_thanks_page(questionnaire, phone):
    with time_machine.travel(LATER, tick=False):
        phone.post(questionnaire, {"part": "1"} | _answers("PHQ-9", 1))
        done = phone.post(questionnaire, {"part": "2"} | _answers("GAD-7", 0)).text
    assert '<a href="tel:999" class="fw-semibold text-nowrap">999</a>' in done
    assert '<a href="tel:116123" class="fw-semibold text-nowrap">116 123</a>' in done


def test_phone_links_escape_the_text_and_link_only_numbers():
    html = phone_links("Call <b>999</b> or +44 20 7946 0000 within 24 hours.")
    assert "&lt;b&gt;" in html
    assert '<a href="tel:999"' in html and '<a href="tel:+442079460000"' in html
    assert "tel:24" not in html


def test_an_expired_link_forgets_the_answers_saved_so_far(questionnaire, phone):
    with time_machine.travel(LATER, tick=False):
        phone.post(questionnaire, {"part": "1", "action": "pause", "PHQ-9:1": "2"})
    assert Reminder.objects.get().questionnaire_draft == {"PHQ-9": {"1": 2}}
    services.reminders_expire(now=NOW + timedelta(hours=settings.CHECKIN_LINK_HOURS, minutes=1))
    assert Reminder.objects.get().questionnaire_draft == {}


def test_a_forged_answer_is_not_kept(questionnaire, phone):
    with time_machine.travel(LATER, tick=False):
        phone.post(
            questionnaire, {"part": "1", "action": "pause", "PHQ-9:1": "7", "PHQ-9:2": "x", "PHQ-9:3": "1"}
        )
    assert Reminder.objects.get().questionnaire_draft == {"PHQ-9": {"3": 1}}


def test_the_clinic_phone_is_on_every_patient_page(patient, questionnaire, phone):
    tel = f'href="{tel_uri(settings.CLINIC_PHONE)}"'
    token = _send(PatientFactory(team=patient.team, primary_clinician=patient.primary_clinician))
    with time_machine.travel(LATER, tick=False):
        pages = {
            "check-in": phone.get(reverse("checkin_form", args=[token])),
            "questionnaire": phone.get(questionnaire),
            "paused": phone.post(questionnaire, {"part": "1", "action": "pause"}),
            "thanks": phone.post(reverse("checkin_form", args=[token]), CHECKIN),
            "expired": phone.get(reverse("checkin_form", args=["x" * 43])),
            "opt-out": phone.get(services.opt_out_link(Schedule.objects.get(patient=patient))),
        }
    for name, response in pages.items():
        assert tel in response.text, name
        assert settings.CLINIC_PHONE in response.text, name
    assert pages["expired"].status_code == 404


def test_a_questionnaire_page_reads_the_same_queries_whatever_its_length(
    patient, phone, django_assert_max_num_queries
):
    token = _send(patient, instruments=["PHQ-4", "PCS"])
    url = reverse("checkin_questionnaire", args=[token])
    with time_machine.travel(LATER, tick=False):
        phone.post(reverse("checkin_form", args=[token]), CHECKIN)
        with django_assert_max_num_queries(3):
            assert "Part 1 of 2" in phone.get(url).text  # 4 items
        phone.post(url, {"part": "1"} | _answers("PHQ-4"))
        with django_assert_max_num_queries(3):
            assert "Part 2 of 2" in phone.get(url).text  # 13 items


def test_every_instrument_has_a_plain_title_for_patients():
    for code, instrument in INSTRUMENTS.items():
        title = instrument.patient_title
        assert title and code not in title and not re.search(r"[A-Z]{2,}|\d", title), code


# A PHQ-9 page answered in full, its last question (thoughts of being better off dead or of hurting
# oneself) "Several days": the screening app's safety item, answered positively.
SELF_HARM = _answers("PHQ-9", 0, leave_out=[9]) | {"PHQ-9:9": "1"}


def _crisis_links(html: str) -> bool:
    return (
        "Please look after yourself now" in html
        and '<a href="tel:999" class="fw-semibold text-nowrap">999</a>' in html
        and '<a href="tel:116123" class="fw-semibold text-nowrap">116 123</a>' in html
    )


def test_a_self_harm_answer_alerts_the_team_at_once_though_the_patient_pauses(questionnaire, phone):
    with time_machine.travel(LATER, tick=False):
        paused = phone.post(questionnaire, {"part": "1", "action": "pause"} | SELF_HARM)
    # Recorded as the page is saved, not at the end that may never come: one screening, one urgent alert.
    [screening] = Screening.objects.filter(source="patient")
    assert (screening.instrument, screening.answers["9"]) == ("PHQ-9", 1) and screening.has_safety_flag
    [alert] = Alert.objects.filter(kind=Alert.Kind.URGENT)
    assert alert.screening == screening and alert.status == Alert.Status.OPEN
    # The crisis numbers, to tap, on the very next page; the pause page no longer says nothing was sent.
    assert _crisis_links(paused.text)
    assert "has reached them already" in paused.text
    assert "sees your answers only once you send them" not in paused.text
    # Opened again later: part 2, with the crisis numbers still on it.
    with time_machine.travel(LATER + timedelta(hours=3), tick=False):
        resumed = phone.get(questionnaire).text
    assert "Part 2 of 2" in resumed and _crisis_links(resumed)
    assert Screening.objects.count() == 1 and Alert.objects.count() == 1


def test_the_next_page_after_a_self_harm_answer_shows_the_crisis_numbers(questionnaire, phone):
    with time_machine.travel(LATER, tick=False):
        before = phone.get(questionnaire).text
        to_part_2 = phone.post(questionnaire, {"part": "1", "action": "next"} | SELF_HARM)
        part_2 = phone.get(to_part_2.url).text
    assert not _crisis_links(before)
    assert to_part_2.url == f"{questionnaire}?part=2"
    assert "Part 2 of 2" in part_2 and _crisis_links(part_2)
    assert Alert.objects.filter(kind=Alert.Kind.URGENT, screening__instrument="PHQ-9").count() == 1


def test_finishing_after_a_part_was_sent_records_it_once(questionnaire, phone):
    with time_machine.travel(LATER, tick=False):
        phone.post(questionnaire, {"part": "1"} | SELF_HARM)
        again = phone.post(questionnaire, {"part": "1"} | SELF_HARM)  # a double submit of the same page
        done = phone.post(questionnaire, {"part": "2"} | _answers("GAD-7", 1))
    assert again.url == f"{questionnaire}?part=2"
    assert "Thank you, Amelia" in done.text and _crisis_links(done.text)
    recorded = Screening.objects.filter(source="patient").order_by("instrument")
    assert [(s.instrument, s.total) for s in recorded] == [("GAD-7", 7), ("PHQ-9", 1)]
    assert Alert.objects.filter(kind=Alert.Kind.URGENT).count() == 1
    reminder = Reminder.objects.get()
    assert reminder.questionnaire_completed_at is not None and reminder.questionnaire_draft == {}


def test_a_sent_part_reads_as_sent_and_back_cannot_change_it(
    questionnaire, phone, django_assert_max_num_queries
):
    with time_machine.travel(LATER, tick=False):
        phone.post(questionnaire, {"part": "1"} | SELF_HARM)
        back = phone.post(questionnaire, {"part": "2", "action": "back"} | _answers("GAD-7", 2))
        with django_assert_max_num_queries(3):  # as any other part: the sent one reads the draft only
            shown = phone.get(back.url).text
        changed = phone.post(questionnaire, {"part": "1", "action": "next"} | _answers("PHQ-9", 3))
    assert back.url == f"{questionnaire}?part=1"
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", shown))
    assert "Part 1 of 2" in page and "Sent to your care team" in page
    assert "Little interest or pleasure in doing things Your answer: Not at all" in page
    assert page.count("Your answer: Several days") == 1  # the self-harm question, as it was sent
    assert 'type="radio"' not in shown and "Save and finish later" not in shown
    assert re.search(r'<button[^>]*value="next"[^>]*>Next</button>', shown)
    # Posting other answers to it (an old tab) changes neither the record nor the page.
    assert changed.url == f"{questionnaire}?part=2"
    [screening] = Screening.objects.filter(source="patient")
    assert screening.total == 1 and screening.answers["1"] == 0
    assert Reminder.objects.get().questionnaire_draft["PHQ-9"] == {str(n): 0 for n in range(1, 9)} | {"9": 1}


def test_a_negative_self_harm_answer_records_nothing_until_the_end(questionnaire, phone, settings):
    with time_machine.travel(LATER, tick=False):
        paused = phone.post(
            questionnaire,
            {"part": "1", "action": "pause"} | _answers("PHQ-9", 2, leave_out=[9]) | {"PHQ-9:9": "0"},
        )
        part_2 = phone.get(questionnaire).text
    assert not Screening.objects.exists() and not Alert.objects.exists()
    assert not _crisis_links(paused.text) and not _crisis_links(part_2)
    assert "Your care team sees your answers only once you send them at the end." in paused.text
    with time_machine.travel(LATER, tick=False):
        done = phone.post(questionnaire, {"part": "2"} | _answers("GAD-7", 0))
    assert "Thank you, Amelia" in done.text and not _crisis_links(done.text)
    assert sorted(Screening.objects.values_list("instrument", flat=True)) == ["GAD-7", "PHQ-9"]
    assert not Alert.objects.filter(kind=Alert.Kind.URGENT).exists()


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_a_self_harm_page_at_the_same_moment_record_it_once(questionnaire):
    reminder = Reminder.objects.get()
    answers = {key.split(":")[1]: int(value) for key, value in SELF_HARM.items()}
    barrier = threading.Barrier(2)
    saved: list[Reminder] = []

    def save() -> None:
        try:
            barrier.wait()
            saved.append(
                services.questionnaire_part_save(reminder=reminder, instrument_code="PHQ-9", answers=answers)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(saved) == 2  # neither failed: the second found the part sent and left it as it was
    [screening] = Screening.objects.filter(source="patient", instrument="PHQ-9")
    assert Alert.objects.filter(kind=Alert.Kind.URGENT).count() == 1
    assert Reminder.objects.get().questionnaire_draft["_recorded"] == {"PHQ-9": screening.pk}
