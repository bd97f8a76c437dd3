"""Honest charts and numbers (issue 18): the week not over is drawn apart, each scale on its own axis,
each headline tile's own trend, the value behind each patient in a drill-down, whole sessions,
strata in their order, and one date format."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adherence import dashboard, rollups
from adherence.metrics import Rate
from adherence.models import Session
from adherence.overview import adherence_section_context
from careplans.services import part_update
from screening.instruments import INSTRUMENTS
from screening.overview import screening_section_context

from ..careplans.factories import make_exercise, make_plan
from ..factories import PatientFactory
from ..screening.factories import lowest_answers, record

DASHBOARD = reverse("clinic_dashboard")
DRILL = reverse("dashboard_patients")
LONDON = ZoneInfo("Europe/London")
# A Wednesday at noon: the week of Monday 16 Nov 2026 is half over.
WEDNESDAY = datetime(2026, 11, 18, 12, tzinfo=LONDON)


@pytest.fixture
def midweek():
    with time_machine.travel(WEDNESDAY, tick=False):
        yield WEDNESDAY


def _session(patient, clinician, status, when):
    return Session.objects.create(
        patient=patient, clinician=clinician, discipline=clinician.discipline, status=status, starts_at=when
    )


def _active_plan(patient, clinician, **exercise):
    plan = make_plan(patient, clinician)
    make_exercise(plan, clinician, **exercise)
    part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)
    return plan


# --- The week that is not over --------------------------------------------------------------------


def test_the_current_week_is_marked_partial_and_labelled_like_the_product(
    login, midweek, clinic_admin, clinician, patient
):
    _session(patient, clinician, "attended", WEDNESDAY - timedelta(weeks=1))
    rollups.refresh()
    page = login(clinic_admin).get(DASHBOARD)
    trend = page.context["trend"]
    assert trend["partial"] == 11  # the last of the twelve weeks, Monday 16 Nov
    assert trend["labels"][11] == "16 Nov" and trend["labels"][0] == "31 Aug"
    # No session yet this week: nothing to count, so no point at all (never a 0).
    assert trend["series"]["attendance"][11] is None
    assert trend["series"]["attendance"][10] == 100
    assert "The week of 16 Nov is not over" in page.text


def test_a_window_of_past_weeks_has_no_partial_week(login, midweek, clinic_admin):
    page = login(clinic_admin).get(DASHBOARD, {"start": "2026-09-07", "end": "2026-10-25"})
    assert page.context["trend"]["partial"] is None
    assert "is not over" not in page.text


def test_nothing_recorded_yet_this_week_is_no_point_but_a_whole_weeks_zero_is_a_zero():
    nothing_yet = Rate(Decimal(0), Decimal("2.1"))
    assert dashboard.chart_point(nothing_yet, partial=True) is None
    assert dashboard.chart_point(nothing_yet, partial=False) == 0
    assert dashboard.chart_point(Rate(Decimal(1), Decimal(2)), partial=True) == 50


def test_exercise_not_yet_logged_this_week_is_left_out_not_drawn_as_zero(
    login, midweek, clinic_admin, clinician, patient
):
    _active_plan(patient, clinician, sessions_per_week=3)
    rollups.refresh()
    trend = login(clinic_admin).get(DASHBOARD).context["trend"]
    assert trend["series"]["exercise"][10] == 0  # a whole week with nothing logged is a 0
    assert trend["series"]["exercise"][11] is None  # this week, three days in, is not


def test_the_patients_adherence_chart_marks_this_week_so_far(rf, midweek, clinician, patient):
    context = adherence_section_context(rf.get("/"), patient)
    assert context["series"]["partial"] == len(context["series"]["labels"]) - 1 == 11
    assert context["series"]["labels"][-1] == "16 Nov"


# --- Each instrument on its own scale -------------------------------------------------------------


def test_the_patients_chart_draws_phq9_on_its_own_axis_to_its_maximum(rf, clinician, patient):
    series = adherence_section_context(rf.get("/"), patient)["series"]
    assert (series["phq9_min"], series["phq9_max"]) == (
        INSTRUMENTS["PHQ-9"].min_total,
        INSTRUMENTS["PHQ-9"].max_total,
    )
    assert series["phq9_max"] == 27


def test_each_trajectory_axis_runs_over_its_instruments_own_range(rf, midweek, clinician, patient):
    codes = ["PHQ-9", "GAD-7", "PCS", "TSK-11"]
    for code in codes:
        record(patient, clinician, code=code, answers=lowest_answers(code), timepoint="intake")
    charts = {c["code"]: c for c in screening_section_context(rf.get("/"), patient)["charts"]}
    assert set(codes) <= set(charts)
    for code in codes:
        assert (charts[code]["min"], charts[code]["max"]) == (
            INSTRUMENTS[code].min_total,
            INSTRUMENTS[code].max_total,
        )
    assert charts["PHQ-9"]["max"] == 27 and charts["GAD-7"]["max"] == 21 and charts["TSK-11"]["min"] == 11
    assert charts["PHQ-9"]["points"][0]["x"] == "18 Nov 2026"


# --- Each tile's own trend ------------------------------------------------------------------------


def test_each_headline_tile_has_twelve_weekly_points_from_the_database(
    login, midweek, clinic_admin, clinician, north, patient, django_assert_max_num_queries
):
    client = login(clinic_admin)
    for weeks_ago in (1, 3, 5):
        _session(patient, clinician, "attended", WEDNESDAY - timedelta(weeks=weeks_ago))
    rollups.refresh()
    counts = []
    for extra in (0, 15):
        for _ in range(extra):
            other = PatientFactory(team=north, primary_clinician=clinician)
            _session(other, clinician, "missed", WEDNESDAY - timedelta(weeks=2))
        rollups.refresh()
        with CaptureQueriesContext(connection) as queries:
            page = client.get(DASHBOARD)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        page = client.get(DASHBOARD)
    trend = page.context["trend"]
    assert set(trend["series"]) == set(dashboard.METRICS)
    assert all(len(points) == 12 for points in trend["series"].values())
    assert trend["series"]["attendance"][6:] == [100, None, 100, 0, 100, None]
    for key in dashboard.METRICS:
        assert f'class="tile-trend" data-metric="{key}"' in page.text
    assert "Attendance, 12 weeks: from 100% in the week of 12 Oct to 100% in the week of 9 Nov." in page.text


def test_a_tiles_trend_is_the_metric_week_by_week(midweek, clinician, patient):
    _session(patient, clinician, "attended", WEDNESDAY - timedelta(weeks=2))
    _session(patient, clinician, "missed", WEDNESDAY - timedelta(weeks=2, days=1))
    rollups.refresh()
    window = dashboard.Window(date(2026, 8, 31), date(2026, 11, 23))
    trend = dashboard.trend(rollups.Scope(None), window, date(2026, 11, 18))
    assert trend["series"]["attendance"][9] == 50
    assert trend["summaries"]["exercise"] == "No figures in these 12 weeks."


# --- The value behind each patient ----------------------------------------------------------------


def test_the_drill_down_shows_each_patients_own_value(
    login, midweek, clinic_admin, clinician, north, patient, django_assert_max_num_queries
):
    other = PatientFactory(team=north, primary_clinician=clinician, family_name="Zed")
    for status in ("attended", "missed", "attended"):
        _session(patient, clinician, status, WEDNESDAY - timedelta(days=8))
    _session(other, clinician, "missed", WEDNESDAY - timedelta(days=8))
    client = login(clinic_admin)
    page = client.get(DRILL, {"metric": "attendance"})
    values = {patient_.pk: rate.percent for patient_, rate in page.context["rows"]}
    assert values == {patient.pk: "67%", other.pk: "0%"}
    assert "(2 of 3 sessions attended)" in page.text and "(0 of 1 sessions attended)" in page.text
    _active_plan(patient, clinician)
    with CaptureQueriesContext(connection) as few:
        client.get(DRILL, {"metric": "exercise"})
    for _ in range(12):
        _active_plan(PatientFactory(team=north, primary_clinician=clinician), clinician)
    with django_assert_max_num_queries(len(few)):
        many = client.get(DRILL, {"metric": "exercise"})
    assert len(many.context["rows"]) == 13


def test_the_drill_down_csv_carries_each_patients_value_in_the_request_and_in_the_background(
    login, midweek, settings, clinic_admin, clinician, patient
):
    import csv
    import io

    from adherence.exports import export_build
    from adherence.models import Export

    for status in ("attended", "missed", "attended"):
        _session(patient, clinician, status, WEDNESDAY - timedelta(days=8))
    client = login(clinic_admin)
    settings.EXPORT_IN_BACKGROUND_ABOVE = 10
    now = client.get(DRILL, {"metric": "attendance", "format": "csv"}).content.decode()
    settings.EXPORT_IN_BACKGROUND_ABOVE = 0
    client.get(DRILL, {"metric": "attendance", "format": "csv"})
    export = Export.objects.get()
    export_build(export_id=export.pk)
    export.refresh_from_db()
    for content in (now, export.content):
        head, row = list(csv.reader(io.StringIO(content)))
        assert head[-3:] == ["Attendance", "Counted", "Out of"]
        assert row[0] == patient.mrn and row[-3:] == ["67%", "2", "3"]


def test_the_drill_down_value_of_exercise_agrees_with_the_headline(
    login, midweek, clinic_admin, clinician, patient
):
    _active_plan(patient, clinician, sessions_per_week=3)
    rollups.refresh()
    client = login(clinic_admin)
    headline = client.get(DASHBOARD).context["headline"]["exercise"]
    (row,) = client.get(DRILL, {"metric": "exercise"}).context["rows"]
    assert row[1] == headline and headline.denominator > 0


# --- Whole sessions -------------------------------------------------------------------------------


def test_counts_are_whole_numbers_rounded_as_people_round():
    rate = Rate(Decimal("2280.5"), Decimal("2742.9"))
    assert (rate.whole_numerator, rate.whole_denominator) == (2281, 2743)
    assert Rate(Decimal("2.5"), Decimal("4.5")).whole_denominator == 5  # not Python's half-to-even 4
    assert Rate(Decimal("0.4"), Decimal(1)).whole_numerator == 0


def test_the_exercise_tile_prints_whole_planned_sessions(login, midweek, clinic_admin, clinician, patient):
    # 3 sessions a week over the 12 weeks up to today (plan from 1 Sep, 79 days): 33.86 planned.
    _active_plan(patient, clinician, sessions_per_week=3)
    rollups.refresh()
    page = login(clinic_admin).get(DASHBOARD)
    rate = page.context["headline"]["exercise"]
    assert rate.denominator == Decimal(3 * 79) / 7
    assert "0 of 34 planned exercise sessions done" in page.text
    assert "33.9" not in page.text


def test_an_agenda_reason_counts_whole_sessions(midweek, clinician, patient):
    from adherence.agenda import exercise_low
    from adherence.models import ExerciseWeekLog
    from teams.models import Patient

    # Agenda weeks 2–15 Nov; a plan from 6 Nov at 3 a week: 30/7 = 4.29 sessions prescribed.
    plan = make_plan(patient, clinician, start_date=date(2026, 11, 6))
    exercise = make_exercise(plan, clinician, sessions_per_week=3)
    part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)
    ExerciseWeekLog.objects.create(
        patient=patient,
        exercise=exercise,
        week_starting=date(2026, 11, 9),
        sessions_done=1,
        entered_by=clinician,
    )
    ((patient_id, detail),) = exercise_low(
        Patient.objects.all(), as_of_day=date(2026, 11, 18), days=14, below=60
    )
    assert patient_id == patient.pk
    assert detail.startswith("23% of prescribed home exercise done")
    assert detail.endswith("(1 of 4 sessions; under 60%)")


# --- Strata in their order ------------------------------------------------------------------------


def test_risk_strata_sort_low_medium_high(login, midweek, clinic_admin, clinician, north):
    for stratum in ("high", "low", "medium"):
        someone = PatientFactory(team=north, primary_clinician=clinician)
        plan = make_plan(someone, clinician, risk_stratum=stratum)
        part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)
        _session(someone, clinician, "attended", WEDNESDAY - timedelta(weeks=1))
    _session(PatientFactory(team=north, primary_clinician=clinician), clinician, "attended", WEDNESDAY)
    rollups.refresh()
    page = login(clinic_admin).get(DASHBOARD)
    by_stratum = next(t for t in page.context["tables"] if t["by"] == "stratum")
    assert [row["label"] for row in by_stratum["rows"]] == ["Low risk", "Medium risk", "High risk", None]
    assert (
        page.text.index("Low risk</th>")
        < page.text.index("Medium risk</th>")
        < page.text.index("High risk</th>")
    )


# --- One date format ------------------------------------------------------------------------------


def test_dates_and_times_print_in_the_products_one_format():
    moment = datetime(2026, 11, 3, 14, 5, tzinfo=LONDON)
    rendered = Template("{{ day|date }}|{{ moment|date:'DATETIME_FORMAT' }}|{{ day }}|{{ moment }}").render(
        Context({"day": date(2026, 11, 3), "moment": moment})
    )
    assert rendered == "3 Nov 2026|3 Nov 2026, 14:05|3 Nov 2026|3 Nov 2026, 14:05"
    assert dashboard.week_label(date(2026, 11, 2)) == "2 Nov"


def test_a_session_names_its_local_time_in_the_products_format(clinician, patient):
    # 9:05 UTC on 3 Jul is 10:05 in London (summer time).
    session = _session(patient, clinician, "attended", datetime(2026, 7, 3, 9, 5, tzinfo=ZoneInfo("UTC")))
    assert str(session) == "Physiotherapist session on 3 Jul 2026, 10:05"


def test_dates_entered_in_the_browser_and_by_hand_are_both_still_read():
    from django import forms

    field = forms.DateField()
    assert field.clean("2026-11-30") == field.clean("30/11/2026") == date(2026, 11, 30)
