"""Postmark's API: send one email or a batch (as django-anymail calls it), search outbound messages by
metadata, read one message's details (its events: delivered, bounced)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from .base import Answer, FakeProvider

SERVER_TOKEN = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
FROM_EMAIL = "reminders@clinic.example"

ERRORS = {
    401: (10, "No Account or Server API tokens were supplied in the HTTP headers."),
    422: (
        406,
        "You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: "
        "{to}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a "
        "manual suppression.",
    ),
    429: (0, "Rate limit exceeded"),
    500: (0, "Internal server error"),
    503: (0, "Service unavailable"),
}


class PostmarkFake(FakeProvider):
    PERMANENT = 422

    def __init__(self) -> None:
        super().__init__()
        self._last_to = ""

    def settings(self) -> dict[str, str]:
        return {
            "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
            "POSTMARK_SERVER_TOKEN": SERVER_TOKEN,
            "POSTMARK_API_URL": self.url + "/",
            "DEFAULT_FROM_EMAIL": FROM_EMAIL,
        }

    def error_body(self, status: int) -> Any:
        code, message = ERRORS.get(status, (0, "Error"))
        return {"ErrorCode": code, "Message": message.format(to=self._last_to)}

    def _one(self, data: dict[str, Any]) -> Answer:
        self._last_to = data.get("To", "")
        headers = {h["Name"]: h["Value"] for h in data.get("Headers") or []}
        record = {
            "id": str(uuid.uuid4()),
            "to": data.get("To", ""),
            "subject": data.get("Subject", ""),
            "body": data.get("TextBody", ""),
            "metadata": data.get("Metadata") or {},
            "headers": headers,
            "reference": (data.get("Metadata") or {}).get("reference"),
            "status": "Sent",
        }

        def ok(m: dict[str, Any]) -> dict[str, Any]:
            return {
                "To": m["to"],
                "SubmittedAt": "2026-01-01T00:00:00Z",
                "MessageID": m["id"],
                "ErrorCode": 0,
                "Message": "OK",
            }

        return self.send(record, ok)

    def _view(self, m: dict[str, Any]) -> dict[str, Any]:
        events = []
        if m["status"] in ("Delivered", "Bounced"):
            events.append({"Type": m["status"], "Recipient": m["to"], "Details": m.get("details", {})})
        return {
            "MessageID": m["id"],
            "To": [{"Email": m["to"], "Name": None}],
            "Subject": m["subject"],
            "Status": "Sent",
            "Metadata": m["metadata"],
            "MessageEvents": events,
        }

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], raw: bytes
    ) -> Answer:
        if headers.get("X-Postmark-Server-Token") != SERVER_TOKEN:
            return Answer(401, self.error_body(401))
        if method == "POST" and path == "/email":
            return self._one(json.loads(raw))
        if method == "POST" and path == "/email/batch":
            answers = [self._one(one) for one in json.loads(raw)]
            failed = next((a for a in answers if a.status != 200), None)
            return failed or Answer(200, [a.body for a in answers])
        if method == "GET" and path == "/messages/outbound":
            wanted = {
                k.removeprefix("metadata_"): v[0] for k, v in query.items() if k.startswith("metadata_")
            }
            recipient = (query.get("recipient") or [None])[0]
            found = [
                self._view(m)
                for m in reversed(self.messages)
                if all(m["metadata"].get(k) == v for k, v in wanted.items())
                and (recipient is None or m["to"] == recipient)
            ]
            return Answer(200, {"TotalCount": len(found), "Messages": found})
        if method == "GET" and path.startswith("/messages/outbound/") and path.endswith("/details"):
            provider_id = path.split("/")[3]
            for m in self.messages:
                if m["id"] == provider_id:
                    return Answer(200, self._view(m))
            return Answer(422, {"ErrorCode": 701, "Message": "This message was not found."})
        return Answer(404, {"ErrorCode": 0, "Message": "Not found"})
