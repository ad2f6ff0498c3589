"""Command-line tools: `flask --app app <group> <command>`."""
from __future__ import annotations


def register(app) -> None:
    from app.cli.audit import audit_cli
    from app.cli.database import db_cli
    from app.cli.demo import demo_cli
    from app.cli.outbox import outbox_cli
    from app.cli.tenders import tenders_cli
    from app.cli.users import users_cli

    for group in (db_cli, users_cli, audit_cli, demo_cli, tenders_cli, outbox_cli):
        app.cli.add_command(group)
