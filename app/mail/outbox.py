"""Writing e-mail to the outbox.

A message is a row written in the same transaction as the change that causes it, so it is sent if
and only if that change commits. Delivery (SMTP, retries with back-off) is the sender's job.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional

from flask import current_app, render_template
from flask_babel import force_locale
from sqlmodel import Session, select

from app.clock import now
from app.models import OutboxAttachment, OutboxMessage


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    content: bytes


def _message_id() -> str:
    domain = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN", "samenspel.local")
    return f"<{uuid.uuid4().hex}@{domain}>"


def queue(session: Session, *, to: str, subject: str, text: str, html: Optional[str] = None,
          to_name: str = "", kind: str = "", tender_id: Optional[int] = None,
          attachments: Iterable[MailAttachment] = (), dedupe_key: Optional[str] = None,
          due_at: Optional[datetime] = None) -> Optional[OutboxMessage]:
    """Queue one message. With a `dedupe_key` that was queued before, nothing is added (None)."""
    if dedupe_key and session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)).first():
        return None
    message = OutboxMessage(kind=kind, tender_id=tender_id, to_addr=to, to_name=to_name, subject=subject,
                            body_text=text, body_html=html, message_id=_message_id(), dedupe_key=dedupe_key,
                            due_at=due_at or now())
    session.add(message)
    session.flush()
    for a in attachments:
        session.add(OutboxAttachment(message_id=message.id, filename=a.filename, content_type=a.content_type,
                                     content=a.content))
    session.flush()
    return message


def render(template: str, locale: Optional[str] = None, **context) -> tuple[str, str]:
    """(subject, body) from templates/mail/<template>.txt; the first line is the subject.

    Mail goes out in Dutch unless the recipient chose English."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        rendered = render_template(f"mail/{template}.txt", **context)
    subject, _, body = rendered.partition("\n")
    return subject.strip(), body.lstrip("\n")
