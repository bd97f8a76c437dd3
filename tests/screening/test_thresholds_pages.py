"""The instrument pages, the admin and the API show each cut-off and threshold with its source, and warn
about an instrument of a battery in use that can never flag; result pages say which MCID judged a change."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.batteries import batteries_ensure
from screening.models import Battery, InstrumentSetting

from .factories import record

pytestmark = pytest.mark.django_db

SILENT = "can never flag a patient until the clinic sets a cut-off"


@pytest.fixture(autouse=True)
def batteries(db):
    batteries_ensure(Battery)


def pcs_answers(total: int) -> dict[str, int]:
    """PCS answers (13 items, 0–4) adding up to ``total``."""
    answers, left = {}, total
    for number in range(1, 14):
        answers[str(number)] = min(4, left)
        left -= answers[str(number)]
    assert left == 0
    return answers


def test_instrument_page_lists_every_threshold_with_citation_and_population(login, clinician):
    page = login(clinician).get(reverse("instrument_detail", kwargs={"code": "PCS"})).text
    assert "Cut-offs and change thresholds, with their sources" in page
    assert (
        "clinically relevant: total 30–52" in page
        and "Sullivan MJL. The Pain Catastrophizing Scale: User Manual" in page
    )
    assert "11 points for a baseline of 30 or more" in page
    assert "8 points for a baseline below 30" in page
    assert "Monticone M, Portoghese I" in page and "catastrophizers, baseline PCS 30+ (n = 33)" in page
    assert "12.8 points" in page and "Fernandes L, Storheim K" in page
    assert "RC = 1.96 × √2 × 4.6 = 12.8 points" in page
    assert SILENT not in page.lower()


def test_pseq_page_shows_its_mcid_and_computed_reliable_change(login, clinician):
    page = login(clinician).get(reverse("instrument_detail", kwargs={"code": "PSEQ"})).text
    assert "5.5 points" in page and "Chiarotto A, Vanti C" in page
    assert "17.3 points" in page and "r = 0.73" in page


def test_tsk11_page_warns_it_can_never_flag_and_links_a_clinic_admin_to_the_setting(
    login, clinician, clinic_admin
):
    url = reverse("instrument_detail", kwargs={"code": "TSK-11"})
    as_clinician = login(clinician).get(url).text
    assert "TSK-11 can never flag a patient until the clinic sets a cut-off." in as_clinician
    assert "A clinic admin can set one." in as_clinician
    assert reverse("admin:screening_instrumentsetting_add") not in as_clinician
    as_admin = login(clinic_admin).get(url).text
    assert f'href="{reverse("admin:screening_instrumentsetting_add")}?instrument=TSK-11"' in as_admin


def test_a_clinic_cutoff_silences_the_warning_and_shows_its_source(login, clinician):
    InstrumentSetting.objects.create(
        instrument="TSK-11", high_cutoff=26, source="Clinic audit 2026, 412 MSK patients"
    )
    page = login(clinician).get(reverse("instrument_detail", kwargs={"code": "TSK-11"})).text
    assert SILENT not in page.lower()
    assert "high when total ≥ 26" in page and "Clinic audit 2026, 412 MSK patients" in page
    assert "the clinic&#x27;s own setting" in page
    listing = login(clinician).get(reverse("instrument_list")).text
    assert SILENT not in listing.lower()


def test_instrument_list_names_the_silent_instruments(login, clinician, clinic_admin):
    listing = login(clinician).get(reverse("instrument_list")).text
    assert "Can never flag a patient until the clinic sets a cut-off" in listing
    warning = listing.split('class="alert alert-warning silent-instrument"')[1].split("</div>")[0]
    assert "TSK-11" in warning and "PCS" not in warning
    assert "never: no cut-off set" in listing
    assert (
        reverse("admin:screening_instrumentsetting_changelist")
        in login(clinic_admin).get(reverse("instrument_list")).text
    )


def test_instrument_pages_run_a_fixed_number_of_queries(login, clinician, django_assert_max_num_queries):
    client = login(clinician)
    with django_assert_max_num_queries(12):
        client.get(reverse("instrument_list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("instrument_detail", kwargs={"code": "TSK-11"}))


def test_admin_lists_the_silent_instruments_on_the_settings_pages(login, clinic_admin):
    client = login(clinic_admin)
    changelist = client.get(reverse("admin:screening_instrumentsetting_changelist")).text
    assert "Can never flag a patient until a cut-off is set here: TSK-11" in changelist
    form = client.get(reverse("admin:screening_instrumentsetting_add") + "?instrument=TSK-11").text
    assert "Can never flag a patient until a cut-off is set here: TSK-11" in form
    assert 'name="source"' in form


def test_admin_refuses_a_cutoff_without_a_source(login, clinic_admin):
    response = login(clinic_admin).post(
        reverse("admin:screening_instrumentsetting_add"),
        {"instrument": "TSK-11", "high_cutoff": "26", "source": ""},
    )
    assert response.status_code == 200
    assert "Say where these values come from" in response.text
    assert not InstrumentSetting.objects.exists()


def test_api_instrument_carries_the_sources(api_as, clinician):
    data = api_as(clinician).get(reverse("api_instrument_detail", args=["PCS"])).json()
    thresholds = data["thresholds"]
    assert (thresholds["mcid"], thresholds["rc"]) == ("8", "12.8")
    assert thresholds["rc_source"]["citation"].startswith("Fernandes L")
    by_baseline = {
        (row["baseline_low"], row["baseline_high"]): row["mcid"] for row in thresholds["mcid_by_baseline"]
    }
    assert by_baseline == {(None, 29): "8", (30, None): "11"}
    assert all(row["source"]["population"] for row in thresholds["mcid_by_baseline"])
    assert {cutoff["kind"] for cutoff in data["cutoffs"]} == {"band", "flag"}
    assert all(cutoff["source"]["citation"] for cutoff in data["cutoffs"])
    assert data["clinical_range"]["low"] == 30
    pseq = api_as(clinician).get(reverse("api_instrument_detail", args=["PSEQ"])).json()
    assert (
        pseq["thresholds"]["mcid"] == "5.5" and "Chiarotto" in pseq["thresholds"]["mcid_source"]["citation"]
    )


def test_result_page_says_which_mcid_judged_the_change(login, clinician, patient):
    now = timezone.now()
    record(patient, clinician, code="PCS", answers=pcs_answers(40), administered_at=now - timedelta(days=30))
    later = record(
        patient, clinician, code="PCS", answers=pcs_answers(27), timepoint="milestone", administered_at=now
    )
    page = login(clinician).get(later.get_absolute_url()).text
    assert "reliable recovery" in page
    assert (
        "MCID 11 for a baseline of 30 or more (Monticone 2022); reliable change 12.8 (Fernandes 2012)" in page
    )


def test_result_page_says_when_an_important_change_is_within_measurement_error(login, clinician, patient):
    now = timezone.now()
    record(patient, clinician, code="PCS", answers=pcs_answers(20), administered_at=now - timedelta(days=30))
    later = record(
        patient, clinician, code="PCS", answers=pcs_answers(11), timepoint="milestone", administered_at=now
    )
    page = login(clinician).get(later.get_absolute_url()).text
    assert "clinically important improvement, within measurement error" in page
    assert "MCID 8 for a baseline below 30 (Monticone 2022)" in page


def test_api_instrument_detail_carries_the_clinic_setting_and_its_source(api_as, clinician):
    url = reverse("api_instrument_detail", args=["TSK-11"])
    assert api_as(clinician).get(url).json()["clinic_setting"] is None
    InstrumentSetting.objects.create(instrument="TSK-11", high_cutoff=26, source="Clinic audit 2026")
    clinic = api_as(clinician).get(url).json()["clinic_setting"]
    assert clinic == {"high_cutoff": 26, "mcid": None, "rc": None, "source": "Clinic audit 2026"}
