"""A clinician's day in real Chromium: log in, find, register, open, log out; an outsider's 404."""

import pytest
from playwright.sync_api import expect

from teams.models import AuditEvent, Patient

from ..factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clinician_searches_registers_a_patient_and_logs_out(
    page, sign_in, clinician, patient, south_patient
):
    sign_in("physio", PASSWORD)
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    expect(page.get_by_role("link", name="Okafor, Amelia")).to_be_visible()
    expect(page.get_by_text(south_patient.family_name)).to_have_count(0)

    page.get_by_label("Search by name or MRN").fill("okaf")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Okafor, Amelia")).to_be_visible()
    expect(page.get_by_text("1 patient")).to_be_visible()

    page.get_by_role("link", name="New patient").first.click()
    page.get_by_label("MRN").fill("MRN777001")
    page.get_by_label("Date of birth").fill("2099-01-01")
    page.get_by_label("Given name").fill("Kwame")
    page.get_by_label("Family name").fill("Mensah")
    page.get_by_label("Contact email").fill("kwame.mensah@example.org")
    page.get_by_label("Care team").select_option(label="North MSK")
    page.get_by_label("Primary clinician").select_option(label="Priya Shah")
    page.get_by_role("button", name="Save patient").click()

    expect(page.get_by_text("Date of birth cannot be in the future.")).to_be_visible()
    assert not Patient.objects.filter(mrn="MRN777001").exists()

    page.get_by_label("Date of birth").fill("1961-07-30")
    page.get_by_role("button", name="Save patient").click()

    expect(page.get_by_role("heading", name="Kwame Mensah")).to_be_visible()
    expect(page.get_by_text("Kwame Mensah was added.")).to_be_visible()
    for section in ("Screening", "Care plan", "Check-ins", "Adherence"):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    created = Patient.objects.get(mrn="MRN777001")
    assert AuditEvent.objects.filter(patient=created, action=AuditEvent.Action.CREATE).exists()
    assert AuditEvent.objects.filter(patient=created, action=AuditEvent.Action.VIEW).exists()

    page.get_by_role("button", name="Priya Shah").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to RehabCare")).to_be_visible()
    page.goto(created.get_absolute_url())
    expect(page.get_by_role("heading", name="Log in to RehabCare")).to_be_visible()


def test_outsider_gets_not_found_for_a_north_patient(page, sign_in, outsider, patient):
    sign_in("outsider", PASSWORD)
    response = page.goto(patient.get_absolute_url())
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text("Okafor")).to_have_count(0)


def test_outsider_breaks_the_glass_reads_and_leaves_a_note_but_cannot_edit(page, sign_in, outsider, patient):
    sign_in("outsider", PASSWORD)
    page.goto("/patients/emergency-access/")
    page.get_by_label("MRN").fill(patient.mrn)
    page.get_by_label("Why you need this record now").fill("Collapsed in the gym; need the history now.")
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("heading", name="Amelia Okafor")).to_be_visible()
    expect(page.get_by_role("link", name="Edit details")).to_have_count(0)
    page.get_by_role("link", name="write an emergency note").click()
    page.get_by_label("What you did or found").fill("Gave oxygen; GP told.")
    page.get_by_role("button", name="Save the note").click()
    expect(page.get_by_text("Your emergency note is saved")).to_be_visible()
    page.get_by_role("link", name="Emergency access log").click()
    expect(page.get_by_text("Gave oxygen; GP told.")).to_be_visible()
    assert page.goto(f"/patients/{patient.pk}/edit/").status == 403
