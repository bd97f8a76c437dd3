"""The instrument library against the published scoring rules, case by case. No database needed.

The published layout (answer ranges, reversed and recoded items) is written out again here rather than
read from the definitions, so that a slip in a definition fails these tests instead of being copied
into them.
"""

import dataclasses
from decimal import Decimal

import pytest

from screening.instruments import (
    INSTRUMENTS,
    BandRule,
    Change,
    FlagRule,
    Instrument,
    Overrides,
    Score,
    ScoringError,
    Subscale,
    change_between,
    get_instrument,
    score,
)
from screening.instruments.model import Source, item, scale

# --- The published layout, and answer sets built from it -------------------------------------------------

PLAIN, REVERSED, START_BACK_ITEM_9 = "plain", "reversed", "start-back item 9"


def _items(
    count: int, low: int, high: int, *, reversed_items: tuple[int, ...] = ()
) -> dict[int, tuple[int, int, str]]:
    return {n: (low, high, REVERSED if n in reversed_items else PLAIN) for n in range(1, count + 1)}


# code -> item number -> (lowest raw answer, highest raw answer, how a raw answer scores)
PUBLISHED = {
    "PHQ-9": _items(9, 0, 3),
    "GAD-7": _items(7, 0, 3),
    "PHQ-4": _items(4, 0, 3),
    "PCS": _items(13, 0, 4),
    "TSK-11": _items(11, 1, 4),
    "TSK-17": _items(17, 1, 4, reversed_items=(4, 8, 12, 16)),
    "PSEQ": _items(10, 0, 6),
    "STarT-Back": _items(8, 0, 1) | {9: (0, 4, START_BACK_ITEM_9)},
    # Item 1 is the pain duration category, 1..10.
    "OMPSQ-SF": _items(10, 0, 10, reversed_items=(3, 4, 8)) | {1: (1, 10, PLAIN)},
    "ISI": _items(7, 0, 4),
}


def published_score(code: str, number: int, raw: int) -> int:
    low, high, kind = PUBLISHED[code][number]
    if kind == REVERSED:
        return low + high - raw
    if kind == START_BACK_ITEM_9:
        return 1 if raw >= 3 else 0
    return raw


def raw_for_score(code: str, number: int, wanted: int) -> int:
    """The raw answer that scores ``wanted`` on this item (the lowest such, for recoded items)."""
    low, high = PUBLISHED[code][number][:2]
    return next(raw for raw in range(low, high + 1) if published_score(code, number, raw) == wanted)


def answers_for_total(code: str, total: int) -> dict[str, int]:
    """A complete answer set whose scored total is ``total``, filling items in order from item 1."""
    layout = PUBLISHED[code]
    answers = {}
    remaining = total - sum(
        min(published_score(code, n, raw) for raw in range(low, high + 1))
        for n, (low, high, _) in layout.items()
    )
    if remaining < 0:
        raise ValueError(f"{code} cannot total {total}")
    for number, (low, high, _) in layout.items():
        scores = [published_score(code, number, raw) for raw in range(low, high + 1)]
        lowest, highest = min(scores), max(scores)
        step = min(remaining, highest - lowest)
        answers[str(number)] = raw_for_score(code, number, lowest + step)
        remaining -= step
    if remaining:
        raise ValueError(f"{code} cannot total {total}")
    return answers


def uniform(code: str, raw: int) -> dict[str, int]:
    return {str(number): raw for number in PUBLISHED[code]}


def listed(*raw: int) -> dict[str, int]:
    """Answers given in item order: listed(3, 0, 1) is item 1 = 3, item 2 = 0, item 3 = 1."""
    return {str(number): value for number, value in enumerate(raw, 1)}


def errors_of(code: str, answers: object) -> dict[str, list[str]]:
    with pytest.raises(ScoringError) as caught:
        score(get_instrument(code), answers)  # type: ignore[arg-type]
    return caught.value.errors


def test_the_ten_instruments_are_defined() -> None:
    assert list(INSTRUMENTS) == [
        "PHQ-9",
        "GAD-7",
        "PHQ-4",
        "PCS",
        "TSK-11",
        "TSK-17",
        "PSEQ",
        "STarT-Back",
        "OMPSQ-SF",
        "ISI",
    ]


@pytest.mark.parametrize("code", PUBLISHED)
def test_items_offer_the_published_answers_with_the_published_scores(code: str) -> None:
    instrument = get_instrument(code)
    assert [i.number for i in instrument.items] == list(PUBLISHED[code])
    for each in instrument.items:
        low, high, kind = PUBLISHED[code][each.number]
        assert [a.value for a in each.answers] == list(range(low, high + 1))
        assert [a.score for a in each.answers] == [
            published_score(code, each.number, raw) for raw in range(low, high + 1)
        ]
        assert each.reversed == (kind == REVERSED)


@pytest.mark.parametrize(
    ("code", "low", "high"),
    [
        ("PHQ-9", 0, 27),
        ("GAD-7", 0, 21),
        ("PHQ-4", 0, 12),
        ("PCS", 0, 52),
        ("TSK-11", 11, 44),
        ("TSK-17", 17, 68),
        ("PSEQ", 0, 60),
        ("STarT-Back", 0, 9),
        ("OMPSQ-SF", 1, 100),
        ("ISI", 0, 28),
    ],
)
def test_total_range_is_the_published_one(code: str, low: int, high: int) -> None:
    instrument = get_instrument(code)
    assert (instrument.min_total, instrument.max_total) == (low, high)
    assert score(instrument, answers_for_total(code, low)).total == low
    assert score(instrument, answers_for_total(code, high)).total == high


# --- Bands and the high flag, on both sides of every edge ------------------------------------------------

# (code, total, band, whether "high" is flagged); None: the high flag does not follow the total alone
# and is tested with hand-written answers below.
BAND_EDGES = [
    ("PHQ-9", 0, "minimal", False),
    ("PHQ-9", 4, "minimal", False),
    ("PHQ-9", 5, "mild", False),
    ("PHQ-9", 9, "mild", False),
    ("PHQ-9", 10, "moderate", True),
    ("PHQ-9", 14, "moderate", True),
    ("PHQ-9", 15, "moderately severe", True),
    ("PHQ-9", 19, "moderately severe", True),
    ("PHQ-9", 20, "severe", True),
    ("PHQ-9", 27, "severe", True),
    ("GAD-7", 0, "minimal", False),
    ("GAD-7", 4, "minimal", False),
    ("GAD-7", 5, "mild", False),
    ("GAD-7", 9, "mild", False),
    ("GAD-7", 10, "moderate", True),
    ("GAD-7", 14, "moderate", True),
    ("GAD-7", 15, "severe", True),
    ("GAD-7", 21, "severe", True),
    ("PHQ-4", 0, "normal", None),
    ("PHQ-4", 2, "normal", None),
    ("PHQ-4", 3, "mild", None),
    ("PHQ-4", 5, "mild", None),
    ("PHQ-4", 6, "moderate", None),
    ("PHQ-4", 8, "moderate", None),
    ("PHQ-4", 9, "severe", None),
    ("PHQ-4", 12, "severe", None),
    ("PCS", 0, "not clinically relevant", False),
    ("PCS", 29, "not clinically relevant", False),
    ("PCS", 30, "clinically relevant", True),
    ("PCS", 52, "clinically relevant", True),
    ("TSK-11", 11, None, False),
    ("TSK-11", 27, None, False),
    ("TSK-11", 44, None, False),
    ("TSK-17", 17, "low", False),
    ("TSK-17", 37, "low", False),
    ("TSK-17", 38, "high", True),
    ("TSK-17", 68, "high", True),
    ("PSEQ", 0, "severe", True),
    ("PSEQ", 19, "severe", True),
    ("PSEQ", 20, "moderate", False),
    ("PSEQ", 30, "moderate", False),
    ("PSEQ", 31, "mild", False),
    ("PSEQ", 40, "mild", False),
    ("PSEQ", 41, "minimal", False),
    ("PSEQ", 60, "minimal", False),
    ("OMPSQ-SF", 1, "low risk", False),
    ("OMPSQ-SF", 49, "low risk", False),
    ("OMPSQ-SF", 50, "high risk", True),
    ("OMPSQ-SF", 100, "high risk", True),
    ("ISI", 0, "no clinically significant insomnia", False),
    ("ISI", 7, "no clinically significant insomnia", False),
    ("ISI", 8, "subthreshold insomnia", False),
    ("ISI", 14, "subthreshold insomnia", False),
    ("ISI", 15, "moderate clinical insomnia", True),
    ("ISI", 21, "moderate clinical insomnia", True),
    ("ISI", 22, "severe clinical insomnia", True),
    ("ISI", 28, "severe clinical insomnia", True),
]


@pytest.mark.parametrize(("code", "total", "band", "high"), BAND_EDGES)
def test_band_and_high_flag_on_each_side_of_every_edge(
    code: str, total: int, band: str | None, high: bool | None
) -> None:
    result = score(get_instrument(code), answers_for_total(code, total))
    assert result.total == total
    assert result.band == band
    if high is not None:
        assert ("high" in result.flags) == high


@pytest.mark.parametrize(
    ("code", "answers", "total", "band", "flags"),
    [
        ("PHQ-9", listed(3, 2, 1, 0, 3, 2, 1, 0, 0), 12, "moderate", ("high",)),
        ("PHQ-9", listed(1, 1, 1, 1, 0, 0, 0, 0, 0), 4, "minimal", ()),
        ("PHQ-9", uniform("PHQ-9", 3), 27, "severe", ("high", "safety")),
        ("GAD-7", listed(1, 1, 1, 1, 1, 1, 3), 9, "mild", ()),
        ("GAD-7", listed(2, 2, 2, 2, 2, 0, 0), 10, "moderate", ("high",)),
        ("PHQ-4", listed(1, 1, 1, 1), 4, "mild", ()),
        ("PCS", listed(4, 4, 4, 4, 4, 4, 3, 1, 0, 0, 0, 0, 0), 28, "not clinically relevant", ()),
        ("PCS", listed(2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 0), 30, "clinically relevant", ("high",)),
        # All 1s: 13 plain items score 1, the 4 reversed ones 4 each.
        ("TSK-17", uniform("TSK-17", 1), 29, "low", ()),
        # All 2s: 13 × 2 + 4 × 3 lands exactly on the cut-off.
        ("TSK-17", uniform("TSK-17", 2), 38, "high", ("high",)),
        ("TSK-17", uniform("TSK-17", 4), 56, "high", ("high",)),
        ("TSK-11", uniform("TSK-11", 2), 22, None, ()),
        ("PSEQ", uniform("PSEQ", 2), 20, "moderate", ()),
        ("PSEQ", listed(2, 2, 2, 2, 2, 2, 2, 2, 2, 1), 19, "severe", ("high",)),
        ("PSEQ", uniform("PSEQ", 6), 60, "minimal", ()),
        # Item 1 = 1; the reversed items 3, 4 and 8 answered 0 score 10 each.
        ("OMPSQ-SF", {"1": 1} | {str(n): 0 for n in range(2, 11)}, 31, "low risk", ()),
        ("OMPSQ-SF", uniform("OMPSQ-SF", 5), 50, "high risk", ("high",)),
        ("OMPSQ-SF", uniform("OMPSQ-SF", 10), 70, "high risk", ("high",)),
        ("ISI", uniform("ISI", 2), 14, "subthreshold insomnia", ()),
        ("ISI", listed(3, 2, 2, 2, 2, 2, 2), 15, "moderate clinical insomnia", ("high",)),
    ],
)
def test_hand_written_answer_sets_score_as_published(
    code: str, answers: dict[str, int], total: int, band: str | None, flags: tuple[str, ...]
) -> None:
    result = score(get_instrument(code), answers)
    assert (result.total, result.band, result.flags) == (total, band, flags)
    assert result.prorated is False


# --- Reverse scoring -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("TSK-17", 4),
        ("TSK-17", 8),
        ("TSK-17", 12),
        ("TSK-17", 16),
        ("OMPSQ-SF", 3),
        ("OMPSQ-SF", 4),
        ("OMPSQ-SF", 8),
    ],
)
def test_reversed_item_scores_its_lowest_answer_highest(code: str, number: int) -> None:
    instrument = get_instrument(code)
    low, high, _ = PUBLISHED[code][number]
    others = answers_for_total(code, instrument.min_total)
    others_total = instrument.min_total - published_score(code, number, int(others[str(number)]))

    lowest_raw = score(instrument, others | {str(number): low})
    highest_raw = score(instrument, others | {str(number): high})

    assert lowest_raw.total == others_total + high
    assert highest_raw.total == others_total + low
    # The raw answer is what is stored, not the reversed score.
    assert lowest_raw.answers[number] == low


@pytest.mark.parametrize(("code", "number"), [("TSK-17", 1), ("TSK-17", 5), ("OMPSQ-SF", 2), ("OMPSQ-SF", 9)])
def test_plain_item_beside_reversed_ones_scores_its_answer(code: str, number: int) -> None:
    instrument = get_instrument(code)
    low, high, _ = PUBLISHED[code][number]
    others = answers_for_total(code, instrument.min_total)
    assert score(instrument, others | {str(number): high}).total == instrument.min_total + (high - low)


# --- Subscales -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answers", "subscales"),
    [
        ("PHQ-4", listed(3, 1, 0, 2), {"anxiety": 4, "depression": 2}),
        ("PHQ-4", listed(0, 0, 1, 3), {"anxiety": 0, "depression": 4}),
        (
            "PCS",
            # Helplessness 1–5, 12; magnification 6, 7, 13; rumination 8–11.
            listed(0, 1, 0, 1, 0, 1, 2, 4, 4, 4, 4, 2, 3),
            {"rumination": 16, "magnification": 6, "helplessness": 4},
        ),
        # Items 5 and 7 agree; item 9 answered 4 ("extremely") scores 1.
        ("STarT-Back", listed(1, 1, 0, 0, 1, 0, 1, 0, 4), {"psychosocial": 3}),
        ("GAD-7", uniform("GAD-7", 1), {}),
    ],
)
def test_subscales_sum_their_items(code: str, answers: dict[str, int], subscales: dict[str, int]) -> None:
    assert score(get_instrument(code), answers).subscales == subscales


@pytest.mark.parametrize(
    ("answers", "high"),
    [
        (listed(1, 1, 2, 0), False),  # anxiety 2, depression 2
        (listed(2, 1, 0, 0), True),  # anxiety 3
        (listed(0, 0, 1, 2), True),  # depression 3
        (listed(3, 3, 3, 3), True),
    ],
)
def test_phq4_is_high_when_either_subscale_reaches_3(answers: dict[str, int], high: bool) -> None:
    assert ("high" in score(get_instrument("PHQ-4"), answers).flags) == high


# --- STarT Back ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "total", "psychosocial", "band"),
    [
        (listed(0, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0, "low risk"),
        (listed(1, 1, 1, 0, 0, 0, 0, 0, 0), 3, 0, "low risk"),
        (listed(0, 0, 0, 0, 1, 1, 1, 0, 0), 3, 3, "low risk"),
        (listed(1, 0, 0, 0, 1, 1, 1, 0, 2), 4, 3, "medium risk"),
        (listed(1, 1, 1, 1, 1, 1, 1, 0, 0), 7, 3, "medium risk"),
        (listed(0, 0, 0, 0, 1, 1, 1, 1, 0), 4, 4, "high risk"),
        (listed(0, 0, 0, 0, 1, 1, 1, 0, 3), 4, 4, "high risk"),
        (listed(1, 1, 1, 1, 1, 1, 1, 1, 4), 9, 5, "high risk"),
    ],
)
def test_start_back_risk_groups(answers: dict[str, int], total: int, psychosocial: int, band: str) -> None:
    result = score(get_instrument("STarT-Back"), answers)
    assert (result.total, result.subscales, result.band) == (total, {"psychosocial": psychosocial}, band)
    assert ("high" in result.flags) == (band == "high risk")


@pytest.mark.parametrize(("raw", "scored"), [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)])
def test_start_back_item_9_counts_only_very_much_or_extremely(raw: int, scored: int) -> None:
    result = score(get_instrument("STarT-Back"), listed(0, 0, 0, 0, 1, 1, 1, 0, raw))
    assert result.total == 3 + scored
    assert result.band == ("high risk" if scored else "low risk")
    assert result.answers[9] == raw


def test_start_back_checks_low_risk_before_the_psychosocial_subscale() -> None:
    bands = get_instrument("STarT-Back").bands
    assert bands[0] == BandRule("low risk", high=3)
    assert bands[1] == BandRule("high risk", low=4, subscale="psychosocial")
    assert bands[2] == BandRule("medium risk")


def test_first_matching_band_wins_even_when_a_later_rule_also_matches() -> None:
    # A psychosocial score of 4 needs a total of 4, so STarT Back cannot show the order on its own;
    # an instrument where both rules can match shows the scorer honours it.
    options = scale("no", "yes")
    ordered = Instrument(
        code="ORDER",
        name="Order test",
        version="1.0",
        domain="risk",
        items=(item(1, "a", options), item(2, "b", options)),
        subscales=(Subscale("first", (1,)),),
        bands=(
            BandRule("low risk", high=1),
            BandRule("high risk", subscale="first", low=1),
            BandRule("medium risk"),
        ),
        cutoff_source=Source("A test", "nobody"),
        higher_is_better=False,
        thresholds=None,
        min_total=0,
        max_total=2,
        licence="",
        citation="",
        public_domain=True,
    )
    assert score(ordered, {1: 1, 2: 0}).band == "low risk"
    assert score(ordered, {1: 1, 2: 1}).band == "high risk"


# --- PHQ-9: safety and prorating -------------------------------------------------------------------------


def test_phq9_item9_flags_safety_whatever_the_total() -> None:
    result = score(get_instrument("PHQ-9"), listed(0, 0, 0, 0, 0, 0, 0, 0, 1))
    assert (result.total, result.band, result.flags) == (1, "minimal", ("safety",))


def test_phq9_item9_answered_0_gives_no_safety_flag() -> None:
    result = score(get_instrument("PHQ-9"), listed(3, 3, 3, 3, 3, 3, 3, 3, 0))
    assert result.flags == ("high",)


@pytest.mark.parametrize(
    ("answers", "total", "band", "flags"),
    [
        # Item 1 missing, 8 answered summing 13: 13 × 9 / 8 = 14.625 -> 15.
        (
            {"2": 3, "3": 3, "4": 3, "5": 2, "6": 1, "7": 1, "8": 0, "9": 0},
            15,
            "moderately severe",
            ("high", "prorated"),
        ),
        # Item 3 missing, summing 4: 4.5 rounds half up to 5 (mild); banker's rounding would give 4 (minimal).
        ({"1": 1, "2": 1, "4": 1, "5": 1, "6": 0, "7": 0, "8": 0, "9": 0}, 5, "mild", ("prorated",)),
        # Summing 12: 13.5 -> 14.
        (
            {"1": 3, "2": 3, "3": 3, "4": 3, "5": 0, "6": 0, "7": 0, "9": 0},
            14,
            "moderate",
            ("high", "prorated"),
        ),
        # Summing 9: 10.125 -> 10, which is high on the prorated total though the answered sum is 9.
        (
            {"1": 3, "2": 3, "3": 3, "4": 0, "5": 0, "6": 0, "8": 0, "9": 0},
            10,
            "moderate",
            ("high", "prorated"),
        ),
        # Two missing (1, 2), 7 answered summing 7: exactly 9.
        ({"3": 1, "4": 1, "5": 1, "6": 1, "7": 1, "8": 1, "9": 1}, 9, "mild", ("prorated", "safety")),
        # Two missing (7, 8), summing 10: 12.857 -> 13.
        ({"1": 2, "2": 2, "3": 2, "4": 2, "5": 2, "6": 0, "9": 0}, 13, "moderate", ("high", "prorated")),
    ],
)
def test_phq9_prorates_one_or_two_missing_items(
    answers: dict[str, int], total: int, band: str, flags: tuple[str, ...]
) -> None:
    result = score(get_instrument("PHQ-9"), answers)
    assert (result.total, result.band, result.flags, result.prorated) == (total, band, flags, True)
    assert result.answers == {int(number): value for number, value in answers.items()}


def test_phq9_refuses_a_third_missing_item() -> None:
    answers = {"4": 1, "5": 1, "6": 1, "7": 1, "8": 1, "9": 0}
    assert errors_of("PHQ-9", answers) == {
        "1": ["This item is required."],
        "2": ["This item is required."],
        "3": ["This item is required."],
    }


def test_phq9_never_imputes_item9() -> None:
    assert errors_of("PHQ-9", listed(1, 1, 1, 1, 1, 1, 1, 1)) == {
        "9": ["Item 9 is never imputed: it must be answered."]
    }


def test_phq9_missing_item9_is_refused_even_beside_a_proratable_gap() -> None:
    answers = {"2": 1, "3": 1, "4": 1, "5": 1, "6": 1, "7": 1, "8": 1}
    assert errors_of("PHQ-9", answers) == {"9": ["Item 9 is never imputed: it must be answered."]}


def test_complete_phq9_is_not_prorated() -> None:
    result = score(get_instrument("PHQ-9"), uniform("PHQ-9", 1))
    assert (result.total, result.prorated, result.flags) == (9, False, ("safety",))


# --- TSK-11 and clinic cut-offs --------------------------------------------------------------------------


def test_tsk11_has_no_band_and_no_high_flag_of_its_own() -> None:
    result = score(get_instrument("TSK-11"), uniform("TSK-11", 4))
    assert (result.total, result.band, result.flags) == (44, None, ())


@pytest.mark.parametrize(("total", "flags"), [(24, ()), (25, ("high",)), (26, ("high",))])
def test_tsk11_clinic_cutoff_flags_high_from_the_cutoff_up(total: int, flags: tuple[str, ...]) -> None:
    result = score(
        get_instrument("TSK-11"), answers_for_total("TSK-11", total), overrides=Overrides(high_cutoff=25)
    )
    assert (result.total, result.band, result.flags) == (total, None, flags)


def test_clinic_cutoff_adds_to_the_published_flags() -> None:
    result = score(get_instrument("PHQ-9"), answers_for_total("PHQ-9", 8), overrides=Overrides(high_cutoff=8))
    assert result.flags == ("high",)


def test_overrides_without_a_cutoff_change_no_flags() -> None:
    result = score(
        get_instrument("PHQ-9"), answers_for_total("PHQ-9", 9), overrides=Overrides(mcid=Decimal(3))
    )
    assert result.flags == ()


# --- Change between administrations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "earlier", "later", "overrides", "label"),
    [
        ("PHQ-9", 20, 14, None, "reliable improvement"),
        ("PHQ-9", 20, 15, None, "clinically important improvement, within measurement error"),
        ("PHQ-9", 20, 16, None, "no reliable change"),
        ("PHQ-9", 10, 16, None, "reliable deterioration"),
        ("PHQ-9", 10, 15, None, "clinically important deterioration, within measurement error"),
        ("PHQ-9", 10, 10, None, "no reliable change"),
        ("GAD-7", 18, 12, None, "reliable improvement"),
        ("GAD-7", 12, 6, None, "reliable recovery"),
        ("GAD-7", 12, 7, None, "clinically important improvement, within measurement error"),
        ("GAD-7", 12, 8, None, "clinically important improvement, within measurement error"),
        ("GAD-7", 12, 9, None, "no reliable change"),
        ("GAD-7", 14, 4, None, "reliable recovery"),
        ("GAD-7", 8, 14, None, "reliable deterioration"),
        ("GAD-7", 8, 13, None, "clinically important deterioration, within measurement error"),
        # PCS: 12.8 points is reliable; from a baseline of 30 or more 11 points are clinically important.
        ("PCS", 45, 32, None, "reliable improvement"),
        ("PCS", 40, 27, None, "reliable recovery"),
        ("PCS", 40, 28, None, "clinically important improvement, within measurement error"),
        ("PCS", 40, 29, None, "clinically important improvement, within measurement error"),
        ("PCS", 40, 30, None, "no reliable change"),
        ("PCS", 40, 33, None, "no reliable change"),
        ("PCS", 27, 40, None, "reliable deterioration"),
        ("TSK-11", 30, 23, None, "reliable improvement"),
        ("TSK-11", 30, 24, None, "clinically important improvement, within measurement error"),
        ("TSK-11", 30, 26, None, "clinically important improvement, within measurement error"),
        ("TSK-11", 30, 27, None, "no reliable change"),
        ("TSK-17", 48, 39, None, "reliable improvement"),
        ("TSK-17", 40, 31, None, "reliable recovery"),
        ("TSK-17", 40, 32, None, "clinically important improvement, within measurement error"),
        ("TSK-17", 40, 37, None, "no reliable change"),
        ("TSK-17", 31, 40, None, "reliable deterioration"),
        # ISI: 3.3 points is reliable (below the MCID of 6), 15 and above is clinical insomnia.
        ("ISI", 20, 16, None, "reliable improvement"),
        ("ISI", 20, 17, None, "no reliable change"),
        ("ISI", 20, 14, None, "reliable recovery"),
        ("ISI", 13, 20, None, "reliable deterioration"),
        # PSEQ: higher is better, so a rise is the improvement.
        ("PSEQ", 20, 31, Overrides(mcid=Decimal(9), rc=Decimal(11)), "reliable improvement"),
        (
            "PSEQ",
            20,
            29,
            Overrides(mcid=Decimal(9), rc=Decimal(11)),
            "clinically important improvement, within measurement error",
        ),
        ("PSEQ", 20, 28, Overrides(mcid=Decimal(9), rc=Decimal(11)), "no reliable change"),
        ("PSEQ", 31, 20, Overrides(mcid=Decimal(9), rc=Decimal(11)), "reliable deterioration"),
        # Overrides replace thresholds one at a time.
        (
            "PHQ-9",
            20,
            17,
            Overrides(mcid=Decimal(3)),
            "clinically important improvement, within measurement error",
        ),
        ("PHQ-9", 20, 14, Overrides(mcid=Decimal(3)), "reliable improvement"),
        (
            "PHQ-9",
            20,
            14,
            Overrides(rc=Decimal(10)),
            "clinically important improvement, within measurement error",
        ),
        ("STarT-Back", 8, 2, Overrides(mcid=Decimal(2), rc=Decimal(3)), "reliable improvement"),
        # No thresholds, or only one of them: no label.
        ("PHQ-4", 12, 0, None, None),
        ("STarT-Back", 9, 0, None, None),
        ("OMPSQ-SF", 90, 10, None, None),
        ("PHQ-4", 12, 0, Overrides(mcid=Decimal(3)), None),
        ("OMPSQ-SF", 90, 10, Overrides(rc=Decimal(15)), None),
    ],
)
def test_change_label(
    code: str, earlier: int, later: int, overrides: Overrides | None, label: str | None
) -> None:
    assert change_between(get_instrument(code), earlier, later, overrides=overrides).label == label


def test_change_reports_delta_direction_and_both_thresholds() -> None:
    phq9 = get_instrument("PHQ-9")
    assert change_between(phq9, 20, 15) == _change(
        -5,
        "improvement",
        reliable=False,
        important=True,
        label="clinically important improvement, within measurement error",
    )
    assert change_between(phq9, 10, 16) == _change(
        6, "deterioration", reliable=True, important=True, label="reliable deterioration"
    )
    assert change_between(phq9, 7, 7) == _change(
        0, "none", reliable=False, important=False, label="no reliable change"
    )


def test_pseq_rise_is_an_improvement_and_a_phq9_rise_a_deterioration() -> None:
    assert change_between(get_instrument("PSEQ"), 20, 30).direction == "improvement"
    assert change_between(get_instrument("PHQ-9"), 5, 15).direction == "deterioration"


def test_change_without_thresholds_is_neither_reliable_nor_important() -> None:
    change = change_between(get_instrument("PHQ-4"), 12, 0)
    assert (change.delta, change.direction, change.reliable, change.clinically_important, change.label) == (
        -12,
        "improvement",
        False,
        False,
        None,
    )


def test_no_change_is_not_reliable_even_with_a_zero_threshold() -> None:
    change = change_between(
        get_instrument("PHQ-4"), 5, 5, overrides=Overrides(mcid=Decimal(0), rc=Decimal(0))
    )
    assert (change.reliable, change.label) == (False, "no reliable change")


def _change(delta: int, direction: str, *, reliable: bool, important: bool, label: str | None):
    thresholds = get_instrument("PHQ-9").thresholds
    assert thresholds is not None
    return Change(
        delta=delta,
        direction=direction,
        reliable=reliable,
        clinically_important=important,
        label=label,
        mcid=thresholds.mcid,
        mcid_source=thresholds.mcid_source,
        rc=thresholds.rc,
        rc_source=thresholds.rc_source,
    )


# --- Refusing invalid answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "number", "value", "message"),
    [
        ("PHQ-9", 1, 4, "Answer must be between 0 and 3."),
        ("PHQ-9", 9, -1, "Answer must be between 0 and 3."),
        ("TSK-17", 4, 0, "Answer must be between 1 and 4."),
        ("TSK-17", 4, 5, "Answer must be between 1 and 4."),
        ("OMPSQ-SF", 1, 0, "Answer must be between 1 and 10."),
        ("OMPSQ-SF", 3, 11, "Answer must be between 0 and 10."),
        ("STarT-Back", 1, 2, "Answer must be between 0 and 1."),
        ("STarT-Back", 9, 5, "Answer must be between 0 and 4."),
        ("PSEQ", 10, 7, "Answer must be between 0 and 6."),
    ],
)
def test_out_of_range_answer_is_refused_on_its_item(code: str, number: int, value: int, message: str) -> None:
    answers = answers_for_total(code, get_instrument(code).min_total) | {str(number): value}
    assert errors_of(code, answers) == {str(number): [message]}


@pytest.mark.parametrize("value", [2.5, 2.0, "2", "two", True, False, None, [2], Decimal(2)])
def test_answer_that_is_not_an_int_is_refused(value: object) -> None:
    answers: dict[str, object] = dict(uniform("GAD-7", 1))
    answers["3"] = value
    assert errors_of("GAD-7", answers) == {"3": ["Answer must be a whole number."]}


@pytest.mark.parametrize(
    ("key", "error_key"), [("12", "12"), (12, "12"), (0, "0"), ("0", "0"), ("abc", "abc"), ("09", "09")]
)
def test_unknown_item_is_refused_under_its_own_key(key: object, error_key: str) -> None:
    answers: dict[object, object] = {key: value for key, value in uniform("GAD-7", 1).items()}
    answers[key] = 1
    assert errors_of("GAD-7", answers) == {error_key: [f"Unknown item {key}."]}


@pytest.mark.parametrize("code", [code for code in PUBLISHED if code != "PHQ-9"])
def test_missing_item_is_refused_on_instruments_without_prorating(code: str) -> None:
    answers = answers_for_total(code, get_instrument(code).min_total)
    del answers["2"]
    assert errors_of(code, answers) == {"2": ["This item is required."]}


def test_empty_answers_require_every_item() -> None:
    assert errors_of("ISI", {}) == {str(n): ["This item is required."] for n in range(1, 8)}


def test_every_problem_is_reported_at_once_one_per_item() -> None:
    answers = {"1": 4, "2": "2", "4": 1, "5": 1, "6": 1, "7": 9, "8": 1, "12": 1}
    assert errors_of("GAD-7", answers) == {
        "1": ["Answer must be between 0 and 3."],
        "2": ["Answer must be a whole number."],
        "3": ["This item is required."],
        "7": ["Answer must be between 0 and 3."],
        "8": ["Unknown item 8."],
        "12": ["Unknown item 12."],
    }


def test_item_answered_twice_is_refused() -> None:
    answers: dict[object, object] = {key: value for key, value in uniform("GAD-7", 1).items()}
    answers[1] = 2
    assert errors_of("GAD-7", answers) == {"1": ["Item 1 is answered more than once."]}


@pytest.mark.parametrize("answers", [None, [1, 2, 3], "1,2,3", 5])
def test_answers_that_are_not_a_mapping_are_refused(answers: object) -> None:
    assert errors_of("GAD-7", answers) == {"answers": ["Answers must be a mapping of item number to answer."]}


def test_int_and_string_item_numbers_score_alike() -> None:
    gad7 = get_instrument("GAD-7")
    by_string = score(gad7, listed(3, 2, 1, 0, 3, 2, 1))
    by_int = score(gad7, {1: 3, 2: 2, 3: 1, 4: 0, 5: 3, 6: 2, 7: 1})
    assert (
        by_string
        == by_int
        == Score(
            total=12,
            subscales={},
            band="moderate",
            flags=("high",),
            answers={1: 3, 2: 2, 3: 1, 4: 0, 5: 3, 6: 2, 7: 1},
            prorated=False,
        )
    )


def test_scoring_error_is_a_value_error_carrying_the_errors() -> None:
    with pytest.raises(ValueError, match="This item is required"):
        score(get_instrument("ISI"), {})


# --- Instrument metadata ---------------------------------------------------------------------------------


def test_unknown_instrument_code_raises_lookup_error() -> None:
    with pytest.raises(LookupError):
        get_instrument("PHQ-10")


def test_only_the_phq_family_is_public_domain_and_ships_item_wording() -> None:
    for instrument in INSTRUMENTS.values():
        public = instrument.code in {"PHQ-9", "GAD-7", "PHQ-4"}
        assert instrument.public_domain == public
        assert all(bool(each.text) == public for each in instrument.items)
        assert all(each.label for each in instrument.items)
        assert instrument.citation
        assert instrument.licence
        if not public:
            assert "©" in instrument.licence
            assert "licen" in instrument.licence


def test_phq9_ships_its_public_domain_wording() -> None:
    phq9 = get_instrument("PHQ-9")
    assert (
        phq9.stem
        == "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert (
        phq9.item(9).text == "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert [a.label for a in phq9.item(1).answers] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]
    assert [each.text for each in get_instrument("PHQ-4").items] == [
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Little interest or pleasure in doing things",
        "Feeling down, depressed or hopeless",
    ]


def test_only_pseq_is_higher_is_better() -> None:
    assert {code for code, i in INSTRUMENTS.items() if i.higher_is_better} == {"PSEQ"}


@pytest.mark.parametrize(
    ("code", "mcid", "rc"),
    [
        ("PHQ-9", "5", "6"),
        ("GAD-7", "4", "5.59"),
        ("PCS", "8", "12.8"),
        ("TSK-11", "4", "7.0"),
        ("TSK-17", "4", "8.8"),
        ("ISI", "6", "3.3"),
        ("PHQ-4", None, None),
        ("PSEQ", "5.5", "17.3"),
        ("STarT-Back", None, None),
        ("OMPSQ-SF", None, None),
    ],
)
def test_published_change_thresholds(code: str, mcid: str | None, rc: str | None) -> None:
    thresholds = get_instrument(code).thresholds
    if mcid is None or rc is None:
        assert thresholds is None
    else:
        assert thresholds is not None
        assert (thresholds.mcid, thresholds.rc) == (Decimal(mcid), Decimal(rc))


def test_band_edges_give_total_ranges_for_charts() -> None:
    assert get_instrument("PHQ-9").band_edges == [
        ("minimal", 0, 4),
        ("mild", 5, 9),
        ("moderate", 10, 14),
        ("moderately severe", 15, 19),
        ("severe", 20, 27),
    ]
    # Open-ended rules are closed at the ends of the total's range.
    assert get_instrument("OMPSQ-SF").band_edges == [("low risk", 1, 49), ("high risk", 50, 100)]
    assert get_instrument("TSK-11").band_edges == []
    assert get_instrument("STarT-Back").band_edges == []


def test_item_lookup_by_number() -> None:
    pcs = get_instrument("PCS")
    assert pcs.item(13).number == 13
    with pytest.raises(KeyError):
        pcs.item(14)


# --- Definitions are checked when built ------------------------------------------------------------------


def _broken(**changes: object) -> str:
    with pytest.raises(ValueError) as caught:
        dataclasses.replace(get_instrument("PHQ-4"), **changes)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith("Instrument PHQ-4: ")
    return message


def test_definition_with_duplicate_item_numbers_is_refused() -> None:
    phq4 = get_instrument("PHQ-4")
    assert "duplicate item numbers [2]" in _broken(items=phq4.items[:2] + phq4.items[1:3])


def test_definition_with_items_not_numbered_from_1_is_refused() -> None:
    phq4 = get_instrument("PHQ-4")
    renumbered = tuple(dataclasses.replace(each, number=each.number + 1) for each in phq4.items)
    assert "items must be numbered 1..4" in _broken(items=renumbered)


def test_definition_with_subscale_naming_an_unknown_item_is_refused() -> None:
    assert "subscale 'anxiety' names unknown items [5]" in _broken(subscales=(Subscale("anxiety", (1, 5)),))


def test_definition_with_band_on_an_unknown_subscale_is_refused() -> None:
    bands = (BandRule("low", high=2), BandRule("high", subscale="pain", low=1), BandRule("other"))
    assert "unknown subscale 'pain'" in _broken(bands=bands)


def test_definition_with_a_gap_between_bands_is_refused() -> None:
    assert "bands do not cover total 3" in _broken(bands=(BandRule("low", 0, 2), BandRule("high", 4, 12)))


def test_definition_with_overlapping_bands_is_refused() -> None:
    assert "overlap at total 3" in _broken(bands=(BandRule("low", 0, 3), BandRule("high", 3, 12)))


def test_definition_with_subscale_bands_and_no_catch_all_is_refused() -> None:
    bands = (BandRule("low", high=2), BandRule("high", subscale="anxiety", low=3))
    assert "must end with one unconditional band" in _broken(bands=bands)


def test_definition_with_a_wrong_total_range_is_refused() -> None:
    assert "does not match the items' 0–12" in _broken(max_total=13)


def test_definition_with_flag_on_an_unknown_band_or_item_is_refused() -> None:
    assert "unknown band 'extreme'" in _broken(flags=(FlagRule("high", band="extreme"),))
    assert "unknown item 7" in _broken(flags=(FlagRule("safety", item=7, low=1),))


def test_definition_with_prorating_beyond_its_items_is_refused() -> None:
    message = _broken(subscales=(), prorate_items=(1, 9), max_prorated_missing=1)
    assert "prorate_items names unknown items [9]" in message
