"""A real SMTP server on loopback (aiosmtpd) for mail tests; importable by every area.

    def test_x(mail_server, runner):
        ... queue something ...
        runner.invoke(args=["outbox", "send"])
        [msg] = mail_server.to("someone@example.org")

The `mail_server` fixture points the app's MAIL_SERVER/MAIL_PORT at it. `stop()` and `start()`
simulate an outage on the same port; `fail_next(n, code)` answers the next n messages with an
SMTP error (e.g. 451 temporary, 550 permanent).
"""
from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, server: "MailServer"):
        self.server = server

    async def handle_DATA(self, _server, _session, envelope):
        with self.server.lock:
            if self.server.failures:
                self.server.failures -= 1
                return self.server.failure_reply
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.server.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self, port: int | None = None):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()
        self.failures = 0
        self.failure_reply = "451 Try again later"
        self.controller: Controller | None = None

    def start(self) -> "MailServer":
        self.controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def fail_next(self, count: int, reply: str = "451 Try again later") -> None:
        with self.lock:
            self.failures, self.failure_reply = count, reply

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [m for _rcpt, m in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpt, m in self.received if address.lower() in (r.lower() for r in rcpt)]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


@pytest.fixture
def mail_server(app):
    server = MailServer().start()
    app.config.update(MAIL_SERVER=server.host, MAIL_PORT=server.port, MAIL_USE_TLS=False, MAIL_USERNAME="",
                      MAIL_TIMEOUT=5)
    try:
        yield server
    finally:
        server.stop()
