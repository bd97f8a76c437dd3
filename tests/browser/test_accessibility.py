"""WCAG 2.2 AA on every kind of page, for every role: axe-core in real Chromium over the demo.

For each demo login the pages it can reach are found as tests/test_crawl.py finds them (every link,
from the home page, with the crawl's rules for what is not ours), but one page per KIND: ids in the
path are one kind (/patients/12/plan/ and /patients/40/plan/ are /patients/<id>/plan/), so the sweep
stays fast while still meeting every template a role can open. Each is then opened in Chromium, signed
in as that person, and axe-core runs on it (tests/browser/axe.py). The patient's link pages (check-in,
questionnaire, thanks, an expired or wrong link, stop reminders) are swept too. Every violation found
is collected and the test fails once, listing them all by role and page.
"""

import os
import re
from collections import deque
from datetime import timedelta
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from checkins import services as checkin_services
from checkins.models import Reminder, Schedule
from conferences.models import CaseConference
from screening.models import Battery
from teams.demo import DEMO_PASSWORD
from teams.models import Patient, User

from ..test_crawl import HREF, SKIP
from .axe import assert_no_serious_violations, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROLES = ["admin", "lead", "physio", "psych", "physician", "ot", "outsider"]
# A cap on kinds per role, far above what any role reaches today, so a crawl gone wrong still ends.
KINDS_PER_ROLE = 80
ID = re.compile(r"/\d+(?=/|$)")
SHOTS = Path("/work/tasks/shots")


def page_kind(url: str) -> str:
    """/patients/12/plans/3/?view=closed&page=2 -> /patients/<id>/plans/<id>/?page&view: a view of a
    page chosen by its query (the closed queue, a filtered list) is a kind of its own, whatever the value."""
    parsed = urlparse(url)
    keys = sorted({pair.split("=")[0] for pair in parsed.query.split("&") if pair})
    return ID.sub("/<id>", parsed.path) + ("?" + "&".join(keys) if keys else "")


def reachable_kinds(username: str) -> dict[str, str]:
    """One URL per kind of HTML page this user reaches by following links from home, kind -> URL."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    found: dict[str, str] = {}
    kinds_queued, queue = {page_kind("/")}, deque(["/"])
    while queue and len(found) < KINDS_PER_ROLE:
        url = queue.popleft()
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue  # the crawl test answers for errors; downloads are not pages
        if response.redirect_chain:
            url = response.redirect_chain[-1][0]
        found.setdefault(page_kind(url), url)
        for href in HREF.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parsed = urlparse(href)
            if parsed.netloc or not href.startswith("/") or href.startswith(SKIP) or "format=csv" in href:
                continue
            kind = page_kind(href)
            if kind not in kinds_queued:
                kinds_queued.add(kind)
                queue.append(href)
    return found


def patient_link(*, questionnaire: bool) -> tuple[str, Reminder]:
    """A fresh check-in link for a demo patient of North who has a schedule, with or without a
    questionnaire to follow the check-in."""
    schedule = Schedule.objects.filter(patient__team__name="North MSK").select_related("patient").first()
    reminder = Reminder.objects.create(
        schedule=schedule,
        patient=schedule.patient,
        due_at=timezone.now() - timedelta(minutes=Reminder.objects.count() + 1),
        channel="email",
    )
    checkin_services.reminder_send_now(reminder_id=reminder.pk)
    link = re.search(r"/r/[\w-]+/", mail.outbox[-1].body).group(0)
    battery = Battery.objects.get(name="Intake") if questionnaire else None
    Reminder.objects.filter(pk=reminder.pk).update(battery=battery)
    reminder.refresh_from_db()
    return link, reminder


def send_checkin(page) -> None:
    """Answer the check-in form whatever its fields (sliders, numbers, exercise choices) and send it."""
    for slider in page.locator("form input[type=range]").all():
        slider.fill("5")
    for number in page.locator("form input[type=number]").all():
        number.fill("7")
    for group in page.locator("form fieldset").all():
        radios = group.locator("input[type=radio]")
        if radios.count():
            radios.first.check()
    page.get_by_role("button", name=re.compile("Send")).click()
    page.wait_for_load_state()


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # as tests/test_crawl.py: the development pages (the outbox) are reached too
    call_command("seed_demo")


def test_every_page_kind_for_every_role_has_no_serious_accessibility_violation(demo, browser, live_server):
    failures: list[str] = []
    swept = 0

    def sweep(page, who: str, kind: str) -> None:
        nonlocal swept
        swept += 1
        found = serious_violations(page)
        failures.extend(f"{who} {kind}: {line}" for line in found)
        if os.environ.get("SHOTS") == "1" and found:
            SHOTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w]+", "-", f"a11y-{who}-{kind}").strip("-")
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    # The sign-in page, then every role's pages, each role in a browser of its own. A kind already
    # swept for an earlier role is not swept again (same template; only the data differs), except each
    # role's home page, which shows that role's own navigation.
    swept_kinds: set[str] = set()
    for username in ROLES:
        kinds = reachable_kinds(username)
        assert len(kinds) > 5, f"{username} reached only {sorted(kinds)}"
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/login/")
        if username == ROLES[0]:
            sweep(page, "anonymous", "/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        sweep(page, username, page_kind(page.url))
        swept_kinds.add(page_kind(page.url))
        for kind, url in sorted(kinds.items()):
            if kind not in swept_kinds:
                swept_kinds.add(kind)
                page.goto(url)
                sweep(page, username, kind)
        if username == "physio":
            # A form sent back with its errors (the browser's own checks off, as a server refusal).
            page.goto("/patients/new/")
            page.locator("main form").evaluate("form => { form.noValidate = true; }")
            page.locator("main form [type=submit]").first.click()
            expect(page.locator(".invalid-feedback").first).to_be_visible()
            sweep(page, username, "/patients/new/ with errors")
        if username == "lead":
            # A conference as it runs, and closing it with patients not yet discussed: states a link
            # does not reach.
            planned = CaseConference.objects.filter(
                team__name="North MSK", status=CaseConference.Status.PLANNED
            ).first()
            page.goto(planned.get_absolute_url())
            page.get_by_role("button", name="Start conference").click()
            expect(page.get_by_role("button", name="Close conference")).to_be_visible()
            sweep(page, username, "a running conference")
            page.get_by_role("button", name="Close conference").click()
            page.wait_for_load_state()
            sweep(page, username, "closing a conference")
            # --- training (issue 22) --- a clinician's training with Verify buttons, if no link reached it.
            physio_training = f"/training/people/{User.objects.get(username='physio').pk}/"
            if page_kind(physio_training) not in swept_kinds:
                swept_kinds.add(page_kind(physio_training))
                page.goto(physio_training)
                sweep(page, username, "a clinician's training")
        if username == "outsider":
            # The site's 404: a patient of another team.
            north = Patient.objects.filter(team__name="North MSK").first()
            assert page.goto(north.get_absolute_url()).status == 404
            sweep(page, username, "404 (a patient of another team)")
        context.close()

    # The patient's pages: no login, a link from a reminder.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    link, reminder = patient_link(questionnaire=True)
    page.goto(link)
    sweep(page, "patient", "check-in form")
    send_checkin(page)
    assert "/questionnaire/" in page.url
    sweep(page, "patient", "questionnaire (after the check-in)")

    link, reminder = patient_link(questionnaire=False)
    page.goto(link)
    send_checkin(page)
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    sweep(page, "patient", "thanks")
    page.goto(link)
    sweep(page, "patient", "a used link")
    page.goto("/r/no-such-link/")
    sweep(page, "patient", "a wrong or expired link")
    page.goto(urlparse(checkin_services.opt_out_link(reminder.schedule)).path)
    sweep(page, "patient", "stop reminders")
    context.close()

    assert swept > 30
    assert not failures, f"{len(failures)} serious or critical violation(s):\n" + "\n".join(failures)


def test_the_sign_in_pages_have_no_serious_accessibility_violation(page, settings, clinician, lead):
    from ..factories import PASSWORD

    def sign_in(username: str, password: str) -> None:
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()

    sign_in("physio", "not the password")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert_no_serious_violations(page, context="sign-in refused")

    sign_in("physio", PASSWORD)
    page.goto("/password/")
    page.locator("main form").evaluate("form => { form.noValidate = true; }")
    page.locator("main form [type=submit]").first.click()
    expect(page.locator(".invalid-feedback, .errorlist").first).to_be_visible()
    assert_no_serious_violations(page, context="password change with errors")
    page.context.clear_cookies()

    settings.TWO_FACTOR_ENFORCED = True  # a team lead must enrol a second factor
    sign_in("lead", PASSWORD)
    page.wait_for_url("**/2fa/setup/**")
    assert_no_serious_violations(page, context="two-factor enrolment")
    page.context.clear_cookies()

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("someone", "wrong")
    expect(page.get_by_role("heading", name=re.compile("locked", re.IGNORECASE))).to_be_visible()
    assert_no_serious_violations(page, context="locked out")
