"""The part every provider fake shares: the server, the thread, the record and the faults."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    status: int = 0  # answer with this status (0: answer normally after a stall)
    stall: float = 0.0
    after_accepting: bool = False


@dataclass
class Answer:
    status: int
    body: Any
    content_type: str = "application/json"


class FakeProvider:
    """Subclasses route requests (``handle``) and say what an error looks like (``error_body``)."""

    PERMANENT = 400

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                with fake._lock:
                    fake.requests.append((method, parts.path))
                answer = fake.handle(
                    method, parts.path, parse_qs(parts.query), dict(self.headers.items()), raw
                )
                body = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up waiting (a stall past its timeout)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    # --- what a test sets ---

    def fail(self, status: int, times: int = 1) -> None:
        with self._lock:
            self._faults.extend(Fault(status=status) for _ in range(times))

    def stall(self, seconds: float, *, after_accepting: bool = False, times: int = 1) -> None:
        with self._lock:
            self._faults.extend(Fault(stall=seconds, after_accepting=after_accepting) for _ in range(times))

    def set_status(self, provider_id: str, status: str, **fields: Any) -> None:
        with self._lock:
            message = self.message(provider_id)
            message["status"] = status
            message.update(fields)

    def message(self, provider_id: str) -> dict[str, Any]:
        return next(m for m in self.messages if m["id"] == provider_id)

    def settings(self) -> dict[str, str]:
        raise NotImplementedError

    # --- what subclasses use ---

    def send(self, record: dict[str, Any], answer: Any, status: int = 200) -> Answer:
        """Accept a message (with the next fault, if any): record it and answer ``answer(record)``."""
        with self._lock:
            fault = self._faults.pop(0) if self._faults else None
        if fault and fault.status:
            return Answer(fault.status, self.error_body(fault.status))
        if fault and fault.stall and not fault.after_accepting:
            self._released.wait(fault.stall)
            return Answer(503, self.error_body(503))  # never read: the client timed out
        record.setdefault("id", str(uuid.uuid4()))
        with self._lock:
            self.messages.append(record)
        if fault and fault.stall:
            self._released.wait(fault.stall)
        return Answer(status, answer(record))

    def error_body(self, status: int) -> Any:
        raise NotImplementedError

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], raw: bytes
    ) -> Answer:
        raise NotImplementedError
