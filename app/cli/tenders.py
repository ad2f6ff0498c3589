"""`flask tenders tick`: run every registered time-driven job once."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlmodel import Session

from app import scheduler
from app.db import engine, writing

tenders_cli = AppGroup("tenders", help="Tenders.")


@tenders_cli.command("tick")
def tick_cmd() -> None:
    """Move tenders whose deadlines passed, send due reminders, … (safe to run as often as you like)."""
    failed = False
    for registered in scheduler.jobs():
        with writing(), Session(engine(), expire_on_commit=False) as session:
            try:
                lines = registered.run(session)
                session.commit()
            except Exception as e:  # one job's failure must not stop the others; report and go on
                session.rollback()
                failed = True
                click.echo(f"[{registered.name}] FAILED: {e.__class__.__name__}: {e}", err=True)
                continue
        for line in lines:
            click.echo(f"[{registered.name}] {line}")
    if failed:
        sys.exit(1)
