"""Creating and changing organisations, bureaus and accounts; audited on the `admin` chain."""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from app import audit
from app.audit import Actor
from app.auth.passwords import hash_password
from app.models import Bureau, Organisation, User
from workflows import Refused


def _unique(session: Session, model, column, value: str, current_id: Optional[int], message: str) -> None:
    stmt = select(model.id).where(func.lower(column) == value.lower())
    if current_id is not None:
        stmt = stmt.where(model.id != current_id)
    if session.scalar(stmt) is not None:
        raise Refused([message], kind="invalid")


def save(session: Session, actor: Actor, model, values: dict, obj=None, unique_field: str = "name"):
    """Create or update an organisation, bureau or user from form values, with its audit event."""
    label = model.__tablename__
    messages = {
        "name": _("There is already one with this name."),
        "email": _("There is already an account with this e-mail address."),
    }
    _unique(session, model, getattr(model, unique_field), values[unique_field], obj.id if obj else None,
            messages[unique_field])
    if obj is None:
        obj = model(**values)
        session.add(obj)
        session.flush()
        changes, action = {k: [None, v] for k, v in values.items()}, f"{label}.created"
    else:
        before = audit.snapshot(obj, values)
        for k, v in values.items():
            setattr(obj, k, v)
        changes, action = audit.diff(before, values), f"{label}.updated"
        if label == "user" and "active" in changes:
            obj.rotate_session_token()  # deactivating ends every session at once
        session.flush()
    if changes:
        audit.record(session, actor=actor, action=action, object_type=label, object_id=obj.id, changes=changes)
    return obj


def create_user(session: Session, actor: Actor, *, email: str, name: str, role: str, password: Optional[str] = None,
                organisation_id: Optional[int] = None, bureau_id: Optional[int] = None) -> User:
    values = {"email": email.strip().lower(), "name": name, "role": role,
              "organisation_id": organisation_id if role in ("officer", "evaluator", "admin") else None,
              "bureau_id": bureau_id if role == "bureau" else None}
    user = save(session, actor, User, values, unique_field="email")
    if password:
        user.password_hash = hash_password(password)
        session.flush()
    return user


def bureau_user(session: Session, bureau: Bureau) -> Optional[User]:
    """The account of a bureau's contact, if one exists."""
    return session.exec(select(User).where(User.bureau_id == bureau.id, User.email == bureau.contact_email.lower())).first()


def organisation_by_name(session: Session, name: str) -> Optional[Organisation]:
    return session.exec(select(Organisation).where(Organisation.name == name)).first()
