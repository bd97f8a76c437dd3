"""A patient's sessions through the API (issue 20): modality, video link, the clinicians credited with
their disciplines, whether joint, and the series; not found outside the team; fixed queries."""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from adherence import services
from teams.models import AuditEvent


def _start(days):
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(10)))


def test_a_patients_sessions_say_how_and_with_whom(api_as, clinician, colleague, patient):
    series = services.session_book(
        patient=patient,
        clinicians=[clinician, colleague],
        starts_at=_start(1),
        modality="video",
        video_link="https://meet.example.org/okafor",
        every_weeks=2,
        count=2,
        user=clinician,
    )
    (phone,) = services.session_book(
        patient=patient, clinicians=[colleague], starts_at=_start(2), modality="phone", user=colleague
    )
    response = api_as(clinician).get(reverse("api_patient_sessions", kwargs={"patient_id": patient.pk}))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    latest, second, first = body["results"]
    assert (latest["id"], second["id"], first["id"]) == (series[1].pk, phone.pk, series[0].pk)
    assert first["modality"] == "video" and first["video_link"] == "https://meet.example.org/okafor"
    assert first["joint"] is True and first["series"] == series[0].series_id and first["lead"] == clinician.pk
    assert first["clinicians"] == [
        {"id": clinician.pk, "name": "Priya Shah", "discipline": "physiotherapist"},
        {"id": colleague.pk, "name": str(colleague), "discipline": "psychologist"},
    ]
    assert (second["joint"], second["series"], second["video_link"]) == (False, None, "")
    assert AuditEvent.objects.filter(actor=clinician, patient=patient, action="view").exists()


def test_the_sessions_api_is_not_found_outside_the_team(api_as, outsider, patient):
    url = reverse("api_patient_sessions", kwargs={"patient_id": patient.pk})
    assert api_as(outsider).get(url).status_code == 404


def test_the_sessions_api_runs_the_same_queries_for_few_and_many(
    api_as, clinician, colleague, patient, django_assert_max_num_queries
):
    client = api_as(clinician)
    url = reverse("api_patient_sessions", kwargs={"patient_id": patient.pk})
    services.session_book(
        patient=patient, clinicians=[clinician], starts_at=_start(1), modality="phone", user=clinician
    )
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    services.session_book(
        patient=patient,
        clinicians=[clinician, colleague],
        starts_at=_start(3),
        modality="group",
        count=10,
        user=clinician,
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).json()["count"] == 11
