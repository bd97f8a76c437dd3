"""Building a care plan in real Chromium, and two clinicians editing the same goal at once."""

import pytest
from playwright.sync_api import expect

from careplans.models import PlanTemplate, Responsibility
from careplans.templates_seed import templates_ensure
from screening.batteries import batteries_ensure
from screening.models import Battery

from ..careplans.factories import make_goal, make_plan
from ..factories import PASSWORD
from ..screening.factories import record
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def standard_rows():
    templates_ensure(PlanTemplate)
    batteries_ensure(Battery)


def test_physio_builds_a_plan_and_the_psychologist_sees_their_part(
    page, sign_in, clinician, colleague, patient
):
    start_back = {str(n): 1 for n in range(1, 9)} | {"9": 4}
    record(patient, clinician, code="STarT-Back", answers=start_back)

    sign_in("physio", PASSWORD)
    page.goto(patient.get_absolute_url())
    page.get_by_role("link", name="Create plan").click()
    expect(page.get_by_text("points to high risk")).to_be_visible()
    expect(page.get_by_label("Template")).to_have_value(str(PlanTemplate.objects.get(stratum="high").pk))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Draft plan created")).to_be_visible()

    page.get_by_role("link", name="Add goal").click()
    page.get_by_label("In the patient's words").fill("Walk my grandson to school")
    page.get_by_label("Why it matters").fill("Being part of his day")
    page.get_by_label("Measure").fill("Walking distance (m)")
    page.get_by_label("Target value").fill("1200")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="“Walk my grandson to school”")).to_be_visible()

    page.get_by_role("link", name="Add milestone to Walk my grandson to school").click()
    page.get_by_label("Description").fill("Walk to the corner shop")
    page.get_by_label("Measure and target").fill("400 m without stopping")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Walk to the corner shop", exact=True)).to_be_visible()

    page.get_by_role("link", name="Add exercise to Walk my grandson to school").click()
    page.get_by_label("Name").fill("Sit to stand")
    page.get_by_label("Sets").fill("3")
    page.get_by_label("Reps").fill("10")
    page.get_by_label("Lighter alternative").fill("2 sets from a higher chair")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("On a low-energy or high-pain day: 2 sets from a higher chair")).to_be_visible()

    page.get_by_role("link", name="Add responsibility to Walk my grandson to school").click()
    page.get_by_label("Intervention").select_option(label="Graded exposure")
    page.get_by_label("What").fill("Walking outdoors, step by step")
    page.get_by_label("Owner").select_option(label=str(colleague))
    page.get_by_label("Discipline").select_option(label="Psychologist")
    page.get_by_label("How often").fill("weekly, 6 sessions")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("— Walking outdoors, step by step")).to_be_visible()
    assert Responsibility.objects.filter(
        owner=colleague, intervention="graded_exposure", goal__isnull=False
    ).exists()

    page.get_by_role("button", name="Priya Shah").click()
    page.get_by_role("button", name="Log out").click()
    sign_in("psych", PASSWORD)
    page.get_by_role("link", name="My responsibilities").click()
    row = page.get_by_role("row").filter(has_text="Walking outdoors, step by step")
    expect(row).to_be_visible()
    expect(row.get_by_role("link", name="Okafor, Amelia")).to_be_visible()
    expect(row).to_contain_text("Walk my grandson to school")


@pytest.mark.parametrize(
    ("first", "second", "keep"), [("psych", "physio", "theirs"), ("physio", "psych", "mine")]
)
def test_two_clinicians_edit_the_same_goal_and_neither_undoes_the_other(
    browser, live_server, clinician, colleague, patient, first, second, keep
):
    plan = make_plan(patient, clinician)
    goal = make_goal(plan, clinician)
    edit_url = f"/patients/{patient.pk}/plans/{plan.pk}/parts/goal/{goal.pk}/"
    tabs = {}
    for username in (first, second):
        context = browser.new_context(base_url=live_server.url)
        tab = context.new_page()
        tab.goto("/login/")
        tab.get_by_label("Username").fill(username)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Log in").click()
        tab.goto(edit_url)
        tabs[username] = tab
    one, two = tabs[first], tabs[second]

    # The first saves a new target and baseline; the second, from the same starting point, a different
    # target and why it matters.
    one.get_by_label("Target value").fill("60")
    one.get_by_label("Baseline").fill("5")
    one.get_by_role("button", name="Save").click()
    expect(one.get_by_text("Goal saved.")).to_be_visible()

    two.get_by_label("Target value").fill("30")
    two.get_by_label("Why it matters").fill("Where I relax")
    two.get_by_role("button", name="Save").click()
    conflict = two.get_by_role("alert")
    expect(conflict).to_contain_text("while you were editing")
    expect(conflict).to_contain_text("Target value: 45 → 60")
    # Only the first changed the baseline: the form now holds their value, so saving keeps it.
    expect(two.get_by_label("Baseline")).to_have_value("5")
    expect(two.get_by_label("Why it matters")).to_have_value("Where I relax")
    goal.refresh_from_db()
    assert (goal.target_value, goal.baseline) == ("60", "5")
    assert_no_serious_violations(two, context="plan part edit conflict")

    # Both changed the target: the save waits for an explicit choice.
    expect(conflict).to_contain_text("You both changed target value")
    two.get_by_role("button", name="Save").click()
    expect(two.get_by_text("Choose which value to keep.")).to_be_visible()
    choice = "Keep the saved value: 60" if keep == "theirs" else "Keep yours: 30"
    two.get_by_label(choice).check()
    two.get_by_role("button", name="Save").click()
    expect(two.get_by_text("Goal saved.")).to_be_visible()
    goal.refresh_from_db()
    target = "60" if keep == "theirs" else "30"
    assert (goal.target_value, goal.baseline, goal.value) == (target, "5", "Where I relax")
    for tab in tabs.values():
        tab.context.close()


def test_changes_to_different_fields_merge_without_asking(
    browser, live_server, clinician, colleague, patient
):
    plan = make_plan(patient, clinician)
    goal = make_goal(plan, clinician)
    edit_url = f"/patients/{patient.pk}/plans/{plan.pk}/parts/goal/{goal.pk}/"
    tabs = []
    for username in ("physio", "psych"):
        context = browser.new_context(base_url=live_server.url)
        tab = context.new_page()
        tab.goto("/login/")
        tab.get_by_label("Username").fill(username)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Log in").click()
        tab.goto(edit_url)
        tabs.append(tab)
    physio, psych = tabs
    psych.get_by_label("Target value").fill("1000")
    psych.get_by_role("button", name="Save").click()
    expect(psych.get_by_text("Goal saved.")).to_be_visible()
    physio.get_by_label("Why it matters").fill("Where I relax")
    physio.get_by_role("button", name="Save").click()
    expect(physio.get_by_text("both changes are kept")).to_be_visible()
    goal.refresh_from_db()
    assert (goal.target_value, goal.value) == ("1000", "Where I relax")
    for tab in tabs:
        tab.context.close()
