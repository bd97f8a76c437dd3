"""GOV.UK Notify's API (v2): send an SMS or email by template, list notifications by reference, read one."""

from __future__ import annotations

import json
import uuid
from typing import Any

import jwt

from .base import Answer, FakeProvider

SERVICE_ID = "2c8f1e5a-6b7d-4e3f-9a1b-0c2d3e4f5a6b"
SECRET = "9f8e7d6c-5b4a-4321-8fed-cba987654321"
API_KEY = f"rehabcare_test-{SERVICE_ID}-{SECRET}"
SMS_TEMPLATE_ID = "0d1e2f3a-4b5c-4d6e-8f9a-b0c1d2e3f4a5"
EMAIL_TEMPLATE_ID = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"

ERRORS = {
    400: ("ValidationError", "phone_number Not a UK mobile number"),
    403: ("AuthError", "Invalid token: signature, api token not found"),
    429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
    500: ("Exception", "Internal server error"),
    503: ("Exception", "Service unavailable"),
}


class NotifyFake(FakeProvider):
    PERMANENT = 400

    def settings(self) -> dict[str, str]:
        return {
            "NOTIFY_API_KEY": API_KEY,
            "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE_ID,
            "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE_ID,
            "NOTIFY_BASE_URL": self.url,
        }

    def error_body(self, status: int) -> Any:
        error, message = ERRORS.get(status, ("Exception", "Error"))
        return {"status_code": status, "errors": [{"error": error, "message": message}]}

    def _authorised(self, headers: dict[str, str]) -> bool:
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]})
        except jwt.PyJWTError:
            return False
        return claims["iss"] == SERVICE_ID

    def _view(self, m: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": m["id"],
            "reference": m["reference"],
            "type": m["type"],
            "status": m["status"],
            "phone_number": m["to"] if m["type"] == "sms" else None,
            "email_address": m["to"] if m["type"] == "email" else None,
            "body": m["body"],
            "template": {"id": m["template_id"], "version": 1, "uri": ""},
            "created_at": m["created_at"],
        }

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], raw: bytes
    ) -> Answer:
        if not self._authorised(headers):
            return Answer(403, self.error_body(403))
        if method == "POST" and path in ("/v2/notifications/sms", "/v2/notifications/email"):
            data = json.loads(raw)
            kind = path.rsplit("/", 1)[1]
            template = SMS_TEMPLATE_ID if kind == "sms" else EMAIL_TEMPLATE_ID
            if data.get("template_id") != template:
                return Answer(
                    400,
                    {
                        "status_code": 400,
                        "errors": [{"error": "BadRequestError", "message": "Template not found"}],
                    },
                )
            personalisation = data.get("personalisation") or {}
            record = {
                "type": kind,
                "to": data["phone_number"] if kind == "sms" else data["email_address"],
                "body": personalisation.get("body", ""),
                "subject": personalisation.get("subject", ""),
                "reference": data.get("reference"),
                "template_id": template,
                "status": "created",
                "created_at": "2026-01-01T00:00:00.000000Z",
            }

            def created(m: dict[str, Any]) -> dict[str, Any]:
                return {
                    "id": m["id"],
                    "reference": m["reference"],
                    "content": {"body": m["body"], "from_number": "RehabCare"},
                    "uri": f"{self.url}/v2/notifications/{m['id']}",
                    "template": {"id": template, "version": 1, "uri": ""},
                }

            return self.send(record, created, status=201)
        if method == "GET" and path == "/v2/notifications":
            reference = (query.get("reference") or [None])[0]
            found = [self._view(m) for m in self.messages if reference is None or m["reference"] == reference]
            return Answer(200, {"notifications": list(reversed(found)), "links": {"current": path}})
        if method == "GET" and path.startswith("/v2/notifications/"):
            provider_id = path.rsplit("/", 1)[1]
            for m in self.messages:
                if m["id"] == provider_id:
                    return Answer(200, self._view(m))
            try:
                uuid.UUID(provider_id)
            except ValueError:
                return Answer(400, self.error_body(400))
            return Answer(
                404,
                {"status_code": 404, "errors": [{"error": "NoResultFound", "message": "No result found"}]},
            )
        return Answer(404, {"status_code": 404, "errors": [{"error": "NotFound", "message": "Not found"}]})
