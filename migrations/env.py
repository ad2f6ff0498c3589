"""Alembic environment. Run through `flask --app app db upgrade` (see app/cli/database.py)."""
from __future__ import annotations

from alembic import context

from app.db import is_sqlite, make_engine
from app.models import metadata

config = context.config


def render_item(type_, obj, autogen_context):
    """Render the app's column types as plain SQLAlchemy ones, so migrations never import app code."""
    from sqlmodel.sql.sqltypes import AutoString

    from app.models.base import UTCDateTime
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    sqlite = is_sqlite(connection.engine)
    if sqlite:
        # A batch migration recreates tables; with foreign keys on, SQLite would cascade-delete children.
        # The pragma is a no-op inside a transaction, so it goes straight to the driver connection.
        _raw(connection).execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=sqlite,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()
    if sqlite:
        _raw(connection).execute("PRAGMA foreign_keys=ON")


def _raw(connection):
    return connection.connection.driver_connection


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `flask --app app db upgrade`.")
run_migrations_online()
