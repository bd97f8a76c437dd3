"""Tamper evidence for the audit trail: each event is sealed into a SHA-256 hash chain.

Sealing happens in PostgreSQL (teams migration 0005): a deferred constraint trigger runs as the
writing transaction commits, takes an advisory lock, and gives the event the next sequence number,
the previous event's hash and its own hash over its fields and that previous hash. The chain follows
commit order, and no path that writes an event (a service, a bulk insert, raw SQL) escapes it.

``verify`` recomputes every hash and reports what breaks the chain: a changed row (its hash no longer
matches its fields), a removed or inserted row (the next row's link, or the sequence, breaks) and a row
that was never sealed (written with the triggers switched off). A rewrite of the whole chain from some
point on, or removing its newest rows, is only caught against a head recorded elsewhere: the
command prints the head so it can be kept (in the log, a ticket, a printout).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone

# An unsealed event older than this was not written through a committing transaction with the
# triggers on: sealing happens at commit.
UNSEALED_GRACE = timedelta(minutes=5)

BROKEN_LINKS_SQL = """
SELECT seq, id, problem FROM (
    SELECT e.seq, e.id,
           CASE
               WHEN e.hash <> teams_auditevent_digest(e, e.prev_hash) THEN 'changed'
               WHEN lag(e.seq) OVER chain IS NULL AND (e.seq <> 1 OR e.prev_hash <> '') THEN 'link broken'
               WHEN e.seq <> lag(e.seq) OVER chain + 1 THEN 'link broken'
               WHEN e.prev_hash <> lag(e.hash) OVER chain THEN 'link broken'
           END AS problem
    FROM teams_auditevent e
    WHERE e.seq IS NOT NULL
    WINDOW chain AS (ORDER BY e.seq)
) checked
WHERE problem IS NOT NULL
ORDER BY seq
"""

EXPLAINED = {
    "changed": "its fields no longer match its hash: the row was changed",
    "link broken": "it does not follow the event before it: an event was removed or inserted before it",
}


@dataclass(frozen=True)
class Problem:
    seq: int | None
    event_id: int
    what: str

    def __str__(self) -> str:
        where = f"event #{self.seq} (id {self.event_id})" if self.seq else f"event id {self.event_id}"
        return f"{where}: {self.what}"


@dataclass(frozen=True)
class Report:
    events: int
    head_seq: int | None
    head_hash: str
    problems: list[Problem]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify() -> Report:
    with connection.cursor() as cursor:
        cursor.execute(BROKEN_LINKS_SQL)
        problems = [Problem(seq, event_id, EXPLAINED[kind]) for seq, event_id, kind in cursor.fetchall()]
        cursor.execute(
            "SELECT id FROM teams_auditevent WHERE seq IS NULL AND at < %s ORDER BY id",
            [timezone.now() - UNSEALED_GRACE],
        )
        problems += [
            Problem(None, event_id, "never sealed into the chain: written with its triggers switched off")
            for (event_id,) in cursor.fetchall()
        ]
        cursor.execute("SELECT count(*) FROM teams_auditevent")
        events = cursor.fetchone()[0]
        cursor.execute(
            "SELECT seq, hash FROM teams_auditevent WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
        )
        head = cursor.fetchone() or (None, "")
    return Report(events=events, head_seq=head[0], head_hash=head[1], problems=problems)
