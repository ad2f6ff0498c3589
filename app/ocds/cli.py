"""`flask --app app ocds export [--tender ID] [--records] [--output FILE]`."""
from __future__ import annotations

import sys

import click
from sqlmodel import Session

from app.db import engine
from app.ocds import bp, publication
from app.ocds.queries import published_tender


@bp.cli.command("export")
@click.option("--tender", "tender_id", type=int, default=None,
              help="Only this tender (it must have left draft). Default: every tender that has.")
@click.option("--records", "kind", flag_value="records", help="Write a record package (releases and compiled release).")
@click.option("--releases", "kind", flag_value="releases", default=True, help="Write a release package (the default).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="-",
              help="File to write; '-' (the default) writes to standard output.")
def export_cmd(tender_id, kind, output) -> None:
    """Write the OCDS 1.1 package of one tender, or of all tenders that have left draft."""
    with Session(engine(), expire_on_commit=False) as session:
        if tender_id is not None and published_tender(session, tender_id) is None:
            click.echo(f"Tender {tender_id} does not exist or has not left draft; nothing written.", err=True)
            sys.exit(1)
        with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as fp:
            count = publication.export(session, fp, kind, tender_id)
    if output != "-":
        click.echo(f"Wrote the {kind} of {count} tender(s) to {output}.", err=True)
