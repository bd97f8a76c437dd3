"""Answer sets that score what a routing test needs, and the team a review is routed in."""

from screening.instruments import get_instrument
from teams.models import Discipline
from tests.factories import MembershipFactory, UserFactory


def answers_for(code: str, target: int, *, subscale: str | None = None) -> dict[str, int]:
    """Answers whose total (or ``subscale``) scores exactly ``target``: every item at its lowest score,
    then raised one item at a time, first the subscale's items, until the sum reaches it."""
    instrument = get_instrument(code)
    chosen = {each.number: min(each.answers, key=lambda answer: answer.score) for each in instrument.items}
    members = (
        next(s.items for s in instrument.subscales if s.name == subscale)
        if subscale
        else tuple(each.number for each in instrument.items)
    )
    need = target - sum(chosen[number].score for number in members)
    for number in members:
        if need <= 0:
            break
        options = sorted(instrument.item(number).answers, key=lambda answer: answer.score)
        best = max((a for a in options if a.score - chosen[number].score <= need), key=lambda a: a.score)
        need -= best.score - chosen[number].score
        chosen[number] = best
    assert need == 0, f"{code} cannot score {target}"
    return {str(number): answer.value for number, answer in chosen.items()}


def psychologist(team, username="psych", **fields):
    user = UserFactory(username=username, discipline=Discipline.PSYCHOLOGIST, **fields)
    MembershipFactory(team=team, user=user)
    return user
