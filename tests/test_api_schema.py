"""schemathesis against the live OpenAPI schema: generated requests to every JSON API operation, signed
in with a real token, must never get a 5xx nor a response that breaks the schema. Bounded (a few dozen
examples per operation), so it stays within a minute or two."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from .factories import PatientFactory
from .screening.factories import record

EXAMPLES = 40

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True)]


def _operations(live_server):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    # Signing out mid-run would leave the rest of the run unauthenticated; it has its own tests.
    return [result.ok() for result in schema.exclude(path_regex="logout").get_all_operations()]


def test_generated_requests_get_no_server_error_and_answers_that_keep_to_the_schema(
    live_server, north, clinician
):
    patient = PatientFactory(team=north, primary_clinician=clinician)
    record(patient, clinician)
    token = AuthToken.objects.create(clinician)[1]
    operations = _operations(live_server)
    assert len(operations) >= 18
    failures = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case):
            case.call_and_validate(
                base_url=live_server.url,
                headers={"Authorization": f"Token {token}"},
                checks=[not_a_server_error, response_schema_conformance],
            )

        try:
            run()
        except Exception as failure:  # noqa: BLE001 - collected, then reported together
            failures[operation.label] = failure
    assert not failures, "\n\n".join(f"{label}: {failure}" for label, failure in failures.items())
