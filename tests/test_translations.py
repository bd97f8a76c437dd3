"""The shipped second language (Polish) is complete for everything a patient sees: `makemessages` finds
no patient-facing string untranslated or fuzzy, the catalogue compiles, and the pages, reminders, the
crisis message and the progress report come out in Polish for a Polish patient (and in English for the
rest, whatever the browser says)."""

import fnmatch
import html
import io
import re
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polib
import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from careplans.models import Exercise
from checkins import services
from checkins.messages import reminder_message
from checkins.models import Channel, OutboxMessage
from core.i18n import PATIENT_FACING, crisis_message, patient_language
from teams.models import Patient

from .checkins.factories import make_schedule

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 2, 18, 0, 30, tzinfo=UTC)  # a Monday, 18:00 in London
# What makemessages reads: the project's code and templates (not its tests, data or virtualenv).
SOURCES = [
    "adherence", "careplans", "checkins", "conferences", "core", "rehabcare", "routing", "screening",
    "teams", "templates", "static",
]  # fmt: skip


def patient_facing(reference: str) -> bool:
    return any(fnmatch.fnmatch(reference, pattern) for pattern in PATIENT_FACING)


def gaps(catalog: polib.POFile) -> list[str]:
    """Each patient-facing msgid not translated, or fuzzy, with where it is used."""
    found = []
    for entry in catalog:
        if entry.obsolete:
            continue
        where = sorted({path for path, _line in entry.occurrences if patient_facing(path)})
        if not where:
            continue
        translated = all(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
        if entry.fuzzy or not translated:
            state = "fuzzy" if entry.fuzzy else "untranslated"
            found.append(f"{state}: {entry.msgid!r} ({', '.join(where)})")
    return found


@pytest.fixture(scope="module")
def fresh_catalogs(tmp_path_factory):
    """makemessages run now over a copy of locale/ (the real one is left alone): the project's sources
    are linked into a scratch folder beside the copy, so the strings it finds are today's."""
    if shutil.which("xgettext") is None:
        pytest.fail("makemessages needs GNU gettext's xgettext (apt install gettext; .ci/run does)")
    work = tmp_path_factory.mktemp("messages")
    for name in SOURCES:
        (work / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "locale", work / "locale", ignore=shutil.ignore_patterns("*.mo"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(work)
        patch.setattr(django_settings, "LOCALE_PATHS", [work / "locale"])
        ignore = ["static/vendor", "*/migrations/*", "staticfiles", "test-artifacts", "node_modules"]
        for domain in ("django", "djangojs"):
            call_command(
                "makemessages",
                locale=["pl"],
                domain=domain,
                symlinks=True,
                ignore_patterns=ignore,
                verbosity=0,
            )
    return work / "locale"


def test_the_patient_facing_files_exist():
    for pattern in PATIENT_FACING:
        assert list(ROOT.glob(pattern)), f"core.i18n.PATIENT_FACING names nothing: {pattern}"


def test_makemessages_finds_no_untranslated_or_fuzzy_patient_facing_string(fresh_catalogs):
    catalogs = sorted((fresh_catalogs / "pl" / "LC_MESSAGES").glob("*.po"))
    assert catalogs, "makemessages wrote no Polish catalogue"
    django_po = polib.pofile(str(fresh_catalogs / "pl" / "LC_MESSAGES" / "django.po"))
    assert any(patient_facing(path) for entry in django_po for path, _ in entry.occurrences)
    missing = [gap for po in catalogs for gap in gaps(polib.pofile(str(po)))]
    assert missing == [], "Polish translations missing in locale/pl/LC_MESSAGES:\n" + "\n".join(missing)


def test_the_gap_check_sees_a_new_and_a_fuzzy_string():
    catalog = polib.POFile()
    catalog.append(
        polib.POEntry(msgid="New words", msgstr="", occurrences=[("templates/checkins/thanks.html", 3)])
    )
    catalog.append(
        polib.POEntry(
            msgid="Guess", msgstr="Zgadnij", flags=["fuzzy"], occurrences=[("checkins/messages.py", 9)]
        )
    )
    catalog.append(polib.POEntry(msgid="Staff only", msgstr="", occurrences=[("templates/teams/x.html", 1)]))
    catalog.append(
        polib.POEntry(
            msgid="%(n)s day",
            msgid_plural="%(n)s days",
            msgstr_plural={0: "%(n)s dzień", 1: "%(n)s dni", 2: "", 3: ""},
            occurrences=[("templates/adherence/report.html", 2)],
        )
    )
    assert [gap.split(":")[0] for gap in gaps(catalog)] == ["untranslated", "fuzzy", "untranslated"]


def test_the_catalogue_compiles_without_gettext(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from compile_messages import compile_po
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    po = tmp_path / "django.po"
    shutil.copy(ROOT / "locale" / "pl" / "LC_MESSAGES" / "django.po", po)
    catalog = polib.pofile(str(po))
    catalog[0].flags.append("fuzzy")
    catalog.save()
    compiled = polib.mofile(str(compile_po(po)))
    translations = {entry.msgid: entry.msgstr for entry in compiled}
    assert translations["Send my check-in"] == "Wyślij moją ankietę"
    assert catalog[0].msgid not in translations  # a fuzzy guess is never shown
    assert compiled.metadata["Plural-Forms"].startswith("nplurals=4")


def test_a_patient_gets_their_language_where_we_ship_it_and_english_otherwise():
    assert patient_language(Patient(language="pl")) == "pl"
    assert patient_language(Patient(language="en")) == "en-gb"
    assert patient_language(Patient(language="cy")) == "en-gb"  # Welsh is not shipped yet


def test_the_crisis_message_per_language(settings):
    settings.CRISIS_MESSAGE = "Call 999 now."
    settings.CRISIS_MESSAGE_PL = "Zadzwoń teraz pod 999."
    assert crisis_message("pl") == "Zadzwoń teraz pod 999."
    assert crisis_message("en-gb") == "Call 999 now."
    settings.CRISIS_MESSAGE_PL = ""
    assert crisis_message("pl") == "Call 999 now."  # no Polish text set: never nothing


def test_the_default_polish_crisis_message_is_polish_with_the_same_numbers():
    assert "999" in django_settings.CRISIS_MESSAGE_PL and "116 123" in django_settings.CRISIS_MESSAGE_PL
    assert (
        "Samaritans" in django_settings.CRISIS_MESSAGE_PL and "zadzwoń" in django_settings.CRISIS_MESSAGE_PL
    )


# --- a Polish patient, end to end ---


@pytest.fixture
def polish(patient):
    patient.language = "pl"
    patient.save(update_fields=["language"])
    return patient


@pytest.fixture(autouse=True)
def link_rate_counters_reset():
    from django.core.cache import cache

    cache.delete_pattern("patient-link-rate:*")


def _send(patient, channel="email") -> str:
    make_schedule(patient, channel=channel)
    [reminder_id] = services.reminders_dispatch(now=NOW)
    services.reminder_send_now(reminder_id=reminder_id, now=NOW)
    body = mail.outbox[-1].body if channel == "email" else OutboxMessage.objects.get().body
    return re.search(r"/r/([\w-]+)/", body).group(1)


def test_a_polish_patients_email_reminder_is_in_polish(polish):
    _send(polish)
    message = mail.outbox[-1]
    assert message.subject == f"{django_settings.CLINIC_NAME}: Twoja ankieta kontrolna"
    assert message.body.startswith(f"Dzień dobry, {polish.given_name},")
    assert "Aby wyłączyć te przypomnienia:" in message.body and "72 godziny" in message.body
    assert "check-in" not in message.body


def test_a_polish_patients_sms_reminder_is_in_polish(polish):
    polish.mobile = "+447400123456"
    polish.save(update_fields=["mobile"])
    _send(polish, channel="sms")
    body = OutboxMessage.objects.get().body
    assert "czas na Twoją ankietę kontrolną" in body and "Wyłącz przypomnienia:" in body


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(1, "1 minuta"), (3, "3 minuty"), (5, "5 minut"), (22, "22 minuty"), (12, "12 minut")],
)
def test_polish_reminders_count_minutes_with_polish_plurals(patient, minutes, words):
    patient.language = "pl"
    message = reminder_message(
        patient=patient, channel=Channel.SMS, link="L", stop="S", minutes=minutes, has_questionnaire=False
    )
    assert f"(około {words})" in message.body


def test_an_english_patients_reminder_stays_english_whatever_is_active(patient):
    with translation.override("pl"):
        message = reminder_message(
            patient=patient, channel=Channel.EMAIL, link="L", stop="S", minutes=2, has_questionnaire=True
        )
    assert message.body.startswith(f"Hello {patient.given_name},") and "about 2 minutes" in message.body


def test_a_polish_patients_check_in_page_is_polish_whatever_the_browser_says(client, polish):
    token = _send(polish)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        page = client.get(reverse("checkin_form", args=[token]), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert page.status_code == 200
    assert '<html lang="pl">' in page.text and page["Content-Language"] == "pl"
    assert f"Dzień dobry, {polish.given_name}" in page.text
    assert "Jaki jest dziś Twój nastrój?" in page.text and "Wyślij moją ankietę" in page.text
    assert "Masz pytania lub chcesz z kimś porozmawiać?" in page.text
    assert "Send my check-in" not in page.text


def test_a_polish_patients_form_errors_are_polish(client, polish):
    token = _send(polish)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        page = client.post(reverse("checkin_form", args=[token]), {"pain": 3, "sleep_quality": 7})
    assert "Przesuń suwak na swoją odpowiedź" in page.text
    assert "Wpisz, ile godzin spałeś/spałaś" in page.text


def _polish_phq9_loaded() -> None:
    """A validated Polish PHQ-9 as a clinic loads it (the rows only: the wording is the test's own)."""
    from screening.instruments import INSTRUMENTS
    from screening.models import InstrumentTranslation, ItemWording

    phq9 = INSTRUMENTS["PHQ-9"]
    labels = ["Wcale", "Kilka dni", "Więcej niż połowę dni", "Niemal codziennie"]
    InstrumentTranslation.objects.create(
        instrument="PHQ-9",
        language="pl",
        wording_version="test",
        title="Kwestionariusz zdrowia pacjenta",
        stem="Jak często w ciągu ostatnich 2 tygodni dokuczały Ci następujące problemy?",
        answer_labels={str(item.number): labels[: len(item.answers)] for item in phq9.items},
        source="Test",
        licence="Test",
    )
    ItemWording.objects.bulk_create(
        ItemWording(instrument="PHQ-9", item_number=item.number, language="pl", text=f"Pytanie {item.number}")
        for item in phq9.items
    )


def test_a_polish_patients_questionnaire_pause_crisis_message_and_dates_are_polish(client, polish, settings):
    from screening.batteries import batteries_ensure
    from screening.models import Battery

    batteries_ensure(Battery)
    _polish_phq9_loaded()
    token = _send(polish)  # no intake yet: the intake battery is due
    Battery.objects.filter(name="Intake").update(instruments=["PHQ-9"])
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        sent = client.post(
            reverse("checkin_form", args=[token]),
            {"mood": 5, "pain": 5, "sleep_quality": 5, "sleep_hours": 7},
        )
        url = reverse("checkin_questionnaire", args=[token])
        assert sent.status_code == 302, sent.text
        page = client.get(url)
        assert '<html lang="pl">' in page.text and "Część 1 z 1" in page.text
        answers = {f"PHQ-9:{n}": "1" for n in range(1, 9)} | {"PHQ-9:9": "2", "action": "pause"}
        paused = client.post(url, answers)
    text = html.unescape(re.sub(r"<[^>]*>", "", paused.text))
    assert django_settings.CRISIS_MESSAGE_PL in text  # item 9 answered: sent now, the numbers in Polish
    assert settings.CRISIS_MESSAGE not in text
    assert "Twoje odpowiedzi są zapisane" in text
    assert "przed 5 marca 2026 18:00" in text  # the link's end (72 hours on), in Polish


def test_an_opt_out_page_is_in_the_patients_language(client, polish):
    _send(polish)
    stop = re.search(r"/stop/([^/\s]+)/", mail.outbox[0].body).group(0)
    assert "Wyłączyć przypomnienia o ankiecie kontrolnej?" in client.get(stop).text
    assert "Przypomnienia wyłączone" in client.post(stop).text


def test_a_link_that_finds_no_patient_follows_the_browser(client, db):
    url = reverse("checkin_form", args=["x" * 43])
    polish = client.get(url, HTTP_ACCEPT_LANGUAGE="pl-PL,pl;q=0.9,en;q=0.5")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    other = client.get(url, HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert polish.status_code == 404 and '<html lang="pl">' in polish.text
    assert "Ten link jest niedostępny" in polish.text
    assert '<html lang="en-gb">' in english.text and "This link is not available" in english.text
    assert "This link is not available" in other.text


def test_staff_read_the_interface_in_the_language_they_chose(login, clinician):
    client = login(clinician)
    assert '<html lang="en-gb">' in client.get(reverse("patient_list")).text
    clinician.language = "pl"
    clinician.save(update_fields=["language"])
    page = client.get(reverse("patient_list"), HTTP_ACCEPT_LANGUAGE="en-GB")
    assert '<html lang="pl">' in page.text and ">Pacjenci</a>" in page.text


def test_staff_choose_their_interface_language_on_their_account_and_it_is_audited(login, clinician):
    from teams.models import AuditEvent

    client = login(clinician)
    url = reverse("interface_language")
    page = client.get(url)
    assert page.status_code == 200 and "(English)</option>" in page.text and ">Polski</option>" in page.text
    refused = client.post(url, {"language": "fr"})
    assert refused.status_code == 200 and "is-invalid" in refused.text
    saved = client.post(url, {"language": "pl"}, follow=True)
    clinician.refresh_from_db()
    assert clinician.language == "pl"
    assert '<html lang="pl">' in saved.text and "Zapisano język interfejsu." in saved.text
    assert AuditEvent.objects.filter(actor=clinician, changed_fields=["language"]).exists()
    client.post(url, {"language": ""})
    clinician.refresh_from_db()
    assert clinician.language == "" and '<html lang="en-gb">' in client.get(url).text


def test_the_progress_report_is_in_the_patients_language_for_english_staff(login, clinician, polish):
    client = login(clinician)
    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=UTC), tick=False):
        page = client.get(reverse("progress_report", kwargs={"patient_id": polish.pk}))
    # The staff member's page, with their controls in their language.
    assert '<html lang="en-gb">' in page.text and ">Patients</a>" in page.text
    assert ">Download PDF</a>" in page.text and "Pobierz PDF" not in page.text
    assert 'class="plan-print report" lang="pl"' in page.text  # the patient's report on it
    assert (
        f"Postępy: {polish.given_name}" in page.text and "Przygotowano dnia 30 listopada 2026." in page.text
    )
    assert "Ćwiczenia w domu:" in page.text and "Home exercise" not in page.text


@pytest.mark.slow
def test_the_progress_report_pdf_is_in_the_patients_language(login, clinician, polish):
    from pypdf import PdfReader

    client = login(clinician)
    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=UTC), tick=False):
        response = client.get(reverse("progress_report_pdf", kwargs={"patient_id": polish.pk}))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert f"Postępy: {polish.given_name}" in text
    assert "Przygotowano dnia 30 listopada 2026." in text
    assert "Trzymanie się planu (ostatnie cztery tygodnie)" in text and "Ćwiczenia w domu:" in text


def test_an_exercise_dose_reads_in_the_active_language():
    exercise = Exercise(sets=3, reps=10, hold_seconds=5, sessions_per_week=5)
    assert exercise.dose == "3 × 10, hold 5 s, 5× a week"
    with translation.override("pl"):
        assert exercise.dose == "3 × 10, przytrzymaj 5 s, 5× w tygodniu"
