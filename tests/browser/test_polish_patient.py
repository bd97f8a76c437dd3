"""A patient whose language is Polish, end to end in a real browser: the reminder, the check-in page, the
validated Polish PHQ-9 loaded as a clinic loads it, the crisis message in Polish, and the progress report
PDF their clinician downloads, in Polish. axe on every Polish page; 44 px targets on a phone."""

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from checkins import services
from checkins.models import OutboxMessage
from screening.batteries import batteries_ensure
from screening.models import Alert, Battery, Screening

from ..checkins.factories import make_schedule
from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/work/tasks/shots")
SHIPPED_PHQ9 = Path(settings.BASE_DIR) / "screening" / "translations" / "pl" / "PHQ-9.json"


def _shot(page, what: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i21-A-{what}.png"), full_page=True)


def _targets_at_least_44px(page, selector: str) -> None:
    boxes = [page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())]
    assert boxes, f"nothing matches {selector}"
    small = [box for box in boxes if box is None or box["height"] < 44]
    assert small == [], f"{selector}: targets under 44 px high on a phone"


@pytest.fixture
def phone(browser, live_server):
    # The browser asks for English: the patient's pages are Polish because the patient's language is.
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB"
    )
    yield context.new_page()
    context.close()


def test_a_polish_patient_end_to_end(phone, page, sign_in, clinician, patient, settings):
    settings.EMAIL_BACKEND = "checkins.backends.OutboxEmailBackend"  # what /dev/outbox/ shows
    patient.language = "pl"
    patient.save(update_fields=["language"])
    batteries_ensure(Battery)
    Battery.objects.filter(name="Intake").update(instruments=["PHQ-9"])  # intake not done: it is due
    call_command("load_translation", str(SHIPPED_PHQ9), "--user", clinician.username)

    # The reminder, in Polish.
    local = timezone.localtime(timezone.now() - timedelta(minutes=1))
    make_schedule(patient, local_time=local.time().replace(second=0, microsecond=0))
    [reminder_id] = services.reminders_dispatch()
    services.reminder_send_now(reminder_id=reminder_id)
    message = OutboxMessage.objects.get(to=patient.email)
    assert message.subject.endswith(": Twoja ankieta kontrolna")
    assert message.body.startswith(f"Dzień dobry, {patient.given_name},")
    assert "kilka pytań o samopoczucie" in message.body and "Aby wyłączyć te przypomnienia:" in message.body
    link = re.search(r"/r/[\w-]+/", message.body).group(0)

    # The check-in page, in Polish.
    phone.goto(link)
    expect(phone.get_by_role("heading", name=f"Dzień dobry, {patient.given_name}")).to_be_visible()
    assert phone.locator("html").get_attribute("lang") == "pl"
    expect(
        phone.get_by_text("Najpierw ankieta kontrolna, potem kilka pytań w 1 krótkiej części.")
    ).to_be_visible()
    _shot(phone, "checkin")
    assert_no_serious_violations(phone, context="Polish patient: check-in")
    _targets_at_least_44px(phone, "button[type=submit]")
    for question in (
        "Jaki jest dziś Twój nastrój?",
        "Jak silny jest dziś Twój ból?",
        "Jak dobrze spałeś/spałaś?",
    ):
        phone.get_by_label(question).fill("5")
    phone.get_by_label("Ile godzin spałeś/spałaś ostatniej nocy").fill("6.5")
    phone.get_by_role("button", name="Wyślij moją ankietę").click()

    # The validated Polish PHQ-9: its title, stem, items and answers.
    expect(phone.get_by_role("heading", name="Kwestionariusz zdrowia pacjenta")).to_be_visible()
    expect(phone.get_by_text("Część 1 z 1")).to_be_visible()
    expect(phone.get_by_text("Jak często w ciągu ostatnich 2 tygodni dokuczały Panu/Pani")).to_be_visible()
    item9 = phone.get_by_role("radiogroup").nth(8)
    expect(item9).to_contain_text("Myśli, że lepiej byłoby umrzeć")
    _shot(phone, "questionnaire")
    assert_no_serious_violations(phone, context="Polish patient: PHQ-9")
    _targets_at_least_44px(phone, "label.patient-choice")
    for number in range(8):
        phone.get_by_role("radiogroup").nth(number).get_by_label("Kilka dni").check()
    item9.get_by_label("Więcej niż połowę dni").check()
    phone.get_by_role("button", name="Wyślij moje odpowiedzi").click()

    # Item 9 answered above zero: the crisis message, in Polish.
    crisis = phone.get_by_role("alert")
    expect(crisis).to_contain_text("Zadbaj teraz o siebie")
    expect(crisis).to_contain_text(settings.CRISIS_MESSAGE_PL)
    expect(phone.get_by_role("heading", name=f"Dziękujemy, {patient.given_name}")).to_be_visible()
    _shot(phone, "crisis")
    assert_no_serious_violations(phone, context="Polish patient: thanks with the crisis message")
    screening = Screening.objects.get(instrument="PHQ-9")
    assert (screening.language, screening.total) == ("pl", 10)
    assert Alert.objects.filter(kind=Alert.Kind.URGENT, screening=screening).exists()

    # The clinician (reading in English) downloads the patient's report: it is in Polish.
    sign_in("physio", PASSWORD)
    report = reverse("progress_report", kwargs={"patient_id": patient.pk})
    page.goto(report)
    expect(page.get_by_role("heading", name=f"Postępy: {patient.given_name}")).to_be_visible()
    _shot(page, "report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()  # the clinician's control, in English
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert f"Postępy: {patient.given_name}" in text
    assert (
        "Trzymanie się planu (ostatnie cztery tygodnie)" in text and "Wypełnione ankiety kontrolne:" in text
    )
    assert "Nastrój" in text and "Home exercise" not in text


def test_a_clinician_chooses_polish_for_their_interface(page, sign_in, clinician):
    sign_in("physio", PASSWORD)
    page.goto(reverse("interface_language"))
    expect(page.get_by_role("heading", name="Interface language")).to_be_visible()
    assert_no_serious_violations(page, context="staff: interface language")
    page.get_by_label("Interface language").select_option("pl")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Zapisano język interfejsu.")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "pl"
    expect(page.get_by_role("link", name="Pacjenci")).to_be_visible()
    _shot(page, "interface-language")
    clinician.refresh_from_db()
    assert clinician.language == "pl"
