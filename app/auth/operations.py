"""Account changes that matter for security; each is audited on the admin chain."""
from __future__ import annotations

from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.auth.passwords import hash_password
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
