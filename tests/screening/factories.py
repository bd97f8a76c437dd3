"""Answer sets and recorded screenings for tests."""

from screening.instruments import get_instrument
from screening.services import screening_record


def phq9(*scores: int, item9: int = 0) -> dict[str, int]:
    """PHQ-9 answers: items 1-8 from ``scores`` (padded with 0), item 9 given separately."""
    values = list(scores) + [0] * (8 - len(scores))
    return {str(number): value for number, value in enumerate(values, start=1)} | {"9": item9}


def lowest_answers(code: str) -> dict[str, int]:
    instrument = get_instrument(code)
    return {str(item.number): min(a.value for a in item.answers) for item in instrument.items}


def record(patient, user, code="PHQ-9", answers=None, timepoint="intake", **kwargs):
    return screening_record(
        patient=patient,
        instrument_code=code,
        timepoint=timepoint,
        answers=answers if answers is not None else lowest_answers(code),
        entered_by=user,
        **kwargs,
    )
