"""Follow-up screenings: scheduled by a rule's re-screen interval, done by the next result; and the loop
that result closes.

A review whose rule has ``rescreen_days`` schedules the patient's next screening of that instrument
(``rescreen_schedule``): one due re-screen per patient and instrument, which a second finding moves to the
earlier of the two days, never later. A later result of the instrument marks it done
(``rescreens_on_result``, from the receiver of ``screening_recorded``, inside the recording transaction,
before the rules open new reviews), and marks improved every review of that patient and instrument whose
finding it improved on: reliably, or out of the flag, band or range that fired the rule
(``selectors.improvement_reasons``, which also says which, from the stored results). A clinician may drop
a due re-screen (``rescreen_cancel``). Every write is audited.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import context
from screening.models import Screening
from screening.selectors import instrument_overrides
from teams.models import User
from teams.services import audited_save

from .models import Rescreen, Review
from .selectors import improvement_reasons

# Who wrote a row when nobody signed in did: a patient's own answers by link, or the system.
PATIENT_LINK = "patient link"
SYSTEM = "routing"


def rescreen_due_on(*, screening: Screening, days: int) -> date:
    """The day a re-screen ``days`` after this result falls due: the result's day in the clinic's time
    zone, plus the days (so a result entered at 00:30 local time counts from that day, not UTC's)."""
    return timezone.localdate(screening.administered_at) + timedelta(days=days)


def _due_locked(*, patient_id: int, instrument: str) -> Rescreen | None:
    return (
        Rescreen.objects.select_for_update()
        .due()
        .filter(patient_id=patient_id, instrument=instrument)
        .first()
    )


def _actor(user: User | None) -> tuple[User | None, str]:
    actor = user if user is not None else context.current().actor
    return actor, "" if actor is not None else SYSTEM


@transaction.atomic
def rescreen_schedule(*, review: Review, due_on: date, user: User | None = None) -> Rescreen:
    """The patient's due re-screen of the review's instrument, on ``due_on``: created, or an existing due
    one moved to the earlier of its day and ``due_on`` (a second finding asking sooner brings it forward,
    never later, and never makes a second one). Audited as ``user``, by default whoever is acting (the
    clinician whose entry fired the rule, or the system)."""
    patient, instrument = review.patient, review.screening.instrument
    actor, username = _actor(user)
    rescreen = _due_locked(patient_id=patient.pk, instrument=instrument)
    if rescreen is None:
        try:
            with transaction.atomic():
                return audited_save(
                    Rescreen(patient=patient, instrument=instrument, due_on=due_on, review=review),
                    actor=actor,
                    patient=patient,
                    username=username,
                    clean=False,
                )
        except IntegrityError:
            # Another transaction made the due one meanwhile (the one-due constraint): move that one.
            rescreen = _due_locked(patient_id=patient.pk, instrument=instrument)
            if rescreen is None:
                raise
    if due_on < rescreen.due_on:
        # It now follows the review asking sooner.
        rescreen.due_on, rescreen.review = due_on, review
        audited_save(
            rescreen,
            actor=actor,
            patient=patient,
            fields=["due_on", "review"],
            username=username,
            clean=False,
        )
    return rescreen


@transaction.atomic
def rescreen_cancel(*, rescreen: Rescreen, user: User) -> Rescreen:
    """A clinician drops a due re-screen (it no longer asks to be done, nor goes with a reminder)."""
    rescreen = Rescreen.objects.select_for_update().select_related("patient").get(pk=rescreen.pk)
    if rescreen.state != Rescreen.State.DUE:
        raise ValidationError(
            _("This re-screen is %(state)s already.") % {"state": rescreen.get_state_display().lower()}
        )
    rescreen.state = Rescreen.State.CANCELLED
    return audited_save(rescreen, actor=user, patient=rescreen.patient, fields=["state"], clean=False)


def _follows(screening: Screening, finding: Screening | None) -> bool:
    """Whether ``screening`` came after the finding: administered at or after it, and another result
    (nor a correction of it)."""
    if finding is None:
        return True
    return (
        screening.pk != finding.pk
        and screening.amends_id != finding.pk
        and screening.administered_at >= finding.administered_at
    )


def rescreens_on_result(*, screening: Screening) -> list[Rescreen]:
    """What a newly stored result completes, in the recording transaction: the patient's due re-screen of
    the instrument (if the result was recorded after the re-screen was made, and follows the finding that
    asked for it), and every not yet improved review of that patient and instrument whose finding it
    improved on. Returns the re-screens marked done.

    A correction (an amending result) stands in for the result it replaces: a re-screen that result
    completed now names the correction, a review it marked improved stays improved only if the corrected
    result still improves on the finding, and a review it did not may be improved by the correction. It
    completes no due re-screen: it was given when the result it corrects was."""
    patient = screening.patient
    actor = screening.entered_by
    username = PATIENT_LINK if actor is None and screening.source == Screening.Source.PATIENT else ""
    username = username or ("" if actor is not None else SYSTEM)
    now = timezone.now()

    def save(row: Rescreen | Review, fields: list[str]) -> None:
        audited_save(row, actor=actor, patient=patient, fields=fields, username=username, clean=False)

    done = []
    if screening.amends_id is None:
        due = (
            Rescreen.objects.select_for_update(of=("self",))
            .due()
            .filter(patient=patient, instrument=screening.instrument, created_at__lte=screening.created_at)
            .select_related("review__screening")
        )
        for rescreen in due:
            if not _follows(screening, rescreen.review.screening if rescreen.review else None):
                continue
            rescreen.state, rescreen.screening, rescreen.done_at = Rescreen.State.DONE, screening, now
            save(rescreen, ["state", "screening", "done_at"])
            done.append(rescreen)
    else:
        for rescreen in Rescreen.objects.select_for_update().filter(screening_id=screening.amends_id):
            rescreen.screening = screening
            save(rescreen, ["screening"])
    # Reviews not improved yet, and those the result a correction replaces had improved.
    pending = Q(improved_at__isnull=True)
    if screening.amends_id is not None:
        pending |= Q(improved_by_id=screening.amends_id)
    reviews = (
        Review.objects.select_for_update(of=("self",))
        .filter(pending, patient=patient, screening__instrument=screening.instrument)
        .select_related("screening", "rule")
        .order_by("id")
    )
    followed = [review for review in reviews if _follows(screening, review.screening)]
    overrides = instrument_overrides(screening.instrument) if followed else None
    for review in followed:
        reasons = improvement_reasons(
            rule=review.rule, finding=review.screening, later=screening, overrides=overrides
        )
        # Only these fields: a clinician's edit of the review (its version) is not disturbed.
        if review.improved_at is None and reasons:
            review.improved_by, review.improved_at = screening, now
            save(review, ["improved_by", "improved_at"])
        elif review.improved_at is not None and reasons:
            review.improved_by = screening  # corrected, still improved: since the same moment
            save(review, ["improved_by"])
        elif review.improved_at is not None:
            review.improved_by, review.improved_at = None, None  # corrected: it did not improve after all
            save(review, ["improved_by", "improved_at"])
    return done
