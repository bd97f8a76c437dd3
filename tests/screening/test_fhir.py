"""FHIR R4: every resource we emit validates with fhir.resources (R4B models); a response exported and
imported for another patient scores the same; bad imports get an OperationOutcome per problem."""

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient as FHIRPatient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from screening.instruments import INSTRUMENTS
from screening.models import Screening
from teams.models import AuditEvent

from ..factories import PatientFactory
from .factories import phq9, record

FHIR_JSON = "application/fhir+json"


def _phq9_response(patient):
    """A completed PHQ-9, all items answered 0, as another system would send it."""
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "http://127.0.0.1:8000/fhir/Questionnaire/PHQ-9",
        "status": "completed",
        "subject": {"reference": f"Patient/{patient.pk}"},
        "item": [{"linkId": str(n), "answer": [{"valueInteger": 0}]} for n in range(1, 10)],
    }


def _fhir(response, model):
    assert response["Content-Type"].startswith(FHIR_JSON), response["Content-Type"]
    return model.model_validate(response.json())


def test_every_instrument_is_a_valid_questionnaire(api_as, clinician):
    api = api_as(clinician)
    bundle = _fhir(api.get(reverse("fhir_questionnaire_list")), Bundle)
    assert bundle.total == len(INSTRUMENTS)
    for code, instrument in INSTRUMENTS.items():
        questionnaire = _fhir(api.get(reverse("fhir_questionnaire", kwargs={"code": code})), Questionnaire)
        assert questionnaire.url.endswith(f"/fhir/Questionnaire/{code}")
        assert questionnaire.version == instrument.version
        assert [item.linkId for item in questionnaire.item] == [str(i.number) for i in instrument.items]
        first = questionnaire.item[0]
        assert first.required is True and first.type == "choice"
        scores = [option.extension[0].valueDecimal for option in first.answerOption]
        assert scores == [answer.score for answer in instrument.items[0].answers]
        assert (
            first.answerOption[0].extension[0].url == "http://hl7.org/fhir/StructureDefinition/ordinalValue"
        )


def test_reverse_scored_items_carry_their_scores_not_their_values(api_as, clinician):
    reversed_item = next(
        (code, item) for code, i in INSTRUMENTS.items() for item in i.items if item.reversed and item.answers
    )
    code, item = reversed_item
    body = api_as(clinician).get(reverse("fhir_questionnaire", kwargs={"code": code})).json()
    options = next(q for q in body["item"] if q["linkId"] == str(item.number))["answerOption"]
    assert [(o["valueCoding"]["code"], o["extension"][0]["valueDecimal"]) for o in options] == [
        (str(a.value), a.score) for a in item.answers
    ]
    assert options[0]["valueCoding"]["code"] != str(options[0]["extension"][0]["valueDecimal"])


def test_an_unknown_questionnaire_is_an_operation_outcome_404(api_as, clinician):
    response = api_as(clinician).get(reverse("fhir_questionnaire", kwargs={"code": "NOPE"}))
    assert response.status_code == 404
    outcome = _fhir(response, OperationOutcome)
    assert outcome.issue[0].code == "not-found"


def test_a_patient_is_a_minimal_valid_patient_with_the_mrn(api_as, clinician, patient):
    response = api_as(clinician).get(reverse("fhir_patient", kwargs={"patient_id": patient.pk}))
    resource = _fhir(response, FHIRPatient)
    assert resource.identifier[0].value == patient.mrn
    assert resource.name[0].family == patient.family_name
    assert AuditEvent.objects.filter(action="view", patient=patient, actor=clinician).exists()


def test_screenings_are_valid_questionnaire_responses_with_total_and_band(api_as, clinician, patient):
    original = record(patient, clinician, answers=phq9(2, 2, 2, 2, 2, item9=0))
    api = api_as(clinician)
    bundle = _fhir(api.get(reverse("fhir_questionnaire_response_list"), {"patient": patient.pk}), Bundle)
    assert bundle.total == 1
    resource = _fhir(
        api.get(reverse("fhir_questionnaire_response", kwargs={"screening_id": original.pk})),
        QuestionnaireResponse,
    )
    assert resource.questionnaire.endswith("/fhir/Questionnaire/PHQ-9|1.0")
    assert resource.subject.reference == f"Patient/{patient.pk}"
    assert resource.status == "completed"
    extensions = {e.url.rsplit("/", 1)[-1]: e for e in resource.extension}
    assert extensions["total-score"].valueInteger == 10
    assert extensions["score-band"].valueString == "moderate"
    assert {item.linkId: item.answer[0].valueCoding.code for item in resource.item}["1"] == "2"


def test_a_response_round_trips_to_another_patient_with_the_same_scores(api_as, clinician, patient, north):
    other = PatientFactory(team=north, primary_clinician=clinician)
    original = record(patient, clinician, code="PCS", answers={str(n): (n % 5) for n in range(1, 14)})
    api = api_as(clinician)
    exported = api.get(reverse("fhir_questionnaire_response", kwargs={"screening_id": original.pk})).json()
    exported.pop("id")
    exported["subject"] = {"reference": f"Patient/{other.pk}"}
    response = api.post(
        reverse("fhir_questionnaire_response_list"), exported, format="json", HTTP_ACCEPT=FHIR_JSON
    )
    assert response.status_code == 201, response.content
    imported = _fhir(response, QuestionnaireResponse)
    stored = Screening.objects.get(pk=int(imported.id))
    assert (stored.patient, stored.instrument) == (other, "PCS")
    assert (stored.total, stored.band, stored.subscales) == (
        original.total,
        original.band,
        original.subscales,
    )
    assert response["Location"].endswith(f"/fhir/QuestionnaireResponse/{stored.pk}")


def test_an_import_never_trusts_the_score_it_carries(api_as, clinician, patient):
    resource = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "https://elsewhere.example/fhir/Questionnaire/PHQ-9",
        "status": "completed",
        "subject": {"reference": f"Patient/{patient.pk}"},
        "authored": "2026-11-01T09:00:00+00:00",
        "extension": [
            {"url": "http://127.0.0.1:8000/fhir/StructureDefinition/total-score", "valueInteger": 27}
        ],
        "item": [{"linkId": str(n), "answer": [{"valueInteger": 1}]} for n in range(1, 10)],
    }
    response = api_as(clinician).post(reverse("fhir_questionnaire_response_list"), resource, format="json")
    assert response.status_code == 201, response.content
    stored = Screening.objects.get()
    assert stored.total == 9 and "safety" in stored.flags  # item 9 answered 1: the urgent alert rule applies
    assert stored.administered_at.isoformat().startswith("2026-11-01T09:00")


@pytest.mark.parametrize(
    ("change", "expression"),
    [
        ({"status": "in-progress"}, "status"),
        ({"questionnaire": "http://x/fhir/Questionnaire/NOPE"}, "questionnaire"),
        ({"authored": "yesterday"}, "authored"),
        ({"item": [{"linkId": "1", "answer": [{"valueInteger": 9}]}]}, "item.where(linkId='1')"),
        ({"item": [{"linkId": "1", "answer": []}]}, "item[0]"),
    ],
)
def test_invalid_imports_get_an_operation_outcome_naming_each_problem(
    api_as, clinician, patient, change, expression
):
    resource = _phq9_response(patient) | change
    response = api_as(clinician).post(reverse("fhir_questionnaire_response_list"), resource, format="json")
    assert response.status_code == 400
    outcome = _fhir(response, OperationOutcome)
    assert expression in [e for issue in outcome.issue for e in (issue.expression or [])]
    assert not Screening.objects.exists()


def test_outsiders_get_404_on_every_fhir_read_and_import(api_as, clinician, outsider, patient):
    screening = record(patient, clinician)
    api = api_as(outsider)
    assert api.get(reverse("fhir_patient", kwargs={"patient_id": patient.pk})).status_code == 404
    assert api.get(reverse("fhir_questionnaire_response_list"), {"patient": patient.pk}).status_code == 404
    single = api.get(reverse("fhir_questionnaire_response", kwargs={"screening_id": screening.pk}))
    assert single.status_code == 404
    _fhir(single, OperationOutcome)
    resource = _phq9_response(patient)
    assert api.post(reverse("fhir_questionnaire_response_list"), resource, format="json").status_code == 404
    assert Screening.objects.count() == 1
    assert AuditEvent.objects.filter(actor=outsider, action=AuditEvent.Action.DENIED).count() == 4


def test_fhir_needs_a_token(client, patient):
    response = client.get(reverse("fhir_patient", kwargs={"patient_id": patient.pk}))
    assert response.status_code in (401, 403)
    _fhir(response, OperationOutcome)


def test_fhir_answers_in_fhir_json_even_to_a_plain_json_accept_header(api_as, clinician):
    response = api_as(clinician).get(reverse("fhir_questionnaire_list"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"].startswith(FHIR_JSON)


def test_another_teams_id_and_a_missing_id_get_the_same_answer(api_as, clinician, outsider, patient):
    """No existence oracle: for each resource, an id of another team's record and an id that matches
    nothing get byte-for-byte the same answer."""
    screening = record(patient, clinician)
    missing = Screening.objects.order_by("-pk").first().pk + 1000
    api = api_as(outsider)
    resource = _phq9_response(patient)
    absent = {**resource, "subject": {"reference": f"Patient/{patient.pk + 1000}"}}
    pairs = [
        (
            lambda: api.get(reverse("fhir_patient", kwargs={"patient_id": patient.pk})),
            lambda: api.get(reverse("fhir_patient", kwargs={"patient_id": patient.pk + 1000})),
        ),
        (
            lambda: api.get(reverse("fhir_questionnaire_response", kwargs={"screening_id": screening.pk})),
            lambda: api.get(reverse("fhir_questionnaire_response", kwargs={"screening_id": missing})),
        ),
        (
            lambda: api.get(reverse("fhir_questionnaire_response_list"), {"patient": patient.pk}),
            lambda: api.get(reverse("fhir_questionnaire_response_list"), {"patient": patient.pk + 1000}),
        ),
        (
            lambda: api.post(reverse("fhir_questionnaire_response_list"), resource, format="json"),
            lambda: api.post(reverse("fhir_questionnaire_response_list"), absent, format="json"),
        ),
    ]
    for theirs, nobodys in pairs:
        one, other = theirs(), nobodys()
        assert one.status_code == other.status_code == 404
        assert one.content == other.content
