"""The one scorer: checks an answer set against an instrument's definition and applies its rules.

Nothing here knows any instrument by name. Reverse scoring and recoding are already in each answer's
``score``; bands, flags, prorating and change thresholds are read from the definition. A clinic's
``Overrides`` add a "high" cut-off and change thresholds on top of the published ones.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .model import HIGH_FLAG, PRORATED_FLAG, Answer, ClinicalRange, Instrument, Source

# The population a clinic's own value is "found in": its own patients, by its own account.
CLINIC_SETTING = "the clinic's own setting"

# Mapping is invariant in its key type, so spell out the key types callers use.
AnswerSet = Mapping[str, object] | Mapping[int, object] | Mapping[str | int, object]


class ScoringError(ValueError):
    """Answers that cannot be scored. ``errors`` holds a list of messages per item number ("9"), or
    under "answers" for a problem with the answer set as a whole."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{key}: {' '.join(messages)}" for key, messages in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Overrides:
    """A clinic's settings for one instrument; None leaves the published value in place."""

    high_cutoff: int | None = None
    mcid: Decimal | None = None
    rc: Decimal | None = None
    # Where the clinic's values come from (the setting requires it once any value is set).
    source: str = ""

    @property
    def as_source(self) -> Source:
        return Source(
            citation=self.source or "Not given", population=CLINIC_SETTING, cite_as="clinic setting"
        )


@dataclass(frozen=True)
class Score:
    total: int
    subscales: dict[str, int]
    band: str | None
    flags: tuple[str, ...]
    # The validated raw answers by item number; an imputed item is absent.
    answers: dict[int, int]
    prorated: bool


@dataclass(frozen=True)
class Change:
    """How a total moved between two results, and by which thresholds that was judged.

    ``label`` is one of "reliable improvement", "reliable recovery" (a reliable improvement out of the
    clinical range), "reliable deterioration", "clinically important improvement/deterioration, within
    measurement error" (at least the MCID but less than the reliable change), "no reliable change", or
    None when a threshold is missing.
    """

    delta: int
    direction: str
    reliable: bool
    clinically_important: bool
    label: str | None
    recovered: bool = False
    mcid: Decimal | None = None
    mcid_source: Source | None = None
    # The baseline the MCID was found for ("for a baseline of 30 or more"), "" when it holds for any.
    mcid_condition: str = ""
    rc: Decimal | None = None
    rc_source: Source | None = None

    @property
    def mcid_note(self) -> str:
        """Which MCID was applied, e.g. "MCID 11 for a baseline of 30 or more (Monticone 2022)"."""
        if self.mcid is None:
            return ""
        words = [f"MCID {self.mcid.normalize():f}"]
        if self.mcid_condition:
            words.append(self.mcid_condition)
        if self.mcid_source is not None:
            words.append(f"({self.mcid_source.short})")
        return " ".join(words)

    @property
    def rc_note(self) -> str:
        if self.rc is None:
            return ""
        cited = f" ({self.rc_source.short})" if self.rc_source is not None else ""
        return f"reliable change {self.rc.normalize():f}{cited}"


def score(instrument: Instrument, answers: AnswerSet, *, overrides: Overrides | None = None) -> Score:
    """Score a complete (or, where the definition allows, proratable) answer set, or raise ScoringError."""
    chosen = _validated(instrument, answers)
    item_scores = {number: answer.score for number, answer in chosen.items()}
    answered_sum = sum(item_scores.values())
    prorated = len(chosen) < len(instrument.items)
    if prorated:
        # Published prorating: scale the answered items' sum up to all items, rounding half up
        # (Python's round() would send 4.5 to 4).
        exact = Decimal(answered_sum * len(instrument.items)) / Decimal(len(chosen))
        total = int(exact.to_integral_value(rounding=ROUND_HALF_UP))
    else:
        total = answered_sum
    subscales = {
        subscale.name: sum(item_scores[number] for number in subscale.items)
        for subscale in instrument.subscales
    }
    band = next((rule.label for rule in instrument.bands if rule.matches(total, subscales)), None)
    flags = {
        rule.flag
        for rule in instrument.flags
        if rule.matches(total=total, subscales=subscales, item_scores=item_scores, band=band)
    }
    if overrides is not None and overrides.high_cutoff is not None and total >= overrides.high_cutoff:
        flags.add(HIGH_FLAG)
    if prorated:
        flags.add(PRORATED_FLAG)
    return Score(
        total=total,
        subscales=subscales,
        band=band,
        flags=tuple(sorted(flags)),
        answers={number: chosen[number].value for number in sorted(chosen)},
        prorated=prorated,
    )


@dataclass(frozen=True)
class ThresholdInForce:
    """One change threshold as judged, with its source and, for an MCID, the baseline it applies to."""

    value: Decimal
    source: Source
    condition: str = ""
    by_clinic: bool = False


def mcid_in_force(
    instrument: Instrument, overrides: Overrides | None = None, *, baseline: int | None = None
) -> ThresholdInForce | None:
    """The MCID that judges a change from ``baseline``: a clinic's own where it set one, else the
    published one for that baseline (or the general one), else None."""
    if overrides is not None and overrides.mcid is not None:
        return ThresholdInForce(overrides.mcid, overrides.as_source, by_clinic=True)
    if instrument.thresholds is None:
        return None
    value, source, condition = instrument.thresholds.mcid_for(baseline)
    # An instrument is refused at import without a source, so this is never the fallback in practice.
    return ThresholdInForce(value, source or Source("Not given", "unknown"), condition)


def rc_in_force(instrument: Instrument, overrides: Overrides | None = None) -> ThresholdInForce | None:
    if overrides is not None and overrides.rc is not None:
        return ThresholdInForce(overrides.rc, overrides.as_source, by_clinic=True)
    published = instrument.thresholds
    if published is None:
        return None
    return ThresholdInForce(published.rc, published.rc_source or Source("Not given", "unknown"))


def thresholds_in_force(
    instrument: Instrument, overrides: Overrides | None = None, *, baseline: int | None = None
) -> tuple[Decimal | None, Decimal | None]:
    """(MCID, reliable change) as judged: a clinic's override where it set one, else the published value
    (the MCID for ``baseline`` where the literature gives one by baseline), else None."""
    mcid = mcid_in_force(instrument, overrides, baseline=baseline)
    rc = rc_in_force(instrument, overrides)
    return (mcid.value if mcid else None), (rc.value if rc else None)


def clinical_range_in_force(
    instrument: Instrument, overrides: Overrides | None = None
) -> ClinicalRange | None:
    """The instrument's published clinical range, else the range a clinic's "high" cut-off draws."""
    if instrument.clinical_range is not None:
        return instrument.clinical_range
    if overrides is not None and overrides.high_cutoff is not None:
        return ClinicalRange(low=overrides.high_cutoff, source=overrides.as_source)
    return None


def change_between(
    instrument: Instrument, earlier: int, later: int, *, overrides: Overrides | None = None
) -> Change:
    """How a total moved between two administrations, judged against the change thresholds.

    The MCID is the one for the earlier score's baseline where the literature gives them by baseline.
    A clinic's overrides replace the published thresholds one by one; if either is still missing the
    change gets no label, and the flag for the missing threshold stays False. A change of at least the
    MCID that is not also reliable says so ("within measurement error"); a reliable improvement that
    leaves the clinical range is a reliable recovery (Jacobson & Truax 1991).
    """
    delta = later - earlier
    if delta == 0:
        direction = "none"
    elif (delta > 0) == instrument.higher_is_better:
        direction = "improvement"
    else:
        direction = "deterioration"
    mcid = mcid_in_force(instrument, overrides, baseline=earlier)
    rc = rc_in_force(instrument, overrides)
    # No change is never a reliable one, even against a threshold a clinic set to 0.
    reliable = rc is not None and delta != 0 and abs(delta) >= rc.value
    clinically_important = mcid is not None and delta != 0 and abs(delta) >= mcid.value
    clinical = clinical_range_in_force(instrument, overrides)
    recovered = (
        mcid is not None
        and reliable
        and direction == "improvement"
        and clinical is not None
        and clinical.contains(earlier)
        and not clinical.contains(later)
    )
    label: str | None
    if mcid is None or rc is None:
        label = None
    elif recovered:
        label = "reliable recovery"
    elif reliable:
        label = f"reliable {direction}"
    elif clinically_important:
        label = f"clinically important {direction}, within measurement error"
    else:
        label = "no reliable change"
    return Change(
        delta=delta,
        direction=direction,
        reliable=reliable,
        clinically_important=clinically_important,
        label=label,
        recovered=recovered,
        mcid=mcid.value if mcid else None,
        mcid_source=mcid.source if mcid else None,
        mcid_condition=mcid.condition if mcid else "",
        rc=rc.value if rc else None,
        rc_source=rc.source if rc else None,
    )


def _item_number(key: object) -> int | None:
    """The item number a key names: an int, or a string of digits as a form or JSON sends it."""
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    # Only the canonical spelling, so "09" or " 9" cannot pass as item 9.
    if isinstance(key, str) and key.isascii() and key.isdigit() and str(int(key)) == key:
        return int(key)
    return None


def _answer_or_problem(instrument: Instrument, number: int, value: object) -> Answer | str:
    """The answer chosen for an item, or what is wrong with the value given."""
    # bool is an int subclass, but True is not an answer anyone keyed in.
    if not isinstance(value, int) or isinstance(value, bool):
        return "Answer must be a whole number."
    item = instrument.item(number)
    answer = item.answer(value)
    if answer is None:
        return f"Answer must be between {item.min_value} and {item.max_value}."
    return answer


def _validated(instrument: Instrument, answers: object) -> dict[int, Answer]:
    """The chosen answers by item number, or ScoringError listing every problem (at most one per item)."""
    if not isinstance(answers, Mapping):
        raise ScoringError({"answers": ["Answers must be a mapping of item number to answer."]})
    errors: dict[str, list[str]] = {}
    chosen: dict[int, Answer] = {}
    present: set[int] = set()
    for key, value in answers.items():
        number = _item_number(key)
        if number is None or not 1 <= number <= len(instrument.items):
            errors[str(key)] = [f"Unknown item {key}."]
            continue
        if number in present:
            errors[str(number)] = [f"Item {number} is answered more than once."]
            chosen.pop(number, None)
            continue
        present.add(number)
        outcome = _answer_or_problem(instrument, number, value)
        if isinstance(outcome, str):
            errors[str(number)] = [outcome]
        else:
            chosen[number] = outcome

    missing = [i.number for i in instrument.items if i.number not in present]
    imputable = set(instrument.prorate_items)
    can_impute = len([n for n in missing if n in imputable]) <= instrument.max_prorated_missing
    for number in missing:
        if number in imputable and can_impute:
            continue
        if imputable and number not in imputable:
            errors[str(number)] = [f"Item {number} is never imputed: it must be answered."]
        else:
            errors[str(number)] = ["This item is required."]
    if errors:
        raise ScoringError(dict(sorted(errors.items(), key=_error_order)))
    return chosen


def _error_order(entry: tuple[str, list[str]]) -> tuple[int, int, str]:
    key = entry[0]
    return (0, int(key), key) if key.isascii() and key.isdigit() else (1, 0, key)
