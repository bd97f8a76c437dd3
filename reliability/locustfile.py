"""The load of `make verify`: staff signing in and working the way a clinic does (mostly reading)."""

import random
import re

from locust import HttpUser, between, task

PASSWORD = "rehabcare-demo"  # noqa: S105 - the published demo password (development data)
STAFF = ["lead", "physio", "psych", "physician", "ot"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PATIENT = re.compile(r'href="/patients/(\d+)/"')


class Clinician(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.username = random.choice(STAFF)  # noqa: S311 - choosing a demo login, not a secret
        page = self.client.get("/login/")
        found = CSRF.search(page.text)
        token = found.group(1) if found else ""
        self.client.post(
            "/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
        )
        listing = self.client.get("/patients/", name="patient list")
        self.patients = PATIENT.findall(listing.text) or ["1"]

    def _patient(self) -> str:
        return random.choice(self.patients)  # noqa: S311

    @task(4)
    def patient_list(self) -> None:
        self.client.get("/patients/?q=a", name="patient list")

    @task(4)
    def overview(self) -> None:
        self.client.get(f"/patients/{self._patient()}/", name="patient overview")

    @task(2)
    def screening_entry(self) -> None:
        self.client.get(f"/patients/{self._patient()}/screenings/new/", name="screening entry")

    @task(2)
    def care_plan(self) -> None:
        self.client.get(f"/patients/{self._patient()}/plan/", name="care plan")

    @task(1)
    def dashboard(self) -> None:
        if self.username == "lead":
            self.client.get("/dashboard/", name="dashboard")
