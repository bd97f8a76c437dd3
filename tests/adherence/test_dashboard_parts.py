"""The dashboard fast at a clinic's size (issue 23): the page reads only the roll-ups, in one query for its
totals, breakdowns and trend; the sections worked out from the raw rows are fetched with the page's
filters, reviews and the competent share as soon as the page is shown, sessions by kind when opened; the
table per primary clinician (hundreds of rows in a clinic) opens on demand with the same figures."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from adherence import dashboard, rollups
from adherence.models import Session

from ..factories import MembershipFactory, PatientFactory, UserFactory
from .factories import past_sessions

DASHBOARD = reverse("clinic_dashboard")


def _clinicians(team, count):
    """``count`` clinicians of the team, each with a patient who attended one session of two."""
    for _ in range(count):
        person = UserFactory()
        MembershipFactory(team=team, user=person)
        past_sessions(PatientFactory(team=team, primary_clinician=person), person, ["attended", "missed"])


def test_the_page_reads_the_rollups_in_one_query_however_many_clinicians(login, clinic_admin, north):
    client = login(clinic_admin)
    _clinicians(north, 2)
    rollups.refresh()
    client.get(DASHBOARD)  # the session's first request renews it
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD)
    _clinicians(north, 12)
    rollups.refresh()
    with CaptureQueriesContext(connection) as many:
        page = client.get(DASHBOARD)
    assert len(many) == len(few)
    rollup_reads = [q["sql"] for q in many.captured_queries if "adherence_weekrollup" in q["sql"]]
    assert len(rollup_reads) == 1 and "GROUPING SETS" in rollup_reads[0]
    # Nothing is read from the raw sessions, logs, reviews or responsibilities for the page itself.
    raw = ("adherence_session", "checkins_exerciselog", "routing_review", "careplans_responsibility")
    assert not [q for q in many.captured_queries if any(table in q["sql"] for table in raw)]
    assert page.context["headline"]["attendance"].percent == "50%"
    assert [row["label"] for row in page.context["tables"][0]["rows"]] == ["North MSK"]
    assert [table["by"] for table in page.context["tables"]] == ["team", "discipline", "stratum"]


def test_the_live_sections_are_fetched_with_the_pages_filters(login, clinic_admin, north):
    page = login(clinic_admin).get(DASHBOARD, {"team": north.pk, "status": "active"})
    for part in dashboard.PARTS:
        assert f'hx-get="?team={north.pk}&amp;status=active&amp;part={part}" hx-trigger="load"' in page.text
    for part in dashboard.ON_DEMAND:
        assert f'hx-get="?team={north.pk}&amp;status=active&amp;part={part}" hx-trigger="toggle once"' in (
            page.text
        )
    for part in (*dashboard.PARTS, *dashboard.ON_DEMAND):
        response = login(clinic_admin).get(DASHBOARD, {"team": north.pk, "part": part})
        assert response.status_code == 200
        assert "<html" not in response.text  # a fragment for the page, not a page
    assert login(clinic_admin).get(DASHBOARD, {"part": "everything"}).status_code == 404


def test_a_clinician_without_the_role_cannot_fetch_a_part(login, clinician):
    for part in (*dashboard.PARTS, *dashboard.ON_DEMAND):
        assert login(clinician).get(DASHBOARD, {"part": part}).status_code == 403


def test_the_clinician_table_opens_with_each_clinicians_figures(
    login, clinic_admin, lead, clinician, outsider, patient, south_patient
):
    past_sessions(patient, clinician, ["attended", "missed"])
    past_sessions(south_patient, outsider, ["attended", "attended", "attended"])
    rollups.refresh()
    page = login(clinic_admin).get(DASHBOARD)
    assert "Show each primary clinician's figures" in page.text
    assert "clinician" not in [table["by"] for table in page.context["tables"]]
    opened = login(clinic_admin).get(DASHBOARD, {"part": "clinician"})
    table = opened.context["table"]
    assert table["by"] == "clinician"
    assert {row["label"]: row["cells"][1][1].percent for row in table["rows"]} == {
        "Priya Shah": "50%",
        str(outsider): "100%",
    }
    assert (
        f"{reverse('dashboard_patients')}?metric=attendance&amp;by=clinician&amp;group=physio" in opened.text
    )
    # A lead sees their own team's clinicians only.
    mine = login(lead).get(DASHBOARD, {"part": "clinician"}).context["table"]
    assert [row["label"] for row in mine["rows"]] == ["Priya Shah"]


# --- The one roll-up query ----------------------------------------------------------------------------

WEDNESDAY = date(2026, 11, 18)
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize("weeks", [12, 16, 4])
def test_the_trend_read_with_the_totals_is_each_weeks_figures(clinician, patient, weeks):
    """The trend is the twelve weeks up to the window's end, whatever the window: read in the totals'
    query when the window holds them, by a query of its own when the window is shorter."""
    with time_machine.travel(datetime(2026, 11, 18, 12, tzinfo=LONDON), tick=False):
        for days_ago, status in ((1, "attended"), (9, "missed"), (30, "attended"), (70, "missed")):
            Session.objects.create(
                patient=patient,
                clinician=clinician,
                discipline=clinician.discipline,
                status=status,
                starts_at=timezone.now() - timedelta(days=days_ago),
            )
        rollups.mark_everything()
        rollups.refresh()
        end = date(2026, 11, 23)
        window = dashboard.Window(end - timedelta(weeks=weeks), end)
        scope = rollups.Scope(None)
        with CaptureQueriesContext(connection) as queries:
            page = dashboard.page(scope, window, WEDNESDAY)
        assert page["trend"] == dashboard.trend(scope, window, WEDNESDAY)
        assert len(queries) == (2 if weeks >= dashboard.TREND_WEEKS else 3)
        assert page["headline"] == dashboard.headline(scope, window)
        separately = rollups.grouped(scope, window.start, window.end)
        assert {
            table["by"]: {row["group"]: row["cells"] for row in table["rows"]} for table in page["tables"]
        } == {
            by: {
                group: [(key, dashboard._headline(figures)[key]) for key in dashboard.METRICS]
                for group, figures in separately[by].items()
            }
            for by in dashboard.SHOWN
        }
