"""FHIR R4 for screening: each instrument as a Questionnaire, each result as a QuestionnaireResponse,
and completed responses from other systems imported, validated and scored by our own rules.

- Questionnaire: canonical ``{SITE_URL}/fhir/Questionnaire/{code}``, the instrument's version, one
  ``choice`` item per question (``linkId`` = item number, required), each answer an ``answerOption``
  coding that carries its score in the ``ordinalValue`` extension. Item text is given for public-domain
  instruments; licensed ones carry their short labels only.
- QuestionnaireResponse: ``questionnaire`` is the canonical with ``|version``; ``subject`` the Patient;
  ``authored`` when it was administered; ``author`` the clinician who entered it, or ``source`` the
  patient for a self-report; ``language`` (BCP-47: "en-GB", "pl") the language a patient answered in by
  link. Our computed total and band travel as two extensions on the resource
  (``…/StructureDefinition/total-score``, ``…/StructureDefinition/score-band``). A result later
  corrected is ``entered-in-error``; its correction is ``amended``.
- An import never trusts a score it carries: only the answers are read, and scored here.
"""

from datetime import datetime
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.fhir import FHIRInvalid, FHIRView, bundle, fhir_base, not_found, patient_reference_id
from teams.access import patient_for_request
from teams.fhir import patient_search
from teams.models import AuditEvent, User
from teams.services import audit_record

from . import selectors, services
from .instruments import INSTRUMENTS, Instrument, get_instrument
from .models import Screening, Timepoint

ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"


def total_extension() -> str:
    return f"{fhir_base()}/StructureDefinition/total-score"


def band_extension() -> str:
    return f"{fhir_base()}/StructureDefinition/score-band"


def timepoint_extension() -> str:
    return f"{fhir_base()}/StructureDefinition/timepoint"


def canonical(instrument: Instrument) -> str:
    return f"{fhir_base()}/Questionnaire/{instrument.code}"


def _coding(instrument: Instrument, value: int, label: str) -> dict[str, Any]:
    return {"system": f"{canonical(instrument)}/answers", "code": str(value), "display": label or str(value)}


def questionnaire_resource(instrument: Instrument) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "id": instrument.code,
        "url": canonical(instrument),
        "version": instrument.version,
        "name": "".join(ch for ch in instrument.code if ch.isalnum()),
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
        **({"copyright": instrument.licence} if instrument.licence else {}),
        "item": [
            {
                "linkId": str(item.number),
                "text": (item.text if instrument.public_domain and item.text else item.label),
                "type": "choice",
                "required": True,
                "answerOption": [
                    {
                        "extension": [{"url": ORDINAL_VALUE, "valueDecimal": answer.score}],
                        "valueCoding": _coding(instrument, answer.value, answer.label),
                    }
                    for answer in item.answers
                ],
            }
            for item in instrument.items
        ],
    }


# Our patient languages as BCP-47 tags where the bare code would say less: English is British English.
BCP47 = {"en": "en-GB"}


def fhir_language(code: str) -> str:
    """A language a result was answered in as the BCP-47 tag FHIR's ``language`` carries ("en-GB", "pl")."""
    return BCP47.get(code, code)


def _status(screening: Screening) -> str:
    if getattr(screening, "superseded", False):
        return "entered-in-error"
    return "amended" if screening.amends_id else "completed"


def response_resource(screening: Screening) -> dict[str, Any]:
    instrument = get_instrument(screening.instrument)
    labels = {item.number: {a.value: a.label for a in item.answers} for item in instrument.items}
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(screening.pk),
        "extension": [
            {"url": total_extension(), "valueInteger": screening.total},
            *([{"url": band_extension(), "valueString": screening.band}] if screening.band else []),
            {"url": timepoint_extension(), "valueCode": screening.timepoint},
        ],
        "questionnaire": f"{canonical(instrument)}|{screening.instrument_version}",
        "status": _status(screening),
        "subject": {"reference": f"Patient/{screening.patient_id}"},
        "authored": timezone.localtime(screening.administered_at).isoformat(),
        **({"language": fhir_language(screening.language)} if screening.language else {}),
        "item": [
            {
                "linkId": str(number),
                "answer": [
                    {"valueCoding": _coding(instrument, value, labels.get(number, {}).get(value, ""))}
                ],
            }
            for number, value in sorted((int(k), v) for k, v in screening.answers.items() if v is not None)
        ],
    }
    if screening.source == Screening.Source.PATIENT:
        resource["source"] = {"reference": f"Patient/{screening.patient_id}"}
    elif screening.entered_by is not None:
        resource["author"] = {"display": str(screening.entered_by)}
    return resource


class QuestionnaireListView(FHIRView):
    """Every instrument as a Questionnaire, in a searchset Bundle."""

    def get(self, request: Request) -> Response:
        resources = [questionnaire_resource(instrument) for instrument in INSTRUMENTS.values()]
        return Response(bundle(resources, f"{fhir_base()}/Questionnaire"))


class QuestionnaireView(FHIRView):
    def get(self, request: Request, code: str) -> Response:
        instrument = INSTRUMENTS.get(code)
        if instrument is None:
            raise not_found("Questionnaire")
        return Response(questionnaire_resource(instrument))


class QuestionnaireResponseListView(FHIRView):
    """``GET ?patient={id}`` searches a patient's results; ``POST`` imports a completed response."""

    def get(self, request: Request) -> Response:
        return patient_search(
            request,
            resource_type="QuestionnaireResponse",
            rows=lambda patient: selectors.questionnaire_responses(patient=patient),
            resource=response_resource,
        )

    def post(self, request: Request) -> Response:
        given = request.data
        if not isinstance(given, dict) or given.get("resourceType") != "QuestionnaireResponse":
            raise FHIRInvalid([("resourceType", "Send one QuestionnaireResponse resource.")])
        patient = patient_for_request(
            request._request,
            patient_reference_id(_get(given, "subject", "reference"), "subject"),
            emergency_writes=True,  # a screening may be recorded under emergency access
        )
        instrument, answers, problems = _read_response(given)
        authored = _authored(given.get("authored"), problems)
        timepoint = _timepoint(given, problems)
        if problems:
            raise FHIRInvalid(problems)
        self_report = _get(given, "source", "reference") == f"Patient/{patient.pk}"
        try:
            screening = services.screening_record(
                patient=patient,
                instrument_code=instrument.code,
                timepoint=timepoint,
                answers=answers,
                entered_by=request.user if isinstance(request.user, User) else None,
                source=Screening.Source.PATIENT if self_report else Screening.Source.CLINICIAN,
                administered_at=authored,
            )
        except services.ScreeningInvalid as invalid:
            raise FHIRInvalid(_answer_problems(invalid.errors)) from None
        stored = selectors.questionnaire_response(screening_id=screening.pk)
        response = Response(response_resource(stored), status=status.HTTP_201_CREATED)
        response["Location"] = f"{fhir_base()}/QuestionnaireResponse/{stored.pk}"
        return response


class QuestionnaireResponseView(FHIRView):
    def get(self, request: Request, screening_id: int) -> Response:
        try:
            screening = selectors.questionnaire_response(screening_id=screening_id)
        except Screening.DoesNotExist:
            raise not_found("QuestionnaireResponse") from None
        try:
            patient = patient_for_request(request._request, screening.patient_id)
        except Http404:
            # Another team's response gets the answer of one that does not exist (the refusal is audited).
            raise not_found("QuestionnaireResponse") from None
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, patient=patient, obj=patient)
        return Response(response_resource(screening))


def _get(resource: dict[str, Any], *path: str) -> Any:
    value: Any = resource
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _read_response(given: dict[str, Any]) -> tuple[Instrument, dict[str, Any], list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    if given.get("status") not in ("completed", "amended"):
        problems.append(("status", "Only a completed response can be imported (status 'completed')."))
    reference = str(given.get("questionnaire") or "")
    url, _, version = reference.partition("|")
    code = url.rstrip("/").rsplit("/Questionnaire/", 1)[-1] if "/Questionnaire/" in url else ""
    instrument = INSTRUMENTS.get(code)
    if instrument is None:
        raise FHIRInvalid(
            problems
            + [("questionnaire", f"Unknown questionnaire {reference!r}: use one of /fhir/Questionnaire.")]
        )
    if version and version != instrument.version:
        problems.append(
            ("questionnaire", f"{instrument.code} is at version {instrument.version}, not {version}.")
        )
    items = given.get("item")
    if not isinstance(items, list) or not items:
        problems.append(("item", "Give the answers as items."))
        return instrument, {}, problems
    answers: dict[str, Any] = {}
    for index, item in enumerate(items):
        where = f"item[{index}]"
        link = str(_get(item, "linkId") or "")
        if not link:
            problems.append((where, "Each item needs its linkId (the item number)."))
            continue
        if link in answers:
            problems.append((where, f"Item {link} is answered twice."))
            continue
        given_answers = item.get("answer") if isinstance(item, dict) else None
        if not isinstance(given_answers, list) or len(given_answers) != 1:
            problems.append((where, f"Item {link} needs exactly one answer."))
            continue
        answer = given_answers[0] if isinstance(given_answers[0], dict) else {}
        value = _answer_value(answer)
        if value is None:
            problems.append(
                (f"{where}.answer[0]", f"Item {link}: answer with valueCoding.code or valueInteger.")
            )
            continue
        answers[link] = value
    return instrument, answers, problems


def _answer_value(answer: dict[str, Any]) -> int | None:
    if isinstance(answer.get("valueInteger"), int) and not isinstance(answer.get("valueInteger"), bool):
        return answer["valueInteger"]
    code = _get(answer, "valueCoding", "code")
    if isinstance(code, str) and code.lstrip("-").isdigit():
        return int(code)
    return None


def _authored(value: Any, problems: list[tuple[str, str]]) -> datetime:
    if value is None:
        return timezone.now()
    parsed = parse_datetime(str(value)) if isinstance(value, str) else None
    if parsed is None or timezone.is_naive(parsed):
        problems.append(
            ("authored", "authored must be a date and time with its offset, e.g. 2026-11-27T09:30:00Z.")
        )
        return timezone.now()
    if parsed > timezone.now():
        problems.append(("authored", "authored cannot be in the future."))
    return parsed


def _timepoint(given: dict[str, Any], problems: list[tuple[str, str]]) -> str:
    for extension in given.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == timepoint_extension():
            code = extension.get("valueCode")
            if code not in Timepoint.values:
                problems.append(
                    ("extension", f"Unknown timepoint {code!r}: one of {', '.join(Timepoint.values)}.")
                )
            return str(code)
    return Timepoint.ADHOC


def _answer_problems(errors: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    for field, messages in errors.items():
        if field == "answers" and isinstance(messages, dict):
            for link, item_messages in messages.items():
                problems += [(f"item.where(linkId='{link}')", str(m)) for m in item_messages]
        else:
            problems += [(field, str(m)) for m in (messages if isinstance(messages, list) else [messages])]
    return problems
