"""Every URL of the project (pages, API, FHIR; from the URL resolver) × every role: anonymous, a clinician
of the patient's team, a clinician of another team, the team's lead, a clinic admin.

Each cell is one GET, and its answer is asserted against ``EXPECTED``. Besides: no cell answers 500;
no cell of the anonymous visitor or the other team's clinician shows the patient's name or MRN; the
anonymous visitor is sent to sign in (pages) or refused (API, FHIR); the other team's clinician gets
403 or 404 for anything of the patient's team. Every read of patient data is audited: a cell that shows
the patient's name or MRN to a signed-in role must have written an audit event of that user naming the
patient, so a new page that lists patients without auditing them fails here. Patient-scoped URLs are
covered in depth (every method, the audit) by tests/teams/test_access.py; they are in the matrix too.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import get_resolver
from django.utils import timezone

from conferences.models import CaseConference
from teams.models import AuditEvent

from .routes import route_path, walk

ROLES = ("anonymous", "clinician", "outsider", "lead", "clinic_admin")
# Open to anyone by design: signing in, the health check, the API's description, patient links, and
# the JavaScript catalogue (the words of static/js, no data).
PUBLIC = {
    "home",
    "healthz",
    "login",
    "api_token",
    "api_schema",
    "api_docs",
    "checkin_form",
    "checkin_questionnaire",
    "checkin_opt_out",
    "checkin_education_read",
    "favicon",
    "javascript-catalog",
}
# Of the other team: an outsider must get 404 (or 403 where the page is a lead's or an admin's).
OTHER_TEAMS = {
    "team_detail",
    "team_settings",
    "conference_new",
    "conference_detail",
    "conference_start",
    "conference_close",
    "conference_summary",
    "agenda_add",
    "agenda_item",
    "agenda_move",
    "agenda_discussed",
    "action_new",
    "note_amend",
    "barrier_review",
    "action_done",
    "api_alert_acknowledge",
    "api_team_adherence",
    "api_team_session_kinds",
    "fhir_questionnaire_response",
    "fhir_task",
    "fhir_care_plan",
    "training_person",
    "training_record_edit",
    "supervision_detail",
}
# The expected answer of every cell: route name → (anonymous, clinician, outsider, lead, clinic_admin).
# A new URL fails the test until its row says who may open it.
EXPECTED: dict[str, tuple[int, int, int, int, int]] = {
    "action_done": (405, 405, 405, 405, 405),
    "action_new": (405, 405, 405, 405, 405),
    "admin": (302, 302, 302, 302, 200),
    "agenda_add": (405, 405, 405, 405, 405),
    "agenda_discussed": (405, 405, 405, 405, 405),
    "agenda_item": (302, 200, 404, 200, 200),
    "agenda_move": (405, 405, 405, 405, 405),
    "alert_acknowledge": (302, 405, 404, 405, 405),
    "barrier_review": (405, 405, 405, 405, 405),
    "alert_close": (302, 405, 404, 405, 405),
    "api_alert_acknowledge": (401, 405, 405, 405, 405),
    "api_alert_list": (401, 200, 200, 200, 200),
    "api_docs": (200, 200, 200, 200, 200),
    "api_instrument_detail": (401, 200, 200, 200, 200),
    "api_instrument_list": (401, 200, 200, 200, 200),
    "api_logout": (401, 401, 401, 401, 401),
    "api_logout_all": (401, 401, 401, 401, 401),
    "api_patient_adherence": (401, 200, 404, 200, 200),
    "api_patient_sessions": (401, 200, 404, 200, 200),
    "api_patient_care_plan": (401, 200, 404, 200, 200),
    "api_care_plan_details": (401, 200, 404, 200, 200),
    "api_care_plan_part": (401, 200, 404, 200, 200),
    "api_patient_checkins": (401, 200, 404, 200, 200),
    "api_patient_detail": (401, 200, 404, 200, 200),
    "api_patient_list": (401, 200, 200, 200, 200),
    "api_patient_screenings": (401, 200, 404, 200, 200),
    "api_review_list": (401, 200, 200, 200, 200),
    "api_patient_reviews": (401, 200, 404, 200, 200),
    "api_review_detail": (401, 200, 404, 200, 200),
    "api_care_plan_support": (401, 200, 404, 200, 200),
    "api_schema": (200, 200, 200, 200, 200),
    "api_screening_amend": (401, 405, 404, 405, 405),
    "api_screening_detail": (401, 200, 404, 200, 200),
    "api_team_adherence": (401, 404, 404, 200, 200),
    "api_team_session_kinds": (401, 404, 404, 200, 200),
    "api_token": (405, 405, 405, 405, 405),
    "audits": (302, 403, 403, 200, 200),
    "careplan_detail": (302, 200, 404, 200, 200),
    "careplan_edit": (302, 200, 404, 200, 200),
    "careplan_home": (302, 302, 404, 302, 302),
    "careplan_milestone_achieved": (302, 405, 404, 405, 405),
    "careplan_new": (302, 200, 404, 200, 200),
    "careplan_part_edit": (302, 200, 404, 200, 200),
    "careplan_part_new": (302, 200, 404, 200, 200),
    "careplan_print": (302, 200, 404, 200, 200),
    "careplan_education_assign": (302, 405, 404, 405, 405),
    "careplan_education_print": (302, 200, 404, 200, 200),
    "careplan_caregiver_withdraw": (302, 200, 404, 200, 200),
    "caregiver_send": (302, 200, 404, 200, 200),
    "careplan_status": (302, 405, 404, 405, 405),
    # --- directory and referrals ---
    "careplan_referral_letter": (302, 200, 404, 200, 200),
    "resource_list": (302, 200, 200, 200, 200),
    "resource_new": (302, 403, 403, 200, 200),
    "resource_detail": (302, 200, 200, 200, 200),
    "resource_edit": (302, 403, 403, 200, 200),
    "resource_verify": (302, 405, 405, 405, 405),
    "plan_support": (302, 200, 404, 200, 200),
    "care_preferences": (302, 200, 404, 200, 200),
    "review_plan": (302, 200, 404, 200, 200),
    "review_queue": (302, 200, 200, 200, 200),
    "review_detail": (302, 200, 404, 200, 200),
    "checkin_form": (404, 404, 404, 404, 404),
    "checkin_opt_out": (404, 404, 404, 404, 404),
    "checkin_questionnaire": (404, 404, 404, 404, 404),
    "checkin_education_read": (404, 404, 404, 404, 404),
    "checkin_reminder_resend": (302, 405, 404, 405, 405),
    "checkin_reminders": (302, 200, 404, 200, 200),
    "checkin_schedule": (302, 200, 404, 200, 200),
    "clinic_dashboard": (302, 403, 403, 200, 200),
    "conference_close": (405, 405, 405, 405, 405),
    "conference_detail": (302, 200, 404, 200, 200),
    "conference_list": (302, 200, 200, 200, 200),
    "conference_new": (302, 403, 404, 200, 200),
    "conference_start": (405, 405, 405, 405, 405),
    "conference_summary": (302, 200, 404, 200, 200),
    "dashboard_patients": (302, 403, 403, 404, 404),
    "day_list": (302, 200, 200, 200, 200),
    "emergency_access": (302, 200, 200, 200, 200),
    "emergency_notes": (302, 200, 404, 200, 200),
    "exercise_log_new": (302, 200, 404, 200, 200),
    "export_detail": (302, 404, 404, 404, 200),
    "export_download": (302, 404, 404, 404, 404),
    "favicon": (301, 301, 301, 301, 301),
    "fhir_patient": (401, 200, 404, 200, 200),
    "fhir_questionnaire": (401, 200, 200, 200, 200),
    "fhir_questionnaire_list": (401, 200, 200, 200, 200),
    "fhir_questionnaire_response": (401, 200, 404, 200, 200),
    "fhir_questionnaire_response_list": (401, 400, 400, 400, 400),
    "fhir_task_list": (401, 400, 400, 400, 400),
    "fhir_task": (401, 200, 404, 200, 200),
    "fhir_care_plan": (401, 200, 404, 200, 200),
    "healthz": (200, 200, 200, 200, 200),
    "home": (302, 302, 302, 302, 302),
    "instrument_detail": (302, 200, 200, 200, 200),
    "instrument_list": (302, 200, 200, 200, 200),
    "interface_language": (302, 200, 200, 200, 200),
    "javascript-catalog": (200, 200, 200, 200, 200),
    "login": (200, 302, 302, 302, 302),
    "logout": (405, 405, 405, 405, 405),
    "logout_everywhere": (405, 405, 405, 405, 405),
    "measure_new": (302, 200, 404, 200, 200),
    "my_responsibilities": (302, 200, 200, 200, 200),
    "my_tasks": (302, 200, 200, 200, 200),
    "note_amend": (405, 405, 405, 405, 405),
    "outbox": (302, 404, 404, 404, 404),
    "password_change": (302, 200, 200, 200, 200),
    "password_change_done": (302, 200, 200, 200, 200),
    "patient_create": (302, 200, 200, 200, 200),
    "patient_edit": (302, 200, 404, 200, 200),
    "patient_list": (302, 200, 200, 200, 200),
    "patient_overview": (302, 200, 404, 200, 200),
    "progress_report": (302, 200, 404, 200, 200),
    "progress_report_pdf": (302, 200, 404, 200, 200),
    "rescreen_cancel": (302, 405, 404, 405, 405),
    "alert_queue": (302, 200, 200, 200, 200),
    "screening_amend": (302, 200, 404, 200, 200),
    "screening_detail": (302, 200, 404, 200, 200),
    "screening_new": (302, 200, 404, 200, 200),
    "session_keepalive": (405, 405, 405, 405, 405),
    "session_book": (302, 200, 404, 200, 200),
    "session_record": (302, 405, 404, 405, 405),
    "session_status": (302, 405, 404, 405, 405),
    "team_detail": (302, 200, 404, 200, 200),
    "team_settings": (302, 403, 404, 200, 200),
    "two_factor_setup": (302, 200, 200, 200, 200),
    "two_factor_verify": (302, 200, 200, 200, 200),
}
# --- delivery receipts (issue 21) ---
# The providers' delivery receipts: open to anyone, each proves it is the provider's; POST only.
DELIVERY_RECEIPTS = {"delivery_receipt_notify", "delivery_receipt_twilio", "postmark_tracking_webhook"}
PUBLIC |= DELIVERY_RECEIPTS
EXPECTED |= {name: (405, 405, 405, 405, 405) for name in DELIVERY_RECEIPTS}

# --- training (issue 22) ---
# The world's clinician's training record and page, and supervision the lead gave them: a teammate's
# record is theirs to change (403 to the lead), the outsider does not find it; one's own page is "My
# training" (302). The session's notes are the supervisor's, the supervisees' and their leads': the clinic
# admin does not find them either.
EXPECTED |= {
    "training_mine": (302, 200, 200, 200, 200),
    "training_record_add": (302, 200, 200, 200, 200),
    "training_record_edit": (302, 200, 404, 403, 200),
    "training_record_verify": (405, 405, 405, 405, 405),
    "training_person": (302, 302, 404, 200, 200),
    "supervision_list": (302, 200, 200, 200, 200),
    "supervision_new": (302, 200, 200, 200, 200),
    "supervision_detail": (302, 200, 404, 200, 404),
}


# Pages that list patients: the world puts the patient on each, so that the audit rule above is
# exercised on every one of them. (The dashboard's drill-down needs a metric in its query string, and
# the API's alert list shows patient ids only: tests/test_read_audit.py covers both.)
LISTS_PATIENTS = {
    "patient_list",
    "alert_queue",
    "review_queue",
    "my_responsibilities",
    "day_list",
    "my_tasks",
    "team_detail",
    "conference_detail",
    "conference_summary",
    "audits",
    "api_patient_list",
}

ROUTES = list(walk(get_resolver().url_patterns))


@pytest.fixture
def listed(world, patient, clinician, sample_ids):
    """The patient also on the lists the world leaves them off: a responsibility the clinician owns,
    and an urgent alert unacknowledged for more than a day (a gap on the audits page)."""
    from careplans.models import Responsibility
    from careplans.services import part_create
    from screening.models import Alert

    part_create(
        instance=Responsibility(
            plan_id=sample_ids["plan_id"],
            intervention="exercise_therapy",
            owner=clinician,
            discipline=clinician.discipline,
            frequency="weekly",
            starts_on=timezone.localdate(),
        ),
        user=clinician,
    )
    Alert.objects.filter(patient=patient).update(opened_at=timezone.now() - timedelta(hours=30))


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.slow
def test_every_url_for_every_role(request, client, world, patient, sample_ids, listed):
    matrix: dict[tuple[str, str], int] = {}
    secrets = (patient.mrn, patient.family_name)
    shown: set[str] = set()
    for role in ROLES:
        client.logout()
        user = None if role == "anonymous" else request.getfixturevalue(role)
        if user is not None:
            client.force_login(user)
        for route, pattern in ROUTES:
            name = "favicon" if route == "favicon.ico" else (pattern.name if pattern else "admin")
            path = route_path(route, pattern, world, sample_ids)
            before = _last_event_id()
            response = client.get(path)
            status = response.status_code
            matrix[(name, role)] = status
            cell = f"{role} GET {path} → {status}"
            assert status < 500, cell
            body = (
                response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
            )
            if role in ("anonymous", "outsider"):
                assert not any(secret in body for secret in secrets), f"leak: {cell}"
            if role == "anonymous" and name not in PUBLIC:
                if route.startswith(("api/", "fhir/")):
                    assert status in (401, 403, 405), cell
                else:
                    # Sent to sign in; or, for an action that only takes POST, 405 (which shows nothing).
                    assert status == 405 or (
                        status == 302 and response.url.startswith(("/login/", "/admin/login/"))
                    ), cell
            if role == "outsider" and (name in OTHER_TEAMS or "patient_id" in route):
                assert status in (403, 404, 405), cell
            if user is not None and status == 200 and any(secret in body for secret in secrets):
                shown.add(name)
                audited = AuditEvent.objects.filter(id__gt=before, actor=user, patient=patient)
                assert audited.exists(), f"shows the patient without an audit event naming them: {cell}"
    assert LISTS_PATIENTS <= shown, f"lists that did not show the patient: {LISTS_PATIENTS - shown}"
    assert len(matrix) == len(ROUTES) * len(ROLES)
    found = {name: tuple(matrix[(name, role)] for role in ROLES) for name, _role in matrix}
    wrong = {name: row for name, row in found.items() if EXPECTED.get(name) != row}
    table = "\n".join(f"    {name!r}: {row}," for name, row in sorted(found.items()))
    assert not wrong and set(EXPECTED) == set(found), f"cells differ: {wrong}\nthe matrix now:\n{table}"


def test_the_matrix_knows_every_kind_of_id(world, sample_ids):
    converters = {name for _route, pattern in ROUTES if pattern for name in pattern.pattern.converters}
    assert converters <= set(world) | set(sample_ids)
    assert CaseConference.objects.get(pk=world["conference_id"]).status == "in_progress"
    assert datetime.now(UTC).year >= 2026
