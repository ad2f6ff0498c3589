"""`flask users create`: accounts from the command line (the first admin, scripted setups)."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlmodel import Session, select

from app.admin import operations
from app.audit import SYSTEM
from app.db import engine, writing
from app.models import Bureau, Organisation
from app.models.accounts import ROLES
from workflows import Refused

users_cli = AppGroup("users", help="Accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--organisation", default=None, help="Organisation name (officers and evaluators).")
@click.option("--bureau", default=None, help="Bureau name (bureau users).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_cmd(email, name, role, organisation, bureau, password) -> None:
    with writing(), Session(engine()) as session:
        org_id = _lookup(session, Organisation, organisation) if organisation else None
        bureau_id = _lookup(session, Bureau, bureau) if bureau else None
        try:
            user = operations.create_user(session, SYSTEM, email=email, name=name, role=role, password=password,
                                          organisation_id=org_id, bureau_id=bureau_id)
            session.commit()
        except Refused as r:
            click.echo("; ".join(r.reasons), err=True)
            sys.exit(1)
        except Exception as e:  # e.g. the role/affiliation CHECK constraint
            click.echo(f"Not created: {e.__class__.__name__}: {getattr(e, 'orig', e)}", err=True)
            sys.exit(1)
        click.echo(f"Created {user.role} {user.email} (id {user.id}).")


def _lookup(session, model, name):
    row = session.exec(select(model).where(model.name == name)).first()
    if row is None:
        click.echo(f"No {model.__tablename__} named {name!r}.", err=True)
        sys.exit(1)
    return row.id
