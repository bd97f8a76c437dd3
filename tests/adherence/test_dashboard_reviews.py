"""The dashboard's "from a screening flag to the care plan": per team, the median days from a review's
opening to its resolution as plan updated, and the share of reviews due in the window resolved by their
due day, checked against numbers worked out by hand; the viewer's teams only; one query."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adherence import metrics
from routing.models import Review
from teams.models import Patient

from ..factories import PatientFactory
from ..routing.reporting_factories import make_review

DASHBOARD = reverse("clinic_dashboard")
# Worked out from the raw rows: the page fetches the table as soon as it is shown.
REVIEWS = {"part": "reviews"}
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday: the window is 7 Sep to 29 Nov
TODAY = date(2026, 11, 25)
FLAG = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def figures(teams=None):
    patients = Patient.objects.all() if teams is None else Patient.objects.filter(team__in=teams)
    return metrics.review_timeliness(patients, date(2026, 9, 7), date(2026, 11, 30), TODAY)


def changed_after(patient, owner, days, resolution=Review.Resolution.PLAN_UPDATED, opened=FLAG):
    return make_review(
        patient,
        owner,
        due_on=date(2027, 1, 1),  # due after the window: counted for its time to a plan change only
        opened_at=opened,
        resolved_at=opened + timedelta(days=days),
        resolution=resolution,
    )


def test_median_days_to_plan_change_per_team_with_odd_and_even_counts(
    patient, colleague, south_patient, outsider
):
    for days in (1, 2, 4):
        changed_after(patient, colleague, days)
    changed_after(patient, colleague, 10, resolution=Review.Resolution.REFERRED)  # not a plan change
    changed_after(patient, colleague, 1, opened=datetime(2026, 8, 20, tzinfo=UTC))  # before the window
    for days in (1, 2, 4, 10):
        changed_after(south_patient, outsider, days)
    overall, teams = figures()
    by_team = {row.team: row for row in teams}
    assert by_team["North MSK"].median_days == Decimal(2)  # 1, 2, 4
    assert by_team["North MSK"].plan_changes == 3
    assert by_team["South MSK"].median_days == Decimal(3)  # 1, 2, 4, 10: between 2 and 4
    assert overall.median_days == Decimal(2)  # 1, 1, 2, 2, 4, 4, 10
    assert overall.plan_changes == 7


def test_a_median_in_parts_of_a_day(patient, colleague):
    changed_after(patient, colleague, 0.5)
    changed_after(patient, colleague, 1)
    overall, _teams = figures()
    assert overall.median_days == Decimal("0.75")


def test_share_resolved_by_their_due_day_counts_only_reviews_whose_due_day_has_passed(
    patient, colleague, south_patient, outsider
):
    due = date(2026, 11, 5)
    resolved = {"opened_at": FLAG, "resolution": Review.Resolution.NO_ACTION}
    make_review(patient, colleague, due_on=due, resolved_at=datetime(2026, 11, 4, 12, tzinfo=UTC), **resolved)
    make_review(
        patient, colleague, due_on=due, resolved_at=datetime(2026, 11, 5, 23, 30, tzinfo=UTC), **resolved
    )
    make_review(
        patient, colleague, due_on=due, resolved_at=datetime(2026, 11, 6, 9, tzinfo=UTC), **resolved
    )  # late
    make_review(patient, colleague, due_on=date(2026, 11, 10))  # still open: late
    make_review(patient, colleague, due_on=date(2026, 11, 10), state=Review.State.IN_PROGRESS)  # late
    make_review(patient, colleague, due_on=TODAY)  # due today: not over yet
    make_review(patient, colleague, due_on=date(2026, 12, 3))  # not yet due
    make_review(
        patient, colleague, due_on=date(2026, 9, 1), resolved_at=FLAG, opened_at=FLAG, resolution="no_action"
    )  # due before the window
    make_review(
        south_patient,
        outsider,
        due_on=date(2026, 11, 12),
        opened_at=FLAG,
        resolved_at=datetime(2026, 11, 12, 8, tzinfo=UTC),
        resolution=Review.Resolution.DECLINED,  # any resolution counts as resolved
    )
    overall, teams = figures()
    by_team = {row.team: row.in_time for row in teams}
    assert (by_team["North MSK"].numerator, by_team["North MSK"].denominator) == (2, 5)
    assert (by_team["South MSK"].numerator, by_team["South MSK"].denominator) == (1, 1)
    assert (overall.in_time.numerator, overall.in_time.denominator) == (3, 6)
    assert overall.in_time.percent == "50%"
    assert overall.median_days is None  # no plan changed from a review


def test_in_time_is_judged_by_the_clinics_day_not_utcs(patient, colleague, clock):
    clock.move_to(datetime(2026, 9, 20, tzinfo=UTC))
    due = date(2026, 9, 10)  # British Summer Time: the clinic's day ends at 23:00 UTC
    make_review(patient, colleague, due_on=due, resolved_at=datetime(2026, 9, 10, 22, 30, tzinfo=UTC))
    make_review(patient, colleague, due_on=due, resolved_at=datetime(2026, 9, 10, 23, 30, tzinfo=UTC))
    overall, _teams = metrics.review_timeliness(
        Patient.objects.all(), date(2026, 9, 7), date(2026, 9, 21), date(2026, 9, 20)
    )
    assert (overall.in_time.numerator, overall.in_time.denominator) == (1, 2)


def test_the_dashboard_shows_each_team_with_its_counts_and_says_what_they_mean(
    login, clinic_admin, patient, colleague, south_patient, outsider
):
    for days in (1, 2, 4):
        changed_after(patient, colleague, days)
    make_review(
        patient,
        colleague,
        due_on=date(2026, 11, 5),
        opened_at=FLAG,
        resolved_at=datetime(2026, 11, 4, tzinfo=UTC),
        resolution=Review.Resolution.NO_ACTION,
    )
    make_review(patient, colleague, due_on=date(2026, 11, 5))
    make_review(south_patient, outsider, due_on=date(2026, 11, 5))
    page = " ".join(login(clinic_admin).get(DASHBOARD).content.decode().split())
    assert "From a screening flag to the care plan" in page
    assert "the median number of days from a review's opening" in page
    text = " ".join(login(clinic_admin).get(DASHBOARD, REVIEWS).content.decode().split())
    assert (
        '<th scope="row">North MSK</th><td>2.0 days <span class="text-body-secondary">(over 3 plan changes)'
        in text
    )
    assert '50% <span class="text-body-secondary">(1 of 2 resolved in time)' in text
    assert '0% <span class="text-body-secondary">(0 of 1 resolved in time)' in text  # South
    assert '<th scope="row">All these teams</th>' in text
    assert '33% <span class="text-body-secondary">(1 of 3 resolved in time)' in text


def test_a_lead_sees_their_own_teams_row_and_the_team_filter_narrows_it(
    login, lead, clinic_admin, patient, colleague, south_patient, outsider, south
):
    make_review(patient, colleague, due_on=date(2026, 11, 5))
    make_review(south_patient, outsider, due_on=date(2026, 11, 5))
    as_lead = login(lead).get(DASHBOARD, REVIEWS)
    assert [row.team for row in as_lead.context["reviews"]["teams"]] == ["North MSK"]
    as_admin = login(clinic_admin).get(DASHBOARD, {"team": south.pk, **REVIEWS})
    assert [row.team for row in as_admin.context["reviews"]["teams"]] == ["South MSK"]


def test_the_reviews_table_adds_no_queries_with_reviews_or_teams(login, clinic_admin, colleague, north):
    from ..factories import TeamFactory

    client = login(clinic_admin)
    make_review(PatientFactory(team=north), colleague, due_on=date(2026, 11, 5))
    client.get(DASHBOARD, REVIEWS)  # the session's first request renews it
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD, REVIEWS)
    for n in range(5):
        team = TeamFactory(name=f"Team {n}")
        for days in (1, 3):
            changed_after(PatientFactory(team=team), colleague, days)
            make_review(PatientFactory(team=team), colleague, due_on=date(2026, 11, 5))
    with CaptureQueriesContext(connection) as many:
        page = client.get(DASHBOARD, REVIEWS)
    assert len(page.context["reviews"]["teams"]) == 6
    assert len(many) == len(few)
