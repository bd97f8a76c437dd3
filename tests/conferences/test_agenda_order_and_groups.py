"""Where a patient added by hand joins the agenda (after the urgent ones, never at the top), and repeated
reasons for one patient shown as one counted line, with every finding behind it, on the agenda and the
summary."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from conferences import services
from conferences.agenda import REASONS, URGENT_CODES, agenda_entries, reason_groups
from conferences.models import CaseConference

from ..factories import PatientFactory
from ..screening.factories import phq9, record
from .test_agenda import _no_routing, active_plan

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
STARTS = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # the agenda looks back to 12 Nov 13:00


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def conference(north, lead):
    return CaseConference.objects.create(team=north, starts_at=STARTS, chair=lead)


def _patient(north, clinician, name):
    return PatientFactory(team=north, primary_clinician=clinician, family_name=name)


def _urgent(north, clinician, name):
    patient = _patient(north, clinician, name)
    record(patient, clinician, answers=phq9(1, item9=1))
    return patient


def _review_due(north, clinician, name):
    patient = _patient(north, clinician, name)
    active_plan(patient, clinician, review_date=date(2026, 11, 20))
    return patient


def _order(conference):
    conference.refresh_from_db()  # planned or started: the agenda reads differently
    return [entry.patient.family_name for entry in agenda_entries(conference)]


# What "urgent" is -----------------------------------------------------------------------------------


def test_only_an_urgent_safety_alert_counts_as_urgent():
    assert URGENT_CODES == {"urgent_alert"}
    assert REASONS[0].code == "urgent_alert"  # and it leads the table the agenda sorts by


# A patient added by hand ----------------------------------------------------------------------------


def test_before_the_start_a_patient_added_by_hand_comes_after_the_urgent_ones_not_at_the_top(
    conference, north, clinician, lead
):
    _review_due(north, clinician, "Review")
    _urgent(north, clinician, "Urgent")
    services.agenda_item_add(conference=conference, patient=_patient(north, clinician, "Added"), user=lead)
    services.agenda_item_add(conference=conference, patient=_patient(north, clinician, "Later"), user=lead)
    assert _order(conference) == ["Urgent", "Added", "Later", "Review"]
    # Starting stores that order.
    services.conference_start(conference=conference, user=lead)
    assert _order(conference) == ["Urgent", "Added", "Later", "Review"]
    assert list(conference.items.order_by("position").values_list("position", flat=True)) == [0, 1, 2, 3]


def test_a_patient_added_by_hand_who_has_an_urgent_alert_is_placed_among_the_urgent_ones(
    conference, north, clinician, lead
):
    _urgent(north, clinician, "Zed")
    both = _urgent(north, clinician, "Aaron")
    services.agenda_item_add(conference=conference, patient=both, user=lead)
    services.agenda_item_add(conference=conference, patient=_patient(north, clinician, "Calm"), user=lead)
    assert _order(conference) == ["Aaron", "Zed", "Calm"]


def test_during_the_conference_a_patient_added_by_hand_joins_after_the_last_urgent_item(
    conference, north, clinician, lead
):
    for name in ("First", "Second"):
        _urgent(north, clinician, name)
    for name in ("Review", "Revisit"):
        _review_due(north, clinician, name)
    services.conference_start(conference=conference, user=lead)
    assert _order(conference) == ["First", "Second", "Review", "Revisit"]

    added = services.agenda_item_add(
        conference=conference, patient=_patient(north, clinician, "Added"), user=lead
    )
    assert _order(conference) == ["First", "Second", "Added", "Review", "Revisit"]
    assert added.reasons == [{"code": "added", "label": "Added by hand", "detail": f"by {lead}"}]
    services.agenda_item_add(conference=conference, patient=_patient(north, clinician, "Later"), user=lead)
    assert _order(conference) == ["First", "Second", "Added", "Later", "Review", "Revisit"]
    assert sorted(conference.items.values_list("position", flat=True)) == [0, 1, 2, 3, 4, 5]


def test_a_lead_moving_an_urgent_patient_down_moves_where_additions_go(conference, north, clinician, lead):
    _urgent(north, clinician, "Urgent")
    _review_due(north, clinician, "Review")
    services.conference_start(conference=conference, user=lead)
    services.agenda_item_move(item=conference.items.get(patient__family_name="Urgent"), up=False)
    services.agenda_item_add(conference=conference, patient=_patient(north, clinician, "Added"), user=lead)
    assert _order(conference) == ["Review", "Urgent", "Added"]


def test_with_no_urgent_item_a_patient_added_by_hand_leads_the_agenda(conference, north, clinician, lead):
    _review_due(north, clinician, "Review")
    services.conference_start(conference=conference, user=lead)
    services.agenda_item_add(conference=conference, patient=_patient(north, clinician, "Added"), user=lead)
    assert _order(conference) == ["Added", "Review"]


def test_adding_a_patient_already_on_the_agenda_moves_nobody(conference, north, clinician, lead):
    urgent = _urgent(north, clinician, "Urgent")
    _review_due(north, clinician, "Review")
    services.conference_start(conference=conference, user=lead)
    services.agenda_item_add(conference=conference, patient=urgent, user=lead)
    assert _order(conference) == ["Urgent", "Review"]


# Repeated reasons grouped ---------------------------------------------------------------------------


def _found(code, *details):
    label = next(reason.label for reason in REASONS if reason.code == code)
    return [{"code": code, "label": label, "detail": detail} for detail in details]


def test_one_finding_keeps_its_label_and_several_are_counted_in_the_reasons_own_words():
    reasons = [
        *_found("urgent_alert", *(f"alert {n}" for n in range(1, 16))),
        *_found("distress_rising", "PHQ-9 up", "GAD-7 up", "PCS up"),
        *_found("milestone_overdue", "“Walk to the shop” due 25 Nov"),
    ]
    groups = reason_groups(reasons)
    assert [(group.code, group.label, group.count) for group in groups] == [
        ("urgent_alert", "15 urgent alerts", 15),
        ("distress_rising", "Distress rising on 3 screenings", 3),
        ("milestone_overdue", "Milestone overdue", 1),
    ]
    assert groups[1].details == ("PHQ-9 up", "GAD-7 up", "PCS up")
    assert reason_groups(_found("open_action", "a", "b"))[0].label == "2 open actions"
    assert reason_groups(_found("milestone_overdue", "a", "b"))[0].label == "2 milestones overdue"


def test_a_reason_without_its_own_words_for_many_is_counted_by_its_label():
    stored = [{"code": "exercise_low", "label": "Exercise completion low", "detail": d} for d in "ab"]
    assert reason_groups(stored)[0].label == "Exercise completion low (2)"


def _three_alerts_and_three_rises(patient, clinician):
    """Three PHQ-9s since the last conference, each a reliable rise on the one before, each with the
    self-harm item answered: three urgent alerts and distress rising on three screenings."""
    _no_routing()
    record(patient, clinician, answers=phq9(), administered_at=NOW - timedelta(days=20))  # 0
    for days_ago, answers in ((12, phq9(2, 2, 1, item9=1)), (8, phq9(2, 2, 2, 2, 2, 1, item9=1))):
        record(patient, clinician, answers=answers, administered_at=NOW - timedelta(days=days_ago))
    record(patient, clinician, answers=phq9(3, 3, 3, 3, 3, 2, item9=1), administered_at=NOW)  # 6, 12, 18


def test_the_agenda_groups_a_patients_repeated_reasons(conference, patient, clinician, lead, login):
    _three_alerts_and_three_rises(patient, clinician)
    (entry,) = agenda_entries(conference)
    assert len(entry.reasons) == 6
    assert [(group.label, group.count) for group in entry.reason_groups] == [
        ("3 urgent alerts", 3),
        ("Distress rising on 3 screenings", 3),
    ]
    rises = entry.reason_groups[1].details
    assert rises[0].startswith("PHQ-9 0 → 6 on 14 Nov") and rises[2].startswith("PHQ-9 12 → 18 on 26 Nov")

    page = login(lead).get(conference.get_absolute_url()).content.decode()
    assert page.count("badge reason-urgent_alert") == 1 and page.count("badge reason-distress_rising") == 1
    assert "3 urgent alerts</span></summary>" in page
    assert "Distress rising on 3 screenings</span></summary>" in page
    for detail in rises:
        assert f"<li>{detail}</li>" in page


def test_a_single_reason_reads_as_before_with_its_detail_beside_it(
    conference, patient, clinician, login, lead
):
    record(patient, clinician, answers=phq9(1, item9=1))
    page = login(lead).get(conference.get_absolute_url()).content.decode()
    assert (
        "Urgent alert</span> <span" in page
        and "<details" not in page.split("<tbody>")[1].split("</tbody>")[0]
    )


def test_the_summary_and_the_discussion_page_group_the_stored_reasons(
    conference, patient, clinician, lead, login
):
    _three_alerts_and_three_rises(patient, clinician)
    services.conference_start(conference=conference, user=lead)
    services.conference_close(conference=conference, user=lead, leave_undiscussed=1)
    client = login(lead)
    summary = client.get(reverse("conference_summary", kwargs={"conference_id": conference.pk}))
    html = summary.content.decode()
    assert "3 urgent alerts</span></summary>" in html
    assert "Distress rising on 3 screenings</span></summary>" in html
    assert html.count("PHQ-9: self-harm item answered at or above 1") == 3
    (line,) = summary.context["lines"]
    assert [group.count for group in line.reason_groups] == [3, 3]

    item = conference.items.get()
    discussion = client.get(item.get_absolute_url()).content.decode()
    assert "3 urgent alerts</span></summary>" in discussion
