"""The clinic writes education items in the admin: the reading levels are computed from the texts on save,
a plain version that does not read easier is refused next to its field, and every change is versioned and
audited."""

from decimal import Decimal

import pytest
from django.urls import reverse

from careplans.education import reading_grade
from careplans.education_seed import education_ensure
from careplans.models import EducationItem
from teams.models import AuditEvent

FULL = (
    "Regular, moderate physical activity improves circulation, strengthens supporting musculature and "
    "gradually desensitises an overprotective nervous system, reducing persistent discomfort."
)
PLAIN = "Move a bit each day. It helps your body get strong. Over time, pain can ease."


@pytest.fixture(autouse=True)
def starter_items(db):
    education_ensure(EducationItem)


def _form(**changes) -> dict:
    data = {
        "title": "Moving every day",
        "slug": "moving-every-day",
        "topic": "pacing",
        "audience": "patient",
        "body": FULL,
        "plain_body": PLAIN,
        "active": "on",
    }
    return data | changes


def test_adding_an_item_computes_both_reading_levels_and_is_audited(login, clinic_admin):
    response = login(clinic_admin).post(reverse("admin:careplans_educationitem_add"), _form())
    assert response.status_code == 302
    item = EducationItem.objects.get(slug="moving-every-day")
    assert item.reading_grade == reading_grade(FULL) and item.reading_grade > Decimal("12")
    assert item.plain_reading_grade == reading_grade(PLAIN) and item.plain_reading_grade < Decimal("4")
    assert item.history.count() == 1 and item.history.latest().history_user == clinic_admin
    assert AuditEvent.objects.filter(
        object_type="educationitem", object_id=str(item.pk), action="create", actor=clinic_admin
    ).exists()


def test_a_plain_version_that_does_not_read_easier_is_refused_next_to_its_field(login, clinic_admin):
    response = login(clinic_admin).post(
        reverse("admin:careplans_educationitem_add"), _form(plain_body=FULL + " " + FULL)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "must read easier than the full text" in errors["plain_body"][0]
    assert not EducationItem.objects.filter(slug="moving-every-day").exists()


def test_a_change_recomputes_the_levels_keeps_the_history_and_names_the_fields(login, clinic_admin):
    item = EducationItem.objects.get(slug="sleep-and-pain")
    plain = "Sleep helps pain. Go to bed at the same time. Get up at the same time."
    url = reverse("admin:careplans_educationitem_change", args=[item.pk])
    form = _form(
        title=item.title, slug=item.slug, topic=item.topic, body=item.body, plain_body=plain, active="on"
    )
    response = login(clinic_admin).post(url, form)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.plain_reading_grade == reading_grade(plain)
    assert item.history.count() == 2
    event = AuditEvent.objects.get(object_type="educationitem", object_id=str(item.pk), action="update")
    assert event.changed_fields == ["plain_body", "plain_reading_grade"]


def test_the_list_shows_topic_audience_levels_and_the_form_says_the_school_year(login, clinic_admin):
    client = login(clinic_admin)
    page = client.get(reverse("admin:careplans_educationitem_changelist"))
    assert page.status_code == 200
    assert "Signs of distress and how to help" in page.text and "Caregivers" in page.text
    item = EducationItem.objects.get(slug="how-pain-works")
    change = client.get(reverse("admin:careplans_educationitem_change", args=[item.pk]))
    assert "Reading level: about school year" in change.text
    assert f"(Flesch-Kincaid grade {item.plain_reading_grade})" in change.text


def test_a_clinician_cannot_edit_the_library(login, clinician):
    response = login(clinician).get(reverse("admin:careplans_educationitem_changelist"))
    assert response.status_code in (302, 403)


def test_a_plain_version_above_grade_6_is_saved_with_a_warning(login, clinic_admin):
    harder_plain = (
        "Regular activity strengthens the muscles that support your back and gradually calms an "
        "overprotective nervous system, which reduces persistent discomfort."
    )
    response = login(clinic_admin).post(
        reverse("admin:careplans_educationitem_add"), _form(plain_body=harder_plain), follow=True
    )
    item = EducationItem.objects.get(slug="moving-every-day")
    assert Decimal("6.0") < item.plain_reading_grade < item.reading_grade
    assert f"reads at Flesch-Kincaid grade {item.plain_reading_grade}; aim for 6.0 or below" in response.text
