"""An urgent alert keeps its story (issue 18): a psychologist works a patient's repeated alerts from one
line of the alerts page (one acknowledgement covering them all only when ticked), closes one with the
action taken, and finds it again in the closed view, filtered, in the patient's alert history and on
the result that raised it. The same grouping on the patient's own banner."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from screening.models import Alert
from screening.services import alert_close

from ..factories import PASSWORD, PatientFactory
from ..screening.factories import phq9, record
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/tasks/shots")


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"alerts-{name}.png"), full_page=True)


def _urgent_alerts(patient, user, count):
    for _ in range(count):
        record(patient, user, answers=phq9(item9=1), timepoint="adhoc")
    return list(Alert.objects.filter(patient=patient, kind=Alert.Kind.URGENT).order_by("opened_at", "id"))


def test_psychologist_acknowledges_a_group_closes_an_alert_and_finds_its_story(
    page, sign_in, clinician, colleague, north, patient
):
    page.set_viewport_size({"width": 1280, "height": 900})
    urgent = _urgent_alerts(patient, clinician, 3)
    # A high result opens an owned review now (routing), not an alert: the fourth is a check-in concern.
    concern = Alert.objects.create(patient=patient, kind=Alert.Kind.CHECKIN, reason="Check-in: mood 1 of 10")
    other = PatientFactory(team=north, given_name="Ben", family_name="Adeyemi")
    record(other, clinician, answers=phq9(item9=1), timepoint="adhoc")

    sign_in("psych", PASSWORD)
    page.get_by_role("link", name="Alerts").click()
    queue = page.get_by_role("table", name="Open alerts, one line per patient")
    rows = queue.get_by_role("row")
    expect(rows).to_have_count(3)  # the header and one line per patient
    line = rows.filter(has_text="Okafor, Amelia")
    expect(line.get_by_text("alerts for this patient: show all")).to_be_visible()
    expect(line.get_by_text("4", exact=True)).to_be_visible()
    line.get_by_text("alerts for this patient: show all").click()
    expect(line.get_by_role("listitem")).to_have_count(4)
    _shot(page, "queue-grouped")
    assert_no_serious_violations(page, context="psychologist: review queue, a group expanded")

    # Unticked, the line's Acknowledge covers only the first alert.
    line.get_by_role("button", name="Acknowledge Okafor, Amelia").click()
    expect(page.get_by_text("Alert acknowledged.")).to_be_visible()
    statuses = [
        a.status for a in Alert.objects.filter(pk__in=[a.pk for a in urgent]).order_by("opened_at", "id")
    ]
    assert statuses == ["acknowledged", "open", "open"]
    assert Alert.objects.get(pk=concern.pk).status == Alert.Status.OPEN

    # Ticked, it covers every alert still open on the line: the other two urgent ones and the concern.
    line = page.get_by_role("row").filter(has_text="Okafor, Amelia")
    line.get_by_label("Acknowledge all 3 alerts for this patient").check()
    line.get_by_role("button", name="Acknowledge Okafor, Amelia").click()
    expect(page.get_by_text("3 alerts acknowledged.")).to_be_visible()
    assert set(Alert.objects.filter(patient=patient).values_list("status", flat=True)) == {"acknowledged"}
    assert set(Alert.objects.filter(patient=patient).values_list("acknowledged_by", flat=True)) == {
        colleague.pk
    }
    assert Alert.objects.get(patient=other).status == Alert.Status.OPEN
    expect(
        page.get_by_role("row").filter(has_text="Okafor, Amelia").get_by_text("All acknowledged")
    ).to_be_visible()

    # Close the check-in concern from the queue, with the action taken.
    line = page.get_by_role("row").filter(has_text="Okafor, Amelia")
    line.get_by_text("alerts for this patient: show all").click()
    review_item = line.get_by_role("listitem").filter(has_text="Check-in concern")
    review_item.get_by_text("Close…").click()
    review_item.get_by_label("Action taken").fill("Called the patient; mood support added to the plan")
    review_item.get_by_role("button", name="Close alert").click()
    expect(page.get_by_text("Alert closed.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/alerts/"))

    # The closed view keeps its story, and its filters narrow it.
    page.get_by_role("link", name="Closed", exact=True).click()
    closed = page.get_by_role("table", name="Closed alerts, most recently closed first")
    story = closed.get_by_role("row").filter(has_text="Okafor, Amelia")
    expect(story).to_have_count(1)
    expect(story.get_by_text("Called the patient; mood support added to the plan")).to_be_visible()
    expect(story.get_by_role("cell", name=str(colleague))).to_have_count(2)  # acknowledged and closed by
    _shot(page, "queue-closed")
    assert_no_serious_violations(page, context="psychologist: review queue, closed view")
    page.get_by_label("Kind").select_option(label="Urgent safety alert")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No alerts match these filters.")).to_be_visible()
    page.get_by_label("Kind").select_option(label="Check-in concern")
    page.get_by_label("Only mine").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row").filter(has_text="Okafor, Amelia")).to_have_count(1)

    # The patient's overview holds the alert history; the result page the alert it raised.
    page.get_by_role("link", name="Okafor, Amelia").click()
    history = page.get_by_role("region", name="Alert history")
    expect(history.get_by_role("row")).to_have_count(5)  # the header and four alerts
    expect(history.get_by_text("Called the patient; mood support added to the plan")).to_be_visible()
    history.scroll_into_view_if_needed()
    _shot(page, "overview-history")
    assert_no_serious_violations(page, context="psychologist: patient overview with an alert history")
    history.get_by_role("link", name=urgent[0].reason).first.click()
    raised = page.get_by_role("region", name="Alerts raised by this result")
    expect(raised).to_contain_text(str(colleague))  # who acknowledged it
    _shot(page, "result-alerts")
    assert_no_serious_violations(page, context="psychologist: a result with its closed alert")


def test_the_patients_banner_groups_repeated_urgent_alerts(page, sign_in, clinician, colleague, patient):
    page.set_viewport_size({"width": 1280, "height": 900})
    urgent = _urgent_alerts(patient, clinician, 3)
    sign_in("psych", PASSWORD)
    page.goto(patient.get_absolute_url())
    banner = page.get_by_role("alert")
    expect(banner.get_by_text("3 urgent safety alerts for this patient")).to_be_visible()
    expect(banner.get_by_role("button", name="Close alert", exact=True)).to_have_count(0)  # behind the expand
    _shot(page, "banner-grouped")
    assert_no_serious_violations(page, context="psychologist: patient overview, three urgent alerts")
    banner.get_by_label("Acknowledge all 3 alerts for this patient").check()
    banner.get_by_role("button", name="Acknowledge", exact=True).click()
    expect(page.get_by_text("3 alerts acknowledged.")).to_be_visible()
    assert {a.status for a in Alert.objects.filter(pk__in=[a.pk for a in urgent])} == {"acknowledged"}

    # Each can still be closed on its own, from the expand.
    banner = page.get_by_role("alert")
    banner.get_by_text("Show all 3 urgent alerts").click()
    first = urgent[0]
    banner.locator(f"#action-taken-{first.pk}").fill("Risk assessment done; safety plan agreed")
    banner.get_by_role("button", name="Close alert raised").first.click()
    expect(page.get_by_text("Alert closed.")).to_be_visible()
    expect(page.get_by_role("alert").get_by_text("2 urgent safety alerts for this patient")).to_be_visible()
    assert Alert.objects.get(pk=first.pk).action_taken == "Risk assessment done; safety plan agreed"
    alert_close(alert=urgent[1], user=colleague, action_taken="Called the patient")
    page.reload()
    expect(page.get_by_role("alert").get_by_text("urgent safety alerts for this patient")).to_have_count(0)
    expect(page.get_by_role("alert").get_by_role("button", name="Close alert")).to_be_visible()
