"""The plan's psychological support (who delivers it, in what modality, how often), and a change's reason
in the plan's history."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from careplans.models import CarePlan, Responsibility, SupportModality
from careplans.selectors import plan_timeline
from careplans.services import part_create, part_update
from teams.models import AuditEvent

from .factories import START, make_plan


def _support_url(plan):
    return reverse("plan_support", kwargs={"patient_id": plan.patient_id, "plan_id": plan.pk})


def _agree(client, plan, **fields):
    data = {
        "version": plan.version,
        "support_by": "",
        "support_modality": "",
        "support_frequency": "",
    } | fields
    return client.post(_support_url(plan), data)


def test_support_is_agreed_on_its_page_and_shown_on_the_plan_and_overview(
    login, clinician, colleague, patient
):
    plan = make_plan(patient, clinician)
    client = login(clinician)
    response = _agree(
        client,
        plan,
        support_by=colleague.pk,
        support_modality=SupportModality.TELEHEALTH,
        support_frequency="weekly for 6 weeks",
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.support_by, plan.support_modality, plan.support_frequency) == (
        colleague,
        SupportModality.TELEHEALTH,
        "weekly for 6 weeks",
    )
    assert plan.version == 2
    assert AuditEvent.objects.filter(
        object_type="careplan", patient=patient, changed_fields__contains=["support_by"]
    ).exists()

    page = client.get(plan.get_absolute_url()).text
    assert "Psychological support" in page
    assert "One-to-one, by video or phone" in page
    assert "weekly for 6 weeks" in page
    overview = client.get(patient.get_absolute_url()).text
    assert colleague.get_full_name() in overview
    assert "One-to-one, by video or phone" in overview


def test_support_not_agreed_reads_so_on_the_plan_overview_and_print(login, clinician, patient):
    plan = make_plan(patient, clinician)
    client = login(clinician)
    assert client.get(plan.get_absolute_url()).text.count("not agreed yet") == 3
    assert client.get(patient.get_absolute_url()).text.count("not agreed yet") == 3
    printed = client.get(reverse("careplan_print", kwargs={"patient_id": patient.pk, "plan_id": plan.pk}))
    assert "We have not agreed this with you yet." in printed.text


def test_the_print_says_the_support_in_plain_words(login, clinician, colleague, patient):
    plan = make_plan(patient, clinician)
    part_update(
        instance=plan,
        data={
            "support_by": colleague,
            "support_modality": SupportModality.INTEGRATED,
            "support_frequency": "every session",
        },
        expected_version=plan.version,
        user=clinician,
    )
    printed = login(clinician).get(
        reverse("careplan_print", kwargs={"patient_id": patient.pk, "plan_id": plan.pk})
    )
    expected = (
        f"{colleague.get_full_name()} (psychologist) will support you as part of your physiotherapy "
        "sessions, every session."
    )
    assert expected in printed.text


def test_support_by_someone_outside_the_team_is_refused_by_the_model(clinician, outsider, patient):
    plan = make_plan(patient, clinician)
    with pytest.raises(ValidationError) as refused:
        part_update(
            instance=plan, data={"support_by": outsider}, expected_version=plan.version, user=clinician
        )
    assert "not a member of North MSK" in refused.value.message_dict["support_by"][0]
    plan.refresh_from_db()
    assert plan.support_by is None and plan.version == 1


def test_the_page_answers_each_field_and_saves_nothing(login, clinician, outsider, patient):
    plan = make_plan(patient, clinician)
    response = _agree(login(clinician), plan, support_by=outsider.pk, support_modality="carrier_pigeon")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["support_by"] == ["Choose a member of North MSK, the patient's team."]
    assert "support_modality" in errors
    response = _agree(login(clinician), plan, support_frequency="weekly")
    assert response.context["form"].errors["support_by"] == [
        "Say who delivers the support, or leave its modality and frequency empty."
    ]
    plan.refresh_from_db()
    assert plan.version == 1 and plan.support_frequency == ""


def test_a_stale_support_edit_never_undoes_a_colleagues(login, clinician, colleague, lead, patient):
    plan = make_plan(patient, clinician)
    loaded_at = plan.version
    part_update(
        instance=plan,
        data={"support_by": colleague, "support_frequency": "weekly"},
        expected_version=loaded_at,
        user=colleague,
    )
    response = _agree(
        login(clinician),
        plan,
        version=loaded_at,
        support_by=lead.pk,
        support_modality=SupportModality.GROUP,
        support_frequency="fortnightly",
    )
    # Both changed who and how often: nothing is saved until the clinician chooses.
    assert response.status_code == 200
    assert response.context["conflict"] is not None
    assert {clash.field for clash in response.context["conflict"].clashes} == {
        "support_by",
        "support_frequency",
    }
    plan.refresh_from_db()
    assert (plan.support_by, plan.support_frequency, plan.support_modality) == (colleague, "weekly", "")


def test_an_outsider_gets_404_for_the_support_page(login, clinician, outsider, patient):
    plan = make_plan(patient, clinician)
    client = login(outsider)
    assert client.get(_support_url(plan)).status_code == 404
    assert _agree(client, plan, support_frequency="weekly").status_code == 404
    assert not CarePlan.objects.filter(support_frequency="weekly").exists()


def test_a_change_with_a_reason_shows_it_in_the_plans_history(clinician, colleague, patient):
    plan = make_plan(patient, clinician)
    added = part_create(
        instance=Responsibility(
            plan=plan,
            intervention="graded_exposure",
            owner=colleague,
            discipline=colleague.discipline,
            frequency="weekly",
            starts_on=START,
        ),
        user=colleague,
        reason="Psychosocial review: PCS 34, high catastrophizing",
    )
    part_update(instance=added, data={"frequency": "twice a week"}, expected_version=1, user=clinician)
    timeline = plan_timeline(plan=plan)
    by_what = {(entry.what, entry.who): entry.reason for entry in timeline}
    assert by_what[("added responsibility: Graded exposure", colleague)] == (
        "Psychosocial review: PCS 34, high catastrophizing"
    )
    # A later change without one has none.
    assert by_what[("changed responsibility: Graded exposure", clinician)] == ""


def test_a_long_reason_is_kept_shortened_not_refused(clinician, patient):
    plan = make_plan(patient, clinician)
    part_update(
        instance=plan,
        data={"support_frequency": "weekly"},
        expected_version=1,
        user=clinician,
        reason="Psychosocial review: " + "x" * 200,
    )
    reason = plan_timeline(plan=plan)[0].reason
    assert len(reason) == 100 and reason.startswith("Psychosocial review: x") and reason.endswith("…")


def test_the_history_page_shows_the_reason(login, clinician, patient):
    plan = make_plan(patient, clinician)
    part_update(
        instance=plan,
        data={"support_frequency": "weekly"},
        expected_version=1,
        user=clinician,
        reason="Psychosocial review: PHQ-9 12",
    )
    assert "Reason: Psychosocial review: PHQ-9 12" in login(clinician).get(plan.get_absolute_url()).text


def test_the_overview_lists_who_does_what_latest_first_and_points_to_the_rest(
    login, clinician, colleague, patient
):
    from datetime import timedelta

    plan = make_plan(patient, clinician)
    for day in range(9):
        part_create(
            instance=Responsibility(
                plan=plan,
                intervention="graded_exposure" if day == 8 else "exercise_therapy",
                owner=colleague if day == 8 else clinician,
                discipline=colleague.discipline if day == 8 else clinician.discipline,
                frequency=f"step {day}",
                starts_on=START + timedelta(days=day),
            ),
            user=clinician,
        )
    stopped = Responsibility.objects.get(frequency="step 7")
    part_update(instance=stopped, data={"status": "stopped"}, expected_version=1, user=clinician)
    section = login(clinician).get(patient.get_absolute_url()).text.split('id="plan-heading"')[1]
    section = section.split("</section>")[0]
    assert section.index("Graded exposure") < section.index("step 6")
    assert "step 7" not in section  # stopped
    assert "step 0" in section and "More in the plan" not in section

    part_create(
        instance=Responsibility(
            plan=plan,
            intervention="relaxation",
            owner=colleague,
            discipline=colleague.discipline,
            frequency="step 9",
            starts_on=START,
        ),
        user=clinician,
    )
    section = login(clinician).get(patient.get_absolute_url()).text.split('id="plan-heading"')[1]
    section = section.split("</section>")[0]
    assert "More in the plan" in section
    # Eight of the nine still running: the earliest (started first, added first) is left to the plan.
    assert "step 9" in section and "step 0" not in section
