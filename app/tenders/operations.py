"""Changes to a tender and its draft sections. Each writes its audit event in the caller's
transaction and flushes; the view or CLI commits once."""
from __future__ import annotations

from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from app import audit
from app.audit import Actor
from app.clock import now
from app.i18n import format_local
from app.models import Criterion, Invitation, Lot, PanelMember, ScaleAnchor, Tender, TenderBuyer, User
from workflows import Refused, tender_engine

BASIC_FIELDS = ("title", "description", "procedure_type", "estimated_value_eur")
BRIEF_FIELDS = ("city_goals", "development_track", "open_question")
TIMELINE_FIELDS = ("invitation_at", "questions_deadline", "vision_deadline", "pitch_start", "pitch_end", "selection_at")
SETTINGS_FIELDS = ("vision_stage_weight", "pitch_stage_weight", "max_winners_per_lot", "invitee_motivation")
LOT_FIELDS = ("title", "description")
CRITERION_FIELDS = ("title", "description", "weight", "scale_min", "scale_max", "scale_step", "required",
                    "counts_in_total")


def default_anchors() -> dict[int, str]:
    return {
        0: _("Missing or unusable"),
        2: _("Weak: serious shortcomings"),
        4: _("Moderate: some shortcomings"),
        6: _("Sufficient: answers the question"),
        8: _("Good: convincing, with added value"),
        10: _("Excellent: convincing and distinctive on every point"),
    }


def lock(session: Session, tender_id: int) -> Tender:
    stmt = select(Tender).where(Tender.id == tender_id).with_for_update().execution_options(populate_existing=True)
    return session.exec(stmt).one()


def lock_draft(session: Session, tender: Tender, expected_version: Optional[int]) -> Tender:
    """Lock the tender for a draft edit; refuse when it left draft or changed under the user."""
    tender = lock(session, tender.id)
    if tender.state != "draft":
        raise Refused([_(
            "The draft is frozen: invitations went out on %(when)s. Criteria, weights, lots and the brief can no "
            "longer change; publish a bulletin to clarify.", when=format_local(tender.state_changed_at))],
            kind="invalid")
    if expected_version is not None and expected_version != tender.version:
        raise Refused([_("Someone else changed this tender while you were editing. Your input is kept below; "
                         "check the current values and save again.")], kind="stale")
    return tender


def buyer_ids(session: Session, tender: Tender) -> set[int]:
    co = session.exec(select(TenderBuyer.organisation_id).where(TenderBuyer.tender_id == tender.id)).all()
    return {tender.lead_organisation_id, *co}


def _record(session, actor: Actor, tender: Tender, action: str, object_type: str, object_id, changes=None):
    audit.record(session, actor=actor, action=action, object_type=object_type, object_id=object_id,
                 tender_id=tender.id, changes=changes)


def _touch(tender: Tender) -> None:
    tender.updated_at = now()  # also bumps the version: anyone holding the old version must look again


# --- the tender itself --------------------------------------------------------------------------

def create_tender(session: Session, user: User, title: str, description: str = "") -> Tender:
    stamp = now()
    tender = Tender(reference=f"new-{stamp.timestamp()}-{user.id}", title=title, description=description,
                    lead_organisation_id=user.organisation_id, created_by_id=user.id)
    session.add(tender)
    session.flush()
    tender.reference = f"SAM-{stamp.year}-{tender.id:05d}"
    session.flush()
    _record(session, Actor.of(user), tender, "tender.created", "tender", tender.id,
            {"title": [None, title], "reference": [None, tender.reference]})
    return tender


def update_fields(session: Session, user: User, tender: Tender, values: dict[str, Any],
                  expected_version: Optional[int]) -> Tender:
    tender = lock_draft(session, tender, expected_version)
    before = audit.snapshot(tender, values)
    for name, value in values.items():
        setattr(tender, name, value)
    changes = audit.diff(before, values)
    if changes:
        _touch(tender)
        session.flush()
        _record(session, Actor.of(user), tender, "tender.updated", "tender", tender.id, changes)
    return tender


def fire(session: Session, user: User, tender: Tender, event: str, reason: Optional[str] = None,
         expected_version: Optional[int] = None, actor: Optional[Actor] = None) -> Tender:
    engine = tender_engine()
    ctx = engine.context(session, tender, actor or Actor.of(user), user, reason=reason)
    return engine.fire(ctx, event, expected_version=expected_version)


# --- lots -----------------------------------------------------------------------------------------

def save_lot(session: Session, user: User, tender: Tender, values: dict, expected_version: Optional[int],
             lot: Optional[Lot] = None) -> Lot:
    tender = lock_draft(session, tender, expected_version)
    _refuse_duplicate(session, Lot, tender.id, values["title"], lot, _("There is already a lot with this name."))
    if lot is None:
        position = session.scalar(select(func.count()).select_from(Lot).where(Lot.tender_id == tender.id))
        lot = Lot(tender_id=tender.id, position=position, **values)
        session.add(lot)
        session.flush()
        changes, action = {k: [None, v] for k, v in values.items()}, "lot.added"
    else:
        before = audit.snapshot(lot, values)
        for k, v in values.items():
            setattr(lot, k, v)
        changes, action = audit.diff(before, values), "lot.updated"
    _touch(tender)
    session.flush()
    _record(session, Actor.of(user), tender, action, "lot", lot.id, changes)
    return lot


def delete_lot(session: Session, user: User, tender: Tender, lot: Lot, expected_version: Optional[int]) -> None:
    tender = lock_draft(session, tender, expected_version)
    _record(session, Actor.of(user), tender, "lot.removed", "lot", lot.id, {"title": [lot.title, None]})
    session.delete(lot)
    _touch(tender)
    session.flush()


def _refuse_duplicate(session, model, tender_id, title, current, message, **extra) -> None:
    stmt = select(model.id).where(model.tender_id == tender_id, func.lower(model.title) == title.lower())
    for k, v in extra.items():
        stmt = stmt.where(getattr(model, k) == v)
    if current is not None:
        stmt = stmt.where(model.id != current.id)
    if session.scalar(stmt) is not None:
        raise Refused([message], kind="invalid")


# --- criteria ---------------------------------------------------------------------------------------

def save_criterion(session: Session, user: User, tender: Tender, stage: str, values: dict, anchors: dict[int, str],
                   expected_version: Optional[int], criterion: Optional[Criterion] = None) -> Criterion:
    tender = lock_draft(session, tender, expected_version)
    _refuse_duplicate(session, Criterion, tender.id, values["title"], criterion,
                      _("This stage already has a criterion with this name."), stage=stage)
    if criterion is None:
        position = session.scalar(select(func.count()).select_from(Criterion)
                                  .where(Criterion.tender_id == tender.id, Criterion.stage == stage))
        criterion = Criterion(tender_id=tender.id, stage=stage, position=position, **values)
        session.add(criterion)
        session.flush()
        changes, action = {"stage": [None, stage], **{k: [None, v] for k, v in values.items()}}, "criterion.added"
        old_anchors: dict[int, str] = {}
    else:
        before = audit.snapshot(criterion, values)
        for k, v in values.items():
            setattr(criterion, k, v)
        changes, action = audit.diff(before, values), "criterion.updated"
        old_anchors = {a.score: a.text for a in anchors_of(session, [criterion.id]).get(criterion.id, [])}
    levels = set(criterion.levels())
    new_anchors = {score: text for score, text in anchors.items() if score in levels and text}
    if new_anchors != old_anchors:
        _replace_anchors(session, criterion.id, new_anchors)
        changes["anchors"] = [old_anchors or None, new_anchors]
    _touch(tender)
    session.flush()
    _record(session, Actor.of(user), tender, action, "criterion", criterion.id, changes)
    return criterion


def _replace_anchors(session: Session, criterion_id: int, anchors: dict[int, str]) -> None:
    for old in session.exec(select(ScaleAnchor).where(ScaleAnchor.criterion_id == criterion_id)):
        session.delete(old)
    session.flush()
    for score, text in sorted(anchors.items()):
        session.add(ScaleAnchor(criterion_id=criterion_id, score=score, text=text))


def delete_criterion(session: Session, user: User, tender: Tender, criterion: Criterion,
                     expected_version: Optional[int]) -> None:
    tender = lock_draft(session, tender, expected_version)
    _record(session, Actor.of(user), tender, "criterion.removed", "criterion", criterion.id,
            {"title": [criterion.title, None], "stage": [criterion.stage, None], "weight": [criterion.weight, None]})
    _replace_anchors(session, criterion.id, {})
    session.delete(criterion)
    _touch(tender)
    session.flush()


def anchors_of(session: Session, criterion_ids: list[int]) -> dict[int, list[ScaleAnchor]]:
    out: dict[int, list[ScaleAnchor]] = {cid: [] for cid in criterion_ids}
    if criterion_ids:
        rows = session.exec(select(ScaleAnchor).where(ScaleAnchor.criterion_id.in_(criterion_ids))
                            .order_by(ScaleAnchor.score))
        for a in rows:
            out[a.criterion_id].append(a)
    return out


# --- panel, bureaus to invite, co-buyers -------------------------------------------------------------

def add_panel_member(session: Session, user: User, tender: Tender, evaluator: User,
                     expected_version: Optional[int]) -> None:
    tender = lock_draft(session, tender, expected_version)
    if evaluator.role != "evaluator" or not evaluator.active:
        raise Refused([_("Only active evaluators can join a panel.")], kind="invalid")
    if evaluator.organisation_id not in buyer_ids(session, tender):
        raise Refused([_("Evaluators come from one of the buying organisations.")], kind="invalid")
    if session.exec(select(PanelMember).where(PanelMember.tender_id == tender.id,
                                              PanelMember.user_id == evaluator.id)).first():
        raise Refused([_("%(name)s is already on the panel.", name=evaluator.name)], kind="invalid")
    member = PanelMember(tender_id=tender.id, user_id=evaluator.id)
    session.add(member)
    _touch(tender)
    session.flush()
    _record(session, Actor.of(user), tender, "panel.added", "panel_member", member.id,
            {"evaluator": [None, evaluator.name]})


def remove_panel_member(session: Session, user: User, tender: Tender, member: PanelMember,
                        expected_version: Optional[int]) -> None:
    tender = lock_draft(session, tender, expected_version)
    evaluator = session.get(User, member.user_id)
    _record(session, Actor.of(user), tender, "panel.removed", "panel_member", member.id,
            {"evaluator": [evaluator.name, None]})
    session.delete(member)
    _touch(tender)
    session.flush()


def add_invitee(session: Session, user: User, tender: Tender, bureau, expected_version: Optional[int]) -> Invitation:
    tender = lock_draft(session, tender, expected_version)
    if session.exec(select(Invitation).where(Invitation.tender_id == tender.id,
                                             Invitation.bureau_id == bureau.id)).first():
        raise Refused([_("%(name)s is already on the list.", name=bureau.name)], kind="invalid")
    invitation = Invitation(tender_id=tender.id, bureau_id=bureau.id)
    session.add(invitation)
    _touch(tender)
    session.flush()
    _record(session, Actor.of(user), tender, "invitee.added", "invitation", invitation.id,
            {"bureau": [None, bureau.name]})
    return invitation


def remove_invitee(session: Session, user: User, tender: Tender, invitation: Invitation, bureau,
                   expected_version: Optional[int]) -> None:
    tender = lock_draft(session, tender, expected_version)
    _record(session, Actor.of(user), tender, "invitee.removed", "invitation", invitation.id,
            {"bureau": [bureau.name, None]})
    session.delete(invitation)
    _touch(tender)
    session.flush()


def add_buyer(session: Session, user: User, tender: Tender, organisation, expected_version: Optional[int]) -> None:
    tender = lock_draft(session, tender, expected_version)
    if organisation.id == tender.lead_organisation_id or session.get(TenderBuyer, (tender.id, organisation.id)):
        raise Refused([_("%(name)s already buys in this tender.", name=organisation.name)], kind="invalid")
    session.add(TenderBuyer(tender_id=tender.id, organisation_id=organisation.id))
    _touch(tender)
    session.flush()
    _record(session, Actor.of(user), tender, "buyer.added", "organisation", organisation.id,
            {"co_buyer": [None, organisation.name]})


def remove_buyer(session: Session, user: User, tender: Tender, organisation, expected_version: Optional[int]) -> None:
    tender = lock_draft(session, tender, expected_version)
    link = session.get(TenderBuyer, (tender.id, organisation.id))
    if link is None:
        raise Refused([_("%(name)s is not a co-buyer.", name=organisation.name)], kind="invalid")
    on_panel = session.exec(select(User.name).join(PanelMember, PanelMember.user_id == User.id).where(
        PanelMember.tender_id == tender.id, User.organisation_id == organisation.id)).all()
    if on_panel:
        raise Refused([_("First remove the evaluators of %(name)s from the panel: %(people)s.",
                         name=organisation.name, people=", ".join(on_panel))], kind="invalid")
    _record(session, Actor.of(user), tender, "buyer.removed", "organisation", organisation.id,
            {"co_buyer": [organisation.name, None]})
    session.delete(link)
    _touch(tender)
    session.flush()
