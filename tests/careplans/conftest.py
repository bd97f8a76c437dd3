import pytest

from careplans.models import PlanTemplate
from careplans.templates_seed import templates_ensure
from screening.batteries import batteries_ensure
from screening.models import Battery


@pytest.fixture(autouse=True)
def standard_templates(db):
    # Transactional tests elsewhere empty every table, data migrations' rows included.
    templates_ensure(PlanTemplate)
    batteries_ensure(Battery)
