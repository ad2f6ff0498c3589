"""`flask audit verify`: check every hash chain and name the first broken event."""
from __future__ import annotations

import sys
import time

import click
from flask.cli import AppGroup
from sqlmodel import Session

from app import audit
from app.db import engine

audit_cli = AppGroup("audit", help="The tamper-evident audit trail.")


@audit_cli.command("verify")
@click.option("--chain", default=None, help="Only this chain, e.g. tender:12.")
def verify_cmd(chain: str | None) -> None:
    """Recompute every hash; exit 1 naming the first broken event of each broken chain."""
    started = time.perf_counter()
    with Session(engine()) as session:
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
