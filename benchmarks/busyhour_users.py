"""The busy hour's locust users (``benchmarks/busyhour.py`` starts locust with this file).

Staff: each signs in at their own moment of the morning rush (evenly spread over the sign-in spread),
then works through a shuffled deck of clinic work, a think time between actions. Patients: each link is
opened at its own moment (evenly spread over the run), its form read, filled in and sent back.

What to do comes from the JSON file named by BUSYHOUR_PLAN (written by ``busyhour.drive``); every request's
time and outcome goes, at the end, to the file the plan names (locust's own percentiles are rounded).
Not importable without gevent patching the process: only locust loads it.
"""

import itertools
import json
import os
import random
import time
from collections import defaultdict
from typing import Any

from locust import HttpUser, between, constant, events, task
from locust.exception import StopUser

from reliability.forms import CSRF, PLAN, Forms

PLANNED: dict[str, Any] = json.loads(open(os.environ["BUSYHOUR_PLAN"]).read())  # noqa: SIM115, PTH123
STAFF: list[dict[str, Any]] = PLANNED["staff"]
LINKS: list[str] = PLANNED["links"]

# Family names of the generated patients, searched for by the first letters a clinician would type.
SEARCHES = ("Oka", "Tho", "Eva", "Hug", "Pat", "Now", "Cam", "Kha", "Mur", "Dav", "Rob", "Wri", "Che", "Wal")

_times: dict[str, list[float]] = defaultdict(list)
_errors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
_staff_numbers = itertools.count()
_link_numbers = itertools.count()
_started: list[float] = []


def _since_start() -> float:
    """Seconds since the first user started: the morning's clock for sign-ins and links."""
    if not _started:
        _started.append(time.monotonic())
    return time.monotonic() - _started[0]


def _wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - _since_start()))  # gevent's sleep: the other users carry on


@events.request.add_listener
def _noted(name: str, response_time: float, exception: BaseException | None, **_kwargs: Any) -> None:
    _times[name].append(response_time)
    if exception is not None:
        _errors[name][str(exception)[:200]] += 1


@events.quitting.add_listener
def _written(**_kwargs: Any) -> None:
    with open(PLANNED["output"], "w") as output:  # noqa: PTH123
        json.dump({"times": _times, "errors": _errors}, output)


class Clinician(HttpUser):
    fixed_count = len(STAFF)
    wait_time = between(*PLANNED["think"])

    def on_start(self) -> None:
        number = next(_staff_numbers)
        self.me = STAFF[number % len(STAFF)]
        _wait_until(number * PLANNED["spread"] / len(STAFF))
        page = self.client.get("/login/", name="sign-in page")
        found = CSRF.search(page.text)
        with self.client.post(
            "/login/",
            {
                "username": self.me["username"],
                "password": PLANNED["password"],
                "csrfmiddlewaretoken": found.group(1) if found else "",
            },
            headers={"Referer": f"{self.host}/login/"},
            name="sign-in",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or "/login/" in answer.headers.get("Location", ""):
                answer.failure(f"not signed in: {answer.status_code}")
        self.deck: list[str] = []
        self.dealt = 0

    def _patient(self) -> int:
        return random.choice(self.me["patients"])  # noqa: S311 - a patient to open, not a secret

    def _send_back(self, path: str, field: str, name: str, change: dict[str, str] | None = None) -> None:
        """Open a form and send it back as a clinician saving it would: a redirect says it was saved."""
        page = self.client.get(path, name=f"{name} (GET)")
        form = Forms(page.text).having(field)
        if form is None:
            return  # the GET failed and was counted so
        with self.client.post(
            path,
            form | (change or {}),
            headers={"Referer": f"{self.host}{path}"},
            name=f"{name} (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"not saved: {answer.status_code}")

    def patient_list(self) -> None:
        search = random.choice(SEARCHES)  # noqa: S311
        self.client.get(f"/patients/?q={search}&status=active", name="patient list (search and filter)")

    def overview(self) -> None:
        self.client.get(f"/patients/{self._patient()}/", name="patient overview")

    def screening_entry(self) -> None:
        self._send_back(
            f"/patients/{self._patient()}/screenings/new/?instrument=GAD-7", "timepoint", "screening entry"
        )

    def care_plan(self) -> None:
        page = self.client.get(f"/patients/{self._patient()}/plan/", name="care plan page")
        found = PLAN.search(page.text)
        if found:
            note = f"Reviewed on Monday: pacing discussed, {random.randint(1, 99)} steps."  # noqa: S311
            self._send_back(found.group(1) + "edit/", "version", "care plan edit", {"summary_social": note})

    def review_queue(self) -> None:
        self.client.get("/reviews/", name="review queue")

    def dashboard(self) -> None:
        self.client.get(f"/dashboard/?team={self.me['team']}", name="team dashboard")

    def agenda(self) -> None:
        self.client.get(f"/conferences/{self.me['conference']}/", name="conference agenda")

    # A clinician's morning, as a deck of actions drawn without replacement and shuffled again when
    # done: a first look at each part of the work, then reading more than writing; the dashboard only
    # for the leads, who oversee the team.
    DECK = {
        "patient_list": 3,
        "overview": 4,
        "screening_entry": 2,
        "care_plan": 2,
        "review_queue": 1,
        "dashboard": 1,
        "agenda": 1,
    }

    @task
    def work(self) -> None:
        if not self.deck:
            once = self.dealt == 0
            self.deck = [
                action
                for action, times in self.DECK.items()
                for _ in range(1 if once else times)
                if action != "dashboard" or self.me["lead"]
            ]
            random.shuffle(self.deck)
            self.dealt += 1
        getattr(self, self.deck.pop())()


class Patient(HttpUser):
    """Answers links one after another, each at its moment: as many of these as links are open at once."""

    fixed_count = PLANNED["patient_users"]
    wait_time = constant(0)

    @task
    def answer(self) -> None:
        number = next(_link_numbers)
        if number >= len(LINKS):
            raise StopUser
        _wait_until(number * PLANNED["link_window"] / len(LINKS))
        self.client.cookies.clear()  # another patient, on another phone
        # Each patient from an address of their own (behind the clinic's proxy, as the servers are told).
        headers = {"X-Forwarded-For": f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"}
        path = f"/r/{LINKS[number]}/"
        page = self.client.get(path, name="check-in page", headers=headers)
        form = Forms(page.text).having("mood")
        if form is None:
            return
        for field in form:
            if field.startswith(("exercise_", "activity_")):
                form[field] = random.choice(("done", "done", "partly", "not_done"))  # noqa: S311
        # A fair morning: no low mood, and pain too low to have jumped (neither raises a concern).
        form |= {"mood": str(random.randint(5, 9)), "pain": str(random.randint(0, 2))}  # noqa: S311
        form |= {"sleep_quality": str(random.randint(4, 9)), "sleep_hours": "7.5"}  # noqa: S311
        time.sleep(random.uniform(*PLANNED["patient_think"]))  # noqa: S311 - reading and answering
        with self.client.post(
            path,
            form,
            headers=headers | {"Referer": f"{self.host}{path}"},
            name="check-in submit",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            # Sent: thanks (200 without the form again), or on to a questionnaire (302).
            if not (
                answer.status_code == 302 or (answer.status_code == 200 and 'name="mood"' not in answer.text)
            ):
                answer.failure(f"not sent: {answer.status_code}")
