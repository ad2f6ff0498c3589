"""The exports that exist now: a tender's invitations with their status, and its audit trail."""
from __future__ import annotations

from typing import Iterator

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.audit import tender_chain
from app.audit.labels import LABELS as ACTION_LABELS
from app.exports.registry import Column, Export, register
from app.models import AuditEvent, Bureau, Invitation, Tender
from app.templating import INVITATION_LABELS, ROLE_LABELS
from workflows import tender_engine

BATCH = 500  # rows fetched per round trip; what a stream holds at most


def _translated(labels: dict) -> dict[str, str]:
    """Lazy labels as plain text in the request's language (the rows may be written after it ended)."""
    return {key: str(label) for key, label in labels.items()}


def invitation_rows(session: Session, tender: Tender) -> Iterator[tuple]:
    return _invitation_rows(session, tender.id, _translated(INVITATION_LABELS))


def _invitation_rows(session: Session, tender_id: int, statuses: dict[str, str]) -> Iterator[tuple]:
    replaced, replaced_bureau = aliased(Invitation), aliased(Bureau)
    stmt = (
        select(Bureau.name, Bureau.contact_name, Bureau.contact_email, Invitation.status, Invitation.sent_at,
               Invitation.send_count, Invitation.opened_at, Invitation.responded_at, Invitation.decline_reason,
               replaced_bureau.name, Invitation.replacement_motivation)
        .join(Bureau, Bureau.id == Invitation.bureau_id)
        .outerjoin(replaced, replaced.id == Invitation.replaces_id)
        .outerjoin(replaced_bureau, replaced_bureau.id == replaced.bureau_id)
        .where(Invitation.tender_id == tender_id)
        .order_by(Bureau.name, Invitation.id)
        .execution_options(yield_per=BATCH)
    )
    for (name, contact, email, status, sent_at, send_count, opened_at, responded_at, decline_reason,
         replaces, motivation) in session.execute(stmt):
        yield (name, contact, email, statuses.get(status, status), sent_at, send_count, opened_at, responded_at,
               decline_reason, replaces, motivation)


def audit_rows(session: Session, tender: Tender) -> Iterator[tuple]:
    stages = {s.name: str(s.label) for s in tender_engine().workflow.states}
    return _audit_rows(session, tender.id, _translated(ACTION_LABELS), _translated(ROLE_LABELS), stages)


def _audit_rows(session: Session, tender_id: int, actions: dict[str, str], roles: dict[str, str],
                stages: dict[str, str]) -> Iterator[tuple]:
    stmt = (
        select(AuditEvent.seq, AuditEvent.occurred_at, AuditEvent.actor_name, AuditEvent.actor_role,
               AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.from_state,
               AuditEvent.to_state, AuditEvent.changes, AuditEvent.reason, AuditEvent.hash)
        .where(AuditEvent.chain == tender_chain(tender_id))
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=BATCH)
    )
    for (seq, at, actor, role, action, object_type, object_id, from_state, to_state, changes, reason,
         digest) in session.execute(stmt):
        obj = f"{object_type} {object_id}" if object_id is not None else object_type
        yield (seq, at, actor, roles.get(role, role), actions.get(action, action), action, obj,
               stages.get(from_state, from_state or ""), stages.get(to_state, to_state or ""),
               "" if changes in ("", "{}") else changes, reason, digest)


INVITATIONS = register(Export(
    "invitations", _l("Invitations and their status"),
    columns=(
        Column(_l("Bureau"), width=28), Column(_l("Contact"), width=22), Column(_l("E-mail"), width=28),
        Column(_l("Status"), width=12), Column(_l("Sent (Amsterdam time)"), "datetime"),
        Column(_l("Times sent"), "int", 10), Column(_l("Opened"), "datetime"), Column(_l("Answered"), "datetime"),
        Column(_l("Reason for declining"), width=40), Column(_l("Replaces"), width=28),
        Column(_l("Motivation for the replacement"), width=40),
    ),
    rows=invitation_rows,
))

AUDIT = register(Export(
    "audit", _l("Audit trail"),
    columns=(
        Column(_l("No."), "int", 7), Column(_l("When (Amsterdam time)"), "datetime"), Column(_l("Who"), width=24),
        Column(_l("Role"), width=12), Column(_l("What"), width=30), Column(_l("Action code"), width=24),
        Column(_l("Object"), width=16), Column(_l("From stage"), width=16), Column(_l("To stage"), width=16),
        Column(_l("Changes"), width=60), Column(_l("Reason"), width=40), Column(_l("Hash"), width=20),
    ),
    rows=audit_rows,
    hint=_l("Every event in order, with its hash (the chain is checked with “flask audit verify”)."),
))
