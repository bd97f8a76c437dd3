"""The catalogue names the competencies its interventions need by the codes the training app seeds."""

from careplans.catalogue import CATALOGUE, InterventionCode, Kind
from training.seed import COMPETENCIES


def test_every_named_competency_is_a_seeded_one():
    seeded = {code for code, _, _ in COMPETENCIES}
    named = {code for intervention in CATALOGUE.values() for code in intervention.competencies}
    assert named and named <= seeded


def test_talking_therapies_need_their_training_and_hands_on_work_needs_the_discipline_only():
    assert CATALOGUE[InterventionCode.CBT_REFRAMING].competencies == ("cbt-informed-practice",)
    assert CATALOGUE[InterventionCode.GRADED_EXPOSURE].competencies == ("graded-exposure",)
    assert CATALOGUE[InterventionCode.MANUAL_THERAPY].competencies == ()
    psychological = [i for i in CATALOGUE.values() if i.kind == Kind.PSYCHOLOGICAL and i.competencies]
    assert len(psychological) >= 6
