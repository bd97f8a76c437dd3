"""A minimal SMTP server on 127.0.0.1 (EHLO, MAIL, RCPT, DATA, QUIT): records what it accepts, and can
answer the recipient with a refusal (``rcpt_reply``, e.g. "550 5.1.1 No such user" or "450 4.2.0
Mailbox busy")."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes
from email.message import Message


class SMTPFake:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.rcpt_reply = "250 OK"
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                self.reply("220 fake ESMTP")
                while line := self.rfile.readline():
                    command = line.decode().strip().upper()
                    if command.startswith(("EHLO", "HELO")):
                        self.reply("250 fake")
                    elif command.startswith("MAIL"):
                        self.reply("250 OK")
                    elif command.startswith("RCPT"):
                        self.reply(fake.rcpt_reply)
                    elif command == "DATA":
                        self.reply("354 go ahead")
                        data = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk
                        fake.messages.append(message_from_bytes(data))
                        self.reply("250 queued")
                    elif command == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 OK")

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SMTPFake:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
