"""In development (DEBUG=True) a patient outside your teams gets the site's own 404 page, as in production,
not Django's debug page: what testers see is what users see.

Django's technical 404 is kept under DEBUG for a URL that matches no route at all (a developer's typo),
where its list of routes helps and no patient is involved.
"""

import re

import pytest
from django.urls import reverse

from teams.models import AuditEvent

SITE_404 = "There is nothing here, or you do not have access to it."
DEBUG_PAGE = "Django tried these URL patterns"


def _without_csrf(response) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.mark.parametrize("debug_on", [True, False], ids=["development", "production"])
def test_an_outside_patient_gets_the_sites_own_404_page(settings, login, outsider, patient, debug_on):
    settings.DEBUG = debug_on
    response = login(outsider).get(patient.get_absolute_url())
    assert response.status_code == 404
    text = response.content.decode()
    assert SITE_404 in text
    assert "Request emergency access" in text  # the page a signed-in clinician gets, with its way on
    assert "Page not found at" not in text and "Raised by:" not in text and DEBUG_PAGE not in text
    assert [t.name for t in response.templates][:2] == ["404.html", "base.html"]
    assert AuditEvent.objects.filter(actor=outsider, action=AuditEvent.Action.DENIED).count() == 1


def test_a_missing_record_of_a_visible_patient_gets_the_sites_own_404_page(debug, login, clinician, patient):
    url = reverse("careplan_detail", kwargs={"patient_id": patient.pk, "plan_id": 999_999})
    response = login(clinician).get(url)
    assert response.status_code == 404
    assert SITE_404 in response.content.decode()
    assert "Raised by:" not in response.content.decode()


def test_an_outside_patient_and_one_who_does_not_exist_look_the_same(debug, login, outsider, patient):
    client = login(outsider)
    outside = client.get(patient.get_absolute_url())
    missing = client.get(reverse("patient_overview", kwargs={"patient_id": patient.pk + 10_000}))
    assert outside.status_code == missing.status_code == 404
    assert _without_csrf(outside) == _without_csrf(missing)


def test_a_url_that_matches_no_route_keeps_djangos_debug_page_in_development(debug, login, clinician):
    response = login(clinician).get("/no-such-page/")
    assert response.status_code == 404
    assert DEBUG_PAGE in response.content.decode()
