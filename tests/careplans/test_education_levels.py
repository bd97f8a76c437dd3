"""Education items' reading levels: computed from the text by textstat, shown as a school year, and the
starter items (careplans migration 0006) each with a plain version that reads easier than the full one."""

from decimal import Decimal

import pytest

from careplans.education import reading_grade, reading_level_label, school_year
from careplans.education_seed import STARTER_ITEMS, education_ensure
from careplans.models import EducationItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def starter_items():
    # A transactional test elsewhere may have emptied the table the migration filled.
    education_ensure(EducationItem)


def test_every_starter_item_is_there_once_with_both_levels():
    slugs = [item["slug"] for item in STARTER_ITEMS]
    assert education_ensure(EducationItem) == 0  # idempotent by slug
    items = EducationItem.objects.filter(slug__in=slugs)
    assert items.count() == len(slugs) >= 6
    for item in items:
        assert item.reading_grade is not None and item.plain_reading_grade is not None
        assert item.active


@pytest.mark.parametrize("fields", STARTER_ITEMS, ids=[item["slug"] for item in STARTER_ITEMS])
def test_each_starter_items_plain_version_reads_at_a_lower_grade(fields):
    item = EducationItem.objects.get(slug=fields["slug"])
    assert item.plain_reading_grade < item.reading_grade
    assert item.plain_reading_grade <= Decimal("6.0")
    # What is stored is what the text measures now.
    assert item.reading_grade == reading_grade(item.body)
    assert item.plain_reading_grade == reading_grade(item.plain_body)


def test_the_starter_topics_cover_what_the_issue_asks_for():
    topics = set(EducationItem.objects.values_list("topic", flat=True))
    assert {"pain", "pacing", "sleep", "flare_up", "team", "caregivers"} <= topics
    caregivers = EducationItem.objects.get(slug="distress-signals-how-to-help")
    assert caregivers.audience == EducationItem.Audience.CAREGIVER
    for text in (caregivers.body, caregivers.plain_body):
        assert "999" in text and "111" in text and "116 123" in text


def test_an_edited_starter_item_is_left_alone():
    EducationItem.objects.filter(slug="sleep-and-pain").update(title="Sleep well")
    education_ensure(EducationItem)
    assert EducationItem.objects.get(slug="sleep-and-pain").title == "Sleep well"


def test_longer_sentences_and_longer_words_read_at_a_higher_grade():
    plain = reading_grade("Pain is an alarm. It keeps you safe. It can get too loud.")
    dense = reading_grade(
        "Persistent musculoskeletal pain frequently reflects sensitisation of the nervous system, "
        "amplifying protective responses independently of ongoing tissue damage."
    )
    assert plain < dense
    assert reading_grade("   ") is None


@pytest.mark.parametrize(
    ("grade", "year", "label"),
    [
        (Decimal("5.2"), 6, "Reading level: about school year 6 (Flesch-Kincaid grade 5.2)"),
        (Decimal("0.4"), 1, "Reading level: about school year 1 (Flesch-Kincaid grade 0.4)"),
        (Decimal("-1.5"), 1, "Reading level: about school year 1 (Flesch-Kincaid grade -1.5)"),
        (Decimal("14.1"), 15, "Reading level: beyond school, university level (Flesch-Kincaid grade 14.1)"),
        (None, None, "Reading level: not known yet"),
    ],
)
def test_a_grade_is_shown_as_a_school_year(grade, year, label):
    assert school_year(grade) == year
    assert reading_level_label(grade) == label
