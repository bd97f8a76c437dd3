"""Follow-up screenings by severity: the due day a rule's interval gives, one due re-screen per patient and
instrument (a second finding brings it forward, never back), done by a later result only, dropped by a
clinician; and the loop a later result closes (a review marked improved by a reliable improvement or a
move out of what fired its rule, not by a smaller change nor a move to a worse band)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from routing import rescreens
from routing.models import Condition, Rescreen, Review, RoutingRule
from routing.selectors import rescreens_due, rescreens_missed, review_improvement
from screening.instruments import INSTRUMENTS
from screening.services import screening_amend
from teams.models import AuditEvent, Patient

from ..screening.factories import record

# 10:00 in London, summer time; the finding's day.
FOUND = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def answers(code: str, total: int) -> dict[str, int]:
    """Answers adding up to ``total`` (items filled in order; PHQ-9's item 9, the safety item, left 0)."""
    items = INSTRUMENTS[code].items
    result = {str(item.number): min(a.value for a in item.answers) for item in items}
    left = total - sum(result.values())
    for item in items:
        if (code, item.number) == ("PHQ-9", 9):
            continue
        step = min(left, max(a.value for a in item.answers) - result[str(item.number)])
        result[str(item.number)] += step
        left -= step
    assert left == 0, f"{code} cannot total {total}"
    return result


@pytest.fixture
def rules_quiet(db):
    """No rule fires by itself here: these tests open their reviews by hand, so each rule is tested on
    its own."""
    RoutingRule.objects.update(is_active=False)


def _rule(instrument="PHQ-9", **fields) -> RoutingRule:
    defaults = {
        "name": f"Test rule {RoutingRule.objects.count()}",
        "instrument": instrument,
        "condition": Condition.SCORE,
        "discipline": "psychologist",
        "due_days": 14,
        "rescreen_days": 28,
        "rationale": "For the test.",
        "source": "The test.",
        "is_active": False,
    }
    return RoutingRule.objects.create(**(defaults | fields))


def _finding(patient, user, code, total, *, at=FOUND):
    with time_machine.travel(at, tick=False):
        return record(patient, user, code=code, answers=answers(code, total), administered_at=at)


def _review(patient, owner, screening, rule) -> Review:
    return Review.objects.create(
        patient=patient,
        screening=screening,
        rule=rule,
        reason=f"{screening.instrument} {screening.total}",
        discipline=rule.discipline,
        owner=owner,
        due_on=screening.administered_at.date() + timedelta(days=rule.due_days),
    )


def _later(patient, user, code, total, *, days=28):
    at = FOUND + timedelta(days=days)
    with time_machine.travel(at, tick=False):
        return record(patient, user, code=code, answers=answers(code, total), timepoint="adhoc")


# --- the due day ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("administered", "local_day"),
    [
        # 00:30 in London on 1 Jul (summer time) is still 30 Jun in UTC: the clinic's day counts.
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), date(2026, 7, 1)),
        # 23:30 in London on 15 Jan (winter, UTC+0): the same day.
        (datetime(2026, 1, 15, 23, 30, tzinfo=UTC), date(2026, 1, 15)),
        # The night the clocks go forward (29 Mar 2026, 01:00 UTC): 00:30 and 02:30 local, one day.
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), date(2026, 3, 29)),
        (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), date(2026, 3, 29)),
        # The night they go back (25 Oct 2026): 00:30 local (23:30 UTC the day before) is the 25th.
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), date(2026, 10, 25)),
    ],
)
def test_a_rescreen_falls_due_the_interval_after_the_results_local_day(
    patient, clinician, colleague, administered, local_day
):
    """End to end through the seeded rules: a moderate PHQ-9 opens a review whose rule asks to screen
    again after its interval, counted from the day the result was given in the clinic's time zone."""
    rule = RoutingRule.objects.get(instrument="PHQ-9", condition=Condition.SCORE, low=10, high=19)
    with time_machine.travel(administered, tick=False):
        finding = record(patient, clinician, code="PHQ-9", answers=answers("PHQ-9", 12))
    [rescreen] = Rescreen.objects.filter(patient=patient)
    assert rescreen.instrument == "PHQ-9"
    assert rescreen.state == Rescreen.State.DUE
    assert rescreen.due_on == local_day + timedelta(days=rule.rescreen_days)
    assert rescreen.due_on == rescreens.rescreen_due_on(screening=finding, days=rule.rescreen_days)
    assert rescreen.review.screening == finding


# --- scheduling -----------------------------------------------------------------------------------------


def test_a_second_finding_moves_the_rescreen_earlier_never_later_and_never_doubles_it(
    patient, clinician, colleague, rules_quiet
):
    rule = _rule(low=10)
    first = _review(patient, colleague, _finding(patient, clinician, "PHQ-9", 12), rule)
    second = _review(
        patient, colleague, _finding(patient, clinician, "PHQ-9", 16, at=FOUND + timedelta(1)), rule
    )
    day = date(2026, 7, 8)

    made = rescreens.rescreen_schedule(review=first, due_on=day)
    sooner = rescreens.rescreen_schedule(review=second, due_on=day - timedelta(days=7))
    later = rescreens.rescreen_schedule(review=first, due_on=day + timedelta(days=14))

    assert made.pk == sooner.pk == later.pk
    [due] = Rescreen.objects.filter(patient=patient)
    assert due.due_on == day - timedelta(days=7)
    assert due.review == second  # it follows the review that asked sooner
    events = AuditEvent.objects.filter(object_type="rescreen", object_id=str(due.pk)).order_by("id")
    assert [(e.action, e.changed_fields) for e in events][1:] == [("update", ["due_on", "review"])]
    assert events[0].action == "create"


def test_another_instrument_gets_its_own_rescreen(patient, clinician, colleague, rules_quiet):
    phq9 = _review(patient, colleague, _finding(patient, clinician, "PHQ-9", 12), _rule(low=10))
    gad7 = _review(patient, colleague, _finding(patient, clinician, "GAD-7", 12), _rule("GAD-7", low=10))
    rescreens.rescreen_schedule(review=phq9, due_on=date(2026, 7, 8))
    rescreens.rescreen_schedule(review=gad7, due_on=date(2026, 7, 1))
    assert [(r.instrument, r.due_on) for r in rescreens_due(patient=patient)] == [
        ("GAD-7", date(2026, 7, 1)),
        ("PHQ-9", date(2026, 7, 8)),
    ]


# --- done by a later result -----------------------------------------------------------------------------


def test_only_a_later_result_of_the_instrument_completes_the_rescreen(
    patient, clinician, colleague, rules_quiet
):
    finding = _finding(patient, clinician, "PHQ-9", 12)
    review = _review(patient, colleague, finding, _rule(low=10))
    with time_machine.travel(FOUND + timedelta(minutes=5), tick=False):
        rescreen = rescreens.rescreen_schedule(review=review, due_on=date(2026, 7, 8))

    # Recorded afterwards but given before the finding (entered late): not a follow-up.
    with time_machine.travel(FOUND + timedelta(days=2), tick=False):
        record(
            patient,
            clinician,
            code="PHQ-9",
            answers=answers("PHQ-9", 11),
            administered_at=FOUND - timedelta(days=3),
        )
        # A correction of the finding itself: the same administration, not a new one.
        screening_amend(original=finding, answers=answers("PHQ-9", 13), reason="Typo", entered_by=clinician)
    # Another instrument.
    _later(patient, clinician, "GAD-7", 3, days=20)
    rescreen.refresh_from_db()
    assert rescreen.state == Rescreen.State.DUE

    follow_up = _later(patient, clinician, "PHQ-9", 11, days=27)
    rescreen.refresh_from_db()
    assert rescreen.state == Rescreen.State.DONE
    assert rescreen.screening == follow_up
    assert rescreen.done_at == FOUND + timedelta(days=27)
    assert AuditEvent.objects.filter(
        object_type="rescreen", object_id=str(rescreen.pk), changed_fields=["done_at", "screening", "state"]
    ).exists()
    assert not rescreens_due(patient=patient).exists()


def test_a_cancelled_rescreen_is_no_longer_due_and_a_new_finding_schedules_another(
    patient, clinician, colleague, rules_quiet
):
    review = _review(patient, colleague, _finding(patient, clinician, "PHQ-9", 12), _rule(low=10))
    rescreen = rescreens.rescreen_schedule(review=review, due_on=date(2026, 7, 8))

    rescreens.rescreen_cancel(rescreen=rescreen, user=colleague)

    rescreen.refresh_from_db()
    assert rescreen.state == Rescreen.State.CANCELLED
    event = AuditEvent.objects.filter(object_type="rescreen", object_id=str(rescreen.pk)).latest("id")
    assert (event.actor, event.changed_fields) == (colleague, ["state"])
    assert not rescreens_due(patient=patient).exists()
    with pytest.raises(ValidationError, match="cancelled already"):
        rescreens.rescreen_cancel(rescreen=rescreen, user=colleague)
    # A later result does not revive it.
    _later(patient, clinician, "PHQ-9", 5)
    rescreen.refresh_from_db()
    assert rescreen.state == Rescreen.State.CANCELLED
    again = rescreens.rescreen_schedule(review=review, due_on=date(2026, 8, 1))
    assert again.pk != rescreen.pk and again.state == Rescreen.State.DUE


def test_missed_rescreens_are_those_still_due_after_their_day(patient, clinician, colleague, rules_quiet):
    review = _review(patient, colleague, _finding(patient, clinician, "PHQ-9", 12), _rule(low=10))
    rescreen = rescreens.rescreen_schedule(review=review, due_on=date(2026, 7, 8))
    patients = Patient.objects.all()
    assert not rescreens_missed(patients=patients, today=date(2026, 7, 8)).exists()
    assert list(rescreens_missed(patients=patients, today=date(2026, 7, 9))) == [rescreen]
    rescreens.rescreen_cancel(rescreen=rescreen, user=colleague)
    assert not rescreens_missed(patients=patients, today=date(2026, 7, 9)).exists()


# --- closing the loop -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_fields", "code", "found", "later", "reasons"),
    [
        # PHQ-9's reliable change is 6 points: 18 → 12 is reliable, still in the range that fired.
        ({"low": 10}, "PHQ-9", 18, 12, ["reliable improvement (18 → 12)"]),
        # 11 → 9 is 2 points, not reliable, but out of the range (at or above 10) that fired the rule.
        ({"low": 10}, "PHQ-9", 11, 9, ["total 9, under 10"]),
        # Both at once.
        ({"low": 10}, "PHQ-9", 16, 4, ["reliable improvement (16 → 4)", "total 4, under 10"]),
        # A band rule: moderate (10–14) to mild.
        ({"condition": Condition.BAND, "band": "moderate"}, "PHQ-9", 12, 9, ["out of the moderate band"]),
        # A flag rule: GAD-7 'high' at 10; 11 → 9 (the reliable change is 4).
        ({"condition": Condition.FLAG, "flag": "high"}, "GAD-7", 11, 9, ["no longer flagged high"]),
        # A higher-is-better instrument: PSEQ at or under 19 is low self-efficacy; 17 → 21 leaves it.
        ({"high": 19}, "PSEQ", 17, 21, ["total 21, above 19"]),
        # A reliable deterioration rule closes by a reliable improvement only.
        ({"condition": Condition.DETERIORATION}, "PHQ-9", 20, 13, ["reliable improvement (20 → 13)"]),
    ],
)
def test_a_later_result_marks_the_review_improved(
    patient, clinician, colleague, rules_quiet, rule_fields, code, found, later, reasons
):
    review = _review(
        patient, colleague, _finding(patient, clinician, code, found), _rule(code, **rule_fields)
    )
    version = review.version

    result = _later(patient, clinician, code, later)

    review.refresh_from_db()
    assert review.improved_by == result
    assert review.improved_at == FOUND + timedelta(days=28)
    assert review.version == version  # a clinician's open edit of the review is not made stale
    assert review_improvement(review=review) == reasons
    event = AuditEvent.objects.filter(object_type="review", object_id=str(review.pk)).latest("id")
    assert event.changed_fields == ["improved_at", "improved_by"]


@pytest.mark.parametrize(
    ("rule_fields", "code", "found", "later"),
    [
        # 16 → 13: 3 points, under the reliable change of 6, and still at or above 10.
        ({"low": 10}, "PHQ-9", 16, 13),
        # One point under the reliable change (6): 18 → 13, still in range.
        ({"low": 10}, "PHQ-9", 18, 13),
        # Out of the range 10–19, but upwards: worse, not better.
        ({"low": 10, "high": 19}, "PHQ-9", 18, 24),
        # Out of the moderate band into a worse one.
        ({"condition": Condition.BAND, "band": "moderate"}, "PHQ-9", 13, 16),
        # Still flagged, a small fall.
        ({"condition": Condition.FLAG, "flag": "high"}, "GAD-7", 13, 11),
        # PSEQ up a little, still at or under 19.
        ({"high": 19}, "PSEQ", 14, 19),
        # No change.
        ({"condition": Condition.DETERIORATION}, "PHQ-9", 20, 20),
    ],
)
def test_a_smaller_change_or_a_worse_band_does_not_mark_the_review_improved(
    patient, clinician, colleague, rules_quiet, rule_fields, code, found, later
):
    review = _review(
        patient, colleague, _finding(patient, clinician, code, found), _rule(code, **rule_fields)
    )
    _later(patient, clinician, code, later)
    review.refresh_from_db()
    assert review.improved_by is None and review.improved_at is None
    assert review_improvement(review=review) == []


def test_an_improved_review_keeps_the_first_result_that_improved_on_it(
    patient, clinician, colleague, rules_quiet
):
    review = _review(patient, colleague, _finding(patient, clinician, "PHQ-9", 12), _rule(low=10))
    first = _later(patient, clinician, "PHQ-9", 8, days=20)
    _later(patient, clinician, "PHQ-9", 2, days=40)
    review.refresh_from_db()
    assert review.improved_by == first


def test_a_result_given_before_the_finding_does_not_improve_on_it(patient, clinician, colleague, rules_quiet):
    review = _review(patient, colleague, _finding(patient, clinician, "PHQ-9", 12), _rule(low=10))
    with time_machine.travel(FOUND + timedelta(days=1), tick=False):
        record(
            patient,
            clinician,
            code="PHQ-9",
            answers=answers("PHQ-9", 2),
            administered_at=FOUND - timedelta(1),
        )
    review.refresh_from_db()
    assert review.improved_by is None


# --- corrections ----------------------------------------------------------------------------------------


def _correct(result, total, user):
    with time_machine.travel(FOUND + timedelta(days=30), tick=False):
        return screening_amend(
            original=result, answers=answers(result.instrument, total), reason="Misread item", entered_by=user
        )


def test_a_corrected_follow_up_stands_in_for_the_result_it_replaces(
    patient, clinician, colleague, rules_quiet
):
    review = _review(patient, colleague, _finding(patient, clinician, "PHQ-9", 12), _rule(low=10))
    with time_machine.travel(FOUND, tick=False):
        rescreen = rescreens.rescreen_schedule(review=review, due_on=date(2026, 7, 8))
    follow_up = _later(patient, clinician, "PHQ-9", 8)

    corrected = _correct(follow_up, 7, clinician)

    rescreen.refresh_from_db()
    review.refresh_from_db()
    assert (rescreen.state, rescreen.screening) == (Rescreen.State.DONE, corrected)
    assert review.improved_by == corrected
    assert review.improved_at == FOUND + timedelta(days=28)  # improved since the result was given


def test_a_correction_that_no_longer_improves_unmarks_the_review(patient, clinician, colleague, rules_quiet):
    review = _review(patient, colleague, _finding(patient, clinician, "PHQ-9", 12), _rule(low=10))
    follow_up = _later(patient, clinician, "PHQ-9", 8)
    review.refresh_from_db()
    assert review.improved_by == follow_up

    _correct(follow_up, 11, clinician)  # 12 → 11: not reliable, still at or above 10

    review.refresh_from_db()
    assert review.improved_by is None and review.improved_at is None


def test_a_correction_that_improves_marks_the_review(patient, clinician, colleague, rules_quiet):
    review = _review(patient, colleague, _finding(patient, clinician, "PHQ-9", 12), _rule(low=10))
    follow_up = _later(patient, clinician, "PHQ-9", 11)
    review.refresh_from_db()
    assert review.improved_by is None

    corrected = _correct(follow_up, 8, clinician)

    review.refresh_from_db()
    assert review.improved_by == corrected
    assert review_improvement(review=review) == ["total 8, under 10"]
