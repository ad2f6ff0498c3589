"""Demo data for `make run`: built through the same operations as the app, so every audit chain
is valid. Loaded once, on an empty database."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from app.admin import operations as admin_ops
from app.audit import SYSTEM
from app.clock import now
from app.demo import data
from app.models import Bureau, Organisation, User
from app.tenders import operations as tender_ops


def is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(User)) == 0


def load(session: Session) -> None:
    orgs = {o["name"]: admin_ops.save(session, SYSTEM, Organisation, o) for o in data.ORGANISATIONS}
    bureaus = {b["name"]: admin_ops.save(session, SYSTEM, Bureau, b) for b in data.BUREAUS}
    users = {}
    for email, name, role, home in data.USERS:
        users[email] = admin_ops.create_user(
            session, SYSTEM, email=email, name=name, role=role, password=data.PASSWORD,
            organisation_id=orgs[home].id if role in ("officer", "evaluator") else None,
            bureau_id=bureaus[home].id if role == "bureau" else None,
        )
    _almere(session, users, bureaus)
    _koppelkansen(session, users, orgs, bureaus)
    from app.demo import portal
    portal.build(session, users, bureaus, _ready_draft, lambda title: {**data.ALMERE, "title": title})


def _ready_draft(session, officer, spec, lots, evaluators, bureaus, start):
    """A draft with everything filled in: ready to send the invitations."""
    tender = tender_ops.create_tender(session, officer, spec["title"], spec["description"])
    tender_ops.update_fields(session, officer, tender, {k: v for k, v in spec.items() if k not in ("title", "description")}, None)
    tender_ops.update_fields(session, officer, tender, {
        "invitation_at": start + timedelta(days=1),
        "questions_deadline": start + timedelta(days=12),
        "vision_deadline": start + timedelta(days=26),
        "pitch_start": start + timedelta(days=33),
        "pitch_end": start + timedelta(days=35),
        "selection_at": start + timedelta(days=42),
    }, None)
    for title, description in lots:
        tender_ops.save_lot(session, officer, tender, {"title": title, "description": description}, None)
    anchors = tender_ops.default_anchors()
    for stage, criteria in (("vision", data.VISION_CRITERIA), ("pitch", data.PITCH_CRITERIA)):
        for title, weight in criteria:
            tender_ops.save_criterion(session, officer, tender, stage, {
                "title": title, "description": "", "weight": weight, "scale_min": 0, "scale_max": 10,
                "scale_step": 2, "required": True, "counts_in_total": True}, anchors, None)
    for evaluator in evaluators:
        tender_ops.add_panel_member(session, officer, tender, evaluator, None)
    for bureau in bureaus:
        tender_ops.add_invitee(session, officer, tender, bureau, None)
    return tender


def _almere(session, users, bureaus):
    officer = users["inkoper@almere.example"]
    evaluators = [users[f"beoordelaar{i}@almere.example"] for i in (1, 2, 3)]
    _ready_draft(session, officer, data.ALMERE, data.ALMERE_LOTS, evaluators, list(bureaus.values()), now())


def _koppelkansen(session, users, orgs, bureaus):
    """Joint procurement, still being drafted: the checklist shows what is missing."""
    officer = users["inkoper@amsterdam.example"]
    spec = data.KOPPELKANSEN
    tender = tender_ops.create_tender(session, officer, spec["title"], spec["description"])
    tender_ops.update_fields(session, officer, tender, {k: v for k, v in spec.items() if k not in ("title", "description")}, None)
    for name in ("Liander", "Waternet"):
        tender_ops.add_buyer(session, officer, tender, orgs[name], None)
    for title, description in data.KOPPELKANSEN_LOTS:
        tender_ops.save_lot(session, officer, tender, {"title": title, "description": description}, None)
    for email in ("beoordelaar@liander.example", "beoordelaar@waternet.example"):
        tender_ops.add_panel_member(session, officer, tender, users[email], None)
    for name in ("Het U-Lab", "Koers & Co"):
        tender_ops.add_invitee(session, officer, tender, bureaus[name], None)


def accounts() -> list[tuple[str, str, str]]:
    """(e-mail, role, who) for the README and the start-up banner."""
    return [(email, role, home or "") for email, _name, role, home in data.USERS]
