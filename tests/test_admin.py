"""Admin screens and the users CLI."""
from __future__ import annotations

from sqlmodel import select

from app.models import AuditEvent, Organisation, User


def test_create_organisation_bureau_and_user(login_as, make, session):
    client = login_as(make.admin())
    assert client.post("/admin/organisations/new", data={"name": "Gemeente Zwolle", "kind": "municipality"}).status_code == 302
    assert client.post("/admin/bureaus/new", data={"name": "Bureau X", "contact_email": "x@bureau.example"}).status_code == 302
    org = session.exec(select(Organisation).where(Organisation.name == "Gemeente Zwolle")).one()
    response = client.post("/admin/users/new", data={
        "name": "Nieuwe Inkoper", "email": "Nieuw@Zwolle.example", "role": "officer",
        "organisation_id": str(org.id), "bureau_id": "0", "active": "y"})
    assert response.status_code == 302 and "/link" in response.headers["Location"]
    user = session.exec(select(User).where(User.email == "nieuw@zwolle.example")).one()
    assert (user.role, user.organisation_id, user.password_hash) == ("officer", org.id, None)
    link_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "/account/set-password/" in link_page
    actions = set(session.exec(select(AuditEvent.action).where(AuditEvent.chain == "admin")).all())
    assert {"organisation.created", "bureau.created", "user.created"} <= actions


def test_officer_needs_an_organisation(login_as, make):
    client = login_as(make.admin())
    response = client.post("/admin/users/new", data={"name": "X", "email": "x@x.example", "role": "officer",
                                                      "organisation_id": "0", "bureau_id": "0"})
    assert response.status_code == 422
    assert "belong to an organisation" in response.get_data(as_text=True)


def test_duplicate_names_are_refused(login_as, make):
    make.bureau("Bureau Dubbel")
    client = login_as(make.admin())
    response = client.post("/admin/bureaus/new", data={"name": "bureau dubbel", "contact_email": "y@b.example"})
    assert response.status_code == 409
    assert "already one with this name" in response.get_data(as_text=True)


def test_deactivating_a_user_ends_their_sessions(app, login_as, make, session):
    officer = make.officer()
    victim_client = login_as(officer)
    admin = login_as(make.admin())
    response = admin.post(f"/admin/users/{officer.id}", data={
        "name": officer.name, "email": officer.email, "role": "officer",
        "organisation_id": str(officer.organisation_id), "bureau_id": "0"})  # 'active' unticked
    assert response.status_code == 302
    assert victim_client.get("/").status_code == 302


def test_listing_searches_and_counts(login_as, make):
    make.bureau("Zoekbureau Alfa")
    make.bureau("Ander Bureau")
    html = login_as(make.admin()).get("/admin/bureaus?q=alfa").get_data(as_text=True)
    assert "Zoekbureau Alfa" in html and "Ander Bureau" not in html


def test_cli_creates_users(runner, make, session):
    org = make.organisation("Gemeente CLI")
    result = runner.invoke(args=["users", "create", "--email", "cli@x.example", "--name", "Cli", "--role", "officer",
                                 "--organisation", "Gemeente CLI", "--password", "long enough password"])
    assert result.exit_code == 0, result.output
    assert session.exec(select(User).where(User.email == "cli@x.example")).one().organisation_id == org.id
    bad = runner.invoke(args=["users", "create", "--email", "cli2@x.example", "--name", "Cli", "--role", "officer",
                              "--password", "long enough password"])
    assert bad.exit_code == 1 and "Not created" in bad.output
