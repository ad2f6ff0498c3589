"""`flask outbox send`: deliver the e-mail that is due (meant for cron, e.g. every minute)."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func
from sqlmodel import Session, select

from app.db import engine
from app.mail.sender import send_due
from app.models import OutboxMessage

outbox_cli = AppGroup("outbox", help="E-mail waiting in the outbox.")


@outbox_cli.command("send")
@click.option("--limit", default=500, show_default=True, help="At most this many messages in one run.")
def send_cmd(limit: int) -> None:
    """Deliver due messages over SMTP; failures wait with back-off for a later run."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        with Session(engine()) as session:
            waiting = session.scalar(select(func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.status == "queued"))
        click.echo(f"No MAIL_SERVER configured: {waiting} message(s) wait in the outbox; officers can read "
                   "them on the outbox page.")
        return
    result = send_due(engine(), config, limit=limit)
    click.echo(f"Sent {result.sent}, waiting to retry {result.retrying}, failed {result.failed}.")
    for error in result.errors:
        click.echo(f"  {error}", err=True)
    if result.failed:
        sys.exit(1)
