"""One engine per app, one session per request.

SQLite runs in WAL mode with foreign keys on. Its transactions start DEFERRED for reads and
IMMEDIATE when the unit of work will write (POST requests, CLI commands): a deferred read
transaction in WAL mode cannot later be upgraded if another writer committed meanwhile, so
writers take the write lock up front and queue on `busy_timeout` instead of failing.
PostgreSQL serialises competing writers with row locks (`SELECT … FOR UPDATE`).
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from flask import current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

# Set for units of work that will write; read by the SQLite BEGIN hook below.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


def is_sqlite(engine_or_url) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def make_engine(url: str, echo: bool = False) -> Engine:
    if is_sqlite(url):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            # Pooled: opening a connection and setting its pragmas costs about 1.5 ms, more than most
            # pages' queries together (measured by bench/, issue 9). A pooled connection keeps its pragmas.
            pool_size=5,
            max_overflow=10,
        )
        _configure_sqlite(engine)
        return engine
    # pool_pre_ping: after a PostgreSQL restart the first checkout finds the dead connection
    # and replaces it, so the app recovers by itself.
    # No parallel plans: the app runs short queries, and starting parallel workers took longer (about
    # 7 ms, measured by bench/) than the dashboard's whole deadline query that the planner chose them for.
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10,
                         connect_args={"options": "-c max_parallel_workers_per_gather=0"})


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Mark the enclosed unit of work as a writer (see module docstring)."""
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)


def engine() -> Engine:
    return current_app.extensions["samenspel.engine"]


def session() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def close_session(_exc=None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()


def init_app(app) -> None:
    app.extensions["samenspel.engine"] = make_engine(app.config["DATABASE_URL"], app.config.get("SQL_ECHO", False))
    app.teardown_appcontext(close_session)
