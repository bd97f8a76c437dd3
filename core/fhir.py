"""What every FHIR R4 endpoint under /fhir/ shares: the ``application/fhir+json`` content type, and
errors answered as an ``OperationOutcome`` with one issue per problem.

Authentication, throttling, the access check and the audit trail are the JSON API's own: FHIR views
are Django REST framework views with another renderer and parser.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

FHIR_JSON = "application/fhir+json"


class FHIRRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


class FHIRParser(JSONParser):
    media_type = FHIR_JSON


class FHIRNegotiation(DefaultContentNegotiation):
    """Always FHIR JSON, whatever the Accept header says (clients often send application/json)."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


def fhir_base() -> str:
    return f"{settings.SITE_URL}/fhir"


class FHIRInvalid(Exception):
    """Input that breaks FHIR's or our rules: ``problems`` are (FHIRPath expression, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def bundle(resources: list[dict[str, Any]], self_url: str, *, total: int | None = None, next_url: str = ""):
    """A search's answer: a ``searchset`` Bundle of ``resources``, with its own link and the next page's."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources) if total is None else total,
        "link": [
            {"relation": "self", "url": self_url},
            *([{"relation": "next", "url": next_url}] if next_url else []),
        ],
        "entry": [
            {
                "fullUrl": f"{fhir_base()}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ],
    }


def patient_reference_id(reference: Any, expression: str) -> int:
    """The id in ``Patient/{id}`` (or a bare id), or FHIRInvalid naming ``expression``."""
    text = str(reference or "")
    if text.startswith("Patient/"):
        text = text.removeprefix("Patient/")
    if not text.isdigit():
        raise FHIRInvalid([(expression, "Give the patient as Patient/{id} (or the id).")])
    return int(text)


def page_size(value: str | None) -> int:
    """A search's ``_count``: 50 unless given, from 1 to 200."""
    if value is None:
        return 50
    if not value.isdigit() or not 1 <= int(value) <= 200:
        raise FHIRInvalid([("_count", "_count must be a whole number from 1 to 200.")])
    return int(value)


def operation_outcome(problems: list[tuple[str, str]], *, code: str = "invalid") -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": code,
                "diagnostics": message,
                **({"expression": [expression]} if expression else {}),
            }
            for expression, message in problems
        ],
    }


def _flatten(errors: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(errors, dict):
        return [
            item
            for key, value in errors.items()
            for item in _flatten(value, f"{path}.{key}" if path else key)
        ]
    if isinstance(errors, list):
        return [item for value in errors for item in _flatten(value, path)]
    return [(path, str(errors))]


class FHIRView(APIView):
    # FHIR is described by FHIR's own specification, not by our OpenAPI schema.
    schema = None
    renderer_classes = [FHIRRenderer]
    parser_classes = [FHIRParser, JSONParser]
    content_negotiation_class = FHIRNegotiation

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, FHIRInvalid):
            return Response(operation_outcome(exc.problems), status=status.HTTP_400_BAD_REQUEST)
        response = super().handle_exception(exc)
        if isinstance(exc, exceptions.ValidationError):
            problems = _flatten(exc.detail)
        else:
            detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
            problems = [("", str(detail) or "Not found.")]
        code = {
            400: "invalid",
            401: "login",
            403: "forbidden",
            404: "not-found",
            405: "not-supported",
            415: "not-supported",
            429: "throttled",
        }.get(response.status_code, "exception")
        response.data = operation_outcome(problems, code=code)
        return response


def not_found(what: str) -> Http404:
    return Http404(f"No {what} matches the given query.")
