"""Sessions with a modality and more than one clinician (issue 20): booking one or a series, from the
plan's booking page; a joint session in each credited clinician's day, recorded once; the overview's
upcoming sessions."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from adherence import services
from adherence.models import Session, SessionClinician, SessionSeries
from careplans.models import CarePreferences
from teams.models import AuditEvent, Discipline

from ..factories import MembershipFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def physician(north):
    user = UserFactory(
        username="doctor", first_name="Ade", last_name="Bello", discipline=Discipline.PHYSICIAN
    )
    MembershipFactory(team=north, user=user)
    return user


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


# --- the service -----------------------------------------------------------------------------------


def test_a_fortnightly_series_keeps_its_local_time_across_the_change_to_summer_time(
    settings, clinician, colleague, patient
):
    settings.TIME_ZONE = "Europe/London"
    # Two Thursdays before the clocks go forward (Sunday 29 March 2026) and two after.
    first = datetime(2026, 3, 12, 10, 0, tzinfo=LONDON)
    sessions = services.session_book(
        patient=patient,
        clinicians=[clinician, colleague],
        starts_at=first,
        modality="video",
        video_link="https://meet.example.org/okafor",
        every_weeks=2,
        count=4,
        user=clinician,
    )
    local = [s.starts_at.astimezone(LONDON) for s in sessions]
    assert [(t.date().isoformat(), t.hour, t.minute) for t in local] == [
        ("2026-03-12", 10, 0),
        ("2026-03-26", 10, 0),
        ("2026-04-09", 10, 0),
        ("2026-04-23", 10, 0),
    ]
    # In UTC the hour moves with the clocks: 10:00 GMT, then 09:00 UTC in summer.
    assert [s.starts_at.astimezone(ZoneInfo("UTC")).hour for s in sessions] == [10, 10, 9, 9]
    series = SessionSeries.objects.get()
    assert (series.every_weeks, series.count, set(series.clinicians.all())) == (2, 4, {clinician, colleague})
    assert {s.series_id for s in Session.objects.all()} == {series.pk}


def test_a_joint_session_credits_each_clinician_with_their_discipline_and_the_lead(
    clinician, colleague, patient
):
    (session,) = services.session_book(
        patient=patient,
        clinicians=[colleague, clinician],
        starts_at=_at(timezone.localdate()),
        modality="in_person",
        user=clinician,
    )
    assert session.clinician == colleague and session.discipline == "psychologist"
    credits = {(c.clinician, c.discipline) for c in SessionClinician.objects.filter(session=session)}
    assert credits == {(clinician, "physiotherapist"), (colleague, "psychologist")}
    assert AuditEvent.objects.filter(object_type="session", action="create", patient=patient).count() == 1


def test_every_way_of_writing_a_session_credits_its_clinician(clinician, patient):
    recorded = services.session_record(
        patient=patient, clinician=clinician, status="attended", user=clinician
    )
    (booked,) = services.session_book(
        patient=patient,
        clinicians=[clinician],
        starts_at=_at(timezone.localdate()),
        modality="phone",
        user=clinician,
    )
    assert set(SessionClinician.objects.values_list("session", "clinician")) == {
        (recorded.pk, clinician.pk),
        (booked.pk, clinician.pk),
    }


@pytest.mark.parametrize(
    ("modality", "link", "field", "words"),
    [
        ("video", "", "video_link", "Give the link"),
        ("video", "http://meet.example.org/x", "video_link", "https://"),
        ("phone", "https://meet.example.org/x", "video_link", "Only a video session"),
        ("telepathy", "", "modality", "Choose in person"),
    ],
)
def test_a_booking_is_refused_field_by_field(clinician, patient, modality, link, field, words):
    with pytest.raises(ValidationError) as refused:
        services.session_book(
            patient=patient,
            clinicians=[clinician],
            starts_at=_at(timezone.localdate()),
            modality=modality,
            video_link=link,
            user=clinician,
        )
    assert words in " ".join(refused.value.message_dict[field])
    assert not Session.objects.exists()


def test_joint_clinicians_must_be_active_team_members_of_different_disciplines(
    clinician, colleague, outsider, north, patient
):
    another_physio = UserFactory(username="physio2")
    MembershipFactory(team=north, user=another_physio)
    gone = UserFactory(username="gone", discipline=Discipline.PHYSICIAN, is_active=False)
    MembershipFactory(team=north, user=gone)
    for clinicians, words in [
        ([clinician, another_physio], "different disciplines"),
        ([clinician, outsider], "Not an active member of North MSK"),
        ([clinician, gone], "Not an active member"),
        ([], "at least one"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.session_book(
                patient=patient,
                clinicians=clinicians,
                starts_at=_at(timezone.localdate()),
                modality="in_person",
                user=clinician,
            )
        assert words in " ".join(refused.value.message_dict["clinicians"])
    assert not Session.objects.exists() and not SessionSeries.objects.exists()


# --- the booking page ------------------------------------------------------------------------------


def _book(client, patient, **overrides):
    data = {
        "starts_at": timezone.localtime().replace(hour=15, minute=0).strftime("%Y-%m-%dT%H:%M"),
        "modality": "video",
        "video_link": "https://meet.example.org/okafor",
        "every_weeks": "2",
        "count": "3",
        **overrides,
    }
    return client.post(reverse("session_book", kwargs={"patient_id": patient.pk}), data, follow=True)


def test_the_booking_page_books_a_joint_video_series_and_shows_its_dates(
    login, clinician, colleague, patient, physician
):
    client = login(clinician)
    url = reverse("session_book", kwargs={"patient_id": patient.pk})
    form = client.get(url)
    assert form.status_code == 200
    # The current user is ticked; the team's active members are offered with their disciplines.
    assert form.context["form"]["clinicians"].initial == [clinician.pk]
    assert "Ade Bello (Physician)" in form.text
    page = _book(client, patient, clinicians=[str(colleague.pk), str(clinician.pk)])
    sessions = list(Session.objects.order_by("starts_at"))
    assert len(sessions) == 3 and {s.clinician for s in sessions} == {clinician}  # who books leads
    first = timezone.localtime(sessions[0].starts_at).date()
    assert [timezone.localtime(s.starts_at).date() for s in sessions] == [
        first,
        first + timedelta(weeks=2),
        first + timedelta(weeks=4),
    ]
    assert "Booked 3 video sessions." in page.text
    booked = page.context["booked"]
    assert [s.pk for s in booked] == [s.pk for s in sessions]
    assert page.text.count("https://meet.example.org/okafor") >= 3
    assert "No care preferences are recorded" in page.text


def test_the_booking_page_answers_each_field(login, clinician, colleague, patient):
    client = login(clinician)
    page = _book(client, patient, clinicians=[str(clinician.pk)], video_link="http://insecure.example.org")
    assert page.status_code == 200 and not Session.objects.exists()
    assert "https://" in " ".join(page.context["form"].errors["video_link"])
    page = _book(client, patient, clinicians=[], every_weeks="0")
    assert set(page.context["form"].errors) >= {"clinicians", "every_weeks"}


def test_a_modality_the_patient_does_not_prefer_is_booked_with_a_warning(login, clinician, patient):
    CarePreferences.objects.create(patient=patient, modalities=["in_person", "phone"])
    client = login(clinician)
    form = client.get(reverse("session_book", kwargs={"patient_id": patient.pk}))
    assert "In person, Phone" in form.text
    assert form.context["form"]["modality"].initial == "in_person"  # their first preference
    # A warning for each other modality, hidden until it is chosen (the preferred one is chosen).
    assert [(value, shown) for value, _text, shown in form.context["warnings"]] == [
        ("video", False),
        ("group", False),
    ]
    page = _book(client, patient, clinicians=[str(clinician.pk)], count="1")
    assert Session.objects.count() == 1
    (said,) = [str(m) for m in page.context["messages"] if m.level_tag == "warning"]
    assert "Amelia's care preferences do not include video sessions" in said
    assert "(they prefer: in person, phone). The booking is allowed" in said
    quiet = _book(client, patient, clinicians=[str(clinician.pk)], count="1", modality="phone", video_link="")
    assert [m.level_tag for m in quiet.context["messages"]] == ["success"] and Session.objects.count() == 2
    # A form sent back with errors shows the warning of the modality chosen.
    refused = _book(client, patient, clinicians=[], count="1", modality="group", video_link="")
    assert [(value, shown) for value, _text, shown in refused.context["warnings"]] == [
        ("video", False),
        ("group", True),
    ]


def test_the_booking_page_is_not_found_outside_the_team(login, outsider, patient):
    client = login(outsider)
    assert client.get(reverse("session_book", kwargs={"patient_id": patient.pk})).status_code == 404
    assert _book(client, patient, clinicians=[str(outsider.pk)]).status_code == 404
    assert not Session.objects.exists()


def test_the_plan_page_links_to_booking(login, clinician, patient):
    from ..careplans.factories import make_plan

    plan = make_plan(patient, clinician)
    page = login(clinician).get(
        reverse("careplan_detail", kwargs={"patient_id": patient.pk, "plan_id": plan.pk})
    )
    assert reverse("session_book", kwargs={"patient_id": patient.pk}) in page.text
    assert "Book sessions" in page.text


# --- My day ----------------------------------------------------------------------------------------


def test_a_joint_session_is_in_both_clinicians_day_and_recorded_once(login, clinician, colleague, patient):
    (session,) = services.session_book(
        patient=patient,
        clinicians=[clinician, colleague],
        starts_at=timezone.localtime().replace(hour=11, minute=0, second=0, microsecond=0),
        modality="video",
        video_link="https://meet.example.org/okafor",
        user=clinician,
    )
    physio_day = login(clinician).get(reverse("day_list"))
    assert f"joint with {colleague} (Psychologist)" in physio_day.text
    assert 'href="https://meet.example.org/okafor"' in physio_day.text
    client = login(colleague)
    psych_day = client.get(reverse("day_list"))
    assert [s.pk for s in psych_day.context["sessions"]] == [session.pk]
    assert "joint with Priya Shah (Physiotherapist)" in psych_day.text and "Video" in psych_day.text
    # The psychologist records attendance: one row, the session's, for the patient.
    client.post(
        reverse("session_status", kwargs={"patient_id": patient.pk, "session_id": session.pk}),
        {"status": "attended", "back": "day"},
    )
    assert list(Session.objects.values_list("status", flat=True)) == ["attended"]
    again = login(clinician).get(reverse("day_list"))
    assert "Attended" in again.text


def test_my_day_queries_do_not_grow_with_sessions_or_clinicians(
    login, clinician, colleague, physician, patient, django_assert_max_num_queries
):
    client = login(clinician)
    today = timezone.localdate()

    def book(hour, clinicians):
        services.session_book(
            patient=patient,
            clinicians=clinicians,
            starts_at=_at(today, hour),
            modality="phone",
            user=clinician,
        )

    book(9, [clinician])
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("day_list"))
    for hour in range(10, 16):
        book(hour, [clinician, colleague, physician])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("day_list"))
    assert len(page.context["sessions"]) == 7


def test_my_day_shows_the_clinics_day_on_a_summer_night(settings, login, clinician, colleague, patient):
    settings.TIME_ZONE = "Europe/London"
    # 00:30 BST on 1 July is 23:30 UTC on 30 June: the clinic's day is the 1st.
    with time_machine.travel(datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        services.session_book(
            patient=patient,
            clinicians=[colleague, clinician],
            starts_at=datetime(2026, 7, 1, 0, 15, tzinfo=LONDON),
            modality="group",
            user=colleague,
        )
        services.session_book(
            patient=patient,
            clinicians=[clinician],
            starts_at=datetime(2026, 6, 30, 23, 0, tzinfo=LONDON),
            modality="phone",
            user=clinician,
        )
        page = login(clinician).get(reverse("day_list"))
    assert [s.modality for s in page.context["sessions"]] == ["group"]


# --- the overview ----------------------------------------------------------------------------------


def test_the_overview_lists_upcoming_sessions_with_modality_and_clinicians(
    login, clinician, colleague, patient
):
    tomorrow = timezone.localdate() + timedelta(days=1)
    services.session_book(
        patient=patient,
        clinicians=[clinician, colleague],
        starts_at=_at(tomorrow, 14),
        modality="video",
        video_link="https://meet.example.org/okafor",
        user=clinician,
    )
    page = login(clinician).get(patient.get_absolute_url())
    assert "Upcoming sessions" in page.text
    assert "Video" in page.text and f"Priya Shah (Physiotherapist), {colleague} (Psychologist)" in page.text


def test_the_overviews_one_click_records_todays_booked_joint_session_not_a_second(
    login, clinician, colleague, lead, patient
):
    (booked,) = services.session_book(
        patient=patient,
        clinicians=[clinician, colleague],
        starts_at=_at(timezone.localdate(), 9),
        modality="in_person",
        user=clinician,
    )
    url = reverse("session_record", kwargs={"patient_id": patient.pk})
    login(colleague).post(url, {"status": "attended"})
    assert list(Session.objects.values_list("pk", "status")) == [(booked.pk, "attended")]
    # Someone not holding today's session records one of their own.
    login(lead).post(url, {"status": "missed"})
    assert sorted(Session.objects.values_list("clinician__username", "status")) == [
        ("lead", "missed"),
        ("physio", "attended"),
    ]


def test_a_joint_sessions_outcome_recorded_by_one_is_not_overwritten_by_the_other(
    login, clinician, colleague, patient
):
    (session,) = services.session_book(
        patient=patient,
        clinicians=[clinician, colleague],
        starts_at=_at(timezone.localdate(), 9),
        modality="video",
        video_link="https://meet.example.org/okafor",
        user=clinician,
    )
    url = reverse("session_status", kwargs={"patient_id": patient.pk, "session_id": session.pk})
    # Both opened My day while it was scheduled; the physio records first.
    login(clinician).post(url, {"status": "attended", "back": "day", "was": "scheduled"})
    late = login(colleague).post(url, {"status": "missed", "back": "day", "was": "scheduled"}, follow=True)
    session.refresh_from_db()
    assert session.status == "attended"
    assert "Already recorded as attended since you opened the page." in late.text
    # Seen as attended, it may be corrected on purpose.
    login(colleague).post(url, {"status": "missed", "back": "day", "was": "attended"})
    session.refresh_from_db()
    assert session.status == "missed"
