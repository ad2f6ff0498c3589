"""Who may see which object. Every query for user-facing objects goes through a scope here.

Objects a user may not see answer 404, never 403: their existence is not disclosed.
Admins manage organisations and accounts; they do not see tender contents.
"""
from __future__ import annotations

from functools import wraps
from types import SimpleNamespace

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import bindparam, exists, or_
from sqlalchemy.sql import Select
from sqlmodel import select

from app import db
from app.models import Invitation, PanelMember, Tender, TenderBuyer


def buyer_clause(organisation_id: int):
    """Tenders bought by the organisation, as lead or co-buyer."""
    return or_(
        Tender.lead_organisation_id == organisation_id,
        exists().where(TenderBuyer.tender_id == Tender.id, TenderBuyer.organisation_id == organisation_id),
    )


def visible_tenders(user) -> Select:
    """A SELECT of the tenders this user may see."""
    stmt = select(Tender)
    if user.role == "officer":
        return stmt.where(buyer_clause(user.organisation_id))
    if user.role == "evaluator":
        return stmt.where(exists().where(PanelMember.tender_id == Tender.id, PanelMember.user_id == user.id))
    if user.role == "bureau":
        # A bureau sees a tender from the moment its invitation was sent (never while planned in draft).
        return stmt.where(
            exists().where(
                Invitation.tender_id == Tender.id,
                Invitation.bureau_id == user.bureau_id,
                Invitation.status != "planned",
            )
        )
    return stmt.where(False)


_BY_ID: dict = {}


def _visible_by_id(user):
    """visible_tenders(user) for one tender id, built once per role with the user as bound parameters."""
    stmt = _BY_ID.get(user.role)
    if stmt is None:
        placeholder = SimpleNamespace(role=user.role, id=bindparam("user_id"),
                                      organisation_id=bindparam("organisation_id"), bureau_id=bindparam("bureau_id"))
        stmt = _BY_ID[user.role] = visible_tenders(placeholder).where(Tender.id == bindparam("tender_id"))
    return stmt


def tender_or_404(tender_id: int, user=None) -> Tender:
    user = user or current_user
    tender = db.session().exec(_visible_by_id(user), params={
        "tender_id": tender_id, "user_id": user.id, "organisation_id": user.organisation_id,
        "bureau_id": user.bureau_id}).first()
    if tender is None:
        abort(404)
    return tender


def is_buyer_officer(session, user, tender: Tender) -> bool:
    if user is None or user.role != "officer":
        return False
    if tender.lead_organisation_id == user.organisation_id:
        return True
    return session.get(TenderBuyer, (tender.id, user.organisation_id)) is not None


def roles_required(*roles: str):
    """Login required, and one of `roles`; others get 404 (not 403) so nothing is disclosed."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator
