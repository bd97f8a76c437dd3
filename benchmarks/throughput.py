"""Throughput: screening POSTs through the real gunicorn with concurrent clients, and reminder dispatch
(10,000 falling due at once: created, claimed and handed to Celery)."""

import http.client
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken

from checkins import services as checkins_services
from checkins.models import Reminder
from teams.models import Patient

from .pages import Cast
from .servers import gunicorn

DUE_AT_ONCE = 10_000


@dataclass(frozen=True)
class Throughput:
    name: str
    value: float
    unit: str
    target: float
    detail: str

    @property
    def met(self) -> bool:
        return self.value >= self.target


def _schedules_due_now(count: int) -> list[int]:
    """Daily schedules whose slot fell due a minute ago, for ``count`` active patients with consent."""
    local = timezone.localtime() - timedelta(minutes=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM checkins_reminder WHERE schedule_id IN (SELECT id FROM checkins_schedule)"
        )
        cursor.execute("DELETE FROM checkins_schedule")
        cursor.execute(
            """INSERT INTO checkins_schedule (cadence, weekdays, every_n_days, anchor_date, local_time, time_zone,
                                              channel, created_at, updated_at, patient_id, fallback_channel)
               SELECT 'daily', '{}', NULL, NULL, %s, %s, 'email', now(), now(), p.id, ''
               FROM teams_patient p WHERE p.status = 'active' AND p.consent_to_reminders ORDER BY p.id LIMIT %s
               RETURNING id""",
            [local.strftime("%H:%M"), settings.TIME_ZONE, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _queue_length(client: redis.Redis) -> int:
    return int(client.llen(settings.CELERY_TASK_DEFAULT_QUEUE))


def reminder_dispatch() -> Throughput:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    schedules = _schedules_due_now(DUE_AT_ONCE)
    started = time.perf_counter()
    claimed = checkins_services.reminders_dispatch()
    elapsed = time.perf_counter() - started
    enqueued = _queue_length(client)
    created = Reminder.objects.filter(schedule_id__in=schedules).count()
    client.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM checkins_reminder WHERE schedule_id IN (SELECT id FROM checkins_schedule)"
        )
        cursor.execute("DELETE FROM checkins_schedule")
    twice = len(claimed) - len(set(claimed))
    return Throughput(
        name=f"reminder dispatch ({len(schedules):,} due at once)",
        value=round(len(claimed) / elapsed),
        unit="reminders/s",
        target=DUE_AT_ONCE / 20,
        detail=f"{created:,} created, {len(claimed):,} claimed, {enqueued:,} enqueued in {elapsed:.1f} s; "
        f"{twice} handed out twice",
    )


def _post_screenings(port: int, token: str, patient_id: int, stop_at: float, counts: list[int]) -> None:
    body = json.dumps(
        {"instrument": "PHQ-9", "timepoint": "adhoc", "answers": {str(n): 1 for n in range(1, 9)} | {"9": 0}}
    )
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    server = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done = failed = 0
    while time.perf_counter() < stop_at:
        server.request("POST", f"/api/v1/patients/{patient_id}/screenings/", body=body, headers=headers)
        response = server.getresponse()
        response.read()
        if response.status == 201:
            done += 1
        else:
            failed += 1
    server.close()
    counts.append(done)
    counts.append(-failed)


def screening_posts(cast: Cast, *, seconds: float = 15, clients: int = 8, workers: int = 2) -> Throughput:
    """Concurrent clients POSTing screenings through gunicorn (the Procfile's 2 workers) for a while."""
    port = 8765
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "rehabcare.settings.bench"}
    with gunicorn(port, env, workers=workers):
        # Thousands of results land on a patient of another team, so the measured team's agenda (whose
        # distress reason reads every result since the last conference) is the same run after run.
        target = (
            Patient.objects.filter(mrn__startswith="B")
            .exclude(team=cast.team)
            .select_related("primary_clinician")
        ).order_by("id").first() or cast.scratch
        token = AuthToken.objects.create(target.primary_clinician)[1]
        counts: list[int] = []
        stop_at = time.perf_counter() + seconds
        threads = [
            threading.Thread(target=_post_screenings, args=(port, token, target.pk, stop_at, counts))
            for _ in range(clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    done = sum(n for n in counts if n > 0)
    failed = -sum(n for n in counts if n < 0)
    return Throughput(
        name=f"screening POST through gunicorn ({workers} workers, {clients} clients)",
        value=round(done / elapsed, 1),
        unit="POST/s",
        target=150,
        detail=f"{done:,} stored, {failed} failed, in {elapsed:.0f} s",
    )
