"""Twilio's Programmable Messaging API (2010-04-01): create a message, list them by To and DateSent,
fetch one."""

from __future__ import annotations

import base64
import secrets
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs

from django.utils import timezone

from .base import Answer, FakeProvider

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "f1e2d3c4b5a697887766554433221100"
FROM_NUMBER = "+447700900123"

ERRORS = {
    400: (21211, "The 'To' number +447400000000 is not a valid phone number."),
    401: (20003, "Authenticate"),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}


class TwilioFake(FakeProvider):
    PERMANENT = 400

    def settings(self) -> dict[str, str]:
        return {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM_NUMBER,
            "TWILIO_BASE_URL": self.url,
        }

    def error_body(self, status: int) -> Any:
        code, message = ERRORS.get(status, (20500, "Error"))
        return {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }

    def _view(self, m: dict[str, Any]) -> dict[str, Any]:
        return {
            "sid": m["id"],
            "account_sid": ACCOUNT_SID,
            "to": m["to"],
            "from": m["from"],
            "messaging_service_sid": m.get("messaging_service_sid"),
            "body": m["body"],
            "status": m["status"],
            "error_code": m.get("error_code"),
            "error_message": m.get("error_message"),
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": format_datetime(m["created"], usegmt=True),
            "date_updated": format_datetime(m["created"], usegmt=True),
            "date_sent": format_datetime(m["created"], usegmt=True),
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{m['id']}.json",
        }

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], raw: bytes
    ) -> Answer:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if headers.get("Authorization") != expected:
            return Answer(401, self.error_body(401))
        base = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages"
        if method == "POST" and path == base + ".json":
            data = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
            if not data.get("From") and not data.get("MessagingServiceSid"):
                return Answer(
                    400, {"code": 21603, "message": "A 'From' phone number is required.", "status": 400}
                )
            record = {
                "id": "SM" + secrets.token_hex(16),
                "to": data["To"],
                "from": data.get("From"),
                "messaging_service_sid": data.get("MessagingServiceSid"),
                "body": data["Body"],
                "reference": None,  # Twilio takes none
                "status_callback": data.get("StatusCallback"),
                "status": "queued",
                "created": timezone.now(),
            }
            return self.send(record, self._view, status=201)
        if method == "GET" and path == base + ".json":
            to = (query.get("To") or [None])[0]
            after = (query.get("DateSent>") or [None])[0]
            found = [
                self._view(m)
                for m in reversed(self.messages)
                if (to is None or m["to"] == to)
                and (after is None or m["created"].date().isoformat() >= after[:10])
            ]
            return Answer(
                200,
                {
                    "messages": found,
                    "end": max(len(found) - 1, 0),
                    "first_page_uri": base + ".json?PageSize=50&Page=0",
                    "next_page_uri": None,
                    "page": 0,
                    "page_size": 50,
                    "previous_page_uri": None,
                    "start": 0,
                    "uri": base + ".json?PageSize=50&Page=0",
                },
            )
        if method == "GET" and path.startswith(base + "/") and path.endswith(".json"):
            sid = path[len(base) + 1 : -len(".json")]
            for m in self.messages:
                if m["id"] == sid:
                    return Answer(200, self._view(m))
            return Answer(
                404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
            )
        return Answer(404, {"code": 20404, "message": "Not found", "status": 404})
