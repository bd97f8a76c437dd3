"""Where a clinician schedules what a patient answers by link (the check-in schedule and the patient's
check-in section), each instrument of the clinic's batteries and of the patient's due re-screens with no
validated translation in the patient's language is named: give it with an interpreter."""

import html
import re
from datetime import date

import pytest
from django.urls import reverse

from routing.models import Rescreen
from screening.batteries import batteries_ensure
from screening.models import Battery
from screening.services import translation_load
from screening.translations import shipped_translation, translation_read
from teams.models import Language


@pytest.fixture
def batteries(db):
    batteries_ensure(Battery)


@pytest.fixture
def polish(patient, batteries):
    patient.language = Language.POLISH
    patient.save(update_fields=["language"])
    translation_load(data=translation_read(shipped_translation("pl", "PHQ-9")), user=None)
    return patient


def _warnings(page: str) -> list[str]:
    text = html.unescape(re.sub(r"<[^>]*>", " ", page))
    return re.findall(r"No validated \w+ [\w-]+ loaded: administer with an interpreter\.", text)


def _schedule(login, clinician, patient) -> str:
    return (
        login(clinician).get(reverse("checkin_schedule", kwargs={"patient_id": patient.pk})).content.decode()
    )


def _overview(login, clinician, patient) -> str:
    return (
        login(clinician).get(reverse("patient_overview", kwargs={"patient_id": patient.pk})).content.decode()
    )


EXPECTED = [
    # Intake and Milestone name GAD-7, PCS and TSK-11 twice: each once, in the batteries' order.
    "No validated Polish GAD-7 loaded: administer with an interpreter.",
    "No validated Polish STarT-Back loaded: administer with an interpreter.",
    "No validated Polish PCS loaded: administer with an interpreter.",
    "No validated Polish TSK-11 loaded: administer with an interpreter.",
    "No validated Polish PSEQ loaded: administer with an interpreter.",
    "No validated Polish PHQ-4 loaded: administer with an interpreter.",
]


def test_the_schedule_page_names_each_instrument_without_a_polish_translation(login, clinician, polish):
    warnings = _warnings(_schedule(login, clinician, polish))

    assert warnings == EXPECTED  # PHQ-9 is loaded in Polish: not named


def test_a_due_rescreen_without_a_translation_is_named_too(login, clinician, polish):
    Rescreen.objects.create(patient=polish, instrument="ISI", due_on=date(2026, 3, 1))
    Rescreen.objects.create(
        patient=polish, instrument="ÖMPSQ-SF", due_on=date(2026, 3, 1), state=Rescreen.State.DONE
    )

    warnings = _warnings(_schedule(login, clinician, polish))

    assert warnings == [*EXPECTED, "No validated Polish ISI loaded: administer with an interpreter."]


def test_the_patients_check_in_section_shows_the_same_warning(login, clinician, polish):
    page = _overview(login, clinician, polish)

    assert _warnings(page) == EXPECTED
    assert page.index('id="checkins-heading"') < page.index("translation-warning")


def test_an_english_speaking_patient_gets_no_warning(login, clinician, patient, batteries):
    assert "translation-warning" not in _schedule(login, clinician, patient)
    assert "translation-warning" not in _overview(login, clinician, patient)


def test_every_instrument_translated_means_no_warning(login, clinician, polish):
    Battery.objects.exclude(name="Brief check").delete()
    Battery.objects.filter(name="Brief check").update(instruments=["PHQ-9"])

    assert "translation-warning" not in _schedule(login, clinician, polish)


def test_the_schedule_page_reads_the_same_queries_for_one_rescreen_or_many(
    login, clinician, polish, django_assert_max_num_queries
):
    client = login(clinician)
    url = reverse("checkin_schedule", kwargs={"patient_id": polish.pk})
    Rescreen.objects.create(patient=polish, instrument="ISI", due_on=date(2026, 3, 1))
    client.get(url)
    with django_assert_max_num_queries(40) as one:
        client.get(url)
    for code in ("ÖMPSQ-SF", "PHQ-4", "PCS"):
        Rescreen.objects.create(patient=polish, instrument=code, due_on=date(2026, 3, 2))
    Battery.objects.create(name="Extra", instruments=["ISI", "PSEQ"], timepoint="adhoc", position=9)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)
