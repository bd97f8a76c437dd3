"""Each seeded routing rule fires on its condition and not just outside it; a rule is checked as data."""

import pytest
from django.core.exceptions import ValidationError

from routing.models import Review, RoutingRule
from routing.rules_seed import SEEDED_RULES
from routing.services import rules_fired
from screening.models import InstrumentSetting
from tests.screening.factories import record

from .helpers import answers_for, psychologist

BY_CONDITION = [rule for rule in SEEDED_RULES if rule["condition"] != "deterioration"]


def _cases(rule: dict) -> list[tuple[str, int, bool]]:
    """(what, value, fires) at each edge of the rule's condition: on it, and one point outside it."""
    cases = []
    if rule["condition"] != "score":
        return [("on", 0, True), ("just outside", 0, False)]
    if rule.get("low") is not None:
        cases += [("at the lower edge", rule["low"], True), ("one under", rule["low"] - 1, False)]
    if rule.get("high") is not None:
        cases += [("at the upper edge", rule["high"], True), ("one over", rule["high"] + 1, False)]
    return cases


def _answers(rule: dict, value: int, fires: bool) -> dict[str, int]:
    if rule["condition"] == "band":  # STarT Back: high risk is a total ≥ 4 with a psychosocial score ≥ 4
        answers = answers_for("STarT-Back", 4 if fires else 3, subscale="psychosocial")
        answers["1"] = 1  # the total stays above low risk: one point under is medium risk
        return answers
    if rule["condition"] == "flag":  # TSK-11: the clinic's cut-off, set in each test
        return answers_for("TSK-11", 30 if fires else 29)
    return answers_for(rule["instrument"], value, subscale=rule.get("subscale") or None)


PARAMS = [
    pytest.param(rule, what, value, fires, id=f"{rule['name']} {what}")
    for rule in BY_CONDITION
    for what, value, fires in _cases(rule)
]


@pytest.mark.parametrize(("rule", "what", "value", "fires"), PARAMS)
def test_seeded_rule_fires_on_its_condition_only(rule, what, value, fires, patient, clinician, north):
    psychologist(north)
    InstrumentSetting.objects.create(instrument="TSK-11", high_cutoff=30, source="Clinic audit 2026")
    screening = record(patient, clinician, code=rule["instrument"], answers=_answers(rule, value, fires))

    fired = [each.name for each, _ in rules_fired(screening=screening)]
    reviews = list(Review.objects.filter(patient=patient).select_related("rule"))
    if fires:
        assert rule["name"] in fired
        assert [review.rule.name for review in reviews] == [fired[0]]
        assert reviews[0].screening == screening
    else:
        assert rule["name"] not in fired
        assert rule["name"] not in [review.rule.name for review in reviews]


def test_every_seeded_rule_is_valid_and_cites_its_source(db):
    rules = list(RoutingRule.objects.filter(name__in=[rule["name"] for rule in SEEDED_RULES]))
    assert len(rules) == len(SEEDED_RULES)
    for rule in rules:
        rule.full_clean()
        assert rule.rationale and rule.source
        # The version a review names: the seeding wrote the first history row.
        assert rule.history.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"instrument": "BDI-II"}, "instrument"),
        ({"condition": "band", "band": "very high"}, "band"),
        ({"condition": "flag", "flag": "safety-ish"}, "flag"),
        ({"subscale": "mood"}, "subscale"),
        ({"low": 60}, "low"),
        ({"low": 40, "high": 35}, "high"),
        ({"low": None}, "low"),
        ({"interventions": ["reiki"]}, "interventions"),
        ({"instrument": "PHQ-4", "condition": "deterioration", "low": None}, "condition"),
    ],
)
def test_a_rule_that_could_not_fire_is_refused_on_its_field(db, fields, field):
    base = {
        "name": "Test rule",
        "instrument": "PCS",
        "condition": "score",
        "low": 30,
        "discipline": "psychologist",
        "due_days": 14,
        "interventions": ["graded_exposure"],
        "rationale": "Why",
        "source": "Where",
    }
    with pytest.raises(ValidationError) as refused:
        RoutingRule(**(base | fields)).full_clean()
    assert field in refused.value.message_dict


def test_an_inactive_rule_does_not_fire(patient, clinician, north):
    psychologist(north)
    RoutingRule.objects.filter(instrument="PCS").update(is_active=False)
    record(patient, clinician, code="PCS", answers=answers_for("PCS", 40))
    assert not Review.objects.filter(patient=patient).exists()


DETERIORATION = [rule for rule in SEEDED_RULES if rule["condition"] == "deterioration"]


@pytest.mark.parametrize("rule", DETERIORATION, ids=[rule["instrument"] for rule in DETERIORATION])
@pytest.mark.parametrize("above", [0, -1], ids=["at the reliable change", "one point under"])
def test_seeded_deterioration_rule_fires_at_the_reliable_change(rule, above, patient, clinician, north):
    """Judged against the previous result with the thresholds in force (the instrument's own here)."""
    import math

    from screening.instruments import get_instrument, thresholds_in_force

    psychologist(north)
    instrument = get_instrument(rule["instrument"])
    _, rc = thresholds_in_force(instrument)
    rise = math.ceil(rc) + above
    code = rule["instrument"]
    record(patient, clinician, code=code, answers=answers_for(code, instrument.min_total))
    later = record(patient, clinician, code=code, answers=answers_for(code, instrument.min_total + rise))
    fired = [each.name for each, _ in rules_fired(screening=later)]
    assert (rule["name"] in fired) is (above == 0)
    if above == 0:
        assert Review.objects.get(patient=patient).reason.endswith(
            f"reliable deterioration from {instrument.min_total}"
        )
