"""Any input to a form gets a page back, never a server error, and is either saved whole or not at all.

The patient form in detail; then every POST form found on every staff page, sent back with any
fields changed to any text or left out.
"""

import itertools
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import connection
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careplans.parts import PARTS
from reliability.forms import Forms
from scripts.backup import table_checksums
from teams.models import AuditEvent, Patient

from .routes import route_path, walk

pytestmark = pytest.mark.slow

# Any text, including control characters and unpaired-looking unicode, bounded to typical field sizes.
TEXT = st.text(st.characters(codec="utf-8"), max_size=150)
FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "email",
    "mobile",
    "reminder_channel",
    "language",
    "status",
)
serial = itertools.count(1)


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.fixed_dictionaries({}, optional={field: TEXT for field in FIELDS}))
def test_the_patient_form_never_breaks_and_never_half_saves(login, clinician, north, values):
    mrn = f"PROP{next(serial):06d}"
    before = (Patient.objects.count(), AuditEvent.objects.filter(action="create").count())
    data = {
        "mrn": mrn,
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1960-12-10",
        "reminder_channel": "email",
        "language": "en",
        "status": "active",
        "team": north.pk,
        "primary_clinician": clinician.pk,
    } | values
    response = login(clinician).post(reverse("patient_create"), data)
    assert response.status_code in (200, 302, 400)
    saved = Patient.objects.filter(mrn=mrn).first()
    if response.status_code == 302:
        assert saved is not None and saved.given_name == data["given_name"].strip()
        assert (Patient.objects.count(), AuditEvent.objects.filter(action="create").count()) == (
            before[0] + 1,
            before[1] + 1,
        )
    else:
        assert saved is None
        assert (Patient.objects.count(), AuditEvent.objects.filter(action="create").count()) == before


# Forms that end or change the signed-in session itself, which the property would only sign out of.
SESSION_FORMS = ("/logout/", "/logout/everywhere/", "/password/", "/2fa/", "/session/", "/login/")
# Changed by any request, saved or not: who viewed what, and when a session was last seen.
LOGS = ("teams_auditevent", "teams_usersession", "django_session", "axes_")


def _fingerprint() -> tuple[dict[str, list], int]:
    """Every table's row count and checksum (as a backup proves itself) but the logs', and the changes
    audited: equal before and after means nothing was saved."""
    connection.ensure_connection()
    tables = table_checksums(connection.connection)
    return (
        {table: sums for table, sums in tables.items() if not table.startswith(LOGS)},
        # Reads and refused reads (an MRN looked up and not shown) are not changes.
        AuditEvent.objects.exclude(action__in=[AuditEvent.Action.VIEW, AuditEvent.Action.DENIED]).count(),
    )


@pytest.fixture
def staff_forms(client, lead, world, sample_ids) -> list[tuple[str, dict[str, str]]]:
    """Every POST form on every staff page the lead can open, as the browser would send it unchanged."""
    client.force_login(lead)
    found: dict[tuple[str, tuple[str, ...]], tuple[str, dict[str, str]]] = {}
    pages = [
        route_path(route, pattern, world, sample_ids)
        for route, pattern in walk(get_resolver().url_patterns)
        if pattern is not None and not route.startswith(("api/", "fhir/"))
    ]
    # The entry form once an instrument is chosen, and a new part of every kind.
    entry = reverse("screening_new", kwargs={"patient_id": world["patient_id"]})
    pages += [f"{entry}?instrument=PHQ-9", f"{entry}?instrument=GAD-7"]
    pages += [
        reverse(
            "careplan_part_new",
            kwargs={"patient_id": world["patient_id"], "plan_id": sample_ids["plan_id"], "part": part},
        )
        for part in PARTS
    ]
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parsed = Forms(response.content.decode())
        for action, fields in zip(parsed.actions, parsed.forms, strict=True):
            target = urljoin(page, action) if action else page
            if not urlsplit(target).path.startswith(SESSION_FORMS):
                found.setdefault((urlsplit(target).path, tuple(sorted(fields))), (target, fields))
    # Two forms may post to one address with different fields (one alert, or all of a patient's).
    return [found[key] for key in sorted(found)]


def test_the_lead_sees_forms_of_every_app(staff_forms):
    targets = " ".join(target for target, _fields in staff_forms)
    for sample in ("/screenings/new/", "/parts/caregiver/new/", "/agenda/", "/checkins/", "/measures/"):
        assert sample in targets, sample
    assert len(staff_forms) >= 30


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_staff_form_never_breaks_and_saves_only_what_it_accepts(client, staff_forms, data):
    target, fields = data.draw(st.sampled_from(staff_forms), label="form")
    names = sorted(fields)
    changed = data.draw(st.dictionaries(st.sampled_from(names), TEXT, max_size=len(names)), label="typed")
    dropped = data.draw(st.sets(st.sampled_from(names)), label="left out")
    sent = {name: value for name, value in (fields | changed).items() if name not in dropped}
    before = _fingerprint()
    response = client.post(target, sent)
    assert response.status_code < 500, (target, sent)
    if response.status_code not in (301, 302, 303):
        assert _fingerprint() == before, f"{target} answered {response.status_code} yet saved something"
