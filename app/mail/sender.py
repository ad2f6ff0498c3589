"""Delivering the outbox over SMTP: retries with back-off, and never one message twice.

A sender claims one due message at a time in its own short transaction (status `sending` with a
lease in `locked_until`), delivers it, and marks it `sent` in the next. Concurrent senders skip
claimed rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite writers queue at BEGIN IMMEDIATE), so
no message is handed to SMTP twice. When the server is down or answers a temporary error (4xx),
the message waits with exponential back-off and is tried again later; a permanent refusal (5xx)
or too many attempts marks it `failed`, visible on the outbox page. A sender that dies between
the server's "accepted" and the `sent` commit leaves the claim to expire: the message is then
tried again with the same Message-ID — the one window in which a recipient could get it twice,
recognisably so. The same holds when the connection breaks after the last byte of the message but
before the server's "250": SMTP gives the sender no way to know the message arrived, so it is sent
again (at least once beats at most once for invitations and decision letters).

The attempt number is the claim's token: a sender whose lease ran out while it was stalled finds,
when it comes back, that another sender has claimed the message since, and leaves the outcome to
that sender instead of overwriting it.
"""
from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Optional

from sqlalchemy import or_
from sqlmodel import Session, select

from app.clock import now
from app.db import writing
from app.models import OutboxAttachment, OutboxMessage

LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=2)
MAX_ATTEMPTS = 12


class TemporaryFailure(Exception):
    """Try again later (server unreachable, 4xx)."""


class Unreachable(TemporaryFailure):
    """No connection to the server: the rest of the batch waits too."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx)."""


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    superseded: int = 0  # finished by another sender after this one's lease ran out
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the first, second, third … failure; at most two hours."""
    return min(FIRST_RETRY * (2 ** max(0, attempts - 1)), MAX_RETRY)


def build(message: OutboxMessage, attachments: list[OutboxAttachment], sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr((message.to_name, message.to_addr)) if message.to_name else message.to_addr
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for a in attachments:
        maintype, _, subtype = a.content_type.partition("/")
        email.add_attachment(a.content, maintype=maintype, subtype=subtype or "octet-stream", filename=a.filename)
    return email


class Connection:
    """One SMTP connection for a batch, opened on first use and reopened after a failure."""

    def __init__(self, config: dict):
        self.config = config
        self.smtp: Optional[smtplib.SMTP] = None

    def _open(self) -> smtplib.SMTP:
        c = self.config
        try:
            smtp = smtplib.SMTP(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c.get("MAIL_TIMEOUT", 30))
            if c.get("MAIL_USE_TLS"):
                smtp.starttls()
            if c.get("MAIL_USERNAME"):
                smtp.login(c["MAIL_USERNAME"], c.get("MAIL_PASSWORD", ""))
        except (OSError, smtplib.SMTPException) as e:
            raise Unreachable(f"cannot connect to {c['MAIL_SERVER']}:{c['MAIL_PORT']}: {e}") from e
        return smtp

    def deliver(self, email: EmailMessage, to_addr: str) -> None:
        if self.smtp is None:
            self.smtp = self._open()
        try:
            refused = self.smtp.send_message(email, to_addrs=[to_addr])
        except smtplib.SMTPRecipientsRefused as e:
            self.close()
            code, text = next(iter(e.recipients.values()))
            raise (PermanentFailure if code >= 500 else TemporaryFailure)(f"{code} {_text(text)}") from e
        except smtplib.SMTPResponseException as e:
            self.close()
            raise (PermanentFailure if e.smtp_code >= 500 else TemporaryFailure)(
                f"{e.smtp_code} {_text(e.smtp_error)}") from e
        except (OSError, smtplib.SMTPException) as e:
            self.close()
            raise TemporaryFailure(f"{e.__class__.__name__}: {e}") from e
        if refused:
            code, text = next(iter(refused.values()))
            raise PermanentFailure(f"{code} {_text(text)}")

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException, socket.timeout):
                self.smtp.close()
            self.smtp = None


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _claim(engine, postgres: bool) -> Optional[tuple[OutboxMessage, list[OutboxAttachment]]]:
    """Claim the next due message in its own transaction; None when nothing is due."""
    moment = now()
    with writing(), Session(engine, expire_on_commit=False) as session:
        stmt = (
            select(OutboxMessage)
            .where(or_(
                (OutboxMessage.status == "queued") & (OutboxMessage.due_at <= moment),
                # A claim whose lease ran out: its sender died before recording the outcome.
                (OutboxMessage.status == "sending") & (OutboxMessage.locked_until < moment),
            ))
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(1)
        )
        stmt = stmt.with_for_update(skip_locked=True) if postgres else stmt
        message = session.exec(stmt).first()
        if message is None:
            return None
        message.status = "sending"
        message.locked_until = moment + LEASE
        message.attempts += 1
        attachments = list(session.exec(select(OutboxAttachment).where(OutboxAttachment.message_id == message.id)))
        session.commit()
        return message, attachments


def _finish(engine, message_id: int, attempt: int, error: Optional[Exception]) -> str:
    with writing(), Session(engine) as session:
        message = session.get(OutboxMessage, message_id, with_for_update=True)
        if message.status != "sending" or message.attempts != attempt:
            return "superseded"  # our lease ran out and another sender claimed it: its outcome counts
        message.locked_until = None
        if error is None:
            message.status, message.sent_at, message.last_error = "sent", now(), None
            outcome = "sent"
        elif isinstance(error, PermanentFailure) or message.attempts >= MAX_ATTEMPTS:
            message.status, message.last_error = "failed", str(error)[:2000]
            outcome = "failed"
        else:
            message.status, message.last_error = "queued", str(error)[:2000]
            message.due_at = now() + backoff(message.attempts)
            outcome = "retrying"
        session.commit()
        return outcome


def send_due(engine, config: dict, limit: int = 500) -> SendResult:
    """Deliver what is due, up to `limit` messages. When the server is unreachable the message
    tried goes back with back-off and the run stops: the rest waits for the next run."""
    result = SendResult()
    postgres = engine.dialect.name == "postgresql"
    sender = config["MAIL_FROM"]
    connection = Connection(config)
    try:
        for _ in range(limit):
            claimed = _claim(engine, postgres)
            if claimed is None:
                break
            message, attachments = claimed
            error: Optional[Exception] = None
            try:
                connection.deliver(build(message, attachments, sender), message.to_addr)
            except (TemporaryFailure, PermanentFailure) as e:
                error = e
                result.errors.append(f"{message.to_addr}: {e}")
            outcome = _finish(engine, message.id, message.attempts, error)
            setattr(result, outcome, getattr(result, outcome) + 1)
            if isinstance(error, Unreachable):
                break
    finally:
        connection.close()
    return result
