"""Behavioural activation on the plan page: enjoyable and valued activities beside the exercises (their
days, why they matter, how often the patient ticked them done in the last 14 days) and the barrier log
(the barrier, the plan agreed, whether it worked, when reviewed), added and edited through the generic
part pages, with their changes in the plan's history."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careplans.models import Activity, Barrier
from careplans.services import part_create, part_update
from checkins.models import ActivityLog, CheckIn
from teams.models import AuditEvent

from ..factories import PatientFactory
from .factories import make_goal, make_plan

# Thursday 26 November 2026, noon in London.
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)


def _url(plan, name="careplan_detail", **kwargs) -> str:
    return reverse(name, kwargs={"patient_id": plan.patient_id, "plan_id": plan.pk} | kwargs)


def _part_url(plan, part, part_id=None) -> str:
    if part_id is None:
        return _url(plan, "careplan_part_new", part=part)
    return _url(plan, "careplan_part_edit", part=part, part_id=part_id)


@pytest.fixture
def plan(patient, clinician):
    return make_plan(patient, clinician)


def _activity(plan, user, name="Coffee with my sister", **kwargs) -> Activity:
    return part_create(instance=Activity(plan=plan, name=name, **kwargs), user=user)


def _barrier(plan, user, **kwargs) -> Barrier:
    fields = {"barrier": "Too tired after work", "plan_agreed": "Exercises before work", "noted_on": TODAY}
    return part_create(instance=Barrier(plan=plan, **(fields | kwargs)), user=user)


def _ticked(activity, day, done="done"):
    checkin = CheckIn.objects.create(
        patient=activity.plan.patient, mood=6, pain=3, sleep_quality=6, sleep_hours=7
    )
    return ActivityLog.objects.create(
        checkin=checkin, patient=activity.plan.patient, activity=activity, logged_for=day, done=done
    )


def test_adding_an_activity_from_the_plan_shows_its_days_and_why_and_is_in_the_history(
    login, clinician, plan
):
    goal = make_goal(plan, clinician)
    client = login(clinician)
    assert "Add activity" in client.get(plan.get_absolute_url()).text
    response = client.post(
        _part_url(plan, "activity"),
        {
            "name": "Walk to the allotment",
            "kind": "valued",
            "why": "Sees friends there",
            "goal": goal.pk,
            "days": ["0", "3"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.days, activity.kind, activity.goal) == ([0, 3], "valued", goal)
    page = client.get(plan.get_absolute_url()).text
    assert "Enjoyable and valued activities" in page
    assert "Walk to the allotment" in page and "On Monday, Thursday" in page
    assert "Why it matters: Sees friends there" in page and "Valued" in page
    assert "added activity: Walk to the allotment" in page
    event = AuditEvent.objects.get(object_type="activity", action="create")
    assert event.actor == clinician and event.patient == plan.patient


def test_an_activity_needs_a_name_said_next_to_the_field(login, clinician, plan):
    response = login(clinician).post(_part_url(plan, "activity"), {"kind": "enjoyable", "active": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Name the activity, as the patient would."]
    assert not Activity.objects.exists()


def test_the_plan_page_counts_the_days_ticked_done_in_the_last_14_days(login, clinician, plan):
    coffee = _activity(plan, clinician)
    walk = _activity(plan, clinician, "Walk", days=[0])  # Mondays: two in the 14 days to Thursday 26
    for back in (0, 3, 13):
        _ticked(coffee, TODAY - timedelta(days=back))
    _ticked(coffee, TODAY - timedelta(days=3))  # a second check-in the same day counts once
    _ticked(coffee, TODAY - timedelta(days=14))  # too long ago
    _ticked(coffee, TODAY - timedelta(days=1), done="partly")
    _ticked(walk, TODAY - timedelta(days=10), done="not_done")
    with time_machine.travel(NOW, tick=False):
        page = login(clinician).get(plan.get_absolute_url()).text
    assert "Ticked done on 3 of the last 14 days (planned on 14)" in page
    assert "Ticked done on 0 of the last 14 days (planned on 2)" in page


def test_editing_an_activity_keeps_its_history(login, clinician, colleague, plan):
    coffee = _activity(plan, clinician)
    response = login(colleague).post(
        _part_url(plan, "activity", coffee.pk),
        {"name": "Coffee with my sister", "kind": "enjoyable", "why": "", "version": coffee.version},
    )
    assert response.status_code == 302
    coffee.refresh_from_db()
    assert coffee.active is False and coffee.version == 2
    page = login(clinician).get(plan.get_absolute_url()).text
    assert "changed activity: Coffee with my sister" in page and "Stopped" in page


def test_the_barrier_log_shows_pending_first_and_whether_the_plan_worked(login, clinician, plan):
    _barrier(plan, clinician, barrier="Rain", plan_agreed="Indoor route", noted_on=date(2026, 11, 2))
    _barrier(
        plan,
        clinician,
        barrier="No time",
        plan_agreed="Ten minutes at lunch",
        noted_on=date(2026, 10, 1),
        outcome=Barrier.Outcome.WORKED,
        reviewed_on=date(2026, 10, 20),
        review_note="Did it most days",
    )
    _barrier(
        plan, clinician, barrier="Pain after", plan_agreed="Lighter version", noted_on=date(2026, 11, 20)
    )
    page = login(clinician).get(plan.get_absolute_url()).text
    assert "Barrier log" in page
    assert page.index("Rain") < page.index("Pain after") < page.index("No time")
    assert "Plan: Ten minutes at lunch" in page and "Did it most days" in page
    assert "Worked</span> reviewed 20 Oct 2026" in page
    assert "Not reviewed yet</span> noted 2 Nov 2026" in page


def test_a_barrier_is_noted_today_by_default_and_its_review_must_be_consistent(login, clinician, plan):
    client = login(clinician)
    with time_machine.travel(NOW, tick=False):
        form = client.get(_part_url(plan, "barrier")).context["form"]
    assert form.initial["noted_on"] == TODAY
    data = {"barrier": "Rain", "plan_agreed": "Indoor route", "noted_on": "2026-11-20", "outcome": "worked"}
    response = client.post(_part_url(plan, "barrier"), data)
    assert response.context["form"].errors["reviewed_on"] == ["Enter the day the plan was reviewed."]
    response = client.post(_part_url(plan, "barrier"), data | {"reviewed_on": "2026-11-19"})
    assert response.context["form"].errors["reviewed_on"] == [
        "The review cannot come before the day the barrier was noted."
    ]
    response = client.post(
        _part_url(plan, "barrier"), data | {"outcome": "pending", "reviewed_on": "2026-11-25"}
    )
    assert response.context["form"].errors["reviewed_on"] == [
        "Choose whether the plan worked, or leave the review day empty."
    ]
    assert not Barrier.objects.exists()
    response = client.post(_part_url(plan, "barrier"), data | {"reviewed_on": "2026-11-25"})
    assert response.status_code == 302
    assert "added barrier: Rain" in client.get(plan.get_absolute_url()).text


def test_an_outsider_can_neither_see_nor_add_activities_or_barriers(login, outsider, clinician, plan):
    coffee = _activity(plan, clinician)
    barrier = _barrier(plan, clinician)
    client = login(outsider)
    assert client.get(_part_url(plan, "activity", coffee.pk)).status_code == 404
    assert client.get(_part_url(plan, "barrier", barrier.pk)).status_code == 404
    response = client.post(
        _part_url(plan, "barrier"), {"barrier": "x", "plan_agreed": "y", "noted_on": "2026-11-20"}
    )
    assert response.status_code == 404
    assert Barrier.objects.count() == 1


def test_another_plans_activity_is_not_editable_through_this_plan(login, clinician, plan, north):
    other_plan = make_plan(PatientFactory(team=north, primary_clinician=clinician), clinician)
    theirs = _activity(other_plan, clinician)
    assert login(clinician).get(_part_url(plan, "activity", theirs.pk)).status_code == 404


def _page_queries(client, plan) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(plan.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_activation_sections_run_the_same_queries_for_1_or_30_rows(login, clinician, north, patient):
    client = login(clinician)
    small = make_plan(patient, clinician)
    _ticked(_activity(small, clinician, goal=make_goal(small, clinician)), TODAY)
    _barrier(small, clinician)
    big = make_plan(PatientFactory(team=north, primary_clinician=clinician), clinician)
    goal = make_goal(big, clinician)
    for number in range(30):
        activity = _activity(big, clinician, f"Activity {number}", goal=goal, days=[number % 7])
        _ticked(activity, TODAY)
        barrier = _barrier(big, clinician, barrier=f"Barrier {number}")
        part_update(instance=barrier, data={"review_note": "tried"}, expected_version=1, user=clinician)
    with time_machine.travel(NOW, tick=False):
        # Two for the sections (activities with their ticks, barriers), two for their history, whatever
        # their number (the page's whole budget is pinned in test_pages.py).
        assert _page_queries(client, small) == _page_queries(client, big)


def test_the_overview_names_the_active_activities(login, clinician, patient, plan):
    _activity(plan, clinician, "Coffee with my sister")
    _activity(plan, clinician, "Choir practice")
    _activity(plan, clinician, "Swimming", active=False)
    page = login(clinician).get(patient.get_absolute_url()).text
    assert "Activities scheduled alongside the exercises: Coffee with my sister, Choir practice" in page
    assert "Swimming" not in page


def test_the_printed_plan_lists_the_active_activities_for_the_patient(login, clinician, plan):
    _activity(plan, clinician, "Coffee with my sister", days=[5], why="We laugh")
    _activity(plan, clinician, "Swimming", active=False)
    page = login(clinician).get(_url(plan, "careplan_print")).text
    assert "Activities you chose, alongside the exercises" in page
    assert "<strong>Coffee with my sister</strong>: on Saturday. Why it matters to you: We laugh" in page
    assert "Swimming" not in page


def test_the_printed_plan_has_no_activities_heading_when_all_are_stopped(login, clinician, plan):
    _activity(plan, clinician, "Swimming", active=False)
    page = login(clinician).get(_url(plan, "careplan_print")).text
    assert "Activities you chose" not in page and "Swimming" not in page
