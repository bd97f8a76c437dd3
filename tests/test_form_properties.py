"""Any input to a form gets a page back, never a server error, and is either saved whole or not at all."""

import itertools

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teams.models import AuditEvent, Patient

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
