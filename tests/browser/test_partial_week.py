"""The week not over, in real Chromium (issue 18): with the clock frozen on a Wednesday, the dashboard's
trend and the patient's adherence chart mark the current week as "so far" (a dashed, paler dataset and a
note) and never draw it as a fall to zero; the PHQ-9 has an axis of its own to 27; each tile draws its own
trend and counts whole sessions; the patients behind a number show their own values; the dashboard fits
a phone.

The clock is frozen at noon on the Wednesday of next week (always ahead of the browser's own clock, so
the session cookie never looks expired to it); what is checked does not depend on the day it runs.
"""

import os
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from adherence import rollups
from adherence.models import ExerciseWeekLog, Session
from careplans.services import part_update

from ..careplans.factories import make_exercise, make_plan
from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/tasks/shots")


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"charts-{name}.png"), full_page=True)


def _next_wednesday_noon() -> datetime:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    return timezone.make_aware(datetime.combine(monday + timedelta(days=2), time(12)))


@pytest.fixture
def wednesday():
    moment = _next_wednesday_noon()
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture
def weeks_of_exercise(wednesday, clinician, patient):
    """Three sessions a week planned; two logged in each of the last three whole weeks, none yet this
    week (home exercise is logged when the week is reviewed); one session attended this Monday."""
    plan = make_plan(
        patient,
        clinician,
        start_date=wednesday.date() - timedelta(weeks=10),
        review_date=wednesday.date() + timedelta(weeks=8),
    )
    exercise = make_exercise(plan, clinician, sessions_per_week=3)
    part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)
    this_monday = wednesday.date() - timedelta(days=2)
    for weeks_ago in (1, 2, 3):
        ExerciseWeekLog.objects.create(
            patient=patient,
            exercise=exercise,
            week_starting=this_monday - timedelta(weeks=weeks_ago),
            sessions_done=2,
            entered_by=clinician,
        )
    Session.objects.create(
        patient=patient,
        clinician=clinician,
        discipline=clinician.discipline,
        status="attended",
        starts_at=wednesday - timedelta(days=2),
    )
    rollups.refresh()  # as the beat does every minute
    return this_monday


DATASETS = """(id) => {
  const chart = Chart.getChart(document.getElementById(id));
  return {
    labels: chart.data.labels,
    datasets: chart.data.datasets.map((d) => ({
      label: d.label, data: d.data, dashed: (d.borderDash || []).length > 0, colour: d.borderColor,
    })),
    scales: Object.fromEntries(Object.entries(chart.options.scales).map(([k, s]) => [k, [s.min, s.max]])),
  };
}"""


def _by_label(chart):
    return {dataset["label"]: dataset for dataset in chart["datasets"]}


def test_the_dashboard_draws_this_week_as_so_far_never_as_a_fall_to_zero(
    page, sign_in, weeks_of_exercise, clinic_admin
):
    sign_in("admin", PASSWORD)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Adherence and outcomes")).to_be_visible()
    week = weeks_of_exercise.day
    note = page.locator(".partial-week-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"The week of {week} ")
    expect(note).to_contain_text("this week so far")
    page.wait_for_function("() => Chart.getChart(document.getElementById('dashboard-trend'))")
    chart = page.evaluate(DATASETS, "dashboard-trend")
    assert chart["labels"][-1].endswith("(so far)") and chart["labels"][-1].startswith(str(week))
    datasets = _by_label(chart)

    # Exercise: 2 of 3 in each whole week; this week nothing logged yet, so no point at all, not a 0.
    exercise, exercise_so_far = (
        datasets["Exercise completion %"],
        datasets["Exercise completion %, this week so far"],
    )
    assert exercise["data"][-4:-1] == [67, 67, 67]
    assert exercise["data"][-1] is None and exercise_so_far["data"][-1] is None
    assert all(dataset["data"][-1] != 0 for dataset in chart["datasets"])

    # Attendance this week so far: drawn, but apart (dashed, paler), and the whole-week line stops before it.
    attendance, so_far = datasets["Attendance %"], datasets["Attendance %, this week so far"]
    assert attendance["data"][-1] is None and so_far["data"][-1] == 100
    assert so_far["dashed"] and not attendance["dashed"]
    assert so_far["colour"] != attendance["colour"]

    # Each tile draws its own twelve weeks.
    for tile in ("exercise", "attendance", "milestones", "checkins"):
        expect(page.locator(f'canvas.tile-trend[data-metric="{tile}"]')).to_be_visible()
    tile = page.evaluate(
        """() => Chart.getChart(document.querySelector('canvas.tile-trend[data-metric="exercise"]'))
                   .data.datasets[0].data"""
    )
    assert len(tile) == 12 and tile[-4:] == [67, 67, 67, None]
    expect(page.get_by_text("planned exercise sessions done")).to_be_visible()
    assert_no_serious_violations(page, context="admin: dashboard mid-week")
    _shot(page, "dashboard-midweek")

    # The patients behind the number, each with their own value behind it.
    page.get_by_role("link", name="Exercise completion 20%: the patients behind it").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Okafor, Amelia"))
    expect(row).to_contain_text("20% (6 of 30 planned exercise sessions done)")
    assert_no_serious_violations(page, context="admin: the patients behind a number")
    _shot(page, "drill-down-values")


def test_the_dashboard_fits_a_phone(page, sign_in, weeks_of_exercise, clinic_admin):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("admin", PASSWORD)
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="Adherence and outcomes")).to_be_visible()
    page.wait_for_function("() => Chart.getChart(document.getElementById('dashboard-trend'))")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the dashboard is {width} px wide on a 390 px phone"
    # Date inputs are as wide as a date, not the whole row.
    box = page.get_by_label("From", exact=True).bounding_box()
    assert box is not None and box["width"] <= 12 * 16
    _shot(page, "dashboard-phone")


def test_the_patients_chart_marks_this_week_and_gives_phq9_its_own_axis(
    page, sign_in, weeks_of_exercise, clinician, patient
):
    sign_in(clinician.username, PASSWORD)
    page.goto(patient.get_absolute_url())
    expect(page.get_by_role("heading", name="Adherence", exact=True)).to_be_visible()
    expect(page.locator("#adherence .partial-week-note")).to_contain_text("This week is not over")
    expect(page.get_by_text("This week so far: exercise none logged yet · attendance 100%")).to_be_visible()
    page.wait_for_function("() => Chart.getChart(document.getElementById('adherence-chart'))")
    chart = page.evaluate(DATASETS, "adherence-chart")
    assert chart["scales"]["phq"] == [0, 27] and chart["scales"]["score"] == [0, 10]
    datasets = _by_label(chart)
    assert datasets["PHQ-9 (0–27)"]
    assert (
        datasets["Exercise %"]["data"][-1] is None
        and datasets["Exercise %, this week so far"]["data"][-1] is None
    )
    assert datasets["Attendance %, this week so far"]["data"][-1] == 100
    assert datasets["Attendance %, this week so far"]["dashed"]
    page.locator("#adherence").scroll_into_view_if_needed()
    _shot(page, "patient-adherence-midweek")
