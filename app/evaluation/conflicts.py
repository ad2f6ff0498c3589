"""Conflicts of interest: a member's declarations per bureau, and the officer excusing a member."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.clock import now
from app.evaluation.panel import STAGE_STATES, PanelState, load_panel
from app.evaluation.rules import bureau_or_refuse, member_or_refuse, record
from app.i18n import format_local
from app.models import Bureau, ConflictDeclaration, PanelExcusal, Tender, User
from app.models.scoring import CONFLICT_KINDS
from app.tenders.operations import lock
from workflows import Refused


def declare_conflicts(session: Session, user: User, tender: Tender, entries: dict[int, tuple[str, str]]) -> int:
    """Record the member's declarations {bureau_id: (kind, explanation)}; returns how many changed.

    A member may turn "no conflict" into a conflict later (before submitting a sheet for that bureau);
    a declared conflict cannot be withdrawn by the member."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    member_or_refuse(state, user)
    if tender.state not in STAGE_STATES.values():
        raise Refused([_("Declarations are made while the panel evaluates (vision review and pitches).")],
                      kind="invalid")
    changed = 0
    for bureau_id, (kind, explanation) in entries.items():
        bureau = bureau_or_refuse(state, bureau_id)
        explanation = _checked_explanation(bureau, kind, explanation)
        existing = state.declaration(user.id, bureau_id)
        if existing is not None and (existing.kind, existing.explanation) == (kind, explanation):
            continue
        if existing is None:
            _declare(session, user, tender, bureau, kind, explanation)
        else:
            _change_declaration(session, state, user, tender, bureau, existing, kind, explanation)
        changed += 1
    return changed


def _checked_explanation(bureau: Bureau, kind: str, explanation: str) -> str:
    """The explanation to store for this kind ("" for no conflict); refuses an unknown kind or a missing one."""
    explanation = (explanation or "").strip()
    if kind not in CONFLICT_KINDS:
        raise Refused([_("Choose a kind of conflict for %(bureau)s.", bureau=bureau.name)], kind="invalid")
    if kind != "none" and not explanation:
        raise Refused([_("Explain your conflict of interest with %(bureau)s.", bureau=bureau.name)],
                      kind="invalid")
    if kind == "none":
        explanation = ""
    return explanation


def _declare(session: Session, user: User, tender: Tender, bureau: Bureau, kind: str, explanation: str) -> None:
    row = ConflictDeclaration(tender_id=tender.id, user_id=user.id, bureau_id=bureau.id, kind=kind,
                              explanation=explanation)
    session.add(row)
    session.flush()
    record(session, Actor.of(user), tender, "conflict.declared", "conflict_declaration", row.id,
           {"bureau": [None, bureau.name], "kind": [None, kind], "explanation": [None, explanation or None]})


def _change_declaration(session: Session, state: PanelState, user: User, tender: Tender, bureau: Bureau,
                        existing: ConflictDeclaration, kind: str, explanation: str) -> None:
    if existing.kind != "none" and kind == "none":
        raise Refused([_("You declared a conflict of interest with %(bureau)s on %(when)s; a declared "
                         "conflict cannot be withdrawn. Ask the officer if it was a mistake.",
                         bureau=bureau.name, when=format_local(existing.declared_at))], kind="invalid")
    if existing.kind == "none" and any(state.submitted(st, bureau.id, user.id) for st in STAGE_STATES):
        raise Refused([_("You already submitted scores for %(bureau)s. Tell the officer about the conflict; "
                         "the officer can excuse you for this bureau.", bureau=bureau.name)], kind="invalid")
    before = {"kind": existing.kind, "explanation": existing.explanation or None}
    existing.kind, existing.explanation, existing.updated_at = kind, explanation, now()
    session.flush()
    record(session, Actor.of(user), tender, "conflict.changed", "conflict_declaration", existing.id,
           {"bureau": [bureau.name, bureau.name],
            **audit.diff(before, {"kind": kind, "explanation": explanation or None})})


def excuse_member(session: Session, officer: User, tender: Tender, member_id: int, bureau_id: int,
                  reason: str) -> PanelExcusal:
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    if tender.state not in STAGE_STATES.values():
        raise Refused([_("Members can be excused while the panel evaluates (vision review and pitches).")],
                      kind="invalid")
    member = state.member(member_id)
    if member is None:
        raise Refused([_("This person is not on the panel.")], kind="invalid")
    bureau = bureau_or_refuse(state, bureau_id)
    reason = (reason or "").strip()
    if not reason:
        raise Refused([_("A reason is required.")], kind="invalid")
    done = state.excusal(member_id, bureau_id)
    if done is not None:
        raise Refused([_("%(member)s was already excused for %(bureau)s on %(when)s.", member=member.name,
                         bureau=bureau.name, when=format_local(done.excused_at))], kind="stale")
    row = PanelExcusal(tender_id=tender.id, user_id=member_id, bureau_id=bureau_id, reason=reason,
                       excused_by_id=officer.id)
    session.add(row)
    session.flush()
    record(session, Actor.of(officer), tender, "conflict.excused", "panel_excusal", row.id,
           {"evaluator": [None, member.name], "bureau": [None, bureau.name]}, reason=reason)
    return row
