"""Every URL of the project (pages, API, FHIR; from the URL resolver) × every role: anonymous, a clinician
of the patient's team, a clinician of another team, the team's lead, a clinic admin.

Each cell is one GET. No cell answers 500; no cell of the anonymous visitor or the other team's
clinician shows the patient's name or MRN; the anonymous visitor is sent to sign in (pages) or
refused (API, FHIR); the other team's clinician gets 404 for anything of the patient's team; and a
few cells are pinned to their exact answer. Patient-scoped URLs are covered in depth (every method,
the audit) by tests/teams/test_access.py; they are in the matrix too.
"""

from datetime import UTC, datetime

from django.urls import get_resolver

from teams.models import CaseConference

from .routes import route_path, walk

ROLES = ("anonymous", "clinician", "outsider", "lead", "clinic_admin")
# Open to anyone by design: signing in, the health check, the API's description, patient links.
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
    "favicon",
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
    "action_done",
    "api_alert_acknowledge",
    "api_team_adherence",
    "fhir_questionnaire_response",
}
PINNED = {
    ("clinic_dashboard", "anonymous"): 302,
    ("clinic_dashboard", "clinician"): 403,
    ("clinic_dashboard", "outsider"): 403,
    ("clinic_dashboard", "lead"): 200,
    ("clinic_dashboard", "clinic_admin"): 200,
    ("patient_list", "clinician"): 200,
    ("patient_list", "outsider"): 200,
    ("conference_detail", "clinician"): 200,
    ("conference_detail", "lead"): 200,
    ("conference_detail", "clinic_admin"): 200,
    ("conference_detail", "outsider"): 404,
    ("fhir_questionnaire_response", "clinician"): 200,
    ("fhir_questionnaire_response", "outsider"): 404,
    ("api_team_adherence", "lead"): 200,
    ("api_team_adherence", "clinician"): 404,
    ("export_download", "lead"): 404,
    ("export_detail", "outsider"): 404,
}


ROUTES = list(walk(get_resolver().url_patterns))


def test_every_url_for_every_role(request, client, world, patient, sample_ids):
    matrix: dict[tuple[str, str], int] = {}
    secrets = (patient.mrn, patient.family_name)
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        for route, pattern in ROUTES:
            name = "favicon" if route == "favicon.ico" else (pattern.name if pattern else "admin")
            path = route_path(route, pattern, world, sample_ids)
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
    for (name, role), expected in PINNED.items():
        assert matrix[(name, role)] == expected, (name, role, matrix[(name, role)])
    assert len(matrix) == len(ROUTES) * len(ROLES)


def test_the_matrix_knows_every_kind_of_id(world, sample_ids):
    converters = {name for _route, pattern in ROUTES if pattern for name in pattern.pattern.converters}
    assert converters <= set(world) | set(sample_ids)
    assert CaseConference.objects.get(pk=world["conference_id"]).status == "in_progress"
    assert datetime.now(UTC).year >= 2026
