"""Running a conference: notes locked at closing and only amended, actions that change the plan through
its history and version check, tasks, the summary email, the cadence, and who may see what."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse

from careplans.models import CarePlan, Milestone, Responsibility
from careplans.services import part_update
from conferences import services
from conferences.models import ActionItem, CaseConference, ConferenceNote, ConferenceSeries, Weekday
from conferences.tasks import conference_summary_email
from teams.models import AuditEvent

from ..careplans.factories import make_goal, make_milestone, make_plan
from ..factories import PatientFactory

NOW = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
STARTS = datetime(2026, 11, 19, 13, 0, tzinfo=UTC)
NOTE = {
    "physical": "Lumbar flexion 40°, sit-to-stand 10 reps",
    "psychological": "Avoids bending: fear of re-injury (TSK-11 34)",
    "social": "Off work since August",
    "patient_perspective": "Wants to lift her grandson",
    "decisions": "Start graded exposure to bending",
}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def conference(north, lead, clinician, colleague):
    conference = services.conference_plan(
        team=north, starts_at=STARTS, chair=lead, attendees=[clinician, colleague], user=lead
    )
    return services.conference_start(conference=conference, user=lead)


@pytest.fixture
def item(conference, patient, lead):
    return services.agenda_item_add(conference=conference, patient=patient, user=lead)


@pytest.fixture
def plan(patient, clinician):
    plan = make_plan(patient, clinician)
    return part_update(
        instance=plan, data={"status": CarePlan.Status.ACTIVE}, expected_version=plan.version, user=clinician
    )


def _close(conference, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.conference_close(conference=conference, user=lead)
    return callbacks


# Notes ----------------------------------------------------------------------------------------------


def test_a_note_can_be_rewritten_while_the_conference_is_open(item, lead):
    services.note_save(item=item, data=NOTE, user=lead)
    services.note_save(
        item=item, data=NOTE | {"decisions": "Start graded exposure; review in 2 weeks"}, user=lead
    )
    note = ConferenceNote.objects.get(item=item)
    assert note.decisions == "Start graded exposure; review in 2 weeks"
    item.refresh_from_db()
    assert item.discussed_at is not None
    assert AuditEvent.objects.filter(patient=item.patient, object_type="conferencenote").count() == 2


def test_after_closing_a_note_is_only_amended_never_changed(
    conference, item, lead, colleague, django_capture_on_commit_callbacks
):
    services.note_save(item=item, data=NOTE, user=lead)
    _close(conference, lead, django_capture_on_commit_callbacks)
    item.refresh_from_db()

    with pytest.raises(ValidationError, match="can only be amended"):
        services.note_save(item=item, data=NOTE | {"decisions": "Something else"}, user=lead)
    # Not even a direct write gets past PostgreSQL.
    with pytest.raises(DatabaseError, match="can only be amended"), transaction.atomic():
        ConferenceNote.objects.filter(item=item).update(decisions="Something else")
    with pytest.raises(DatabaseError, match="can only be amended"), transaction.atomic():
        ConferenceNote.objects.filter(item=item).delete()

    amendment = services.note_amend(item=item, text="Patient declined exposure for now", user=colleague)
    note = ConferenceNote.objects.get(item=item)
    assert note.decisions == NOTE["decisions"] and note.locked
    assert [(a.text, a.author, a.at) for a in note.amendments.all()] == [
        ("Patient declined exposure for now", colleague, NOW)
    ]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        type(amendment).objects.filter(pk=amendment.pk).update(text="changed")


def test_an_open_conference_is_not_amended(item, lead):
    with pytest.raises(ValidationError, match="still open"):
        services.note_amend(item=item, text="Too early", user=lead)


# Actions and the care plan ---------------------------------------------------------------------------


def _plan_change(**fields):
    return (
        {"change": "", "intervention": "", "frequency": "", "goal": None, "milestone": "", "target": ""}
        | {
            "part": "",
            "new_date": None,
            "plan_version": None,
        }
        | fields
    )


def test_an_action_adds_a_responsibility_through_the_plans_history(item, plan, lead, colleague):
    action = services.action_add(
        item=item,
        description="Graded exposure to bending, 6 sessions",
        owner=colleague,
        due_on=date(2026, 12, 3),
        user=lead,
        plan_change=_plan_change(
            change="add_responsibility", intervention="graded_exposure", frequency="weekly"
        ),
    )
    responsibility = Responsibility.objects.get(plan=plan)
    assert (responsibility.intervention, responsibility.owner, responsibility.frequency) == (
        "graded_exposure",
        colleague,
        "weekly",
    )
    assert action.part == responsibility
    assert action.plan_change == f"Added responsibility: Graded exposure ({colleague})"
    (history,) = responsibility.history.all()
    assert (history.history_type, history.history_user) == ("+", lead)
    assert AuditEvent.objects.filter(action="create", object_type="responsibility", actor=lead).exists()


def test_an_action_reschedules_a_milestone_with_the_version_it_was_shown(item, plan, lead, clinician):
    milestone = make_milestone(make_goal(plan, clinician), clinician)
    services.action_add(
        item=item,
        description="Give her two more weeks",
        owner=clinician,
        due_on=date(2026, 12, 3),
        user=lead,
        plan_change=_plan_change(
            change="reschedule", part=f"milestone:{milestone.pk}:1", new_date=date(2026, 12, 3)
        ),
    )
    milestone.refresh_from_db()
    assert (milestone.due_date, milestone.version) == (date(2026, 12, 3), 2)
    assert milestone.history.first().history_user == lead


def test_a_stale_plan_change_keeps_the_others_change_and_makes_its_own(
    item, plan, lead, clinician, colleague
):
    milestone = make_milestone(make_goal(plan, clinician), clinician)
    # Someone changes the milestone's target after the conference page was loaded at version 1.
    part_update(instance=milestone, data={"target": "25 minutes"}, expected_version=1, user=colleague)
    services.action_add(
        item=item,
        description="Give her two more weeks",
        owner=clinician,
        due_on=date(2026, 12, 3),
        user=lead,
        plan_change=_plan_change(
            change="reschedule", part=f"milestone:{milestone.pk}:1", new_date=date(2026, 12, 3)
        ),
    )
    milestone = Milestone.objects.get(pk=milestone.pk)
    assert (milestone.due_date, milestone.target, milestone.version) == (date(2026, 12, 3), "25 minutes", 3)
    assert ActionItem.objects.get().part == milestone


def test_a_stale_plan_change_to_what_someone_else_changed_is_refused_and_nothing_is_saved(
    item, plan, lead, clinician, colleague
):
    milestone = make_milestone(make_goal(plan, clinician), clinician)
    # Someone moves the milestone's due date after the conference page was loaded at version 1.
    part_update(instance=milestone, data={"due_date": date(2026, 11, 1)}, expected_version=1, user=colleague)
    with pytest.raises(ValidationError) as refused:
        services.action_add(
            item=item,
            description="Give her two more weeks",
            owner=clinician,
            due_on=date(2026, 12, 3),
            user=lead,
            plan_change=_plan_change(
                change="reschedule", part=f"milestone:{milestone.pk}:1", new_date=date(2026, 12, 3)
            ),
        )
    assert "changed" in refused.value.message_dict["part"][0]
    milestone = Milestone.objects.get(pk=milestone.pk)
    assert (milestone.due_date, milestone.version) == (date(2026, 11, 1), 2)
    assert not ActionItem.objects.exists()


def test_an_action_moves_the_review_date(item, plan, lead, clinician):
    services.action_add(
        item=item,
        description="Review for discharge in January",
        owner=clinician,
        due_on=date(2027, 1, 7),
        user=lead,
        plan_change=_plan_change(change="review_date", new_date=date(2027, 1, 7), plan_version=plan.version),
    )
    plan.refresh_from_db()
    assert plan.review_date == date(2027, 1, 7)


def test_an_action_owner_must_be_in_the_team(item, lead, outsider):
    with pytest.raises(ValidationError, match="not a member of North MSK"):
        services.action_add(item=item, description="x", owner=outsider, due_on=date(2026, 12, 1), user=lead)


def test_open_actions_show_in_my_tasks_and_on_the_overview_until_done(item, lead, colleague, login):
    action = services.action_add(
        item=item,
        description="Phone the GP about sleep",
        owner=colleague,
        due_on=date(2026, 11, 25),
        user=lead,
    )
    client = login(colleague)
    assert "Phone the GP about sleep" in client.get(reverse("my_tasks")).content.decode()
    overview = client.get(item.patient.get_absolute_url()).content.decode()
    assert "Phone the GP about sleep" in overview

    response = client.post(
        reverse("action_done", kwargs={"action_id": action.pk}), {"next": reverse("my_tasks")}
    )
    assert response.status_code == 302 and response.url == reverse("my_tasks")
    action.refresh_from_db()
    assert (action.status, action.done_by) == (ActionItem.Status.DONE, colleague)
    assert list(client.get(reverse("my_tasks")).context["page"]) == []
    assert "Phone the GP about sleep" not in client.get(item.patient.get_absolute_url()).content.decode()
    # A next that is not a path of this site (a bare word would be looked up as a view) leads to the tasks.
    for wanted in ("0", "my_tasks", "https://evil.example/", "//evil.example/"):
        response = client.post(reverse("action_done", kwargs={"action_id": action.pk}), {"next": wanted})
        assert response.status_code == 302 and response.url == reverse("my_tasks"), wanted


def test_only_the_owner_or_a_lead_marks_an_action_done(item, lead, colleague, clinician):
    action = services.action_add(
        item=item, description="x", owner=colleague, due_on=date(2026, 12, 1), user=lead
    )
    with pytest.raises(ValidationError, match="Only the owner"):
        services.action_complete(action=action, user=clinician)
    assert services.action_complete(action=action, user=lead).status == ActionItem.Status.DONE


# Closing: summary email, next conference --------------------------------------------------------------


def test_closing_emails_the_summary_to_attendees_once(
    conference, item, lead, clinician, colleague, django_capture_on_commit_callbacks
):
    for user, address in (
        (lead, "lead@c.example"),
        (clinician, "physio@c.example"),
        (colleague, "psych@c.example"),
    ):
        user.email = address
        user.save(update_fields=["email"])
    services.note_save(item=item, data=NOTE, user=lead)
    services.action_add(
        item=item, description="Start graded exposure", owner=colleague, due_on=date(2026, 12, 3), user=lead
    )
    callbacks = _close(conference, lead, django_capture_on_commit_callbacks)
    assert len(callbacks) == 1  # queued for after the commit

    assert conference_summary_email.run(conference.pk) == 3
    assert conference_summary_email.run(conference.pk) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@c.example", "physio@c.example", "psych@c.example"]
    body = mail.outbox[0].body
    assert "Start graded exposure" in body and NOTE["decisions"] in body
    # The clinical note and the patient's name stay behind sign-in.
    assert NOTE["psychological"] not in body
    assert item.patient.family_name not in body and item.patient.mrn not in body
    assert reverse("conference_summary", kwargs={"conference_id": conference.pk}) in body


def test_a_planned_conference_cannot_be_closed(north, lead):
    planned = services.conference_plan(team=north, starts_at=STARTS, chair=lead, attendees=[], user=lead)
    with pytest.raises(ValidationError, match="Start the conference"):
        services.conference_close(conference=planned, user=lead)


def test_the_cadence_plans_the_next_conference_once(north, lead, django_capture_on_commit_callbacks):
    series = ConferenceSeries.objects.create(
        team=north, weekday=Weekday.THURSDAY, local_time=time(13, 0), chair=lead
    )
    first = services.conference_plan_next(series=series)
    assert first.starts_at == datetime(2026, 11, 19, 13, 0, tzinfo=UTC)  # today, Thursday, later on
    assert services.conference_plan_next(series=series) is None
    services.conference_start(conference=first, user=lead)
    _close(first, lead, django_capture_on_commit_callbacks)
    (following,) = CaseConference.objects.filter(status=CaseConference.Status.PLANNED)
    assert following.starts_at == datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    assert set(following.attendees.all()) == {lead}


def test_the_cadence_keeps_local_time_across_the_clock_change(north, lead):
    series = ConferenceSeries.objects.create(
        team=north, weekday=Weekday.THURSDAY, local_time=time(13, 0), chair=lead, every_weeks=2
    )
    summer = services.conference_next_start(series, datetime(2026, 6, 5, tzinfo=UTC))
    assert summer == datetime(2026, 6, 11, 12, 0, tzinfo=UTC)  # 13:00 BST
    assert services.conference_next_start(series, summer) == summer + timedelta(weeks=2)


def test_the_chair_of_a_series_must_lead_the_team(north, clinician):
    series = ConferenceSeries(team=north, local_time=time(13, 0), chair=clinician)
    with pytest.raises(ValidationError, match="lead of the team"):
        series.full_clean()


# Pages and access -----------------------------------------------------------------------------------


def _pages(conference, item):
    return [
        reverse("conference_detail", kwargs={"conference_id": conference.pk}),
        reverse("conference_summary", kwargs={"conference_id": conference.pk}),
        reverse("agenda_item", kwargs={"conference_id": conference.pk, "item_id": item.pk}),
    ]


def test_members_of_another_team_get_404_on_the_conference_and_its_notes(
    conference, item, lead, outsider, login
):
    services.note_save(item=item, data=NOTE, user=lead)
    client = login(outsider)
    for url in _pages(conference, item):
        assert client.get(url).status_code == 404, url
    for name in ("conference_start", "conference_close", "agenda_add"):
        assert client.post(reverse(name, kwargs={"conference_id": conference.pk})).status_code == 404
    for name in ("agenda_item", "action_new", "note_amend", "agenda_discussed", "agenda_move"):
        url = reverse(name, kwargs={"conference_id": conference.pk, "item_id": item.pk})
        assert client.post(url, NOTE).status_code == 404, name
    assert ConferenceNote.objects.get(item=item).decisions == NOTE["decisions"]
    assert AuditEvent.objects.filter(actor=outsider, action=AuditEvent.Action.DENIED).count() == 11
    assert "Start graded exposure" not in client.get(reverse("conference_list")).content.decode()
    team = conference.team
    assert client.get(reverse("team_detail", kwargs={"team_id": team.pk})).status_code == 404


def test_team_members_see_the_conference_and_the_view_is_audited_per_patient(
    conference, item, clinician, login
):
    client = login(clinician)
    for url in _pages(conference, item):
        assert client.get(url).status_code == 200, url
    views = AuditEvent.objects.filter(actor=clinician, action=AuditEvent.Action.VIEW, patient=item.patient)
    assert views.count() == 3


def test_only_leads_run_the_conference(conference, item, clinician, login):
    client = login(clinician)
    assert (
        client.post(reverse("conference_close", kwargs={"conference_id": conference.pk})).status_code == 403
    )
    conference.refresh_from_db()
    assert conference.status == CaseConference.Status.IN_PROGRESS


def test_a_note_with_nothing_written_is_refused_with_a_message(conference, item, lead, login):
    url = reverse("agenda_item", kwargs={"conference_id": conference.pk, "item_id": item.pk})
    response = login(lead).post(url, {"physical": "  "})
    assert response.status_code == 200
    assert "Write at least one part of the note." in response.content.decode()
    assert not ConferenceNote.objects.exists()


def test_an_action_form_names_what_is_missing_and_saves_nothing(
    conference, item, plan, lead, colleague, login
):
    url = reverse("action_new", kwargs={"conference_id": conference.pk, "item_id": item.pk})
    response = login(lead).post(
        url,
        {
            "description": "Graded exposure",
            "owner": colleague.pk,
            "due_on": "2026-12-03",
            "plan-change": "add_responsibility",
        },
    )
    assert response.status_code == 200
    assert "Needed to add a responsibility." in response.content.decode()
    assert not ActionItem.objects.exists() and not Responsibility.objects.exists()


def test_the_team_page_shows_caseload_upcoming_conference_and_open_actions(
    north, conference, item, lead, clinician, colleague, login, django_assert_max_num_queries
):
    PatientFactory.create_batch(3, team=north, primary_clinician=clinician)
    services.action_add(
        item=item, description="Check pain diary", owner=colleague, due_on=date(2026, 12, 1), user=lead
    )
    client = login(lead)
    # One of them the audit of the patients whose open actions the page shows (one INSERT for all), one
    # the policy's "leads this team" for the page's lead-only links; three the skill mix (competencies,
    # the members' records, the audit of their training: tests/conferences/test_team_skill_mix.py).
    with django_assert_max_num_queries(14):
        response = client.get(reverse("team_detail", kwargs={"team_id": north.pk}))
    page = response.context["t"]
    caseload = {member.username: member.caseload for member in page.members}
    assert caseload == {"physio": 4, "psych": 0, "lead": 0}
    assert page.upcoming == conference and page.open_action_count == 1
    assert "Check pain diary" in response.content.decode()


def test_posting_a_note_to_a_closed_conference_changes_nothing(
    conference, item, lead, login, django_capture_on_commit_callbacks
):
    services.note_save(item=item, data=NOTE, user=lead)
    _close(conference, lead, django_capture_on_commit_callbacks)
    client = login(lead)
    response = client.post(item.get_absolute_url(), NOTE | {"decisions": "Rewritten"}, follow=True)
    assert "can only be amended" in response.content.decode()
    assert ConferenceNote.objects.get(item=item).decisions == NOTE["decisions"]
    response = client.post(
        reverse("note_amend", kwargs={"conference_id": conference.pk, "item_id": item.pk}),
        {"text": "Patient agreed by phone on Friday"},
        follow=True,
    )
    assert "Patient agreed by phone on Friday" in response.content.decode()
