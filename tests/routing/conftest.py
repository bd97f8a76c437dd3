import pytest

from routing.models import RoutingRule
from routing.rules_seed import rules_ensure


@pytest.fixture(autouse=True)
def seeded_rules(db):
    # Transactional tests elsewhere empty every table, the seeded rules (and their first versions) included.
    rules_ensure(RoutingRule)  # the live model writes its first history row itself
