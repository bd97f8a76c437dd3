"""The load of `make verify`: staff signing in and working the way a clinic does (mostly reading, some
entering screenings and editing care plans)."""

import random

from locust import HttpUser, between, task

from reliability.forms import CSRF, PATIENT, PLAN, Forms

PASSWORD = "rehabcare-demo"  # noqa: S105 - the published demo password (development data)
STAFF = ["lead", "physio", "psych", "physician", "ot"]


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

    def _submit(self, path: str, field: str, name: str, change: dict[str, str] | None = None) -> None:
        """Open a form page and send its form back, as a clinician saving it would."""
        page = self.client.get(path, name=f"{name} (form)")
        form = Forms(page.text).having(field)
        if form is None:
            return
        self.client.post(path, form | (change or {}), headers={"Referer": f"{self.host}{path}"}, name=name)

    @task(4)
    def patient_list(self) -> None:
        self.client.get("/patients/?q=a", name="patient list")

    @task(4)
    def overview(self) -> None:
        self.client.get(f"/patients/{self._patient()}/", name="patient overview")

    @task(2)
    def screening_entry(self) -> None:
        self._submit(
            f"/patients/{self._patient()}/screenings/new/?instrument=GAD-7", "timepoint", "screening entry"
        )

    @task(2)
    def care_plan(self) -> None:
        page = self.client.get(f"/patients/{self._patient()}/plan/", name="care plan")
        found = PLAN.search(page.text)
        if found:
            note = f"Reviewed by {self.username}: pacing discussed, {random.randint(1, 99)} steps."  # noqa: S311
            self._submit(found.group(1) + "edit/", "version", "care plan edit", {"summary_social": note})

    @task(1)
    def dashboard(self) -> None:
        if self.username == "lead":
            self.client.get("/dashboard/", name="dashboard")
