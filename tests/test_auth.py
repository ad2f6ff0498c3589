"""Logging in and out, passwords, set-password links, throttling, headers and cookie flags."""
from __future__ import annotations

from datetime import timedelta

import pytest

from sqlmodel import select

from app import clock
from app.auth.tokens import SET_PASSWORD, make_token
from app.models import AuditEvent
from tests.conftest import login
from tests.factories import PASSWORD


def test_login_and_logout(client, make):
    officer = make.officer()
    login(client, officer)
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={}).status_code == 303
    assert client.get("/").status_code == 302


def test_wrong_password_keeps_the_email(client, make):
    officer = make.officer()
    response = client.post("/login", data={"email": officer.email, "password": "wrong"})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "incorrect" in html and officer.email in html


def test_unknown_and_inactive_accounts_cannot_log_in(client, make, session):
    officer = make.officer()
    officer.active = False
    session.add(officer)
    session.commit()
    for email in (officer.email, "nobody@nowhere.example"):
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 401


def test_cookie_replayed_after_logout_is_refused(app, make):
    officer = make.officer()
    client = app.test_client()
    login(client, officer)
    stolen = client.get_cookie("session").value
    client.post("/logout", data={})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 302  # back to the login page


def test_password_change_ends_other_sessions(app, make):
    officer = make.officer()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, officer)
    login(phone, officer)
    response = laptop.post("/account/password", data={"current": PASSWORD, "password": "a brand new secret",
                                                      "confirm": "a brand new secret"})
    assert response.status_code == 303
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_password_change_checks_the_current_password(login_as, make):
    client = login_as(make.officer())
    response = client.post("/account/password", data={"current": "nope", "password": "a brand new secret",
                                                       "confirm": "a brand new secret"})
    assert response.status_code == 422
    assert "not your current password" in response.get_data(as_text=True)


def test_set_password_link_works_once(app, client, make, session):
    user = make.user("evaluator", organisation=make.organisation(), password=None)
    token = make_token(user, SET_PASSWORD)
    assert client.get(f"/account/set-password/{token}").status_code == 200
    response = client.post(f"/account/set-password/{token}", data={"password": "first password!", "confirm": "first password!"})
    assert response.status_code == 303
    assert client.get("/evaluation/").status_code == 200  # logged in (evaluators land on their panel list)
    again = app.test_client().get(f"/account/set-password/{token}")
    assert again.status_code == 404 and "used already" in again.get_data(as_text=True)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.password_set")).first() is not None


def test_set_password_link_expires(client, make):
    user = make.user("evaluator", organisation=make.organisation(), password=None)
    token = make_token(user, SET_PASSWORD)
    clock.freeze(clock.now() + timedelta(days=8))
    response = client.get(f"/account/set-password/{token}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)


def test_tampered_link_is_refused(client, make):
    user = make.user("evaluator", organisation=make.organisation(), password=None)
    token = make_token(user, SET_PASSWORD)
    # Change a character in the middle (the last base64 character carries unused bits, so changing it
    # can leave the signature valid).
    middle = len(token) // 2
    forged = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
    assert client.get(f"/account/set-password/{forged}").status_code == 404


def test_next_only_redirects_within_the_site(client, make):
    officer = make.officer()
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(f"/login?next={evil}", data={"email": officer.email, "password": PASSWORD})
        assert response.headers["Location"] in ("/", "http://localhost/")
        client.post("/logout", data={})
    response = client.post("/login?next=/tenders/new", data={"email": officer.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/tenders/new")


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_logins_are_throttled_per_account(app, make):
    officer = make.officer()
    codes = []
    for i in range(11):  # a different address each time: only the per-account limit can bite
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{i + 1}"
        codes.append(client.post("/login", data={"email": officer.email, "password": "wrong"}).status_code)
    assert codes[:10] == [401] * 10 and codes[10] == 429
    assert "Too many attempts" in client.post("/login", data={"email": officer.email,
                                                               "password": PASSWORD}).get_data(as_text=True)


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_logins_are_throttled_per_address(client, make):
    codes = [client.post("/login", data={"email": f"user{i}@x.example", "password": "wrong"}).status_code
             for i in range(11)]
    assert codes[10] == 429


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_successful_logins_do_not_count(app, make):
    """Twelve good logins (over the limit of ten) leave the account's budget for mistakes untouched."""
    officer = make.officer()
    for _ in range(12):
        login(app.test_client(), officer)
    wrong = app.test_client().post("/login", data={"email": officer.email, "password": "wrong"})
    assert wrong.status_code == 401


def test_missing_csrf_token_is_refused_with_a_message(client, make):
    client.csrf = False
    response = client.post("/login", data={"email": "x@y.example", "password": "z"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_security_headers_and_cookie_flags(app, make):
    client = app.test_client()
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    app.config["SESSION_COOKIE_SECURE"] = True
    response = client.post("/login", data={"email": make.officer().email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_language_switch(client, make):
    login(client, make.officer())
    client.post("/language/en", data={})
    assert "Dashboard" in client.get("/").get_data(as_text=True)
    assert client.post("/language/xx", data={}).status_code == 404


def _reset_link(session, email):
    import re

    from app.models import OutboxMessage
    message = session.exec(select(OutboxMessage).where(OutboxMessage.to_addr == email,
                                                       OutboxMessage.kind == "password_reset")).one()
    return re.search(r"http://localhost(/account/reset-password/\S+)", message.body_text).group(1)


def test_password_reset_link_works_once(app, client, make, session):
    officer = make.officer()
    response = client.post("/account/forgot", data={"email": officer.email.upper()})
    assert response.status_code == 303
    path = _reset_link(session, officer.email)
    assert client.post(path, data={"password": "a fresh new secret", "confirm": "a fresh new secret"}).status_code == 303
    assert app.test_client().get(path).status_code == 404
    login(app.test_client(), officer, "a fresh new secret")


def test_password_reset_link_expires_after_an_hour(client, make, session):
    officer = make.officer()
    client.post("/account/forgot", data={"email": officer.email})
    path = _reset_link(session, officer.email)
    clock.freeze(clock.now() + timedelta(minutes=61))
    assert client.get(path).status_code == 410


def test_password_reset_does_not_reveal_accounts(client, make, session):
    from app.models import OutboxMessage
    known = client.post("/account/forgot", data={"email": make.officer().email}, follow_redirects=True)
    unknown = client.post("/account/forgot", data={"email": "nobody@x.example"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert "If an account exists" in unknown.get_data(as_text=True)
    assert len(session.exec(select(OutboxMessage)).all()) == 1
