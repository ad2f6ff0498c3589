"""Who may see a programme: officers of the tender's buying organisations (the municipality side)
and the programme's own bureau. Anyone else gets 404."""
from __future__ import annotations

from typing import Optional

from flask import abort
from flask_login import current_user
from sqlmodel import select
from sqlalchemy import union_all
from sqlalchemy.sql import Select

from app import db
from app.models import Programme, Tender, TenderBuyer

MUNICIPALITY, BUREAU = "municipality", "bureau"


def visible_programmes(user) -> Select:
    stmt = select(Programme)
    if user.role == "officer":
        # Two index-driven branches (lead buyer, co-buyer): an OR across both scans every tender.
        bought = union_all(select(Tender.id).where(Tender.lead_organisation_id == user.organisation_id),
                           select(TenderBuyer.tender_id).where(TenderBuyer.organisation_id == user.organisation_id))
        return stmt.where(Programme.tender_id.in_(bought))
    if user.role == "bureau":
        return stmt.where(Programme.bureau_id == user.bureau_id)
    return stmt.where(False)


def programme_or_404(programme_id: int, user=None) -> Programme:
    user = user or current_user
    programme = db.session().exec(visible_programmes(user).where(Programme.id == programme_id)).first()
    if programme is None:
        abort(404)
    return programme


def side_of(session, user, programme: Programme) -> Optional[str]:
    """'municipality' for an officer of a buying organisation, 'bureau' for the programme's bureau."""
    if user is None:
        return None
    if user.role == "bureau":
        return BUREAU if user.bureau_id == programme.bureau_id else None
    if user.role == "officer":
        from app.authz import is_buyer_officer
        tender = session.get(Tender, programme.tender_id)
        return MUNICIPALITY if tender is not None and is_buyer_officer(session, user, tender) else None
    return None


def other_side(side: str) -> str:
    return BUREAU if side == MUNICIPALITY else MUNICIPALITY
