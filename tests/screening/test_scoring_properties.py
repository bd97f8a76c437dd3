"""Properties every instrument keeps, whatever the answers, checked with hypothesis. No database needed."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.instruments import INSTRUMENTS, Instrument, ScoringError, change_between, score

CODES = list(INSTRUMENTS)
# A clinic cut-off may add "high" to any instrument.
SCORER_FLAGS = {"high"}

# No example database: the suite stays read-only on the working tree, and runs are reproducible anyway.
fast = settings(max_examples=100, deadline=None, database=None)


def complete_answers(instrument: Instrument) -> st.SearchStrategy[dict[str, int]]:
    return st.fixed_dictionaries(
        {str(each.number): st.integers(each.min_value, each.max_value) for each in instrument.items}
    )


@st.composite
def answers_with_one_bad_value(draw: st.DrawFn, instrument: Instrument) -> tuple[dict[str, object], str]:
    """A complete answer set with one item's answer out of range or not an int, and that item's key."""
    answers: dict[str, object] = dict(draw(complete_answers(instrument)))
    bad = draw(st.sampled_from(instrument.items))
    value = draw(
        st.one_of(
            st.integers(max_value=bad.min_value - 1),
            st.integers(min_value=bad.max_value + 1),
            st.floats(allow_nan=True),
            st.text(max_size=3),
            st.booleans(),
            st.none(),
        )
    )
    answers[str(bad.number)] = value
    return answers, str(bad.number)


@pytest.mark.parametrize("code", CODES)
@fast
@given(data=st.data())
def test_any_complete_answer_set_scores_inside_the_instrument(code: str, data: st.DataObject) -> None:
    instrument = INSTRUMENTS[code]
    answers = data.draw(complete_answers(instrument))
    result = score(instrument, answers)

    assert instrument.min_total <= result.total <= instrument.max_total
    chosen = [instrument.item(int(number)).answer(value) for number, value in answers.items()]
    assert result.total == sum(answer.score for answer in chosen if answer is not None)
    if instrument.bands:
        assert result.band in instrument.band_labels
    else:
        assert result.band is None
    for low_label, low, high in instrument.band_edges:
        if low <= result.total <= high:
            assert result.band == low_label
    assert set(result.flags) <= instrument.flag_names | SCORER_FLAGS
    assert list(result.flags) == sorted(set(result.flags))
    assert "prorated" not in result.flags
    assert set(result.subscales) == {s.name for s in instrument.subscales}
    for subscale in instrument.subscales:
        assert 0 <= result.subscales[subscale.name] <= result.total
    assert result.answers == {int(number): value for number, value in answers.items()}


@pytest.mark.parametrize("code", CODES)
@fast
@given(data=st.data())
def test_any_invalid_value_is_refused_on_its_item(code: str, data: st.DataObject) -> None:
    instrument = INSTRUMENTS[code]
    answers, bad = data.draw(answers_with_one_bad_value(instrument))
    with pytest.raises(ScoringError) as caught:
        score(instrument, answers)
    assert list(caught.value.errors) == [bad]


@pytest.mark.parametrize("code", CODES)
@fast
@given(data=st.data())
def test_any_unknown_item_is_refused(code: str, data: st.DataObject) -> None:
    instrument = INSTRUMENTS[code]
    answers: dict[object, object] = {
        key: value for key, value in data.draw(complete_answers(instrument)).items()
    }
    unknown = data.draw(
        st.one_of(
            st.integers().filter(lambda n: not 1 <= n <= len(instrument.items)),
            st.text(max_size=4).filter(lambda key: key not in answers),
        )
    )
    answers[unknown] = data.draw(st.integers(0, 3))
    with pytest.raises(ScoringError) as caught:
        score(instrument, answers)  # type: ignore[arg-type]
    assert list(caught.value.errors) == [str(unknown)]


@pytest.mark.parametrize("code", CODES)
@fast
@given(data=st.data())
def test_clinic_cutoff_flags_high_exactly_from_the_cutoff(code: str, data: st.DataObject) -> None:
    from screening.instruments import Overrides

    instrument = INSTRUMENTS[code]
    answers = data.draw(complete_answers(instrument))
    cutoff = data.draw(st.integers(instrument.min_total, instrument.max_total))
    published = score(instrument, answers)
    with_cutoff = score(instrument, answers, overrides=Overrides(high_cutoff=cutoff))
    assert with_cutoff.total == published.total
    assert with_cutoff.band == published.band
    assert ("high" in with_cutoff.flags) == ("high" in published.flags or published.total >= cutoff)


@fast
@given(data=st.data())
def test_phq9_with_one_or_two_of_items_1_to_8_missing_is_prorated_half_up(data: st.DataObject) -> None:
    phq9 = INSTRUMENTS["PHQ-9"]
    answers = data.draw(complete_answers(phq9))
    missing = data.draw(st.lists(st.integers(1, 8), min_size=1, max_size=2, unique=True))
    for number in missing:
        del answers[str(number)]
    result = score(phq9, answers)

    answered = sum(answers.values())
    expected = (Decimal(answered) * 9 / Decimal(len(answers))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert result.total == int(expected)
    assert 0 <= result.total <= 27
    assert result.prorated
    assert "prorated" in result.flags
    assert ("safety" in result.flags) == (answers["9"] >= 1)
    assert ("high" in result.flags) == (result.total >= 10)


@fast
@given(data=st.data())
def test_phq9_with_three_or_more_of_items_1_to_8_missing_is_refused(data: st.DataObject) -> None:
    phq9 = INSTRUMENTS["PHQ-9"]
    answers = data.draw(complete_answers(phq9))
    missing = data.draw(st.lists(st.integers(1, 8), min_size=3, max_size=8, unique=True))
    for number in missing:
        del answers[str(number)]
    with pytest.raises(ScoringError) as caught:
        score(phq9, answers)
    assert caught.value.errors == {str(n): ["This item is required."] for n in sorted(missing)}


@pytest.mark.parametrize("code", CODES)
@fast
@given(data=st.data())
def test_change_is_symmetric_in_size_and_opposite_in_direction(code: str, data: st.DataObject) -> None:
    instrument = INSTRUMENTS[code]
    totals = st.integers(instrument.min_total, instrument.max_total)
    earlier, later = data.draw(totals), data.draw(totals)
    forward = change_between(instrument, earlier, later)
    back = change_between(instrument, later, earlier)

    assert forward.delta == later - earlier == -back.delta
    assert forward.reliable == back.reliable
    if instrument.thresholds is None or not instrument.thresholds.mcid_by_baseline:
        assert forward.clinically_important == back.clinically_important
    else:
        # The MCID is the one for the earlier score's baseline (PCS), so the two ways may differ.
        mcid, _, _ = instrument.thresholds.mcid_for(earlier)
        assert forward.clinically_important == (forward.delta != 0 and abs(forward.delta) >= mcid)
    opposite = {"improvement": "deterioration", "deterioration": "improvement", "none": "none"}
    assert back.direction == opposite[forward.direction]
    if instrument.thresholds is None:
        assert forward.label is None
    else:
        assert forward.label is not None
        assert forward.reliable == (abs(forward.delta) >= instrument.thresholds.rc and forward.delta != 0)
