"""A real SMTP server on loopback (aiosmtpd) for mail tests; importable by every area.

    def test_x(mail_server, runner):
        ... queue something ...
        runner.invoke(args=["outbox", "send"])
        [msg] = mail_server.to("someone@example.org")

The `mail_server` fixture points the app's MAIL_SERVER/MAIL_PORT at it. `stop()` and `start()`
simulate an outage on the same port; `fail_next(n, reply)` answers the next n messages with an
SMTP error (e.g. 451 temporary, 550 permanent), or with one of two broken connections:
`DROP` (the connection is cut after the data arrived, before the server took the message) and
`ACCEPT_THEN_DROP` (the server keeps the message, then the connection is cut before its "250"
reaches the sender: the one case where SMTP itself cannot tell the sender the message arrived).
`delay` slows every DATA reply down, so concurrent senders really overlap.
"""
from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections import deque
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DROP = "drop"
ACCEPT_THEN_DROP = "accept-then-drop"


class _Handler:
    def __init__(self, server: "MailServer"):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        with self.server.lock:
            reply = self.server.script.popleft() if self.server.script else None
            if reply is None or reply == ACCEPT_THEN_DROP:
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                self.server.received.append((list(envelope.rcpt_tos), message))
                self.server.peers.append(session.peer)
        if reply in (DROP, ACCEPT_THEN_DROP):
            smtp.transport.abort()  # cut the connection: the sender never reads a reply
            return "421 Connection lost"
        return reply or "250 Message accepted for delivery"


class MailServer:
    def __init__(self, port: int | None = None):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()
        self.script: deque[str | None] = deque()  # the replies to the next DATA commands (None: accept)
        self.delay = 0.0
        self.peers: list[tuple] = []  # the client address (host, port) of each message received
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
        self.play([reply] * count)

    def play(self, replies: list[str | None]) -> None:
        """Answer the next DATA commands with these replies in turn (None: accept normally)."""
        with self.lock:
            self.script = deque(replies)

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
