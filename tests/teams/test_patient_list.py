import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from teams.models import AuditEvent, Patient

from ..factories import PatientFactory

LIST = reverse("patient_list")


def test_clinician_sees_their_teams_patients_and_none_of_south(login, clinician, patient, south_patient):
    response = login(clinician).get(LIST)
    assert response.status_code == 200
    assert "Okafor, Amelia" in response.text
    assert south_patient.family_name not in response.text
    assert list(response.context["page"]) == [patient]


def test_clinic_admin_sees_every_team(login, clinic_admin, patient, south_patient):
    response = login(clinic_admin).get(LIST)
    assert set(response.context["page"]) == {patient, south_patient}


def test_opening_the_list_is_audited(login, clinician, patient):
    login(clinician).get(LIST)
    event = AuditEvent.objects.get(actor=clinician, action=AuditEvent.Action.VIEW)
    assert event.object_type == "patient list"


@pytest.mark.parametrize("query", ["okafor", "Amel", "amelia oka", "T2"])
def test_search_by_name_or_mrn(login, clinician, north, patient, query):
    other = PatientFactory(team=north, primary_clinician=clinician, given_name="Rhys", family_name="Hughes")
    response = login(clinician).get(LIST, {"q": query if query != "T2" else patient.mrn})
    found = list(response.context["page"])
    assert found == [patient]
    assert other not in found


def test_search_never_reaches_other_teams(login, clinician, patient, south_patient):
    response = login(clinician).get(LIST, {"q": south_patient.mrn})
    assert list(response.context["page"]) == []
    assert "No patients match." in response.text


def test_filters_by_status_and_primary_clinician(login, clinician, colleague, north, patient):
    discharged = PatientFactory(team=north, primary_clinician=colleague, status=Patient.Status.DISCHARGED)
    client = login(clinician)
    assert list(client.get(LIST, {"status": "discharged"}).context["page"]) == [discharged]
    assert list(client.get(LIST, {"clinician": colleague.pk}).context["page"]) == [discharged]
    assert list(client.get(LIST, {"clinician": clinician.pk, "status": "active"}).context["page"]) == [
        patient
    ]


def test_team_filter_offers_only_the_users_teams(login, clinician, north, south):
    response = login(clinician).get(LIST)
    assert list(response.context["filters"].fields["team"].queryset) == [north]
    # Asking for another team's id is a filter error, not a way in.
    response = login(clinician).get(LIST, {"team": south.pk})
    assert response.status_code == 200


def test_list_is_paginated(login, clinician, north):
    PatientFactory.create_batch(30, team=north, primary_clinician=clinician)
    client = login(clinician)
    first = client.get(LIST)
    assert len(first.context["page"]) == 25
    assert "Page 1 of 2" in first.text
    second = client.get(LIST, {"page": 2})
    assert len(second.context["page"]) == 5


def _queries_for_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_list_runs_the_same_queries_for_5_and_50_patients(
    login, clinician, colleague, north, django_assert_max_num_queries
):
    client = login(clinician)
    PatientFactory.create_batch(5, team=north, primary_clinician=clinician)
    with_five = _queries_for_list(client)
    PatientFactory.create_batch(45, team=north, primary_clinician=colleague)
    with_fifty = _queries_for_list(client)
    assert with_five == with_fifty
    with django_assert_max_num_queries(9):
        client.get(LIST, {"q": "a", "status": "active"})


def test_a_nul_character_in_a_search_is_refused_with_400_not_a_server_error(
    login, api_as, clinician, patient
):
    page = login(clinician).get(reverse("patient_list"), {"q": "Oka\x00for"})
    assert page.status_code == 400
    assert "Text may not contain NUL characters." in page.text
    api = api_as(clinician).get(reverse("api_patient_list"), {"mrn": "\x00"})
    assert api.status_code == 400
    assert api.json() == {
        "detail": "Text may not contain NUL characters.",
        "errors": {"mrn": ["Text may not contain NUL characters."]},
    }
    assert login(clinician).get(reverse("patient_list"), {"q": "Okafor"}).status_code == 200


def test_a_list_longer_than_anyone_pages_says_more_than_and_is_counted_no_further(
    login, clinic_admin, north, clinician, monkeypatch
):
    from core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 30)
    PatientFactory.create_batch(31, team=north, primary_clinician=clinician)
    client = login(clinic_admin)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert "More than 30 patients: search or filter to narrow the list." in response.text
    assert response.context["page"].paginator.num_pages == 2
    assert len(response.context["page"]) == 25
    counted = [q["sql"] for q in queries if "COUNT(*)" in q["sql"]]
    assert len(counted) == 1 and "LIMIT 31" in counted[0]
    # The last page offered holds the rows up to the cap; the next number is the same last page.
    assert len(client.get(LIST, {"page": 2}).context["page"]) == 5
    assert len(client.get(LIST, {"page": 3}).context["page"]) == 5

    # Narrowed to fewer than the cap, the list says how many.
    narrowed = client.get(LIST, {"q": "zzz-nobody"})
    assert "0 patients" in narrowed.text


def test_a_search_lists_its_matches_in_name_order(login, clinician, north):
    for given, family in [("Zed", "Okoro"), ("Amy", "Okafor"), ("Bea", "Okafor"), ("Ola", "Smith")]:
        PatientFactory(team=north, primary_clinician=clinician, given_name=given, family_name=family)
    found = login(clinician).get(LIST, {"q": "ok"}).context["page"]
    assert [(p.family_name, p.given_name) for p in found] == [
        ("Okafor", "Amy"),
        ("Okafor", "Bea"),
        ("Okoro", "Zed"),
    ]
