"""A questionnaire by link in the patient's language: only instruments with a validated translation loaded
(English always), shown in the translation's words, recorded with the language and wording version; a
patient whose language has none of them gets the check-in alone. The English path is unchanged."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from checkins import selectors, services
from checkins.models import Reminder
from screening.batteries import batteries_ensure
from screening.instruments import INSTRUMENTS
from screening.models import Battery, Screening
from screening.selectors import instruments_by_link, link_instrument
from screening.services import translation_load
from screening.translations import shipped_translation, translation_read
from teams.models import Language

from ..checkins.factories import make_schedule

NOW = datetime(2026, 3, 2, 18, 0, 30, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
# What a Polish reminder adds when its link has questions besides the check-in ("some questions about how
# you are", in the shipped Polish).
QUESTIONS_TOO = "kilka pytań o samopoczucie"
CHECKIN = {"mood": 6, "pain": 3, "sleep_quality": 7, "sleep_hours": 7}


@pytest.fixture(autouse=True)
def link_rate_counters_reset():
    from django.core.cache import cache

    cache.delete_pattern("patient-link-rate:*")


@pytest.fixture
def polish_phq9(db):
    return translation_load(data=translation_read(shipped_translation("pl", "PHQ-9")), user=None)


@pytest.fixture
def polish(patient):
    patient.language = Language.POLISH
    patient.save(update_fields=["language"])
    return patient


@pytest.fixture
def phone():
    return Client(REMOTE_ADDR="192.0.2.91")


def _send(patient, instruments) -> str:
    """A reminder sent with the intake battery holding ``instruments``; its link's token."""
    batteries_ensure(Battery)
    Battery.objects.filter(name="Intake").update(instruments=instruments)
    make_schedule(patient)
    [reminder_id] = services.reminders_dispatch(now=NOW)
    services.reminder_send_now(reminder_id=reminder_id, now=NOW)
    return re.search(r"/r/([\w-]+)/", mail.outbox[-1].body).group(1)


def _answers(code: str, value: int = 0) -> dict[str, str]:
    return {f"{code}:{item.number}": str(value) for item in INSTRUMENTS[code].items}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", html))


def test_english_is_always_available_and_another_language_only_where_loaded(
    patient, polish_phq9, django_assert_max_num_queries
):
    with django_assert_max_num_queries(0):
        english = instruments_by_link(patient=patient, codes=["PHQ-9", "GAD-7", "PCS"])
    patient.language = Language.POLISH
    with django_assert_max_num_queries(1):
        available, missing = instruments_by_link(patient=patient, codes=["PHQ-9", "GAD-7", "PCS", "nope"])

    assert [i.code for i in english[0]] == ["PHQ-9", "GAD-7", "PCS"] and english[1] == []
    assert [i.code for i in available] == ["PHQ-9"]
    assert [i.code for i in missing] == ["GAD-7", "PCS"]


def test_the_polish_instrument_keeps_its_values_and_scoring_with_the_translations_words(polish_phq9):
    shown, version = link_instrument(INSTRUMENTS["PHQ-9"], "pl")

    assert version == polish_phq9.wording_version
    assert shown.patient_title == "Kwestionariusz zdrowia pacjenta"
    assert shown.item(2).text == "Uczucie smutku, przygnębienia lub beznadziejności"
    assert [(a.value, a.label, a.score) for a in shown.item(9).answers] == [
        (0, "Wcale nie dokuczały", 0),
        (1, "Kilka dni", 1),
        (2, "Więcej niż połowę dni", 2),
        (3, "Niemal codziennie", 3),
    ]
    assert shown.flags == INSTRUMENTS["PHQ-9"].flags and shown.bands == INSTRUMENTS["PHQ-9"].bands
    with pytest.raises(LookupError):
        link_instrument(INSTRUMENTS["GAD-7"], "pl")


def test_a_polish_patients_link_offers_the_polish_phq9_and_not_gad7(polish, polish_phq9, phone):
    token = _send(polish, ["PHQ-9", "GAD-7"])
    url = reverse("checkin_questionnaire", args=[token])
    reminder = Reminder.objects.get()
    # The reminder promised the check-in and the nine PHQ-9 questions only: 14 at 10 s, 3 minutes.
    assert [i.code for i in selectors.reminder_instruments(reminder=reminder)] == ["PHQ-9"]
    assert services.reminder_minutes(reminder=reminder) == 3
    assert QUESTIONS_TOO in mail.outbox[-1].body

    with time_machine.travel(LATER, tick=False):
        to_questionnaire = phone.post(reverse("checkin_form", args=[token]), CHECKIN)
        html = phone.get(url).text
    page = _text(html)

    assert to_questionnaire.status_code == 302 and to_questionnaire.url == url
    assert re.search(r'<progress[^>]*max="1" value="1"', html)  # one part: PHQ-9 alone
    assert "Kwestionariusz zdrowia pacjenta" in page
    assert "Jak często w ciągu ostatnich 2 tygodni dokuczały Panu/Pani następujące problemy?" in page
    assert "Niewielkie zainteresowanie lub odczuwanie przyjemności z wykonywania czynności" in page
    assert page.count("Więcej niż połowę dni") == 9
    for english in ("Little interest or pleasure", "Nearly every day", "Over the last 2 weeks"):
        assert english not in page
    assert "GAD" not in page and "nerves" not in page


def test_a_polish_result_records_the_language_and_wording_version(polish, polish_phq9, phone):
    token = _send(polish, ["PHQ-9", "GAD-7"])
    url = reverse("checkin_questionnaire", args=[token])
    with time_machine.travel(LATER, tick=False):
        phone.post(reverse("checkin_form", args=[token]), CHECKIN)
        done = phone.post(url, {"part": "1"} | _answers("PHQ-9", 1) | {"PHQ-9:9": "0"})

    assert done.status_code == 200
    [result] = Screening.objects.filter(source=Screening.Source.PATIENT)
    assert (result.instrument, result.total) == ("PHQ-9", 8)
    assert (result.language, result.wording_version) == ("pl", polish_phq9.wording_version)
    assert Reminder.objects.get().questionnaire_completed_at is not None


def test_a_safety_answer_in_polish_is_recorded_at_once_with_its_language(polish, polish_phq9, phone):
    token = _send(polish, ["PHQ-9"])
    url = reverse("checkin_questionnaire", args=[token])
    with time_machine.travel(LATER, tick=False):
        phone.post(reverse("checkin_form", args=[token]), CHECKIN)
        phone.post(url, {"part": "1", "action": "pause"} | _answers("PHQ-9", 0) | {"PHQ-9:9": "2"})

    result = Screening.objects.get(source=Screening.Source.PATIENT)
    assert result.has_safety_flag and result.language == "pl"


def test_no_validated_translation_gives_the_check_in_without_a_questionnaire(polish, phone):
    token = _send(polish, ["PHQ-9", "GAD-7"])  # nothing loaded in Polish
    reminder = Reminder.objects.get()
    assert selectors.reminder_instruments(reminder=reminder) == []
    assert services.reminder_minutes(reminder=reminder) == 1  # the five check-in questions only
    assert QUESTIONS_TOO not in mail.outbox[-1].body  # the reminder promises the check-in alone

    with time_machine.travel(LATER, tick=False):
        sent = phone.post(reverse("checkin_form", args=[token]), CHECKIN)
        questionnaire = phone.get(reverse("checkin_questionnaire", args=[token]))

    assert sent.status_code == 200  # thanked now, not sent on to a questionnaire
    assert questionnaire.status_code == 404
    assert not Screening.objects.exists()


def test_the_english_link_is_unchanged_and_records_english_with_the_instruments_version(patient, phone):
    token = _send(patient, ["PHQ-9", "GAD-7"])
    url = reverse("checkin_questionnaire", args=[token])
    with time_machine.travel(LATER, tick=False):
        phone.post(reverse("checkin_form", args=[token]), CHECKIN)
        page = _text(phone.get(url).text)
        phone.post(url, {"part": "1"} | _answers("PHQ-9", 0))
        phone.post(url, {"part": "2"} | _answers("GAD-7", 0))

    assert "Part 1 of 2" in page
    assert "Over the last 2 weeks, how often have you been bothered" in page
    assert "Little interest or pleasure in doing things" in page and "Nearly every day" in page
    results = Screening.objects.filter(source=Screening.Source.PATIENT).order_by("instrument")
    assert [(s.instrument, s.language, s.wording_version) for s in results] == [
        ("GAD-7", "en", INSTRUMENTS["GAD-7"].version),
        ("PHQ-9", "en", INSTRUMENTS["PHQ-9"].version),
    ]


def test_the_polish_questionnaire_page_reads_a_fixed_number_of_queries(
    polish, polish_phq9, phone, django_assert_max_num_queries
):
    token = _send(polish, ["PHQ-9", "GAD-7"])
    url = reverse("checkin_questionnaire", args=[token])
    with time_machine.travel(LATER, tick=False):
        phone.post(reverse("checkin_form", args=[token]), CHECKIN)
        with django_assert_max_num_queries(8):
            assert phone.get(url).status_code == 200
