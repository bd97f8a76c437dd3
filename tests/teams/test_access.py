"""The one access rule, proven for every patient-scoped URL the project has.

The list of URLs comes from the URL configuration itself: a new URL that takes a
``patient_id`` is tested here automatically, and fails unless its view goes through
``patient_scoped``.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from teams.models import AuditEvent, Patient


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _is_patient_scoped(callback) -> bool:
    # Pages carry the mark on the decorated function, API views on their class.
    return getattr(callback, "patient_scoped", False) or getattr(
        getattr(callback, "cls", None), "patient_scoped", False
    )


def patient_scoped_urls() -> list[tuple[str, URLPattern]]:
    return [
        (route, pattern)
        for route, pattern in _walk(get_resolver().url_patterns)
        if "patient_id" in route or _is_patient_scoped(pattern.callback)
    ]


PATIENT_URLS = patient_scoped_urls()
PATIENT_URL_IDS = [route for route, _pattern in PATIENT_URLS]


def _without_csrf(response) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)


def _url(pattern: URLPattern, patient: Patient, sample_ids: dict[str, int | str], offset: int = 0) -> str:
    kwargs = {"patient_id": patient.pk + offset}
    for name in pattern.pattern.converters:
        if name != "patient_id":
            assert name in sample_ids, f"add a sample id for {name!r} to the sample_ids fixture"
            kwargs[name] = sample_ids[name]
    return reverse(pattern.name, kwargs=kwargs)


def test_the_url_configuration_has_patient_scoped_urls():
    names = {pattern.name for _route, pattern in PATIENT_URLS}
    assert {"patient_overview", "patient_edit"} <= names


@pytest.mark.parametrize(("route", "pattern"), PATIENT_URLS, ids=PATIENT_URL_IDS)
def test_every_patient_url_goes_through_the_access_check(route, pattern):
    assert _is_patient_scoped(pattern.callback), (
        f"{route} takes a patient_id but its view is not decorated with teams.access.patient_scoped"
    )


@pytest.mark.parametrize(("route", "pattern"), PATIENT_URLS, ids=PATIENT_URL_IDS)
def test_outsider_gets_404_and_the_attempt_is_audited(route, pattern, login, outsider, patient, sample_ids):
    client = login(outsider)
    for method in ("get", "post"):
        response = getattr(client, method)(_url(pattern, patient, sample_ids))
        assert response.status_code == 404, f"{method.upper()} {route}"
    denied = AuditEvent.objects.filter(actor=outsider, action=AuditEvent.Action.DENIED)
    assert denied.count() == 2
    assert not AuditEvent.objects.filter(actor=outsider, action=AuditEvent.Action.VIEW).exists()


@pytest.mark.parametrize(("route", "pattern"), PATIENT_URLS, ids=PATIENT_URL_IDS)
def test_404_for_a_patient_that_does_not_exist_looks_the_same(
    route, pattern, login, outsider, patient, sample_ids
):
    client = login(outsider)
    missing = _url(pattern, patient, sample_ids, offset=10_000)
    assert client.get(missing).status_code == 404
    assert _without_csrf(client.get(_url(pattern, patient, sample_ids))) == _without_csrf(client.get(missing))


@pytest.mark.parametrize(("route", "pattern"), PATIENT_URLS, ids=PATIENT_URL_IDS)
@pytest.mark.parametrize("who", ["clinician", "colleague", "lead", "clinic_admin"])
def test_team_members_and_admins_may_open_it_and_each_view_is_audited(
    route, pattern, who, request, patient, sample_ids
):
    user = request.getfixturevalue(who)
    client = request.getfixturevalue("client")
    client.force_login(user)
    response = client.get(_url(pattern, patient, sample_ids))
    if response.status_code == 405:
        return  # an action that only takes POST: nothing is shown, nothing to audit
    if response.status_code == 302:
        # A shortcut to another page of the same patient (which this test covers in its own right).
        assert response.url.startswith(f"/patients/{patient.pk}/")
        return
    assert response.status_code == 200
    event = AuditEvent.objects.get(actor=user, action=AuditEvent.Action.VIEW, patient=patient)
    assert event.object_type == "patient"
    assert event.object_id == str(patient.pk)
    assert event.ip_address == "127.0.0.1"


@pytest.mark.parametrize(("route", "pattern"), PATIENT_URLS, ids=PATIENT_URL_IDS)
def test_anonymous_visitors_are_turned_away(route, pattern, client, patient, sample_ids):
    response = client.get(_url(pattern, patient, sample_ids))
    if route.startswith(("api/", "fhir/")):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_visible_to_is_the_team_rule(clinician, outsider, clinic_admin, patient, south_patient):
    assert list(Patient.objects.visible_to(clinician)) == [patient]
    assert list(Patient.objects.visible_to(outsider)) == [south_patient]
    assert set(Patient.objects.visible_to(clinic_admin)) == {patient, south_patient}


def test_a_deactivated_clinician_sees_no_one(clinician, patient):
    clinician.is_active = False
    clinician.save(update_fields=["is_active"])
    assert not Patient.objects.visible_to(clinician).exists()
