"""A self-completed result says the language and wording the patient answered in: on its page, in FHIR
(``QuestionnaireResponse.language``, validated with fhir.resources) and in the API; a result entered by
staff says nothing of the kind."""

import pytest
from django.urls import reverse
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from screening.instruments import INSTRUMENTS
from screening.services import screening_amend, translation_load
from screening.translations import shipped_translation, translation_read

from .factories import phq9, record


@pytest.fixture
def polish_phq9(db):
    return translation_load(data=translation_read(shipped_translation("pl", "PHQ-9")), user=None)


def _self_completed(patient, language, version):
    return record(
        patient, None, answers=phq9(1, 1), source="patient", language=language, wording_version=version
    )


def _page(login, clinician, screening):
    url = reverse(
        "screening_detail", kwargs={"patient_id": screening.patient_id, "screening_id": screening.pk}
    )
    return login(clinician).get(url).content.decode()


def test_the_result_page_says_polish_the_wording_and_its_source(login, clinician, patient, polish_phq9):
    result = _self_completed(patient, "pl", polish_phq9.wording_version)

    page = _page(login, clinician, result)

    expected = f"Answered by the patient in Polish, wording {polish_phq9.wording_version}, Kokoszka 2016."
    assert expected in page


def test_a_result_worded_by_a_translation_since_replaced_names_no_source(
    login, clinician, patient, polish_phq9
):
    result = _self_completed(patient, "pl", "an older wording")

    page = _page(login, clinician, result)

    assert "Answered by the patient in Polish, wording an older wording." in page


def test_english_self_completed_and_staff_entered_results(login, clinician, patient):
    english = _self_completed(patient, "en", INSTRUMENTS["PHQ-9"].version)
    entered = record(patient, clinician, answers=phq9(1))

    assert "Answered by the patient in English, wording 1.0, Kroenke 2001." in _page(
        login, clinician, english
    )
    assert "Answered by the patient" not in _page(login, clinician, entered)


def test_a_correction_keeps_the_language_the_patient_answered_in(clinician, patient, polish_phq9):
    original = _self_completed(patient, "pl", polish_phq9.wording_version)

    corrected = screening_amend(
        original=original, answers=phq9(2, 1), reason="Typed item 1 wrong", entered_by=clinician
    )

    assert (corrected.language, corrected.wording_version) == ("pl", polish_phq9.wording_version)


def test_fhir_carries_the_language_as_bcp47(api_as, clinician, patient, polish_phq9):
    polish = _self_completed(patient, "pl", polish_phq9.wording_version)
    english = _self_completed(patient, "en", "1.0")
    entered = record(patient, clinician, answers=phq9(1))
    api = api_as(clinician)

    def resource(screening):
        response = api.get(reverse("fhir_questionnaire_response", kwargs={"screening_id": screening.pk}))
        assert response["Content-Type"].startswith("application/fhir+json")
        return QuestionnaireResponse.model_validate(response.json())

    assert resource(polish).language == "pl"
    assert resource(english).language == "en-GB"
    assert resource(entered).language is None


def test_the_api_lists_a_results_language_and_wording_read_only(api_as, clinician, patient, polish_phq9):
    result = _self_completed(patient, "pl", polish_phq9.wording_version)
    url = reverse("api_screening_detail", kwargs={"patient_id": patient.pk, "screening_id": result.pk})

    data = api_as(clinician).get(url).json()

    assert (data["language"], data["wording_version"]) == ("pl", polish_phq9.wording_version)


def test_the_result_page_reads_a_fixed_number_of_queries(
    login, clinician, patient, polish_phq9, django_assert_max_num_queries
):
    for _ in range(3):
        result = _self_completed(patient, "pl", polish_phq9.wording_version)
    client = login(clinician)
    url = reverse("screening_detail", kwargs={"patient_id": patient.pk, "screening_id": result.pk})
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(5):
        _self_completed(patient, "pl", polish_phq9.wording_version)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
