"""Change labels at and around each published threshold, with the source of the threshold applied.

PSEQ: MCID 5.5 (Chiarotto 2016), reliable change 17.3; higher is better, 19 or less is the clinical range.
PCS: MCID 8 below a baseline of 30 and 11 from 30 (Monticone 2022), reliable change 12.8 (Fernandes 2012);
30 or more is the clinical range (Sullivan's manual).
"""

import dataclasses
from decimal import Decimal

import pytest

from screening.instruments import (
    BaselineMCID,
    ChangeThresholds,
    ClinicalRange,
    Overrides,
    Source,
    change_between,
    get_instrument,
)

PSEQ = get_instrument("PSEQ")
PCS = get_instrument("PCS")
WITHIN_ERROR = "within measurement error"


@pytest.mark.parametrize(
    ("earlier", "later", "label"),
    [
        # 5 points is below the MCID of 5.5, 6 points reaches it; neither reaches the reliable change.
        (30, 35, "no reliable change"),
        (30, 36, f"clinically important improvement, {WITHIN_ERROR}"),
        (36, 31, "no reliable change"),
        (36, 30, f"clinically important deterioration, {WITHIN_ERROR}"),
        # 17 points is not reliable, 18 is (RC 17.3).
        (30, 47, f"clinically important improvement, {WITHIN_ERROR}"),
        (30, 48, "reliable improvement"),
        (48, 31, f"clinically important deterioration, {WITHIN_ERROR}"),
        (48, 30, "reliable deterioration"),
        # From the clinical range (19 or less) to above it, reliably: recovery.
        (19, 37, "reliable recovery"),
        (2, 19, f"clinically important improvement, {WITHIN_ERROR}"),
        (1, 19, "reliable improvement"),
        (19, 36, f"clinically important improvement, {WITHIN_ERROR}"),
        (30, 30, "no reliable change"),
    ],
)
def test_pseq_labels_around_its_thresholds(earlier, later, label):
    assert change_between(PSEQ, earlier, later).label == label


def test_pseq_five_and_a_half_points_is_the_mcid_whole_points_fall_either_side():
    five, six = change_between(PSEQ, 30, 35), change_between(PSEQ, 30, 36)
    assert (five.clinically_important, six.clinically_important) == (False, True)
    assert not six.reliable
    assert six.mcid == Decimal("5.5") and six.mcid_source is not None
    assert six.mcid_source.citation.startswith("Chiarotto A")
    assert "chronic low back pain" in six.mcid_source.population
    assert six.mcid_note == "MCID 5.5 (Chiarotto 2016)"


def test_pseq_reliable_change_names_its_reliability_and_sd():
    change = change_between(PSEQ, 30, 48)
    assert change.rc == Decimal("17.3") and change.rc_source is not None
    assert "r = 0.73" in change.rc_source.derivation and "SD of 12" in change.rc_source.derivation
    assert change.rc_source.citation.startswith("Nicholas MK")


@pytest.mark.parametrize(
    ("earlier", "later", "label", "mcid"),
    [
        # Baseline below 30: MCID 8.
        (20, 13, "no reliable change", "8"),
        (20, 12, f"clinically important improvement, {WITHIN_ERROR}", "8"),
        (20, 11, f"clinically important improvement, {WITHIN_ERROR}", "8"),
        (20, 8, f"clinically important improvement, {WITHIN_ERROR}", "8"),
        (20, 7, "reliable improvement", "8"),
        (29, 22, "no reliable change", "8"),
        (29, 21, f"clinically important improvement, {WITHIN_ERROR}", "8"),
        (10, 18, f"clinically important deterioration, {WITHIN_ERROR}", "8"),
        (10, 23, "reliable deterioration", "8"),
        # Baseline of 30 or more: MCID 11, so 8 to 10 points are not clinically important there.
        (30, 22, "no reliable change", "11"),
        (30, 20, "no reliable change", "11"),
        (30, 19, f"clinically important improvement, {WITHIN_ERROR}", "11"),
        (45, 35, "no reliable change", "11"),
        (45, 34, f"clinically important improvement, {WITHIN_ERROR}", "11"),
        (45, 33, f"clinically important improvement, {WITHIN_ERROR}", "11"),
        (45, 32, "reliable improvement", "11"),
        (35, 46, f"clinically important deterioration, {WITHIN_ERROR}", "11"),
        (35, 48, "reliable deterioration", "11"),
        # Out of the clinical range (30 or more), reliably: recovery; reliably but staying in: improvement.
        (42, 29, "reliable recovery", "11"),
        (43, 30, "reliable improvement", "11"),
        (41, 29, f"clinically important improvement, {WITHIN_ERROR}", "11"),
    ],
)
def test_pcs_labels_by_baseline(earlier, later, label, mcid):
    change = change_between(PCS, earlier, later)
    assert change.label == label
    assert change.mcid == Decimal(mcid)


def test_pcs_says_which_mcid_it_applied_and_why():
    high = change_between(PCS, 40, 27)
    assert high.mcid_note == "MCID 11 for a baseline of 30 or more (Monticone 2022)"
    assert high.mcid_source is not None and "n = 33" in high.mcid_source.population
    low = change_between(PCS, 20, 10)
    assert low.mcid_note == "MCID 8 for a baseline below 30 (Monticone 2022)"
    assert low.rc_note == "reliable change 12.8 (Fernandes 2012)"


def test_the_baseline_is_the_earlier_score_whichever_way_the_change_goes():
    # 25 → 34 is judged by the MCID for 25 (8), 34 → 25 by the one for 34 (11).
    assert change_between(PCS, 25, 34).clinically_important
    assert not change_between(PCS, 34, 25).clinically_important


def test_recovery_is_a_reliable_improvement_for_the_routing_app():
    change = change_between(PCS, 42, 29)
    assert (change.reliable, change.direction, change.recovered) == (True, "improvement", True)


def test_a_deterioration_into_the_clinical_range_is_never_a_recovery():
    change = change_between(PCS, 10, 40)
    assert (change.label, change.recovered) == ("reliable deterioration", False)


def test_a_clinic_cutoff_draws_the_clinical_range_where_none_is_published():
    tsk11 = get_instrument("TSK-11")
    assert change_between(tsk11, 33, 24).label == "reliable improvement"
    with_cutoff = Overrides(high_cutoff=26, source="Clinic audit 2026")
    change = change_between(tsk11, 33, 24, overrides=with_cutoff)
    assert change.label == "reliable recovery"


def test_a_clinic_mcid_replaces_the_baseline_ones_and_carries_the_clinic_source():
    change = change_between(
        PCS, 40, 31, overrides=Overrides(mcid=Decimal(9), source="Our 2025 audit, 300 MSK")
    )
    assert change.label == f"clinically important improvement, {WITHIN_ERROR}"
    assert change.mcid_source is not None and change.mcid_source.citation == "Our 2025 audit, 300 MSK"
    assert change.mcid_condition == ""


def test_no_published_change_label_ever_calls_an_unreliable_change_clinically_important_bare():
    for instrument in (PSEQ, PCS, get_instrument("PHQ-9"), get_instrument("GAD-7"), get_instrument("ISI")):
        for earlier in range(instrument.min_total, instrument.max_total + 1):
            for later in range(instrument.min_total, instrument.max_total + 1):
                change = change_between(instrument, earlier, later)
                if change.clinically_important and not change.reliable:
                    assert change.label is not None and change.label.endswith(WITHIN_ERROR)


# --- Every number carries its source --------------------------------------------------------------------


def _refused(instrument, **changes) -> str:
    with pytest.raises(ValueError) as caught:
        dataclasses.replace(instrument, **changes)
    return str(caught.value)


def test_a_threshold_without_a_source_is_refused():
    unsourced_rc = ChangeThresholds(
        mcid=Decimal("5.5"), mcid_source=Source("A paper", "some people"), rc=Decimal(9)
    )
    assert "the reliable change has no source" in _refused(PSEQ, thresholds=unsourced_rc)
    unsourced_mcid = ChangeThresholds(
        mcid=Decimal("5.5"), rc=Decimal(9), rc_source=Source("A paper", "people")
    )
    assert "the MCID has no source" in _refused(PSEQ, thresholds=unsourced_mcid)


def test_a_baseline_mcid_without_a_source_is_refused():
    assert PCS.thresholds is not None
    thresholds = dataclasses.replace(
        PCS.thresholds, mcid_by_baseline=(BaselineMCID(mcid=Decimal(11), low=30),)
    )
    assert "the MCID for a baseline of 30 or more has no source" in _refused(PCS, thresholds=thresholds)


def test_overlapping_baseline_mcids_are_refused():
    assert PCS.thresholds is not None
    source = Source("A paper", "people")
    thresholds = dataclasses.replace(
        PCS.thresholds,
        mcid_by_baseline=(
            BaselineMCID(mcid=Decimal(8), high=30, source=source),
            BaselineMCID(mcid=Decimal(11), low=30, source=source),
        ),
    )
    assert "MCIDs by baseline overlap at 30" in _refused(PCS, thresholds=thresholds)


def test_a_cutoff_without_a_source_is_refused():
    assert "band 'severe' has no source" in _refused(PSEQ, cutoff_source=None)
    assert "flag rule 'high' has no source" in _refused(PSEQ, cutoff_source=None)


def test_a_source_needs_a_citation_and_a_population():
    message = _refused(PCS, clinical_range=ClinicalRange(low=30, source=Source("Sullivan 2009", " ")))
    assert "the source of the clinical range needs a citation and a population" in message


def test_every_shipped_number_has_a_citation_and_a_population():
    from screening.instruments import INSTRUMENTS

    for instrument in INSTRUMENTS.values():
        sources = [source for _, source in instrument.sourced_bands + instrument.sourced_flags]
        if instrument.thresholds is not None:
            sources += [instrument.thresholds.mcid_source, instrument.thresholds.rc_source]
            sources += [rule.source for rule in instrument.thresholds.mcid_by_baseline]
        for source in sources:
            assert source is not None and source.citation and source.population, instrument.code
