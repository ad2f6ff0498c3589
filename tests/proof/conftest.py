"""Fixtures of the proof suite: one pair of gunicorn servers on loopback for the whole run (starting
them costs seconds on a busy machine), sharing one upload directory as two hosts share storage."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import SECRET
from tests.proof.servers import start_gunicorn


class ServerPair(list):
    uploads = None  # the upload directory both servers write to


@pytest.fixture(scope="session")
def server_pair(pg_database, tmp_path_factory):
    uploads = tmp_path_factory.mktemp("shared-uploads")
    pair = ServerPair(start_gunicorn(pg_database, SECRET, tmp_path_factory.mktemp(f"instance{i}"),
                                     env={"UPLOAD_DIR": str(uploads)}) for i in range(2))
    pair.uploads = uploads
    yield pair
    for server in pair:
        server.stop()


@pytest.fixture
def servers(request, backend, database_url):
    """Two servers on the test's (freshly emptied) PostgreSQL database; skipped on SQLite."""
    if backend != "postgresql":
        pytest.skip("races across processes run against PostgreSQL (set TEST_DATABASE_URL)")
    pair = request.getfixturevalue("server_pair")
    for path in pair.uploads.iterdir():  # the database was emptied: so is the storage
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return pair


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres_only` run once, on PostgreSQL: their SQLite variant is deselected rather
    than started and skipped. Without TEST_DATABASE_URL they stay and skip, saying why."""
    from tests.conftest import PG_URL
    if not PG_URL:
        return
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        sqlite = callspec is not None and callspec.params.get("database_url") == "sqlite"
        (drop if sqlite and item.get_closest_marker("postgres_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
