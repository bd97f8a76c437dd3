import pytest

from training.models import Competency
from training.seed import competencies_ensure


@pytest.fixture(autouse=True)
def seeded_competencies(db):
    # Transactional tests elsewhere (the browser's, the demo's) empty every table, the competencies the
    # training app's data migration seeded included; these tests name them by code.
    competencies_ensure(Competency)
