"""An alert keeps its story: the review queue's closed view and filters, grouping one patient's alerts
with an acknowledgement that covers the group only when asked, the patient's alert history, the result's
own alerts, and the same data through the API."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.models import Alert
from screening.services import alert_acknowledge, alert_close, alerts_acknowledge
from teams.models import AuditEvent

from ..factories import PatientFactory
from .factories import phq9, record

CLINIC = ZoneInfo("Europe/London")
QUEUE = reverse("alert_queue")


def _urgent(patient, user, **kwargs):
    record(patient, user, answers=phq9(item9=1), timepoint="adhoc", **kwargs)
    return Alert.objects.filter(patient=patient, kind=Alert.Kind.URGENT).latest("id")


def _review(patient, user, code="PHQ-9", answers=None):
    """A psychosocial review alert as the queue still holds them from before the routing rules (a high
    result now opens an owned review instead, issue 19)."""
    screening = record(patient, user, code=code, answers=answers or phq9(3, 3, 3, 3))
    return Alert.objects.create(
        patient=patient, screening=screening, kind=Alert.Kind.REVIEW, reason=f"{code} {screening.total}: high"
    )


def _ack_url(alert):
    return reverse("alert_acknowledge", kwargs={"patient_id": alert.patient_id, "alert_id": alert.pk})


def _close_url(alert):
    return reverse("alert_close", kwargs={"patient_id": alert.patient_id, "alert_id": alert.pk})


# The closed view and its story


def test_closed_view_shows_who_acknowledged_the_action_and_who_closed(login, clinician, colleague, patient):
    alert = _urgent(patient, clinician)
    alert_acknowledge(alert=alert, user=clinician)
    alert_close(alert=alert, user=colleague, action_taken="Risk assessment done; GP informed")
    still_open = _review(patient, clinician)
    client = login(colleague)

    closed = client.get(QUEUE, {"view": "closed"})
    assert [a.pk for a in closed.context["page"]] == [alert.pk]
    row = closed.text
    assert "Risk assessment done; GP informed" in row
    assert "Priya Shah" in row  # acknowledged by
    assert str(colleague) in row  # closed by
    # The open view no longer lists it; the view of both lists each alert once.
    open_view = client.get(QUEUE)
    assert [a.pk for line in open_view.context["page"] for a in line.alerts] == [still_open.pk]
    both = client.get(QUEUE, {"view": "all"})
    assert {a.pk for a in both.context["page"]} == {alert.pk, still_open.pk}


def test_closed_view_lists_only_the_patients_of_the_users_teams(
    login, clinician, colleague, outsider, patient, south_patient
):
    alert_close(alert=_urgent(patient, clinician), user=clinician, action_taken="Called the patient")
    alert_close(alert=_urgent(south_patient, outsider), user=outsider, action_taken="South's own")
    page = login(colleague).get(QUEUE, {"view": "closed"})
    assert [a.patient for a in page.context["page"]] == [patient]
    assert "South&#x27;s own" not in page.text and "South's own" not in page.text


def test_the_queue_audits_the_patients_of_the_closed_view(login, clinician, colleague, patient):
    alert_close(alert=_urgent(patient, clinician), user=clinician, action_taken="Called the patient")
    login(colleague).get(QUEUE, {"view": "closed"})
    event = AuditEvent.objects.filter(actor=colleague, action=AuditEvent.Action.VIEW).get()
    assert event.patient == patient and event.object_type == "review queue"


# Filters


def test_mine_means_my_patients_and_the_alerts_i_acknowledged_or_closed(
    login, clinician, colleague, north, patient
):
    theirs = PatientFactory(team=north, primary_clinician=colleague)
    acknowledged_by_me = PatientFactory(team=north)
    closed_by_me = PatientFactory(team=north)
    nobodys = PatientFactory(team=north)
    for who in (patient, theirs, acknowledged_by_me, closed_by_me, nobodys):
        _urgent(who, clinician)
    alert_acknowledge(alert=Alert.objects.get(patient=acknowledged_by_me), user=colleague)
    alert_close(alert=Alert.objects.get(patient=closed_by_me), user=colleague, action_taken="Seen today")
    alert_acknowledge(alert=Alert.objects.get(patient=nobodys), user=clinician)

    page = login(colleague).get(QUEUE, {"view": "all", "mine": "on"})
    assert {a.patient for a in page.context["page"]} == {theirs, acknowledged_by_me, closed_by_me}


def test_filters_by_team_instrument_and_kind(login, clinician, clinic_admin, north, south, patient):
    south_patient = PatientFactory(team=south)
    _urgent(patient, clinician)
    gad = _review(patient, clinician, code="GAD-7", answers={str(n): 3 for n in range(1, 8)}).screening
    _urgent(south_patient, clinician)
    client = login(clinic_admin)

    def listed(**params):
        return {a.pk for a in client.get(QUEUE, {"view": "all", **params}).context["page"]}

    assert listed(team=south.pk) == set(
        Alert.objects.filter(patient=south_patient).values_list("pk", flat=True)
    )
    assert listed(instrument="GAD-7") == {gad.alerts.get().pk}
    assert listed(kind="review") == {gad.alerts.get().pk}
    assert len(listed(kind="urgent", team=north.pk)) == 1


def test_a_clinician_cannot_filter_to_another_teams_alerts(
    login, clinician, outsider, patient, south, south_patient
):
    _urgent(patient, clinician)
    _urgent(south_patient, outsider)
    page = login(clinician).get(QUEUE, {"view": "all", "team": south.pk, "kind": "urgent"})
    # The team is refused beside its field; the other filters still apply, within the user's teams.
    assert "team" in page.context["filters"].errors
    assert [a.patient for a in page.context["page"]] == [patient]


def test_date_filter_takes_alerts_raised_between_the_days_in_the_clinics_time_zone(login, clinician, patient):
    # 23:30 in London on 31 March 2026 (BST) is 22:30 UTC: it belongs to the 31st, not the 1st.
    moments = {
        "before": datetime(2026, 3, 9, 12, 0, tzinfo=CLINIC),
        "first_day": datetime(2026, 3, 10, 0, 5, tzinfo=CLINIC),
        "last_day_late": datetime(2026, 3, 31, 23, 30, tzinfo=CLINIC),
        "after": datetime(2026, 4, 1, 0, 30, tzinfo=CLINIC),
    }
    raised = {}
    for name, moment in moments.items():
        with time_machine.travel(moment, tick=False):
            raised[name] = _urgent(patient, clinician).pk
    page = login(clinician).get(
        QUEUE, {"view": "all", "raised_from": "2026-03-10", "raised_to": "2026-03-31"}
    )
    assert {a.pk for a in page.context["page"]} == {raised["first_day"], raised["last_day_late"]}


def test_a_from_day_after_the_to_day_is_refused_next_to_the_field(login, clinician, patient):
    page = login(clinician).get(QUEUE, {"raised_from": "2026-03-10", "raised_to": "2026-03-01"})
    assert page.context["filters"].errors == {"raised_to": ["Choose a day on or after the 'from' day."]}
    assert "Choose a day on or after the" in page.text


# Grouping and the acknowledgement of a group


def test_several_open_alerts_of_one_patient_share_one_line_with_a_count(
    login, clinician, colleague, north, patient
):
    other = PatientFactory(team=north)
    for _ in range(3):
        _urgent(patient, clinician)
    _review(patient, clinician)
    _urgent(other, clinician)
    page = login(colleague).get(QUEUE)
    lines = list(page.context["page"])
    assert [line.patient for line in lines] == [patient, other]
    assert [len(line.alerts) for line in lines] == [4, 1]
    assert [a.kind for a in lines[0].alerts] == ["urgent"] * 3 + ["review"]
    assert "Acknowledge all 4 alerts for this patient" in page.text
    assert page.text.count('<details class="alert-group') == 2


def test_acknowledging_a_line_without_the_tick_acknowledges_only_the_one_chosen(
    login, clinician, colleague, patient
):
    first, second, third = (_urgent(patient, clinician) for _ in range(3))
    response = login(colleague).post(
        _ack_url(first), {"group": f"{first.pk},{second.pk},{third.pk}", "next": QUEUE + "?view=open"}
    )
    assert response.status_code == 302 and response.url == QUEUE + "?view=open"
    statuses = dict(Alert.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "acknowledged", second.pk: "open", third.pk: "open"}


def test_ticking_acknowledge_all_covers_the_alerts_shown_each_audited(login, clinician, colleague, patient):
    shown = [_urgent(patient, clinician) for _ in range(3)]
    raised_since = _urgent(patient, clinician)  # after the page was drawn: not part of what they saw
    group = ",".join(str(a.pk) for a in shown)
    response = login(colleague).post(
        _ack_url(shown[0]), {"group": group, "acknowledge_all": "on", "next": QUEUE}, follow=True
    )
    assert "3 alerts acknowledged" in response.text
    for alert in shown:
        alert.refresh_from_db()
        assert (alert.status, alert.acknowledged_by) == (Alert.Status.ACKNOWLEDGED, colleague)
    assert Alert.objects.get(pk=raised_since.pk).status == Alert.Status.OPEN
    changes = AuditEvent.objects.filter(actor=colleague, action=AuditEvent.Action.UPDATE, object_type="alert")
    assert sorted(int(e.object_id) for e in changes) == sorted(a.pk for a in shown)


def test_acknowledge_all_never_reaches_another_patients_alert(login, clinician, colleague, north, patient):
    other = PatientFactory(team=north)
    mine = _urgent(patient, clinician)
    theirs = _urgent(other, clinician)
    login(colleague).post(_ack_url(mine), {"group": f"{mine.pk},{theirs.pk}", "acknowledge_all": "on"})
    assert Alert.objects.get(pk=mine.pk).status == Alert.Status.ACKNOWLEDGED
    assert Alert.objects.get(pk=theirs.pk).status == Alert.Status.OPEN


def test_acknowledging_several_leaves_those_already_acknowledged_as_they_were(clinician, colleague, patient):
    first, second = _urgent(patient, clinician), _urgent(patient, clinician)
    alert_acknowledge(alert=first, user=clinician)
    done = alerts_acknowledge(patient=patient, alert_ids=[first.pk, second.pk], user=colleague)
    assert [a.pk for a in done] == [second.pk]
    assert Alert.objects.get(pk=first.pk).acknowledged_by == clinician


def test_the_outsider_cannot_acknowledge_through_the_queue(login, clinician, outsider, patient):
    alert = _urgent(patient, clinician)
    response = login(outsider).post(_ack_url(alert), {"group": str(alert.pk), "acknowledge_all": "on"})
    assert response.status_code == 404
    assert Alert.objects.get().status == Alert.Status.OPEN


def test_under_emergency_access_alone_the_queue_reads_but_offers_no_acknowledgement(
    login, clinician, outsider, patient
):
    from teams.services import emergency_access_grant

    _urgent(patient, clinician)
    _urgent(patient, clinician)
    emergency_access_grant(
        user=outsider, mrn=patient.mrn, reason="Collapsed in the gym, need the history now."
    )
    page = login(outsider).get(QUEUE)
    (line,) = page.context["page"]
    assert line.patient == patient and not line.may_act
    assert "Emergency access: read only" in page.text
    assert "Acknowledge all" not in page.text and 'name="action_taken"' not in page.text
    # The team's own clinician is offered both.
    own = login(clinician).get(QUEUE).text
    assert "Acknowledge all 2 alerts for this patient" in own and 'name="action_taken"' in own


def test_closing_from_the_queue_returns_to_it_and_an_outside_next_is_ignored(
    login, clinician, colleague, patient
):
    first, second = _review(patient, clinician), _urgent(patient, clinician)
    client = login(colleague)
    back = client.post(_close_url(first), {"action_taken": "Referred to psychology", "next": QUEUE})
    assert back.url == QUEUE
    away = client.post(_close_url(second), {"action_taken": "Safety plan", "next": "https://evil.example/"})
    assert away.url == patient.get_absolute_url()
    assert set(Alert.objects.values_list("status", flat=True)) == {"closed"}


# The query count does not grow with rows


@pytest.mark.parametrize("view", ["open", "closed"])
def test_the_queue_runs_the_same_queries_for_few_and_many_alerts(
    login, clinician, colleague, north, view, django_assert_max_num_queries
):
    client = login(colleague)
    counts = []
    for patients, per_patient in ((1, 1), (6, 4)):
        for _ in range(patients):
            who = PatientFactory(team=north)
            for _ in range(per_patient):
                alert = _urgent(who, clinician)
                if view == "closed":
                    alert_close(alert=alert, user=clinician, action_taken="Called the patient")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE, {"view": view, "mine": "", "kind": "urgent"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(counts[1]):
        client.get(QUEUE, {"view": view})


# The patient's alert history and the result's own alerts


def test_the_overview_shows_the_alert_history_raised_acknowledged_action_closed(
    login, clinician, colleague, patient
):
    closed = _urgent(patient, clinician)
    alert_acknowledge(alert=closed, user=colleague)
    alert_close(alert=closed, user=clinician, action_taken="Crisis team called; safety plan agreed")
    _review(patient, clinician)
    page = login(colleague).get(patient.get_absolute_url()).text
    history = page[page.index('id="alert-history-heading"') :]
    assert "Crisis team called; safety plan agreed" in history
    assert "Psychosocial review" in history and "not yet" in history
    assert str(colleague) in history and "Priya Shah" in history


def test_the_result_page_shows_the_alert_it_raised_and_what_was_done(login, clinician, colleague, patient):
    screening = record(patient, clinician, answers=phq9(item9=2))
    alert_close(
        alert=screening.alerts.get(), user=colleague, action_taken="Same-day review with psychologist"
    )
    quiet = record(patient, clinician)
    client = login(clinician)
    page = client.get(screening.get_absolute_url()).text
    assert "Alerts raised by this result" in page
    assert "Same-day review with psychologist" in page
    assert "Alerts raised by this result" not in client.get(quiet.get_absolute_url()).text


# The API reads the same story with the same filters and access


def test_api_lists_closed_alerts_with_their_story(
    api_as, clinician, colleague, outsider, patient, south_patient
):
    alert = _urgent(patient, clinician)
    alert_close(alert=alert, user=colleague, action_taken="GP informed")
    alert_close(alert=_urgent(south_patient, outsider), user=outsider, action_taken="South's own")
    _review(patient, clinician)
    rows = api_as(clinician).get(reverse("api_alert_list"), {"view": "closed"}).json()["results"]
    assert [(r["id"], r["action_taken"], r["closed_by"]) for r in rows] == [
        (alert.pk, "GP informed", colleague.username)
    ]
    assert rows[0]["closed_at"] is not None and rows[0]["acknowledged_by"] == colleague.username
    default = api_as(clinician).get(reverse("api_alert_list")).json()["results"]
    assert [r["kind"] for r in default] == ["review"]


def test_api_patient_history_and_refused_filters(api_as, clinician, outsider, patient):
    alert_close(alert=_urgent(patient, clinician), user=clinician, action_taken="Called the patient")
    _review(patient, clinician)
    url = reverse("api_alert_list")
    history = api_as(clinician).get(url, {"view": "all", "patient": patient.pk}).json()["results"]
    assert [r["kind"] for r in history] == ["review", "urgent"]
    assert api_as(outsider).get(url, {"view": "all", "patient": patient.pk}).json()["results"] == []
    refused = api_as(clinician).get(url, {"raised_from": "yesterday"})
    assert refused.status_code == 400 and "raised_from" in refused.json()["errors"]


def test_api_acknowledges_a_group_only_when_asked(api_as, clinician, colleague, north, patient):
    first, second, third = (_urgent(patient, clinician) for _ in range(3))
    theirs = _urgent(PatientFactory(team=north), clinician)
    api = api_as(colleague)
    one = api.post(
        reverse("api_alert_acknowledge", kwargs={"alert_id": first.pk}), {"group": [second.pk]}, format="json"
    )
    assert one.status_code == 200 and one.json()["id"] == first.pk
    assert Alert.objects.get(pk=second.pk).status == Alert.Status.OPEN
    group = [second.pk, third.pk, theirs.pk]
    url = reverse("api_alert_acknowledge", kwargs={"alert_id": second.pk})
    response = api.post(url, {"acknowledge_all": True, "group": group}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    assert Alert.objects.get(pk=third.pk).acknowledged_by == colleague
    assert Alert.objects.get(pk=theirs.pk).status == Alert.Status.OPEN  # another patient's: untouched
    assert api.post(url, {"group": ["x"]}, format="json").status_code == 400
