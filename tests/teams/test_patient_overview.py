from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..factories import PatientFactory


def test_overview_shows_the_record_and_the_sections_to_come(login, clinician, patient):
    response = login(clinician).get(patient.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "Amelia Okafor" in text
    assert patient.mrn in text
    for section in ("Screening", "Care plan", "Check-ins", "Adherence"):
        assert f">{section}</h2>" in text


def test_overview_runs_the_same_queries_for_5_and_50_patients(
    login, clinician, north, patient, django_assert_max_num_queries
):
    client = login(clinician)
    PatientFactory.create_batch(4, team=north, primary_clinician=clinician)
    with CaptureQueriesContext(connection) as with_five:
        client.get(patient.get_absolute_url())
    PatientFactory.create_batch(45, team=north, primary_clinician=clinician)
    with CaptureQueriesContext(connection) as with_fifty:
        client.get(patient.get_absolute_url())
    assert len(with_five) == len(with_fifty)
    # The spine's own queries plus each section's: screening six, care plan up to six (its open
    # responsibilities), check-ins three, adherence nine, and routing's reviews and follow-up screening
    # five between them (issue 19).
    with django_assert_max_num_queries(30):
        client.get(patient.get_absolute_url())
