"""Screening entry shows where you are, a prorated total is confirmed before it is saved, and the result
page reads like the questionnaire (issue 18)."""

import pytest
from django.urls import reverse

from screening.batteries import batteries_ensure
from screening.models import Battery, ItemWording, Screening
from screening.services import ProratingUnconfirmed, battery_record, screening_record
from teams.models import AuditEvent

from .factories import phq9, record


@pytest.fixture(autouse=True)
def batteries(db):
    # Transactional tests elsewhere empty the tables, data migrations included.
    batteries_ensure(Battery)


def _new(patient, **params):
    url = reverse("screening_new", kwargs={"patient_id": patient.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _phq9_post(*, blank=(), **extra):
    answers = {f"PHQ-9:{n}": "1" for n in range(1, 10) if n not in blank}
    return {"instrument": "PHQ-9", "timepoint": "intake"} | answers | extra


# --- the entry page ---------------------------------------------------------------------------------------


def test_entry_page_has_a_progress_bar_over_every_item_of_the_battery(login, clinician, patient):
    milestone = Battery.objects.get(name="Milestone")
    text = login(clinician).get(_new(patient, battery=milestone.pk)).text
    assert 'id="entry-progress"' in text
    assert "of 50</p>" in text
    assert 'max="50"' in text
    # The definition's prorating limits reach the page, for the live warning.
    assert (
        'data-instrument="PHQ-9" data-prorate-items="1 2 3 4 5 6 7 8" data-max-prorated-missing="2"' in text
    )
    assert 'data-instrument="GAD-7" data-prorate-items="" data-max-prorated-missing="0"' in text
    assert ">Save screening</button>" in text


def test_a_prorated_save_first_lists_the_missing_items_and_saves_nothing(login, clinician, patient):
    response = login(clinician).post(_new(patient), _phq9_post(blank=(3, 5)))
    assert response.status_code == 200
    text = response.text
    assert not Screening.objects.exists()
    assert "2 items not answered: the total will be prorated" in text
    assert "Item 3: Sleep problems" in text
    assert "Item 5: Appetite" in text
    assert "Item 4: Tiredness" not in text
    assert 'name="missing_confirmed" value="PHQ-9:3 PHQ-9:5">Save with 2 items missing</button>' in text
    assert "Nothing was saved" not in text  # a question, not an error
    assert 'value="1" data-score="1" checked' in text  # the answers given are kept


def test_saving_with_the_missing_items_confirmed_stores_the_prorated_total(login, clinician, patient):
    response = login(clinician).post(
        _new(patient), _phq9_post(blank=(3, 5), missing_confirmed="PHQ-9:3 PHQ-9:5")
    )
    screening = Screening.objects.get()
    assert response.status_code == 302 and response.url == screening.get_absolute_url()
    assert screening.answers == {str(n): 1 for n in (1, 2, 4, 6, 7, 8, 9)}
    assert screening.total == 9  # 7 answered of 9, scaled up: 7 * 9 / 7
    assert "prorated" in screening.flags


def test_a_confirmation_covers_only_the_items_it_names(login, clinician, patient):
    client = login(clinician)
    response = client.post(_new(patient), _phq9_post(blank=(3, 5), missing_confirmed="PHQ-9:3"))
    assert response.status_code == 200
    assert not Screening.objects.exists()
    assert 'value="PHQ-9:3 PHQ-9:5">Save with 2 items missing' in response.text
    # Answering one of the confirmed items afterwards is fine: the other was confirmed too.
    client.post(_new(patient), _phq9_post(blank=(5,), missing_confirmed="PHQ-9:3 PHQ-9:5"))
    assert Screening.objects.get().total == 9


def test_too_many_blank_items_are_errors_not_a_question(login, clinician, patient):
    text = login(clinician).post(_new(patient), _phq9_post(blank=(1, 2, 3))).text
    assert "Nothing was saved" in text
    assert "Save with" not in text
    assert 'id="phq-91-error"' in text
    assert not Screening.objects.exists()


def test_a_battery_asks_about_prorating_only_once_every_instrument_scores(login, clinician, patient):
    brief_and_more = Battery.objects.create(name="Two", instruments=["PHQ-9", "GAD-7"], timepoint="adhoc")
    client = login(clinician)
    gad_incomplete = _phq9_post(blank=(3,), battery=brief_and_more.pk) | {"GAD-7:1": "1"}
    text = client.post(_new(patient), gad_incomplete).text
    assert "Nothing was saved" in text and "Save with" not in text
    gad_complete = gad_incomplete | {f"GAD-7:{n}": "0" for n in range(1, 8)}
    text = client.post(_new(patient), gad_complete).text
    assert "1 item not answered: the total will be prorated" in text
    assert 'value="PHQ-9:3">Save with 1 item missing' in text
    client.post(_new(patient), gad_complete | {"missing_confirmed": "PHQ-9:3"})
    assert sorted(Screening.objects.values_list("instrument", flat=True)) == ["GAD-7", "PHQ-9"]


def test_an_outsider_cannot_reach_the_entry_page(login, outsider, patient):
    assert (
        login(outsider).post(_new(patient), _phq9_post(blank=(3,), missing_confirmed="PHQ-9:3")).status_code
        == 404
    )
    assert not Screening.objects.exists()


# --- the one rule, in the service and the API -------------------------------------------------------------


def test_the_service_refuses_unconfirmed_prorating_naming_each_blank_item(clinician, patient):
    with pytest.raises(ProratingUnconfirmed) as refused:
        screening_record(
            patient=patient,
            instrument_code="PHQ-9",
            timepoint="intake",
            answers={k: v for k, v in phq9(1, 1, 1).items() if k != "2"},
            entered_by=clinician,
            missing_confirmed=[],
        )
    assert refused.value.missing == {"PHQ-9": (2,)}
    assert list(refused.value.errors["answers"]) == ["2"]
    assert not Screening.objects.exists()


def test_answers_nobody_can_be_asked_about_are_still_prorated_and_flagged(clinician, patient):
    # A patient's own link or an import passes no confirmation: the "prorated" flag tells the reader.
    [screening] = battery_record(
        patient=patient,
        answers_by_instrument={"PHQ-9": {k: v for k, v in phq9(2, 2).items() if k != "8"}},
        timepoint="intake",
        entered_by=clinician,
    )
    assert "prorated" in screening.flags


def test_the_api_asks_for_the_blank_items_before_storing_a_prorated_total(api_as, clinician, patient):
    url = reverse("api_patient_screenings", kwargs={"patient_id": patient.pk})
    answers = {k: v for k, v in phq9(1, 1, 1, 1).items() if k not in ("2", "6")}
    client = api_as(clinician)
    refused = client.post(
        url, {"instrument": "PHQ-9", "timepoint": "intake", "answers": answers}, format="json"
    )
    assert refused.status_code == 400
    assert set(refused.json()["errors"]["answers"]) == {"2", "6"}
    assert not Screening.objects.exists()
    stored = client.post(
        url,
        {"instrument": "PHQ-9", "timepoint": "intake", "answers": answers, "missing_confirmed": [2, 6]},
        format="json",
    )
    assert stored.status_code == 201
    assert "prorated" in stored.json()["flags"]


# --- the result page --------------------------------------------------------------------------------------


def test_result_page_shows_each_items_wording_the_answers_label_and_the_safety_item(
    login, clinician, patient
):
    screening = record(patient, clinician, answers=phq9(2, 0, 3, item9=1))
    text = login(clinician).get(screening.get_absolute_url()).text
    assert "Little interest or pleasure in doing things" in text
    assert "More than half the days" in text  # item 1's answer 2
    assert "Nearly every day" in text  # item 3's answer 3
    assert "Thoughts that you would be better off dead or of hurting yourself in some way" in text
    assert '<tr class="safety-raised">' in text
    assert "Safety item" in text and "raised the safety alert" in text


def test_the_safety_item_is_marked_even_when_answered_not_at_all(login, clinician, patient):
    screening = record(patient, clinician, answers=phq9(1))
    text = login(clinician).get(screening.get_absolute_url()).text
    assert '<tr class="safety-item">' in text
    assert "Safety item" in text
    assert "raised the safety alert" not in text


def test_result_page_shows_licensed_wording_reversed_scores_unlabelled_points_and_prorated_gaps(
    login, clinician, patient
):
    ItemWording.objects.create(instrument="TSK-11", item_number=1, text="Licensed wording of TSK item one")
    tsk = record(patient, clinician, code="TSK-11", answers={str(n): 1 for n in range(1, 12)})
    phq = screening_record(
        patient=patient,
        instrument_code="PHQ-9",
        timepoint="intake",
        answers={k: v for k, v in phq9(1, 1).items() if k != "4"},
        entered_by=clinician,
        missing_confirmed=[4],
    )
    client = login(clinician)
    tsk_page = client.get(tsk.get_absolute_url()).text
    assert "Licensed wording of TSK item one" in tsk_page
    assert "Strongly disagree" in tsk_page
    ompsq = record(patient, clinician, code="OMPSQ-SF", answers={str(n): 2 for n in range(1, 11)})
    ompsq_page = client.get(ompsq.get_absolute_url()).text
    assert "(scores 8)" in ompsq_page  # item 3 is reversed: 10 - 2
    assert "on a scale of 0 (Not at all able) to 10 (Fully able)" in ompsq_page
    phq_page = client.get(phq.get_absolute_url()).text
    assert "not answered (prorated)" in phq_page
    assert "Safety item" not in tsk_page


def test_an_outsider_gets_404_for_the_result_page_and_it_is_audited(login, outsider, clinician, patient):
    screening = record(patient, clinician)
    assert login(outsider).get(screening.get_absolute_url()).status_code == 404
    denied = AuditEvent.objects.filter(actor=outsider, action=AuditEvent.Action.DENIED)
    assert list(denied.values_list("object_id", flat=True)) == [str(patient.pk)]


def test_the_choice_of_screening_says_how_many_items_each_asks(login, clinician, patient):
    text = login(clinician).get(_new(patient)).text
    assert "PHQ-9, GAD-7, PCS, TSK-11, PSEQ · 50 items" in text
    assert "Patient Health Questionnaire-4 · 4 items" in text


# --- a correction asks the same ---------------------------------------------------------------------------


def test_a_correction_prorated_over_blank_items_asks_first_then_saves(login, clinician, patient):
    original = record(patient, clinician, answers=phq9(1, 1, 1, 1, 1, 1, 1, 1, item9=0))
    url = reverse("screening_amend", kwargs={"patient_id": patient.pk, "screening_id": original.pk})
    client = login(clinician)
    answers = {f"PHQ-9:{n}": "1" for n in range(1, 10) if n != 4} | {"reason": "Item 4 was not asked"}
    asked = client.post(url, answers)
    assert asked.status_code == 200 and not Screening.objects.filter(amends=original).exists()
    assert "1 item not answered: the total will be prorated" in asked.text
    assert "Item 4: Tiredness" in asked.text
    assert 'value="PHQ-9:4">Save the correction with 1 item missing</button>' in asked.text
    saved = client.post(url, answers | {"missing_confirmed": "PHQ-9:4"})
    amended = Screening.objects.get(amends=original)
    assert saved.url == amended.get_absolute_url()
    assert amended.total == 9 and "prorated" in amended.flags  # 8 answered of 9, scaled up: 8 * 9 / 8


def test_the_api_asks_before_storing_a_prorated_correction(api_as, clinician, patient):
    original = record(patient, clinician, answers=phq9(1, 1, 1, 1, 1, 1, 1, 1, item9=0))
    url = reverse("api_screening_amend", kwargs={"patient_id": patient.pk, "screening_id": original.pk})
    answers = {str(n): 1 for n in range(1, 10) if n != 4}
    refused = api_as(clinician).post(url, {"answers": answers, "reason": "x"}, format="json")
    assert refused.status_code == 400 and list(refused.json()["errors"]["answers"]) == ["4"]
    stored = api_as(clinician).post(
        url, {"answers": answers, "reason": "x", "missing_confirmed": [4]}, format="json"
    )
    assert stored.status_code == 201 and stored.json()["total"] == 9
