"""The floor in the benchmark: requests per second and latency under load, RehabCare beside bare Django.

wrk loads the bare floor app (``benchmarks/floor/``: a plain view, one indexed query, one INSERT) and then
RehabCare, each through the Procfile's own gunicorn command, one after the other on the same PostgreSQL,
at 8 and 32 connections. Each page and API call is reported as a share of its floor's requests per
second at the same connections: ``/healthz`` of the plain view, a GET of the one-query view, a POST of
the one-INSERT view. Sessions, the API token and the CSRF token are made as ``benchmarks/pages.py`` makes
them, for the same URLs and bodies; every answer other than the one a user expects counts as an error.
"""

import json
import os
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import psutil
from django.conf import settings
from django.db import connection
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse
from knox.models import AuthToken

from teams.models import Patient, User

from .floor.views import CREATE_TABLE, TABLE
from .pages import PHQ9, Cast
from .servers import free_port, gunicorn, web_command
from .wrk import THREADS, Load, run

PLAIN, QUERY, INSERT = "plain view", "one-query view", "one-INSERT view"
# The API screening POST's body, as benchmarks/pages.py posts it (item 9 at 0: no alert, no email).
API_SCREENING = {
    "instrument": "PHQ-9",
    "timepoint": "adhoc",
    "answers": {str(n): 1 for n in range(1, 9)} | {"9": 0},
}
SOURCE = "issue 23"
# A server connection in these states still holds a request: it is read, worked on or answered.
HOLDING = {psutil.CONN_SYN_RECV, psutil.CONN_ESTABLISHED, psutil.CONN_CLOSE_WAIT}
# Share of its floor's requests per second each request must reach, at every connection count measured.
TARGETS = {
    "/healthz": 0.50,
    "patient overview (2 years of history)": 0.35,
    "API patient list": 0.35,
    "API screening POST": 0.35,
}


# For a request that misses its share: what limits it and what would close the gap (printed only when missed).
MISSES = {
    "/healthz": (
        "The plain floor answers before any middleware; `/healthz` goes through all of ours (security, "
        "WhiteNoise, request context, session, CSRF, authentication, django-otp, two-factor, language, NUL "
        "check, no-store, messages, CSP, history, axes) and then asks PostgreSQL (`SELECT 1`) and Redis "
        "(`PING`), two round trips the plain view does not make.",
        "Answer `/healthz` from a small WSGI wrapper in front of Django's handler (the two checks kept, the "
        "middleware skipped): a load balancer's probe needs no session, language or CSP.",
    ),
    "API patient list": (
        "Beside the floor's one query: the token's lookup, the rate limit's round trip to Redis, the access "
        "rule's subquery with a count and the page, 25 patients serialized, and 25 audit events written "
        "in one INSERT and sealed at commit, each seal an UPDATE of its row under the one advisory lock "
        "every audited request takes in turn.",
        "Seal the audit chain in batches after the request (a sealer task taking the lock once for many "
        "events), leaving the request one INSERT; count a clinician's patients from a per-team counter.",
    ),
    "patient overview (2 years of history)": (
        "The overview gathers two years of a patient's history, about 30 queries and a long page, against "
        "the floor's one indexed query.",
        "Fewer, wider queries per section and the rendered history cached per patient until its next write.",
    ),
    "API screening POST": (
        "Beside the floor's one INSERT: the token, the rate limit, the access check, the instrument's "
        "settings, the result and its audit event, then routing (the active rules, re-screens and open "
        "reviews, the previous result of the instrument), all in one transaction, the audit sealed at "
        "commit.",
        "Keep the active rules and instrument settings in process until they change (a version number "
        "read once per request), and seal the audit chain in batches after the request.",
    ),
}


@dataclass(frozen=True)
class Call:
    """One request wrk repeats: who asks (see ``_headers``), and the answer a user expects."""

    name: str
    floor: str
    path: str
    who: str = "anonymous"
    method: str = "GET"
    body: str | None = None
    content_type: str | None = None
    expected: int = 200


@dataclass
class Row:
    call: Call
    loads: dict[int, Load]
    floor: dict[int, Load]

    def share(self, connections: int) -> float | None:
        floor = self.floor[connections].rps
        return self.loads[connections].rps / floor if floor else None

    @property
    def target(self) -> float | None:
        return TARGETS.get(self.call.name)

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return all((self.share(c) or 0) >= self.target for c in self.loads)


@dataclass
class FloorTable:
    seconds: int
    connections: tuple[int, ...]
    floors: dict[str, dict[int, Load]] = field(default_factory=dict)
    floor_calls: dict[str, Call] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    """How long, at how many connections, after how long a warm-up (at the fewest connections)."""

    seconds: int
    connections: tuple[int, ...]
    warmup: int


def floor_calls() -> list[Call]:
    return [
        Call(PLAIN, PLAIN, "/plain/"),
        Call(QUERY, QUERY, "/query/"),
        Call(
            INSERT,
            INSERT,
            "/insert/",
            method="POST",
            body=json.dumps(API_SCREENING),
            content_type="application/json",
            expected=201,
        ),
    ]


def _post_target(cast: Cast) -> Patient:
    """The POSTs' patient: one of another team, as the throughput run uses, so the thousands of results
    a run stores leave the measured team's agenda and overview as generated, run after run."""
    return (
        Patient.objects.filter(mrn__startswith="B")
        .exclude(team=cast.team)
        .select_related("primary_clinician")
        .order_by("id")
        .first()
    ) or cast.scratch


def calls(cast: Cast) -> list[Call]:
    """The pages and API calls benchmarks/pages.py times in process, with the same URLs and bodies."""
    target = _post_target(cast).pk
    patient = cast.patient.pk
    overview = "patient overview (2 years of history)"
    return [
        Call("/healthz", PLAIN, reverse("healthz")),
        Call("login page", QUERY, reverse("login")),
        Call(
            "patient list (search and filter)",
            QUERY,
            reverse("patient_list") + "?" + urlencode({"q": "Ok", "status": "active"}),
            who="clinician",
        ),
        Call(overview, QUERY, cast.patient.get_absolute_url(), who="clinician"),
        Call("care plan page", QUERY, cast.plan.get_absolute_url(), who="clinician"),
        Call(
            "screening entry (GET)",
            QUERY,
            reverse("screening_new", kwargs={"patient_id": patient}) + "?instrument=PHQ-9",
            who="clinician",
        ),
        Call(
            "screening entry (POST)",
            INSERT,
            reverse("screening_new", kwargs={"patient_id": target}),
            who="form poster",
            method="POST",
            body=urlencode(PHQ9),
            content_type="application/x-www-form-urlencoded",
            expected=302,
        ),
        Call("clinic dashboard (all teams, 12 weeks)", QUERY, reverse("clinic_dashboard"), who="admin"),
        Call("conference agenda (one team)", QUERY, cast.conference.get_absolute_url(), who="lead"),
        Call("API patient list", QUERY, reverse("api_patient_list"), who="API"),
        Call(
            "API screening POST",
            INSERT,
            reverse("api_patient_screenings", kwargs={"patient_id": target}),
            who="API poster",
            method="POST",
            body=json.dumps(API_SCREENING),
            content_type="application/json",
            expected=201,
        ),
        Call(
            "FHIR QuestionnaireResponse search",
            QUERY,
            reverse("fhir_questionnaire_response_list") + f"?patient={patient}",
            who="API",
        ),
    ]


def _session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def headers_for(cast: Cast, call: Call) -> dict[str, str]:
    """The headers of ``call.who``: the clinician's, the admin's or the lead's session; the clinician's
    API token ("API"); the POSTs' patient's clinician's session and CSRF token ("form poster") or API
    token ("API poster"). Sessions are made just before the request's runs, well within their idle time."""
    headers = {"Content-Type": call.content_type} if call.content_type else {}
    poster = _post_target(cast).primary_clinician
    sessions = {"clinician": cast.clinician, "admin": cast.admin, "lead": cast.lead}
    if call.who in sessions:
        headers["Cookie"] = _session_cookie(sessions[call.who])
    elif call.who == "form poster":
        request = RequestFactory().get("/")
        headers["X-CSRFToken"] = get_token(request)
        secret = request.META["CSRF_COOKIE"]
        headers["Cookie"] = f"{_session_cookie(poster)}; {settings.CSRF_COOKIE_NAME}={secret}"
    elif call.who in ("API", "API poster"):
        user = cast.clinician if call.who == "API" else poster
        headers["Authorization"] = f"Token {AuthToken.objects.create(user)[1]}"
    return headers


def database_url() -> str:
    """The database this process is connected to (the benchmark's, or the test run's), for the servers."""
    db = connection.settings_dict
    login = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        login += ":" + quote(db["PASSWORD"], safe="")
    return f"postgresql://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _settle(port: int, *, timeout: float = 120) -> None:
    """Until the server holds no connection: the requests a run left in flight (a slow page's, at 32
    connections, can keep both workers busy long after wrk stops) are answered before the next run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(
            c.laddr and c.laddr.port == port and c.status in HOLDING for c in psutil.net_connections("tcp")
        ):
            return
        time.sleep(0.2)
    print(f"  (the server on {port} still held requests after {timeout:.0f} s)")


def measure_call(port: int, call: Call, headers: dict[str, str], plan: Plan) -> dict[int, Load]:
    url = f"http://127.0.0.1:{port}{call.path}"

    def load(connections: int, seconds: int) -> Load:
        measured = run(
            call.name,
            url,
            connections=connections,
            seconds=seconds,
            method=call.method,
            body=call.body,
            headers=headers,
        )
        _settle(port)
        return measured

    if plan.warmup:
        load(min(plan.connections), plan.warmup)
    loads = {}
    for count in plan.connections:
        loads[count] = measured = load(count, plan.seconds)
        failed = measured.failed(call.expected)
        print(
            f"  {call.name} at {count}: {measured.rps:,.0f}/s, p50 {measured.p50:.1f} ms, "
            f"p95 {measured.p95:.1f} ms, p99 {measured.p99:.1f} ms"
            + (f", {failed} errors {measured.statuses} {measured.errors}" if failed else "")
        )
    return loads


def load_table(
    cast: Cast,
    *,
    seconds: int,
    connections: tuple[int, ...] = (8, 32),
    only: Collection[str] | None = None,
    warmup: int = 1,
) -> FloorTable:
    """The floors, then each request (those named in ``only``, or all), ``seconds`` at each connection
    count after ``warmup`` seconds at the fewest."""
    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
        cursor.execute(f"TRUNCATE {TABLE}")
    env = os.environ | {"DATABASE_URL": database_url()}
    table = FloorTable(seconds=seconds, connections=connections)
    plan = Plan(seconds=seconds, connections=connections, warmup=warmup)
    print(f"Against the floor: wrk, {seconds} s a run, at {' and '.join(map(str, connections))} connections")
    port = free_port()
    with gunicorn(port, env, app="benchmarks.floor.wsgi:application", health="/plain/"):
        for call in floor_calls():
            table.floor_calls[call.floor] = call
            table.floors[call.floor] = measure_call(port, call, headers_for(cast, call), plan)
    with gunicorn(port, env | {"DJANGO_SETTINGS_MODULE": "rehabcare.settings.bench"}):
        for call in calls(cast):
            if only is None or call.name in only:
                loads = measure_call(port, call, headers_for(cast, call), plan)
                table.rows.append(Row(call, loads, table.floors[call.floor]))
    return table


def _latency(load: Load) -> str:
    return f"{load.p50:.1f} / {load.p95:.1f} / {load.p99:.1f}"


def _errors(loads: Collection[Load], expected: int) -> str:
    """0, or how many in bold with what they were: other statuses, and wrk's socket errors."""
    failed = sum(load.failed(expected) for load in loads)
    if not all(load.requests for load in loads):
        return "**no answer in a run**"
    if not failed:
        return "0"
    detail: dict[str, int] = {}
    for load in loads:
        for status, count in load.statuses.items():
            if status != expected:
                detail[str(status)] = detail.get(str(status), 0) + count
        for kind, count in load.errors.items():
            if kind != "status" and count:
                detail[kind] = detail.get(kind, 0) + count
    return f"**{failed}** ({', '.join(f'{what}: {count}' for what, count in sorted(detail.items()))})"


def section(table: FloorTable) -> str:
    """The "Against the floor" section: the floors, then each request's share of its floor."""
    counts = table.connections
    command = " ".join(web_command(0)[2:]).replace(" --bind 127.0.0.1:0", "")
    lines = [
        "## Against the floor",
        "",
        f"wrk ({THREADS} threads, {table.seconds} s a run) against the Procfile's web command (`{command}`): "
        "first the bare Django app of `benchmarks/floor/`, then RehabCare, one after the other in this run "
        "on the same PostgreSQL. Requests per second and latency p50 / p95 / p99 in ms at "
        + " and ".join(map(str, counts))
        + " connections; an answer other than the expected status is an error.",
        "",
        "| floor | request | expected | "
        + " | ".join(f"rps at {c} | ms at {c}" for c in counts)
        + " | errors |",
        "|---|---|:-:|" + "---:|---|" * len(counts) + "---:|",
    ]
    for kind, loads in table.floors.items():
        call = table.floor_calls[kind]
        lines.append(
            f"| {kind} | {call.method} `{call.path}` | {call.expected} | "
            + " | ".join(f"{loads[c].rps:,.0f} | {_latency(loads[c])}" for c in counts)
            + f" | {_errors(loads.values(), call.expected)} |"
        )
    lines += [
        "",
        "Share of floor: the request's requests per second over its floor's at the same connections. "
        f"Targets from {SOURCE}, met when reached at every connection count.",
        "",
        "| request | expected | floor | "
        + " | ".join(f"rps at {c} | ms at {c} | share at {c}" for c in counts)
        + " | errors | target | met |",
        "|---|:-:|---|" + "---:|---|---:|" * len(counts) + "---:|---:|:-:|",
    ]
    for row in table.rows:
        cells = []
        for c in counts:
            share = row.share(c)
            shown = "—" if share is None else f"{share:.0%}"
            cells.append(f"{row.loads[c].rps:,.0f} | {_latency(row.loads[c])} | {shown}")
        target = met = ""
        if row.target is not None:
            target, met = f"≥ {row.target:.0%}", "yes" if row.met else "**no**"
        lines.append(
            f"| {row.call.name} | {row.call.expected} | {row.call.floor} | "
            + " | ".join(cells)
            + f" | {_errors(row.loads.values(), row.call.expected)} | {target} | {met} |"
        )
    for row in table.rows:
        if row.met is False:
            limit, fix = MISSES.get(row.call.name, ("Not analysed yet.", "Not analysed yet."))
            shares = ", ".join(f"{row.share(c) or 0:.0%} at {c}" for c in counts)
            lines += [
                "",
                f"### {row.call.name}: {shares} of its floor, against ≥ {row.target:.0%}",
                "",
                f"- **What limits it.** {limit}",
                f"- **What would close it.** {fix}",
            ]
    return "\n".join(lines)
