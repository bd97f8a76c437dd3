"""Care preferences: recorded and changed on their page (versioned, merged, audited, in history), shown at
the top of the plan, and steering the modality of a template's proposals."""

from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careplans import preferences as steering
from careplans.catalogue import CATALOGUE
from careplans.models import CarePreferences, Modality, PlanTemplate, Responsibility
from careplans.services import EditConflict, part_update, preferences_save
from teams.models import AuditEvent

from .factories import make_plan

FORM = {
    "modalities": ["video", "phone"],
    "first_choice": "video",
    "pacing": "little",
    "progression": "slow",
    "forms_confidence": "a_little",
    "interpreter_needed": "on",
    "language": "Polish",
    "cultural_considerations": "Prefers a female clinician",
    "contact_days": ["0", "2"],
    "contact_from": "10:00",
    "contact_until": "16:00",
    "what_matters": "Playing with my grandchildren",
}


def _url(patient):
    return reverse("care_preferences", kwargs={"patient_id": patient.pk})


def test_recording_preferences_on_their_page_keeps_the_order_and_audits(login, clinician, patient):
    response = login(clinician).post(_url(patient), FORM | {"first_choice": "phone"})
    assert response.status_code == 302
    stored = CarePreferences.objects.get(patient=patient)
    assert stored.modalities == ["phone", "video"]
    assert stored.contact_days == [0, 2]
    assert (stored.contact_from, stored.contact_until) == (time(10), time(16))
    assert stored.literacy_limited
    assert AuditEvent.objects.filter(
        actor=clinician, patient=patient, action=AuditEvent.Action.CREATE, object_type="carepreferences"
    ).exists()


def test_a_change_is_kept_in_the_history_with_who_and_what(login, clinician, colleague, patient):
    login(clinician).post(_url(patient), FORM)
    client = login(colleague)
    client.post(_url(patient), FORM | {"version": "1", "modalities": ["in_person"], "first_choice": ""})
    history = client.get(_url(patient)).context["history"]
    assert [entry.who for entry in history] == [colleague, clinician]
    changes = {change.label: (change.before, change.after) for change in history[0].changes}
    assert changes == {"preferred ways of receiving care": ("Video, Phone", "In person")}
    recorded = {change.label: change.after for change in history[1].changes}
    assert recorded["best days to be contacted"] == "Monday, Wednesday"
    assert recorded["contact from"] == "10:00"
    page = client.get(_url(patient)).text
    assert "Video, Phone → In person" in page
    assert AuditEvent.objects.filter(
        actor=colleague, action=AuditEvent.Action.UPDATE, object_type="carepreferences"
    ).exists()


def test_two_editors_changing_different_fields_both_keep_theirs(clinician, colleague, patient):
    preferences_save(patient=patient, user=clinician, data={"pacing": "little"}, expected_version=0)
    preferences_save(patient=patient, user=colleague, data={"language": "Welsh"}, expected_version=1)
    merged = preferences_save(
        patient=patient, user=clinician, data={"pacing": "little", "what_matters": "Work"}, expected_version=1
    )
    assert (merged.language, merged.what_matters, merged.version) == ("Welsh", "Work", 3)


def test_two_editors_changing_the_same_field_is_a_conflict_on_the_page(login, clinician, colleague, patient):
    preferences_save(patient=patient, user=clinician, data={"language": "Polish"}, expected_version=0)
    preferences_save(patient=patient, user=colleague, data={"language": "Welsh"}, expected_version=1)
    with pytest.raises(EditConflict):
        preferences_save(patient=patient, user=clinician, data={"language": "Urdu"}, expected_version=1)
    response = login(clinician).post(_url(patient), {"version": "1", "language": "Urdu"})
    assert response.status_code == 200
    assert "while you were editing" in response.text
    assert CarePreferences.objects.get(patient=patient).language == "Welsh"


def test_recording_for_the_first_time_after_someone_else_did_is_a_conflict(clinician, colleague, patient):
    preferences_save(patient=patient, user=colleague, data={"language": "Welsh"}, expected_version=0)
    with pytest.raises(EditConflict):
        preferences_save(patient=patient, user=clinician, data={"language": "Urdu"}, expected_version=0)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"contact_from": "10:00"}, "contact_until", "Give both times"),
        ({"contact_until": "10:00"}, "contact_from", "Give both times"),
        ({"contact_from": "20:00", "contact_until": "08:00"}, "contact_until", "not across midnight"),
        ({"contact_from": "10:00", "contact_until": "10:00"}, "contact_until", "after the start"),
        ({"interpreter_needed": "on"}, "language", "which language"),
        ({"modalities": ["phone"], "first_choice": "video"}, "first_choice", "Tick this way"),
    ],
)
def test_the_form_answers_each_mistake_by_its_field(login, clinician, patient, fields, field, message):
    response = login(clinician).post(_url(patient), fields)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not CarePreferences.objects.exists()


def test_the_page_asks_the_literacy_question_and_shows_its_source(login, clinician, patient):
    login(clinician).post(_url(patient), FORM)
    page = login(clinician).get(_url(patient)).text
    assert "How confident are you filling out medical forms by yourself?" in page
    assert "Chew LD" in page and "332 veterans" in page
    assert "limited health literacy</strong>, plain-language material" in page


def test_an_outsider_cannot_see_or_record_preferences(login, outsider, patient):
    client = login(outsider)
    assert client.get(_url(patient)).status_code == 404
    assert client.post(_url(patient), FORM).status_code == 404
    assert not CarePreferences.objects.exists()


def test_the_plan_page_shows_them_at_the_top_or_asks_to_record_them(login, clinician, patient):
    plan = make_plan(patient, clinician)
    client = login(clinician)
    page = client.get(plan.get_absolute_url()).text
    assert "Not recorded yet" in page and "Record preferences" in page
    client.post(_url(patient), FORM)
    page = client.get(plan.get_absolute_url()).text
    top = page.index("preferences-heading")
    assert top < page.index("summary-heading")
    for shown in (
        "Video, Phone",
        "Limited: use plain-language material",
        "Interpreter needed</strong>: Polish",
        "Monday, Wednesday, 10:00–16:00",
        "Prefers a female clinician",
        "Playing with my grandchildren",
        "A little at a time; progress slowly",
        "Change preferences",
    ):
        assert shown in page


def test_template_proposals_take_the_preferred_modality_where_offered(clinician, patient):
    preferences_save(
        patient=patient, user=clinician, data={"modalities": ["phone", "video"]}, expected_version=0
    )
    template = PlanTemplate.objects.create(
        name="Remote",
        stratum="medium",
        description="",
        interventions=["pain_education", "graded_exposure", "manual_therapy"],
    )
    plan = make_plan(patient, clinician, template=template)
    modalities = dict(plan.responsibilities.values_list("intervention", "modality"))
    # Phone first where offered; graded exposure is not offered by phone but by video; manual therapy
    # only in person, which goes against the preference and is flagged on the plan.
    assert modalities == {
        "pain_education": "phone",
        "graded_exposure": "video",
        "manual_therapy": "in_person",
    }


def test_the_plan_flags_a_responsibility_delivered_against_the_preference(login, clinician, patient):
    preferences_save(patient=patient, user=clinician, data={"modalities": ["video"]}, expected_version=0)
    template = PlanTemplate.objects.create(
        name="Hands on", stratum="low", description="", interventions=["manual_therapy", "pain_education"]
    )
    plan = make_plan(patient, clinician, template=template)
    page = login(clinician).get(plan.get_absolute_url()).text
    # Pain education is proposed by video; manual therapy is only offered in person.
    assert page.count("Against a preference") == 1
    assert "Delivered in person: Amelia prefers video." in page
    plan.responsibilities.filter(intervention="pain_education").update(modality="phone")
    page = login(clinician).get(plan.get_absolute_url()).text
    assert "Delivered by phone: Amelia prefers video." in page


def test_without_preferences_proposals_are_the_usual_way_and_flag_nothing():
    assert steering.modality_for("manual_therapy", None) == steering.Proposal("in_person")
    assert steering.modality_conflict("phone", None) == ""
    assert steering.support_modality_for("group", None) == steering.Proposal("group")


def test_the_responsibility_form_offers_the_modality(login, clinician, patient):
    plan = make_plan(patient, clinician)
    url = reverse(
        "careplan_part_new", kwargs={"patient_id": patient.pk, "plan_id": plan.pk, "part": "responsibility"}
    )
    client = login(clinician)
    assert "modality" in client.get(url).context["form"].fields
    client.post(
        url,
        {
            "intervention": "pain_education",
            "owner": clinician.pk,
            "discipline": "physiotherapist",
            "frequency": "weekly",
            "modality": "group",
            "starts_on": plan.start_date.isoformat(),
            "status": "planned",
        },
    )
    assert Responsibility.objects.get(plan=plan).modality == "group"


def _print(client, plan):
    url = reverse("careplan_print", kwargs={"patient_id": plan.patient_id, "plan_id": plan.pk})
    return client.get(url).text


def test_limited_literacy_prints_the_plain_language_version(login, clinician, patient):
    template = PlanTemplate.objects.create(
        name="Education", stratum="low", description="", interventions=["pain_education", "graded_exposure"]
    )
    plan = make_plan(patient, clinician, template=template)
    client = login(clinician)
    usual = _print(client, plan)
    assert "Plain-language version" not in usual
    assert "Pain education" in usual and "Learning how pain works" not in usual
    preferences_save(
        patient=patient, user=clinician, data={"forms_confidence": "somewhat"}, expected_version=0
    )
    plain = _print(client, plan)
    assert "Plain-language version." in plain
    assert "Learning how pain works" in plain and "Pain education" not in plain
    assert "Doing feared movements again, step by step" in plain
    assert "Help with how you feel" in plain


def test_confident_with_forms_prints_the_usual_version(login, clinician, patient):
    plan = make_plan(patient, clinician)
    preferences_save(
        patient=patient, user=clinician, data={"forms_confidence": "quite_a_bit"}, expected_version=0
    )
    assert "Plain-language version" not in _print(login(clinician), plan)


def test_every_catalogue_intervention_has_modalities_and_plain_words():

    for intervention in CATALOGUE.values():
        assert intervention.plain, intervention.code
        assert intervention.modalities and set(intervention.modalities) <= set(Modality.values)


def test_the_plans_api_shows_the_preferences_read_only(api_as, clinician, patient):
    plan = make_plan(patient, clinician)
    api = api_as(clinician)
    url = reverse("api_patient_care_plan", kwargs={"patient_id": patient.pk})
    assert api.get(url).json()["preferences"] is None
    preferences_save(
        patient=patient,
        user=clinician,
        data={"modalities": ["phone", "video"], "forms_confidence": "not_at_all", "contact_days": [4]},
        expected_version=0,
    )
    body = api.get(url).json()
    assert body["id"] == plan.pk
    shown = body["preferences"]
    assert shown["modalities"] == ["phone", "video"]
    assert shown["literacy_limited"] is True
    assert (shown["contact_days"], shown["version"]) == ([4], 1)


def test_the_plan_page_flags_psychological_support_against_the_preference(
    login, clinician, colleague, patient
):

    plan = make_plan(patient, clinician)
    part_update(
        instance=plan,
        data={"support_by": colleague, "support_modality": "group"},
        expected_version=plan.version,
        user=clinician,
    )
    preferences_save(
        patient=patient, user=clinician, data={"modalities": ["video", "phone"]}, expected_version=0
    )
    page = login(clinician).get(plan.get_absolute_url()).text
    assert "Psychological support (group programme): Amelia prefers video or phone." in page
    part_update(
        instance=plan.__class__.objects.get(pk=plan.pk),
        data={"support_modality": "telehealth"},
        expected_version=plan.version + 1,
        user=clinician,
    )
    assert "Against a preference" not in login(clinician).get(plan.get_absolute_url()).text


def test_the_preferences_page_reads_the_same_queries_for_2_or_20_changes(
    login, clinician, colleague, patient, django_assert_max_num_queries
):

    make_plan(patient, clinician)
    preferences_save(patient=patient, user=clinician, data={"language": "Welsh"}, expected_version=0)
    client = login(colleague)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(patient)).status_code == 200
    for version in range(1, 19):
        preferences_save(
            patient=patient,
            user=colleague,
            data={"what_matters": f"Goal {version}"},
            expected_version=version,
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(_url(patient))
    assert len(response.context["history"]) == 19
