"""Demo data, migrations that match the models, the secret-key rule."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import select

from app import create_app
from app.config import ConfigError
from app.models import Tender, metadata


def test_demo_loads_once_and_verifies(runner, session):
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    titles = session.exec(select(Tender.title)).all()
    assert "Leiderschapsprogramma gemeente Almere" in titles and len(titles) >= 2
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "already present" in again.output
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and verify.output.startswith("OK")
    accounts = runner.invoke(args=["demo", "accounts"]).output
    assert "inkoper@almere.example" in accounts and "samenspel-demo" in accounts


def test_demo_tender_is_ready_to_send(runner, session):
    runner.invoke(args=["demo", "load"])
    from app.models import User
    officer = session.exec(select(User).where(User.email == "inkoper@almere.example")).one()
    tender = session.exec(select(Tender).where(Tender.title == "Leiderschapsprogramma gemeente Almere")).one()
    from app.demo.data import PASSWORD
    from tests.conftest import login
    client = runner.app.test_client()
    login(client, officer, PASSWORD)
    html = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert 'type="submit" data-event="open_invitation"' in html


def test_migrations_match_the_models(app):
    engine = app.extensions["samenspel.engine"]
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []


def test_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("SAMENSPEL_INSTANCE", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "a" * 40)
    assert create_app().config["SECRET_KEY"] == "a" * 40
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app().debug


def test_database_url_forms(monkeypatch, tmp_path):
    from app.config import normalise_database_url
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
