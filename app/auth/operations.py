"""Account changes that matter for security; each is audited on the admin chain."""
from __future__ import annotations

from sqlmodel import Session

from flask import url_for
from sqlmodel import select

from app import audit, mail
from app.audit import Actor
from app.auth.passwords import hash_password
from app.auth.tokens import RESET_PASSWORD, make_token
from app.clock import now
from app.models import User


def set_password(session: Session, user: User, password: str, actor: Actor | None = None) -> None:
    """New password, new session token: every other session of this user ends."""
    first_time = user.password_hash is None
    user.password_hash = hash_password(password)
    user.rotate_session_token()
    session.flush()
    audit.record(session, actor=actor or Actor.of(user), action="user.password_set", object_type="user",
                 object_id=user.id, changes={"first_time": [None, first_time]})


def end_session(session: Session, user: User) -> None:
    """Logout: rotate the token so a copied cookie is worthless from now on."""
    user.rotate_session_token()
    session.flush()


def note_login(session: Session, user: User) -> None:
    user.last_login_at = now()
    session.flush()


def send_reset_link(session: Session, email: str) -> None:
    """Queue a one-hour, single-use reset link, if an active account has this address."""
    user = session.exec(select(User).where(User.email == email, User.active)).first()
    if user is None:
        return
    link = url_for("auth.reset_password", token=make_token(user, RESET_PASSWORD), _external=True)
    subject, text = mail.render("password_reset", locale=user.locale, user=user, link=link)
    mail.queue(session, to=user.email, to_name=user.name, subject=subject, text=text, kind="password_reset")
    audit.record(session, actor=Actor.of(user), action="user.reset_requested", object_type="user", object_id=user.id)
