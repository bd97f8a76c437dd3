"""The training pages: "My training", a colleague's training (leads verify there), adding and correcting
one's own records, logging supervision and reading its notes. Each page for the right people, 404 for
anyone else (audited), every reading audited, query counts that do not grow with rows."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from teams.models import AuditEvent, Membership
from training.models import Level, SupervisionSession, TrainingRecord

from ..factories import MembershipFactory, UserFactory
from .factories import LONDON, SupervisionSessionFactory, TrainingRecordFactory, competency

VIEW, DENIED = AuditEvent.Action.VIEW, AuditEvent.Action.DENIED


@pytest.fixture(autouse=True)
def clock():
    """Tuesday 1 December 2026, mid-morning in London: this month is December, the last full one November."""
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=LONDON), tick=False):
        yield


def _last_event() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _events(user, action, since, object_type=None):
    events = AuditEvent.objects.filter(id__gt=since, actor=user, action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    return list(events.values_list("object_type", "object_id"))


def _session(supervisor, supervisees, held_at, minutes=60, **kwargs):
    return SupervisionSessionFactory(
        supervisor=supervisor, supervisees=supervisees, held_at=held_at, minutes=minutes, **kwargs
    )


# My training ---------------------------------------------------------------------------------------


def test_my_training_shows_records_competence_and_supervision(login, clinician, colleague, lead):
    TrainingRecordFactory(
        user=clinician,
        competency=competency("pain-neuroscience-education"),
        level=Level.INDEPENDENT,
        verified_by=lead,
        verified_at=datetime(2026, 2, 1, 9, 0, tzinfo=LONDON),
    )
    # Lapsed on 20 November: practising under supervision today, whatever it recorded.
    TrainingRecordFactory(
        user=clinician, level=Level.INDEPENDENT, completed_on=date(2024, 11, 20), renews_on=date(2026, 11, 20)
    )
    TrainingRecordFactory(
        user=clinician,
        competency=competency("graded-exposure"),
        completed_on=date(2026, 1, 5),
        renews_on=date(2026, 12, 31),
    )
    _session(colleague, [clinician], datetime(2026, 11, 30, 23, 30, tzinfo=LONDON), minutes=45)
    _session(colleague, [clinician], datetime(2026, 12, 1, 8, 0, tzinfo=LONDON), minutes=20)
    _session(colleague, [clinician], datetime(2026, 10, 31, 23, 30, tzinfo=LONDON), minutes=90)
    since = _last_event()

    response = login(clinician).get(reverse("training_mine"))

    assert response.status_code == 200
    page = response.context["t"]
    text = response.content.decode()
    competence = {row.competency.code: (row.level, row.lapsed, row.covered) for row in page.competence}
    assert competence == {
        "pain-neuroscience-education": (Level.INDEPENDENT, False, True),
        "graded-exposure": (Level.TRAINED, False, True),
        # 45 minutes last month against the clinic's 60: under supervision, and not covered.
        "motivational-interviewing": (Level.UNDER_SUPERVISION, True, False),
    }
    summary = page.supervision
    assert (summary.this_month_minutes, summary.last_month_minutes, summary.expected) == (20, 45, 60)
    assert "lapsed" in text and "renewal due in 30 days" in text
    assert "awaiting verification" in text and "below expected" in text
    assert response.context["page"].paginator.count == 3
    assert ("training records", str(clinician.pk)) in _events(clinician, VIEW, since)
    assert len(_events(clinician, VIEW, since, "supervisionsession")) == 3


def test_my_training_counts_a_team_setting_for_the_expected_amount(login, clinician, north):
    north.supervision_minutes_per_month = 30
    north.save(update_fields=["supervision_minutes_per_month"])
    response = login(clinician).get(reverse("training_mine"))
    assert response.context["t"].supervision.expected == 30


def test_my_training_links_to_adding_a_record_and_logging_supervision(login, clinician):
    text = login(clinician).get(reverse("training_mine")).content.decode()
    assert reverse("training_record_add") in text and reverse("supervision_new") in text


def test_the_account_menu_links_to_my_training(login, clinician):
    response = login(clinician).get(reverse("patient_list"))
    assert f'href="{reverse("training_mine")}"' in response.content.decode()


def test_my_training_query_count_does_not_grow_with_records_or_sessions(
    login, clinician, colleague, django_assert_max_num_queries
):
    client = login(clinician)

    def queries_for_page() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("training_mine")).status_code == 200
        return len(captured)

    TrainingRecordFactory(user=clinician)
    _session(colleague, [clinician], datetime(2026, 11, 3, 10, 0, tzinfo=LONDON))
    few = queries_for_page()
    for code in ("graded-exposure", "suicide-risk-assessment", "acceptance-commitment-therapy"):
        TrainingRecordFactory(user=clinician, competency=competency(code), renews_on=date(2027, 1, 1))
    for day in range(4, 12):
        session = _session(colleague, [clinician], datetime(2026, 11, day, 10, 0, tzinfo=LONDON))
        session.competencies.set([competency("graded-exposure"), competency("motivational-interviewing")])
    assert queries_for_page() == few
    with django_assert_max_num_queries(few):
        client.get(reverse("training_mine"))


# A colleague's training -------------------------------------------------------------------------------


def test_a_teammate_sees_a_colleagues_training_audited(login, clinician, colleague):
    TrainingRecordFactory(user=colleague, competency=competency("acceptance-commitment-therapy"))
    since = _last_event()
    response = login(clinician).get(reverse("training_person", kwargs={"user_id": colleague.pk}))
    assert response.status_code == 200
    assert "Acceptance and commitment therapy" in response.content.decode()
    assert ("training records", str(colleague.pk)) in _events(clinician, VIEW, since)
    assert not response.context["may_verify"]
    assert "/verify/" not in response.content.decode()


def test_a_clinician_outside_the_members_teams_gets_404_audited(login, outsider, colleague):
    TrainingRecordFactory(user=colleague, course_or_evidence="Certificate 1234")
    since = _last_event()
    response = login(outsider).get(reverse("training_person", kwargs={"user_id": colleague.pk}))
    assert response.status_code == 404
    assert "Certificate 1234" not in response.content.decode()
    assert _events(outsider, DENIED, since) == [("training records", str(colleague.pk))]
    assert _events(outsider, VIEW, since) == []


def test_an_unknown_clinician_is_the_same_404(login, outsider):
    assert login(outsider).get(reverse("training_person", kwargs={"user_id": 999_999})).status_code == 404


def test_ones_own_training_page_is_my_training(login, clinician):
    response = login(clinician).get(reverse("training_person", kwargs={"user_id": clinician.pk}))
    assert response.status_code == 302 and response.url == reverse("training_mine")


def test_a_lead_verifies_a_record_of_their_team(login, lead, clinician):
    record = TrainingRecordFactory(user=clinician)
    client = login(lead)
    page = client.get(reverse("training_person", kwargs={"user_id": clinician.pk}))
    verify = reverse("training_record_verify", kwargs={"record_id": record.pk})
    assert page.context["may_verify"] and verify in page.content.decode()
    since = _last_event()
    response = client.post(verify)
    assert response.status_code == 302
    assert response.url == reverse("training_person", kwargs={"user_id": clinician.pk})
    record.refresh_from_db()
    assert record.verified_by == lead and record.verified_at is not None
    assert _events(lead, AuditEvent.Action.UPDATE, since) == [("trainingrecord", str(record.pk))]
    after = client.get(reverse("training_person", kwargs={"user_id": clinician.pk})).content.decode()
    assert verify not in after and "awaiting verification" not in after


@pytest.mark.parametrize("who", ["clinician", "colleague"])
def test_only_a_lead_verifies(request, login, who, clinician, colleague):
    record = TrainingRecordFactory(user=clinician if who == "colleague" else colleague)
    user = request.getfixturevalue(who)
    response = login(user).post(reverse("training_record_verify", kwargs={"record_id": record.pk}))
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.verified_at is None


def test_a_lead_of_another_team_cannot_verify_or_see(login, outsider, clinician, south):
    Membership.objects.filter(user=outsider).update(role=Membership.Role.LEAD)
    record = TrainingRecordFactory(user=clinician)
    response = login(outsider).post(reverse("training_record_verify", kwargs={"record_id": record.pk}))
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.verified_at is None


def test_verifying_takes_post_only(login, lead, clinician):
    record = TrainingRecordFactory(user=clinician)
    assert (
        login(lead).get(reverse("training_record_verify", kwargs={"record_id": record.pk})).status_code == 405
    )


def test_a_colleagues_page_query_count_does_not_grow(
    login, lead, clinician, colleague, django_assert_max_num_queries
):
    client = login(lead)
    url = reverse("training_person", kwargs={"user_id": clinician.pk})
    TrainingRecordFactory(user=clinician)
    _session(colleague, [clinician], datetime(2026, 11, 1, 10, 0, tzinfo=LONDON))
    with django_assert_max_num_queries(17) as captured:
        client.get(url)
    few = len(captured)
    for code in ("graded-exposure", "suicide-risk-assessment", "acceptance-commitment-therapy"):
        TrainingRecordFactory(user=clinician, competency=competency(code))
    for day in range(2, 9):
        _session(colleague, [clinician], datetime(2026, 11, day, 10, 0, tzinfo=LONDON))
    with django_assert_max_num_queries(few):
        client.get(url)


# Adding and correcting one's own record ---------------------------------------------------------------


def _record_data(**changes):
    return {
        "competency": competency("graded-exposure").pk,
        "course_or_evidence": "Graded exposure workshop, 2 days",
        "completed_on": "2026-05-01",
        "level": Level.UNDER_SUPERVISION,
        "renews_on": "2028-05-01",
    } | changes


def test_a_clinician_adds_their_own_record(login, clinician):
    since = _last_event()
    response = login(clinician).post(reverse("training_record_add"), _record_data())
    assert response.status_code == 302 and response.url == reverse("training_mine")
    record = TrainingRecord.objects.get(user=clinician)
    assert (record.level, record.renews_on, record.verified_at) == (
        Level.UNDER_SUPERVISION,
        date(2028, 5, 1),
        None,
    )
    assert _events(clinician, AuditEvent.Action.CREATE, since) == [("trainingrecord", str(record.pk))]


def test_the_record_form_answers_each_field(login, clinician):
    response = login(clinician).post(
        reverse("training_record_add"),
        _record_data(
            course_or_evidence="", completed_on="2026-05-01", renews_on="2026-04-01", level="expert"
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"course_or_evidence", "renews_on", "level"}
    assert errors["renews_on"] == ["The renewal date comes after the date completed."]
    assert not TrainingRecord.objects.exists()


def test_a_completion_date_in_the_future_is_refused(login, clinician):
    response = login(clinician).post(
        reverse("training_record_add"), _record_data(completed_on="2026-12-02", renews_on="")
    )
    assert set(response.context["form"].errors) == {"completed_on"}


def test_changing_a_verified_record_withdraws_its_verification_and_says_so(login, clinician, lead):
    record = TrainingRecordFactory(
        user=clinician, verified_by=lead, verified_at=datetime(2026, 2, 1, 9, 0, tzinfo=LONDON)
    )
    client = login(clinician)
    url = reverse("training_record_edit", kwargs={"record_id": record.pk})
    page = client.get(url).content.decode()
    assert "no longer verified" in page
    data = _record_data(
        competency=record.competency.pk,
        course_or_evidence=record.course_or_evidence,
        completed_on="2026-01-10",
        level=Level.INDEPENDENT,
        renews_on="",
    )
    response = client.post(url, data, follow=True)
    record.refresh_from_db()
    assert record.level == Level.INDEPENDENT and record.verified_at is None and record.verified_by is None
    assert "no longer verified" in response.content.decode()


def test_saving_a_record_unchanged_keeps_its_verification(login, clinician, lead):
    record = TrainingRecordFactory(
        user=clinician, verified_by=lead, verified_at=datetime(2026, 2, 1, 9, 0, tzinfo=LONDON)
    )
    data = _record_data(
        competency=record.competency.pk,
        course_or_evidence=record.course_or_evidence,
        completed_on="2026-01-10",
        level=record.level,
        renews_on="",
    )
    login(clinician).post(reverse("training_record_edit", kwargs={"record_id": record.pk}), data)
    record.refresh_from_db()
    assert record.verified_by == lead


def test_a_teammate_cannot_edit_a_record_and_an_outsider_does_not_find_it(
    login, clinician, colleague, outsider
):
    record = TrainingRecordFactory(user=clinician)
    url = reverse("training_record_edit", kwargs={"record_id": record.pk})
    assert login(colleague).get(url).status_code == 403
    assert login(colleague).post(url, _record_data()).status_code == 403
    assert login(outsider).get(url).status_code == 404
    record.refresh_from_db()
    assert record.competency.code == "motivational-interviewing"


# Supervision ------------------------------------------------------------------------------------------


def _session_data(supervisee, **changes):
    return {
        "supervisor": "",
        "supervisees": [supervisee.pk],
        "held_at": "2026-11-30T16:00",
        "minutes": "60",
        "format": SupervisionSession.Format.INDIVIDUAL,
        "competencies": [competency("cbt-informed-practice").pk],
        "cases_discussed": "MRN-1001, MRN-1002",
        "learning_points": "Use thought records with the fear-avoidant patient.",
    } | changes


def test_a_supervisor_logs_a_session(login, colleague, clinician):
    since = _last_event()
    response = login(colleague).post(
        reverse("supervision_new"), _session_data(clinician, supervisor=colleague.pk)
    )
    session = SupervisionSession.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("supervision_detail", kwargs={"supervision_id": session.pk})
    assert session.supervisor == colleague and list(session.supervisees.all()) == [clinician]
    assert session.held_at == datetime(2026, 11, 30, 16, 0, tzinfo=LONDON)
    assert [c.code for c in session.competencies.all()] == ["cbt-informed-practice"]
    assert _events(colleague, AuditEvent.Action.CREATE, since) == [("supervisionsession", str(session.pk))]


def test_the_supervisor_defaults_to_whoever_logs_and_choices_are_their_teams(
    login, clinician, colleague, lead, outsider
):
    form = login(clinician).get(reverse("supervision_new")).context["form"]
    assert form["supervisor"].value() == clinician.pk
    people = set(form.fields["supervisees"].queryset.values_list("username", flat=True))
    assert people == {"physio", "psych", "lead"}
    assert "outsider" not in people


def test_the_supervision_form_answers_each_field(login, clinician, colleague, outsider):
    response = login(clinician).post(
        reverse("supervision_new"),
        _session_data(
            outsider,
            supervisor=colleague.pk,
            held_at="2026-12-02T09:00",
            minutes="0",
            cases_discussed="Amelia Okafor",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"supervisees", "held_at", "minutes", "cases_discussed"}
    assert "MRN" in errors["cases_discussed"][0]
    assert not SupervisionSession.objects.exists()


def test_one_logs_only_supervision_one_gave_or_received(login, clinician, colleague, lead):
    response = login(clinician).post(reverse("supervision_new"), _session_data(lead, supervisor=colleague.pk))
    assert set(response.context["form"].errors) == {"supervisor"}
    assert not SupervisionSession.objects.exists()


def test_individual_supervision_has_one_supervisee(login, colleague, clinician, lead):
    response = login(colleague).post(
        reverse("supervision_new"),
        _session_data(clinician, supervisor=colleague.pk, supervisees=[clinician.pk, lead.pk]),
    )
    assert response.context["form"].errors["supervisees"] == ["Individual supervision has one supervisee."]


def test_supervision_notes_for_the_people_in_it_and_leads_only(
    request, login, clinician, colleague, lead, outsider, north
):
    other = UserFactory(username="ot")
    MembershipFactory(team=north, user=other)
    session = _session(colleague, [clinician], datetime(2026, 11, 10, 14, 0, tzinfo=LONDON))
    session.learning_points = "Pace the exposure hierarchy"
    session.save(update_fields=["learning_points"])
    url = reverse("supervision_detail", kwargs={"supervision_id": session.pk})
    for user in (colleague, clinician, lead):
        since = _last_event()
        response = login(user).get(url)
        assert response.status_code == 200, user
        assert "Pace the exposure hierarchy" in response.content.decode()
        assert _events(user, VIEW, since) == [("supervisionsession", str(session.pk))]
    for user in (other, outsider):
        since = _last_event()
        response = login(user).get(url)
        assert response.status_code == 404, user
        assert "Pace the exposure hierarchy" not in response.content.decode()
        assert _events(user, DENIED, since) == [("supervisionsession", str(session.pk))]


def test_the_supervision_list_shows_what_one_may_read_audited(login, clinician, colleague, lead, north):
    other = UserFactory(username="ot")
    MembershipFactory(team=north, user=other)
    mine = _session(colleague, [clinician], datetime(2026, 11, 10, 14, 0, tzinfo=LONDON))
    theirs = _session(colleague, [other], datetime(2026, 11, 11, 14, 0, tzinfo=LONDON))
    since = _last_event()
    response = login(clinician).get(reverse("supervision_list"))
    assert list(response.context["page"]) == [mine]
    assert _events(clinician, VIEW, since) == [("supervisionsession", str(mine.pk))]
    assert {s.pk for s in login(lead).get(reverse("supervision_list")).context["page"]} == {
        mine.pk,
        theirs.pk,
    }


def test_the_supervision_list_paginates_with_a_fixed_query_count(
    login, clinician, colleague, lead, django_assert_max_num_queries
):
    client = login(lead)
    _session(colleague, [clinician], datetime(2026, 11, 1, 10, 0, tzinfo=LONDON))
    with django_assert_max_num_queries(14) as captured:
        client.get(reverse("supervision_list"))
    few = len(captured)
    start = datetime(2026, 6, 1, 10, 0, tzinfo=LONDON)
    for n in range(25):
        session = _session(colleague, [clinician, lead], start + timedelta(days=n), format="group")
        session.competencies.set([competency("graded-exposure")])
    with django_assert_max_num_queries(few):
        response = client.get(reverse("supervision_list"))
    assert response.context["page"].paginator.count == 26 and len(response.context["page"].object_list) == 20
    assert len(client.get(reverse("supervision_list"), {"page": 2}).context["page"].object_list) == 6


def test_a_clinic_admin_corrects_a_record_and_returns_to_that_persons_training(
    login, clinic_admin, clinician
):
    record = TrainingRecordFactory(user=clinician)
    data = _record_data(competency=record.competency.pk, completed_on="2026-01-10", renews_on="")
    response = login(clinic_admin).post(
        reverse("training_record_edit", kwargs={"record_id": record.pk}), data
    )
    assert response.status_code == 302
    assert response.url == reverse("training_person", kwargs={"user_id": clinician.pk})
    record.refresh_from_db()
    assert record.course_or_evidence == "Graded exposure workshop, 2 days"
