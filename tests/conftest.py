"""Test fixtures: real databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
a CSRF-aware client, a login helper, factories, a query counter.

Each test gets an empty, fully migrated database: SQLite by copying a migrated template file,
PostgreSQL by truncating every table of a per-worker database migrated once per run.
"""
from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app import clock, create_app
from app.cli.database import upgrade
from app.config import normalise_database_url
from tests import factories, figures
from tests.mail_server import mail_server  # noqa: F401  (a real SMTP server on loopback)

SECRET = "test-secret-key-" + "x" * 32
PG_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_configure(config):
    """The controlling process makes a fresh directory for the proof figures; workers inherit it."""
    if not hasattr(config, "workerinput") and not os.environ.get(figures.DIR_ENV):
        import tempfile
        os.environ[figures.DIR_ENV] = tempfile.mkdtemp(prefix="samenspel-figures-")


def pytest_terminal_summary(terminalreporter):
    directory = os.environ.get(figures.DIR_ENV)
    line = figures.summary_line(figures.totals(directory)) if directory else ""
    if line:
        terminalreporter.write_sep("=", "proof figures")
        terminalreporter.write_line(line)


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


# --- databases ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> str | None:
    """A per-worker PostgreSQL database, created fresh and migrated once per run."""
    if not PG_URL:
        return None
    server = make_url(normalise_database_url(PG_URL))
    # TEST_DB_PREFIX keeps parallel checkouts (several developers on one server) apart.
    name = f"{os.environ.get('TEST_DB_PREFIX', 'samenspel_test')}_{_worker()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


def _truncate_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )).scalars().all()
        # Replica role: the audit table's append-only triggers do not fire for this clean-up.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=backends())
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "samenspel.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    _truncate_pg(url)
    return url


# --- the app --------------------------------------------------------------------------------------

class Client(FlaskClient):
    """A test client that puts a valid CSRF token into every form POST (unless csrf=False),
    so tests exercise the real CSRF check without scraping pages."""

    csrf = True

    def open(self, *args, **kwargs):
        data = kwargs.get("data")
        if self.csrf and kwargs.get("method", "GET") == "POST" and isinstance(data, dict) and "csrf_token" not in data:
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        # The test's own app context would otherwise be reused by the request, sharing `g` (the
        # logged-in user, the db session) between requests. Each request gets its own, as in production.
        sessions = self.application.extensions.get("test_sessions", [])
        for s in sessions:  # what the test arranged is committed before the request runs
            s.commit()
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            for s in sessions:  # and the test then sees what the request wrote (SQLite snapshots)
                s.commit()
                s.expire_all()

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", "test-raw-csrf-token-0123456789abcdef")
        return URLSafeTimedSerializer(SECRET, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args, **kwargs):
        return self.open(*args, method="POST", **kwargs)


@pytest.fixture
def app(request, database_url, tmp_path):
    marker = request.node.get_closest_marker("app_config")
    overrides = marker.kwargs if marker else {}
    application = create_app({
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SERVER_NAME": "localhost",
        # Assertions read English message ids; Dutch (the real default) is tested in test_i18n.py
        # and in the browser journeys.
        "BABEL_DEFAULT_LOCALE": "en",
        **overrides,
    })
    application.test_client_class = Client
    with application.app_context():
        yield application
    application.extensions["samenspel.engine"].dispose()
    clock.freeze(None)


@pytest.fixture
def backend(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """A session for arranging and checking data, outside any request. Its transactions are
    DEFERRED on SQLite (like a reader), so they never hold the write lock while a request runs."""
    with Session(app.extensions["samenspel.engine"], expire_on_commit=False) as s:
        app.extensions.setdefault("test_sessions", []).append(s)
        yield s


@pytest.fixture
def make(session):
    """Factories bound to the test session: make.officer(), make.tender(...), …"""
    return factories.Factory(session)


def login(client, user, password: str = factories.PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 303, f"login of {user.email} failed ({response.status_code})"
    return response


@pytest.fixture
def login_as(app):
    """login_as(user) -> a fresh client logged in as that user."""
    def do(user):
        c = app.test_client()
        login(c, user)
        return c
    return do


# --- query counting -------------------------------------------------------------------------------

class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """with count_queries() as q: …; q.count is the number of SQL statements the block ran."""
    engine = app.extensions["samenspel.engine"]

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)
    return counting


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
