"""Follow-up screenings: scheduled by a rule's re-screen interval, done by the next result.

(Being built: see issue 19.)
"""

from datetime import date

from screening.models import Screening

from .models import Rescreen, Review


def rescreen_schedule(*, review: Review, due_on: date) -> Rescreen | None:
    """The re-screen a review's rule asks for, due on ``due_on`` (being built)."""
    return None


def rescreens_on_result(*, screening: Screening) -> list[Rescreen]:
    """Mark the due re-screens this result completes (being built)."""
    return []
