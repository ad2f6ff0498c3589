"""`flask demo load`: the demo data, once, on an empty database."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup
from sqlmodel import Session

from app import demo
from app.db import engine, writing
from app.demo.data import PASSWORD

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
def load_cmd(if_empty: bool) -> None:
    with writing(), Session(engine()) as session:
        if not demo.is_empty(session):
            if if_empty:
                click.echo("Demo data already present.")
                return
            raise click.ClickException("The database is not empty; demo data loads only into an empty one.")
        started = time.monotonic()
        demo.load(session)
        session.commit()
    click.echo(f"Demo data loaded: a tender in every stage ({', '.join(demo.STAGES)}) and programmes in "
               f"{', '.join(demo.PROGRAMME_STAGES)}, in {time.monotonic() - started:.1f} s.")


@demo_cli.command("accounts")
def accounts_cmd() -> None:
    """Print the demo accounts."""
    click.echo(f"Demo accounts (password for all: {PASSWORD})")
    for email, role, home in demo.accounts():
        click.echo(f"  {role:<10} {email:<32} {home}")
