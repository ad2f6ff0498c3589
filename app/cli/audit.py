"""`flask audit verify`: check every hash chain and name the first broken event."""
from __future__ import annotations

import os
import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func
from sqlmodel import Session, select

from app import audit
from app.db import engine
from app.models import AuditChainHead

# Below this many events, starting worker processes costs more than it saves.
PARALLEL_FROM = 200_000

audit_cli = AppGroup("audit", help="The tamper-evident audit trail.")


@audit_cli.command("verify")
@click.option("--chain", default=None, help="Only this chain, e.g. tender:12.")
@click.option("--jobs", type=int, default=None,
              help=f"Processes that share the chains (default: one per core from {PARALLEL_FROM:,} events on).")
def verify_cmd(chain: str | None, jobs: int | None) -> None:
    """Recompute every hash; exit 1 naming the first broken event of each broken chain."""
    started = time.perf_counter()
    with Session(engine()) as session:
        if chain:
            jobs = 1
        elif jobs is None:
            events = session.scalar(select(func.coalesce(func.sum(AuditChainHead.seq), 0)))
            jobs = (os.cpu_count() or 1) if events >= PARALLEL_FROM else 1
        if jobs > 1:
            result = audit.verify_parallel(session, current_app.config["DATABASE_URL"], jobs)
        else:
            result = audit.verify(session, chain=chain)
    seconds = time.perf_counter() - started
    rate = result.events / seconds if seconds else 0
    if result.ok:
        click.echo(f"OK: {result.events} events in {result.chains} chains verified "
                   f"({seconds:.2f} s, {rate:,.0f} events/s).")
        return
    click.echo(f"BROKEN: {len(result.breaches)} chain(s) fail verification "
               f"({result.events} events read in {seconds:.2f} s).", err=True)
    for breach in result.breaches:
        click.echo(f"  first broken link: {breach}", err=True)
    sys.exit(1)
