"""The vocabulary for describing a screening instrument as data, and the checks that keep a definition sound.

An instrument is its items with their answers, subscales, band rules, flag rules, prorating limits and
change thresholds. The scorer in ``scoring.py`` reads these and nothing else, so each published rule is
written once, in the definition. Reverse scoring and recoding are settled when a definition is built:
every ``Answer`` carries the ``score`` it adds to sums, so the scorer never needs to know why an answer
scores what it does.

Each ``Instrument`` checks itself when it is created and raises ``ValueError`` naming the instrument, so a
mistake in a definition stops the app at import instead of mis-scoring a patient.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

# Flags the scorer adds by itself rather than from a rule: the clinic's cut-off and an imputed total.
HIGH_FLAG = "high"
PRORATED_FLAG = "prorated"


@dataclass(frozen=True)
class Source:
    """Where a published number comes from: the paper, and the people it was found in.

    ``derivation`` says how the number follows from the paper when it is computed rather than read off
    (a reliable change from a published SD and reliability). A number without a source is refused.
    """

    citation: str
    population: str
    derivation: str = ""
    # How a label cites it when "first author year" would mislead (a report by an organisation).
    cite_as: str = ""

    @property
    def short(self) -> str:
        """How a label cites it: ``cite_as``, else the first author and year ("Monticone 2022")."""
        if self.cite_as:
            return self.cite_as
        author = self.citation.split(" ", 1)[0].rstrip(",")
        year = next((word[:4] for word in self.citation.replace(";", " ").split() if word[:4].isdigit()), "")
        return f"{author} {year}".strip()


@dataclass(frozen=True)
class Answer:
    """One answer an item offers: what is keyed in, its label, and what it adds to sums."""

    value: int
    label: str
    score: int


@dataclass(frozen=True)
class Item:
    """One question. ``text`` is the full wording where we may ship it, "" for copyrighted instruments."""

    number: int
    label: str
    text: str
    answers: tuple[Answer, ...]
    reversed: bool = False

    @property
    def min_value(self) -> int:
        return self.answers[0].value

    @property
    def max_value(self) -> int:
        return self.answers[-1].value

    @property
    def min_score(self) -> int:
        return min(answer.score for answer in self.answers)

    @property
    def max_score(self) -> int:
        return max(answer.score for answer in self.answers)

    def answer(self, value: int) -> Answer | None:
        """The answer keyed in as ``value``, or None if the item does not offer it."""
        # Answer values are checked to run consecutively, so the value is an offset into the tuple.
        index = value - self.min_value
        if 0 <= index < len(self.answers):
            return self.answers[index]
        return None


def scale(*labels: str, start: int = 0) -> tuple[tuple[int, str], ...]:
    """Consecutive answer values from ``start``, one per label: the answer options several items share."""
    return tuple(enumerate(labels, start))


def item(
    number: int,
    label: str,
    options: Sequence[tuple[int, str]],
    *,
    text: str = "",
    reversed: bool = False,
    recode: Mapping[int, int] | None = None,
) -> Item:
    """Build an item, working out each answer's score from the published rule.

    A reversed item scores ``min + max - value`` (TSK's 5 - x on 1..4, ÖMPSQ's 10 - x on 0..10); a
    recoded item scores what ``recode`` maps its value to (STarT Back item 9); any other scores its value.
    """
    if reversed and recode is not None:
        raise ValueError(f"Item {number} cannot be both reversed and recoded.")
    values = [value for value, _ in options]
    low, high = min(values), max(values)
    answers = []
    for value, answer_label in options:
        if recode is not None:
            if value not in recode:
                raise ValueError(f"Item {number}: the recoding does not say what answer {value} scores.")
            answer_score = recode[value]
        elif reversed:
            answer_score = low + high - value
        else:
            answer_score = value
        answers.append(Answer(value=value, label=answer_label, score=answer_score))
    return Item(number=number, label=label, text=text, answers=tuple(answers), reversed=reversed)


@dataclass(frozen=True)
class Subscale:
    """A named sum over some items' scores."""

    name: str
    items: tuple[int, ...]


def _in_range(value: int, low: int | None, high: int | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _unsourced(what: str, source: Source | None) -> Iterator[str]:
    if source is None:
        yield f"{what} has no source"
    elif not source.citation.strip() or not source.population.strip():
        yield f"the source of {what} needs a citation and a population"


def _describe_range(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low}–{high}"
    if low is not None:
        return f"≥ {low}"
    if high is not None:
        return f"≤ {high}"
    return "any"


@dataclass(frozen=True)
class BandRule:
    """A band, given when the total (or ``subscale``) lies in ``low``..``high``, both inclusive.

    An open bound is None; a rule with neither bound always matches, which makes it the "otherwise"
    band at the end of an ordered list (STarT Back's medium risk).
    """

    label: str
    low: int | None = None
    high: int | None = None
    subscale: str | None = None
    # None: the instrument's ``cutoff_source`` (one paper defines all its cut-offs).
    source: Source | None = None

    @property
    def unconditional(self) -> bool:
        return self.low is None and self.high is None

    def matches(self, total: int, subscales: Mapping[str, int]) -> bool:
        value = total if self.subscale is None else subscales[self.subscale]
        return _in_range(value, self.low, self.high)

    @property
    def describe(self) -> str:
        if self.unconditional:
            return f"{self.label}: otherwise"
        return f"{self.label}: {self.subscale or 'total'} {_describe_range(self.low, self.high)}"


@dataclass(frozen=True)
class FlagRule:
    """A flag, added when its condition holds. Every matching rule adds its flag.

    The condition is one of: the band is ``band``; or the score of ``item``, of ``subscale``, or else of
    the total, lies in ``low``..``high`` (inclusive, None for open).
    """

    flag: str
    low: int | None = None
    high: int | None = None
    subscale: str | None = None
    item: int | None = None
    band: str | None = None
    # None: the instrument's ``cutoff_source``.
    source: Source | None = None

    def matches(
        self, *, total: int, subscales: Mapping[str, int], item_scores: Mapping[int, int], band: str | None
    ) -> bool:
        if self.band is not None:
            return band == self.band
        if self.item is not None:
            # A prorated (missing) item has no score, so a rule on it cannot match.
            if self.item not in item_scores:
                return False
            value = item_scores[self.item]
        elif self.subscale is not None:
            value = subscales[self.subscale]
        else:
            value = total
        return _in_range(value, self.low, self.high)

    @property
    def describe(self) -> str:
        if self.band is not None:
            return f"{self.flag} when the band is {self.band}"
        if self.item is not None:
            on = f"item {self.item}"
        else:
            on = self.subscale or "total"
        return f"{self.flag} when {on} {_describe_range(self.low, self.high)}"


def _describe_baseline(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"for a baseline of {low}–{high}"
    if low is not None:
        return f"for a baseline of {low} or more"
    if high is not None:
        return f"for a baseline below {high + 1}"
    return "for any baseline"


@dataclass(frozen=True)
class BaselineMCID:
    """An MCID found for patients whose earlier score (the baseline of the pair compared) lies in
    ``low``..``high`` (inclusive, None for open): the literature finds larger MCIDs at worse baselines."""

    mcid: Decimal
    low: int | None = None
    high: int | None = None
    source: Source | None = None

    def applies(self, baseline: int) -> bool:
        return _in_range(baseline, self.low, self.high)

    @property
    def describe(self) -> str:
        return _describe_baseline(self.low, self.high)


@dataclass(frozen=True, kw_only=True)
class ChangeThresholds:
    """Published change thresholds in points, each with its source.

    ``mcid`` (minimal clinically important difference) applies unless one of ``mcid_by_baseline`` covers
    the baseline; ``rc`` is the reliable change, 1.96 × SD × √2 × √(1 − r) (Jacobson & Truax 1991), with
    the SD and r named in ``rc_source.derivation``.
    """

    mcid: Decimal
    rc: Decimal
    mcid_source: Source | None = None
    rc_source: Source | None = None
    mcid_by_baseline: tuple[BaselineMCID, ...] = ()

    def mcid_for(self, baseline: int | None) -> tuple[Decimal, Source | None, str]:
        """(MCID, its source, the baseline condition it was found under, "" if none) for a baseline."""
        if baseline is not None:
            for rule in self.mcid_by_baseline:
                if rule.applies(baseline):
                    return rule.mcid, rule.source, rule.describe
        return self.mcid, self.mcid_source, ""


@dataclass(frozen=True)
class ClinicalRange:
    """The totals that count as "in the clinical range" (Jacobson & Truax's criterion for recovery): a
    reliable improvement that leaves it is a reliable recovery."""

    low: int | None = None
    high: int | None = None
    source: Source | None = None

    def contains(self, total: int) -> bool:
        return _in_range(total, self.low, self.high)

    @property
    def describe(self) -> str:
        return f"total {_describe_range(self.low, self.high)}"


@dataclass(frozen=True, kw_only=True)
class Instrument:
    """A screening instrument as data, checked for consistency when created."""

    code: str
    name: str
    version: str
    domain: str
    items: tuple[Item, ...]
    subscales: tuple[Subscale, ...] = ()
    # Ordered: the first matching rule gives the band. No rules: the band is None.
    bands: tuple[BandRule, ...] = ()
    flags: tuple[FlagRule, ...] = ()
    higher_is_better: bool
    thresholds: ChangeThresholds | None
    # The source of every band and flag cut-off that names none of its own.
    cutoff_source: Source | None = None
    # Where the instrument's clinical range lies; None: no published one (a clinic cut-off may stand in).
    clinical_range: ClinicalRange | None = None
    min_total: int
    max_total: int
    licence: str
    citation: str
    public_domain: bool
    stem: str = ""
    # What a patient sees as the title when they answer by link: plain words, no acronym, no score.
    patient_title: str = ""
    # Items that may be left blank and imputed, and how many of them at most; 0 means every item is required.
    prorate_items: tuple[int, ...] = ()
    max_prorated_missing: int = 0

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise ValueError(f"Instrument {self.code or '(no code)'}: " + "; ".join(problems))

    def item(self, number: int) -> Item:
        if not 1 <= number <= len(self.items):
            raise KeyError(f"{self.code} has no item {number}.")
        # Items are checked to be numbered 1..n in order.
        return self.items[number - 1]

    @property
    def band_labels(self) -> tuple[str, ...]:
        return tuple(rule.label for rule in self.bands)

    @property
    def flag_names(self) -> frozenset[str]:
        """Every flag the definition can give (a clinic cut-off may add "high" on top)."""
        names = {rule.flag for rule in self.flags}
        if self.max_prorated_missing:
            names.add(PRORATED_FLAG)
        return frozenset(names)

    def rule_source(self, rule: BandRule | FlagRule) -> Source | None:
        return rule.source or self.cutoff_source

    @property
    def sourced_bands(self) -> list[tuple[BandRule, Source | None]]:
        """Each band rule with its source, for the instrument page."""
        return [(rule, self.rule_source(rule)) for rule in self.bands]

    @property
    def sourced_flags(self) -> list[tuple[FlagRule, Source | None]]:
        return [(rule, self.rule_source(rule)) for rule in self.flags]

    @property
    def publishes_high_flag(self) -> bool:
        """Whether a published rule can flag a result "high"; if not, only a clinic's cut-off can."""
        return any(rule.flag == HIGH_FLAG for rule in self.flags)

    @property
    def band_edges(self) -> list[tuple[str, int, int]]:
        """(label, low, high) of each band, lowest first, when the bands are plain ranges of the total.

        For drawing band lines on a chart; [] when there are no bands or they depend on subscales.
        """
        if not self.bands or not self._bands_are_total_ranges():
            return []
        edges = [
            (
                rule.label,
                self.min_total if rule.low is None else rule.low,
                self.max_total if rule.high is None else rule.high,
            )
            for rule in self.bands
        ]
        return sorted(edges, key=lambda edge: edge[1])

    def subscale_range(self, name: str) -> tuple[int, int]:
        subscale = next(s for s in self.subscales if s.name == name)
        # Unknown item numbers are reported on their own; leave them out rather than fail here.
        members = [self.items[number - 1] for number in subscale.items if 1 <= number <= len(self.items)]
        return sum(i.min_score for i in members), sum(i.max_score for i in members)

    def _bands_are_total_ranges(self) -> bool:
        return all(rule.subscale is None and not rule.unconditional for rule in self.bands)

    def _problems(self) -> Iterator[str]:
        yield from self._item_problems()
        numbers = [i.number for i in self.items]
        if numbers != list(range(1, len(self.items) + 1)):
            # Everything below looks items up by number, so stop here.
            return
        yield from self._total_problems()
        yield from self._subscale_problems()
        yield from self._band_problems()
        yield from self._flag_problems()
        yield from self._prorating_problems()
        yield from self._source_problems()
        yield from self._threshold_problems()
        if self.clinical_range is not None:
            yield from self._range_problems(
                "the clinical range", None, self.clinical_range.low, self.clinical_range.high
            )

    def _source_problems(self) -> Iterator[str]:
        for rule in self.bands:
            yield from _unsourced(f"band {rule.label!r}", self.rule_source(rule))
        for flag in self.flags:
            yield from _unsourced(f"flag rule {flag.flag!r}", self.rule_source(flag))
        if self.clinical_range is not None:
            yield from _unsourced("the clinical range", self.clinical_range.source)

    def _threshold_problems(self) -> Iterator[str]:
        thresholds = self.thresholds
        if thresholds is None:
            return
        values = [thresholds.mcid, thresholds.rc, *(rule.mcid for rule in thresholds.mcid_by_baseline)]
        if any(value <= 0 for value in values):
            yield "change thresholds must be positive"
        yield from _unsourced("the MCID", thresholds.mcid_source)
        yield from _unsourced("the reliable change", thresholds.rc_source)
        for rule in thresholds.mcid_by_baseline:
            yield from _unsourced(f"the MCID {rule.describe}", rule.source)
            yield from self._range_problems(f"the MCID {rule.describe}", None, rule.low, rule.high)
        for total in range(self.min_total, self.max_total + 1):
            covering = [rule for rule in thresholds.mcid_by_baseline if rule.applies(total)]
            if len(covering) > 1:
                yield f"MCIDs by baseline overlap at {total}"
                break

    def _item_problems(self) -> Iterator[str]:
        if not self.items:
            yield "has no items"
            return
        numbers = [i.number for i in self.items]
        duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
        if duplicates:
            yield f"duplicate item numbers {duplicates}"
        elif numbers != list(range(1, len(numbers) + 1)):
            yield f"items must be numbered 1..{len(numbers)} in order, got {numbers}"
        for each in self.items:
            values = [answer.value for answer in each.answers]
            if len(values) < 2:
                yield f"item {each.number} needs at least two answers"
            elif values != list(range(values[0], values[0] + len(values))):
                yield f"item {each.number} answer values must be consecutive and ascending, got {values}"
            elif each.reversed and any(a.score <= b.score for a, b in pairwise(each.answers)):
                yield f"item {each.number} is reversed but its scores do not fall as the answer rises"

    def _total_problems(self) -> Iterator[str]:
        low = sum(i.min_score for i in self.items)
        high = sum(i.max_score for i in self.items)
        if (self.min_total, self.max_total) != (low, high):
            yield f"total range {self.min_total}–{self.max_total} does not match the items' {low}–{high}"

    def _subscale_problems(self) -> Iterator[str]:
        names = [s.name for s in self.subscales]
        if len(set(names)) != len(names):
            yield f"duplicate subscale names {names}"
        for subscale in self.subscales:
            unknown = [n for n in subscale.items if not 1 <= n <= len(self.items)]
            if unknown:
                yield f"subscale {subscale.name!r} names unknown items {unknown}"
            if not subscale.items or len(set(subscale.items)) != len(subscale.items):
                yield f"subscale {subscale.name!r} must list each of its items once"

    def _range_problems(self, what: str, on: str | None, low: int | None, high: int | None) -> Iterator[str]:
        if on is None:
            bounds = (self.min_total, self.max_total)
        elif on in {s.name for s in self.subscales}:
            bounds = self.subscale_range(on)
        else:
            yield f"{what} refers to unknown subscale {on!r}"
            return
        if low is not None and high is not None and low > high:
            yield f"{what} has low {low} above high {high}"
        for bound in (low, high):
            if bound is not None and not bounds[0] <= bound <= bounds[1]:
                yield f"{what} bound {bound} lies outside {on or 'total'} range {bounds[0]}–{bounds[1]}"

    def _band_problems(self) -> Iterator[str]:
        if not self.bands:
            return
        labels = self.band_labels
        if len(set(labels)) != len(labels):
            yield f"duplicate band labels {list(labels)}"
        for rule in self.bands:
            yield from self._range_problems(f"band {rule.label!r}", rule.subscale, rule.low, rule.high)
        if self._bands_are_total_ranges():
            # Plain ranges of the total must partition it: every total gets exactly one band.
            for total in range(self.min_total, self.max_total + 1):
                matching = [rule.label for rule in self.bands if rule.matches(total, {})]
                if not matching:
                    yield f"bands do not cover total {total}"
                elif len(matching) > 1:
                    yield f"bands {matching} overlap at total {total}"
        else:
            # Rules on subscales cannot be checked total by total, so an unconditional last rule must
            # catch whatever the others leave; anything after it could never be reached.
            catch_all = [index for index, rule in enumerate(self.bands) if rule.unconditional]
            if catch_all != [len(self.bands) - 1]:
                yield "bands that depend on subscales must end with one unconditional band, and only there"

    def _flag_problems(self) -> Iterator[str]:
        for rule in self.flags:
            what = f"flag rule {rule.flag!r}"
            targets = [t for t in (rule.subscale, rule.item, rule.band) if t is not None]
            if len(targets) > 1:
                yield f"{what} must test one of band, item, subscale or total"
            elif rule.band is not None:
                if rule.band not in self.band_labels:
                    yield f"{what} refers to unknown band {rule.band!r}"
                if rule.low is not None or rule.high is not None:
                    yield f"{what} tests a band and so takes no bounds"
            elif rule.low is None and rule.high is None:
                yield f"{what} has no condition"
            elif rule.item is not None:
                if not 1 <= rule.item <= len(self.items):
                    yield f"{what} refers to unknown item {rule.item}"
                else:
                    tested = self.items[rule.item - 1]
                    for bound in (rule.low, rule.high):
                        if bound is not None and not tested.min_score <= bound <= tested.max_score:
                            yield f"{what} bound {bound} lies outside item {rule.item}'s scores"
            else:
                yield from self._range_problems(what, rule.subscale, rule.low, rule.high)
            if rule.flag == PRORATED_FLAG:
                yield f"{what}: {PRORATED_FLAG!r} is given by the scorer itself"

    def _prorating_problems(self) -> Iterator[str]:
        if self.max_prorated_missing < 0:
            yield "max_prorated_missing cannot be negative"
        if bool(self.prorate_items) != bool(self.max_prorated_missing):
            yield "prorate_items and max_prorated_missing must be set together"
        unknown = [n for n in self.prorate_items if not 1 <= n <= len(self.items)]
        if unknown:
            yield f"prorate_items names unknown items {unknown}"
        if len(set(self.prorate_items)) != len(self.prorate_items):
            yield "prorate_items lists an item twice"
        if self.prorate_items and self.max_prorated_missing >= len(self.prorate_items):
            yield "max_prorated_missing must leave at least one proratable item answered"
        if self.prorate_items and self.subscales:
            # A prorated total says nothing about which subscale the gap belongs to.
            yield "prorating is not supported together with subscales"
