"""Screening entry shows where you are (issue 18): the sticky progress over a 50-item battery, the live
warning before a prorated save (and the server's question without JavaScript), and the result page that
reads like the questionnaire."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from screening.batteries import batteries_ensure
from screening.models import Battery, Screening

from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/tasks/shots")


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"entry-{name}.png"))


def _in_viewport(page, locator) -> dict:
    return locator.evaluate(
        "el => { const b = el.getBoundingClientRect();"
        " return {top: b.top, bottom: b.bottom, middle: (b.top + b.bottom) / 2, height: innerHeight}; }"
    )


def test_sticky_progress_follows_the_clinician_through_a_50_item_battery(page, sign_in, clinician, patient):
    batteries_ensure(Battery)  # transactional tests empty the tables, data migrations included
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in("physio", PASSWORD)
    page.goto(patient.get_absolute_url())
    page.get_by_role("link", name="One instrument…").click()
    page.get_by_role("link", name="Milestone").click()

    bar = page.locator("#entry-progress")
    expect(bar).to_contain_text("Item 1 of 50")
    expect(bar).to_contain_text("PHQ-9 total so far: 0")
    first = page.get_by_role("radiogroup").first
    expect(first.get_by_role("radio").first).to_be_focused()
    expect(first).to_have_class(re.compile(r"\bitem-current\b"))
    # The focus ring: a thick outline with an offset on the focused answer.
    ring = first.get_by_role("radio").first.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, parseFloat(s.outlineWidth),"
        " parseFloat(s.outlineOffset)]; }"
    )
    assert ring[0] == "solid" and ring[1] >= 2 and ring[2] >= 1
    _shot(page, "start")

    # PHQ-9 (9 items) and GAD-7 (7) all "1", then the PCS (13) all "2": 16 + 13 = 29 items keyed in.
    for digit in "1" * 16:
        page.keyboard.press(digit)
    expect(bar).to_contain_text("Item 17 of 50")
    expect(bar).to_contain_text("PCS total so far: 0")
    for count, digit in enumerate("2" * 13, start=1):
        page.keyboard.press(digit)
        if count == 5:
            expect(bar).to_contain_text("Item 22 of 50")
            expect(bar).to_contain_text("PCS total so far: 10")
    # Now on the TSK-11, far down the page: the bar is still at the top of the screen.
    expect(bar).to_contain_text("Item 30 of 50")
    expect(bar).to_contain_text("(TSK-11 item 1 of 11)")
    expect(bar).to_contain_text("TSK-11 total so far: 0")
    expect(bar).to_contain_text("29 of 50 answered")
    assert page.evaluate("scrollY") > 1500
    box = _in_viewport(page, bar)
    assert 0 <= box["top"] <= 2, box
    # The current item sits near the middle of the screen, not at its edge.
    current = page.locator("fieldset.item.item-current")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("data-item", "1")
    place = _in_viewport(page, current)
    assert abs(place["middle"] - place["height"] / 2) < place["height"] * 0.15, place
    # Nor does the bar hide it.
    assert place["top"] > _in_viewport(page, bar)["bottom"]
    page.keyboard.press("3")
    expect(bar).to_contain_text("TSK-11 total so far: 3")
    _shot(page, "sticky-progress")
    assert_no_serious_violations(page, context="clinician: screening entry, half way")


def test_leaving_phq9_items_blank_warns_before_saving_and_the_result_page_marks_the_gap(
    page, sign_in, clinician, patient
):
    sign_in("physio", PASSWORD)
    page.goto(patient.get_absolute_url())
    page.get_by_role("link", name="One instrument…").click()
    page.get_by_role("link", name="PHQ-9").click()

    save = page.locator("button[data-save]")
    expect(save).to_have_text("Save screening")
    current = page.locator("fieldset.item.item-current")
    # Keys go to the page once its script has put the focus on the first answer, not before.
    expect(page.get_by_role("radiogroup").first.get_by_role("radio").first).to_be_focused()
    for digit in "12":
        page.keyboard.press(digit)
    # Each key moves on by itself: Tab only once the page is on item 3, or it would leave another blank.
    expect(current).to_have_attribute("data-item", "3")
    page.keyboard.press("Tab")  # item 3 left blank
    expect(current).to_have_attribute("data-item", "4")
    for digit in "10":
        page.keyboard.press(digit)
    expect(current).to_have_attribute("data-item", "6")
    page.keyboard.press("Tab")  # item 6 left blank
    for digit in "210":
        page.keyboard.press(digit)
    expect(page.locator("#entry-progress")).to_contain_text("2 skipped: PHQ-9 items 3, 6")
    page.keyboard.press("0")  # item 9, the safety item: answered "Not at all"

    summary = page.locator("#missing-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("2 items not answered: the total will be prorated")
    expect(summary.get_by_role("link", name="Item 3: Sleep problems")).to_be_visible()
    expect(summary.get_by_role("link", name="Item 6: Feeling bad about yourself")).to_be_visible()
    expect(page.get_by_role("button", name="Save with 2 items missing")).to_be_focused()
    _shot(page, "prorated-warning")
    assert_no_serious_violations(page, context="clinician: PHQ-9 entry with two items blank")

    # Following a link back to item 3 and answering it leaves one item to prorate.
    summary.get_by_role("link", name="Item 3: Sleep problems").click()
    expect(
        page.get_by_role("radiogroup", name="3. Trouble falling").get_by_role("radio").first
    ).to_be_focused()
    page.keyboard.press("1")
    expect(summary.get_by_role("heading")).to_have_text("1 item not answered: the total will be prorated")
    page.get_by_role("button", name="Save with 1 item missing").click()

    expect(page.get_by_role("heading", name="Answers")).to_be_visible()
    screening = Screening.objects.get()
    assert "6" not in screening.answers and "prorated" in screening.flags
    answers = page.get_by_role("table", name="Answers to PHQ-9, item by item")
    six = answers.get_by_role("row").filter(has_text="Feeling bad about yourself")
    expect(six).to_contain_text("not answered (prorated)")
    three = answers.get_by_role("row").filter(has_text="Trouble falling or staying asleep")
    expect(three).to_contain_text("Several days")
    nine = answers.get_by_role("row").filter(has_text="better off dead")
    expect(nine).to_contain_text("Safety item")
    expect(nine).to_contain_text("Not at all")
    _shot(page, "result-page")
    assert_no_serious_violations(page, context="clinician: prorated PHQ-9 result")


def test_without_javascript_a_prorated_save_asks_first(browser, live_server, clinician, patient):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/login/")
        page.get_by_label("Username").fill("physio")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(reverse("screening_new", kwargs={"patient_id": patient.pk}) + "?instrument=PHQ-9")
        for number, label in ((1, "Several days"), (2, "Nearly every day"), (3, "Not at all")):
            page.get_by_role("radiogroup").nth(number - 1).get_by_label(label).check()
        for number in (5, 6, 7, 8, 9):
            page.get_by_role("radiogroup").nth(number - 1).get_by_label("Not at all").check()
        page.get_by_role("button", name="Save screening").click()

        expect(page.get_by_role("alert").filter(has_text="Not saved yet")).to_contain_text(
            "Not saved yet: 1 item is not answered"
        )
        expect(page.get_by_role("link", name="Item 4: Tiredness")).to_be_visible()
        assert not Screening.objects.exists()
        _shot(page, "prorated-question-no-js")
        page.get_by_role("button", name="Save with 1 item missing").click()
        expect(page.get_by_role("heading", name="Answers")).to_be_visible()
        screening = Screening.objects.get()
        assert (screening.total, "prorated" in screening.flags) == (5, True)  # 4 answered points * 9 / 8
    finally:
        context.close()
