"""Co-creating the programme plan: versions, drafts saved as revisions, comments and acceptances.

A version counts only when both sides accepted the same revision. Each save of a draft is a new,
immutable revision (canonical JSON + SHA-256), so any two revisions or versions can be compared and an
acceptance names exactly what was accepted. Accepting a revision that is no longer the current one is
refused, and editing an agreed version is refused.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import delete
from sqlmodel import Session, select

from app import audit
from app.audit import Actor
from app.audit.chain import jsonable
from app.clock import now
from app.i18n import format_local
from app.models import (
    PlanAcceptance, PlanComment, PlanIndicator, PlanRevision, PlanSession, PlanSpread, PlanVersion, Programme, User,
)
from app.programmes import operations as ops
from app.programmes.access import BUREAU, MUNICIPALITY, other_side
from app.programmes.labels import PLAN_FIELD_LABELS as FIELD_LABELS
from workflows import Refused

SCALAR_FIELDS = ("target_group", "intake", "max_participants", "cost_per_participant_eur", "time_investment",
                 "enrolment_deadline", "programme_leads", "cadence")
TEXT_FIELDS = ("target_group", "intake", "time_investment", "programme_leads")


@dataclass
class PlanContent:
    """What a plan says; `snapshot()` is the canonical form that is stored, hashed and compared."""

    values: dict = field(default_factory=dict)
    sessions: list[tuple[date, str]] = field(default_factory=list)
    spread: list[tuple[str, int]] = field(default_factory=list)
    indicators: list[tuple[str, str]] = field(default_factory=list)

    def value(self, name: str):
        value = self.values.get(name)
        return (value or "") if name in TEXT_FIELDS else value

    def snapshot(self) -> dict:
        return jsonable({
            **{k: self.value(k) for k in SCALAR_FIELDS},
            "sessions": [{"held_on": d, "themes": t} for d, t in self.sessions],
            "spread": [{"organisation": o, "places": p} for o, p in self.spread],
            "indicators": [{"name": n, "description": d} for n, d in self.indicators],
        })


def canonical(snapshot: dict) -> str:
    return audit.canonical_json(snapshot)


def content_hash(snapshot: dict) -> str:
    return hashlib.sha256(canonical(snapshot).encode("utf-8")).hexdigest()


def snapshot_diff(old: dict, new: dict) -> dict[str, list]:
    return {k: [old.get(k), new.get(k)] for k in new if old.get(k) != new.get(k)}


def contents_of(session: Session, versions: list[PlanVersion]) -> dict[int, PlanContent]:
    """The content of several versions in three queries."""
    ids = [v.id for v in versions]
    out = {v.id: PlanContent(values={k: getattr(v, k) for k in SCALAR_FIELDS}) for v in versions}
    if not ids:
        return out
    for s in session.exec(select(PlanSession).where(PlanSession.plan_version_id.in_(ids))
                          .order_by(PlanSession.position, PlanSession.id)):
        out[s.plan_version_id].sessions.append((s.held_on, s.themes))
    for s in session.exec(select(PlanSpread).where(PlanSpread.plan_version_id.in_(ids))
                          .order_by(PlanSpread.position, PlanSpread.id)):
        out[s.plan_version_id].spread.append((s.organisation, s.places))
    for i in session.exec(select(PlanIndicator).where(PlanIndicator.plan_version_id.in_(ids))
                          .order_by(PlanIndicator.position, PlanIndicator.id)):
        out[i.plan_version_id].indicators.append((i.name, i.description))
    return out


def completeness(content: PlanContent) -> list[str]:
    """What must be in a plan before anyone can accept it (empty when complete)."""
    v = content.values
    missing = [str(FIELD_LABELS[k]).lower() for k in ("target_group", "intake", "max_participants",
                                                      "cost_per_participant_eur", "time_investment",
                                                      "enrolment_deadline", "programme_leads")
               if v.get(k) is None or (isinstance(v.get(k), str) and not v[k].strip())]
    reasons = []
    if missing:
        reasons.append(_("The plan is incomplete: fill in %(fields)s.", fields=", ".join(missing)))
    if not content.sessions:
        reasons.append(_("Add the sessions with their dates and themes."))
    elif any(not themes.strip() for _d, themes in content.sessions):
        reasons.append(_("Give every session its themes."))
    if not content.spread:
        reasons.append(_("Say how the places are spread across the partner organisations."))
    elif v.get("max_participants") and sum(p for _o, p in content.spread) > v["max_participants"]:
        reasons.append(_("The spread across organisations has more places than the maximum number of participants."))
    if not content.indicators:
        reasons.append(_("Agree at least one indicator to score at the evaluation."))
    deadline = v.get("enrolment_deadline")
    if deadline and content.sessions and deadline > min(d for d, _t in content.sessions):
        reasons.append(_("The enrolment deadline must fall before the first session."))
    return reasons


# --- reading ----------------------------------------------------------------------------------------

def lock_version(session: Session, version_id: int) -> PlanVersion:
    stmt = (select(PlanVersion).where(PlanVersion.id == version_id).with_for_update()
            .execution_options(populate_existing=True))
    return session.exec(stmt).one()


def revision_row(session: Session, version: PlanVersion, revision: Optional[int] = None) -> Optional[PlanRevision]:
    return session.exec(select(PlanRevision).where(PlanRevision.plan_version_id == version.id,
                                                   PlanRevision.revision == (revision or version.revision))).first()


def changed_since(session: Session, version: PlanVersion, seen_revision: Optional[int]) -> str:
    """Who changed the version after the user looked, and which parts."""
    latest = revision_row(session, version)
    seen = revision_row(session, version, seen_revision) if seen_revision else None
    parts = ""
    if seen is not None and latest is not None:
        fields = snapshot_diff(json.loads(seen.content), json.loads(latest.content))
        parts = ", ".join(str(FIELD_LABELS.get(k, k)).lower() for k in fields)
    if latest is None:
        return _("Version %(n)d changed after you opened it. Look at it again.", n=version.number)
    return _("%(who)s changed version %(n)d at %(when)s, after you opened it (%(parts)s). Look at the changes "
             "and try again.", who=latest.saved_by_name, n=version.number, when=format_local(latest.saved_at),
             parts=parts or _("no content changes"))


def _refuse_unless_draft(version: PlanVersion) -> None:
    if version.status == "agreed":
        raise Refused([_("Version %(n)d was accepted by both sides on %(when)s and can no longer change. "
                         "Start a new version to propose changes.", n=version.number,
                         when=format_local(version.agreed_at))], kind="invalid")
    if version.status == "withdrawn":
        raise Refused([_("Version %(n)d was withdrawn when the programme ended.", n=version.number)], kind="invalid")


# --- changing ---------------------------------------------------------------------------------------

def _write_content(session: Session, version: PlanVersion, content: PlanContent) -> None:
    for k in SCALAR_FIELDS:
        setattr(version, k, content.value(k))
    for model in (PlanSession, PlanSpread, PlanIndicator):
        session.execute(delete(model).where(model.plan_version_id == version.id))
    for i, (held_on, themes) in enumerate(content.sessions):
        session.add(PlanSession(plan_version_id=version.id, position=i, held_on=held_on, themes=themes))
    for i, (organisation, places) in enumerate(content.spread):
        session.add(PlanSpread(plan_version_id=version.id, position=i, organisation=organisation, places=places))
    for i, (name, description) in enumerate(content.indicators):
        session.add(PlanIndicator(plan_version_id=version.id, position=i, name=name, description=description))


def _add_revision(session: Session, version: PlanVersion, snapshot: dict, actor: Actor) -> PlanRevision:
    row = PlanRevision(plan_version_id=version.id, revision=version.revision, content=canonical(snapshot),
                       content_hash=content_hash(snapshot), saved_by_id=actor.id, saved_by_name=actor.name)
    session.add(row)
    return row


def open_version(session: Session, actor: Actor, programme: Programme, reason: str = "",
                 reuse_draft: bool = False) -> PlanVersion:
    """A new draft version, copied from the plan in force (or empty for the first plan). With
    `reuse_draft`, a draft that is already open is returned instead of refused (an evaluation asking
    for adjustments while a change was already being drafted). The caller holds the programme's lock,
    so two clicks cannot open two drafts."""
    if programme.state == "ended":
        raise Refused([_("The programme has ended.")], kind="invalid")
    numbers = session.exec(select(PlanVersion.number, PlanVersion.status)
                           .where(PlanVersion.programme_id == programme.id)).all()
    draft = next((n for n, status in numbers if status == "draft"), None)
    if draft is not None and reuse_draft:
        return session.exec(select(PlanVersion).where(PlanVersion.programme_id == programme.id,
                                                      PlanVersion.number == draft)).one()
    if draft is not None:
        raise Refused([_("Version %(n)d is still being drafted; change that one.", n=draft)], kind="invalid")
    base = ops.plan_in_force(session, programme.id)
    content = contents_of(session, [base])[base.id] if base else PlanContent(values={"cadence": programme.cadence})
    version = PlanVersion(programme_id=programme.id, number=max((n for n, _s in numbers), default=0) + 1,
                          opened_reason=reason.strip(), created_by_id=actor.id, revision=1)
    session.add(version)
    session.flush()
    _write_content(session, version, content)
    _add_revision(session, version, content.snapshot(), actor)
    session.flush()
    audit.record(session, actor=actor, action="plan.opened", object_type="plan_version", object_id=version.id,
                 tender_id=programme.tender_id,
                 changes={"version": [None, version.number], "based_on": [None, base.number if base else None]},
                 reason=reason.strip() or None)
    return version


def start_version(session: Session, user: User, programme: Programme) -> PlanVersion:
    programme = ops.lock_programme(session, programme.id)
    return open_version(session, Actor.of(user), programme)


def save_draft(session: Session, user: User, programme: Programme, version: PlanVersion, content: PlanContent,
               seen_revision: Optional[int]) -> bool:
    """Save the draft as its next revision; False when nothing changed."""
    version = lock_version(session, version.id)
    _refuse_unless_draft(version)
    if seen_revision != version.revision:
        raise Refused([changed_since(session, version, seen_revision),
                       _("Your input is kept below; check the current version before saving again.")], kind="stale")
    old = json.loads(revision_row(session, version).content)
    new = content.snapshot()
    changes = snapshot_diff(old, new)
    if not changes:
        return False
    actor = Actor.of(user)
    voided = session.exec(select(PlanAcceptance.side).where(PlanAcceptance.plan_version_id == version.id,
                                                            PlanAcceptance.revision == version.revision)).all()
    _write_content(session, version, content)
    version.revision += 1
    version.updated_at = now()
    _add_revision(session, version, new, actor)
    session.flush()
    if voided:
        changes["acceptances_no_longer_valid"] = [sorted(voided), None]
    audit.record(session, actor=actor, action="plan.edited", object_type="plan_version", object_id=version.id,
                 tender_id=programme.tender_id, changes={"revision": [version.revision - 1, version.revision],
                                                         **changes})
    for side in voided:
        ops.notify(session, programme, (side,), "programme_plan_changed", kind="reminder",
                   dedupe=f"plan:{version.id}:rev:{version.revision}:changed", version=version, editor=user.name,
                   path=f"/programmes/{programme.id}/plan/{version.number}")
    return True


def accept(session: Session, user: User, programme: Programme, version: PlanVersion, side: str,
           seen_revision: Optional[int], seen_hash: Optional[str]) -> bool:
    """Accept exactly the revision the user saw. True when this made the version count."""
    programme = ops.lock_programme(session, programme.id)
    version = lock_version(session, version.id)
    if version.status == "agreed":  # e.g. a double click on the acceptance that made it count
        raise Refused([_("Version %(n)d already counts: both sides accepted it on %(when)s.", n=version.number,
                         when=format_local(version.agreed_at))], kind="stale")
    _refuse_unless_draft(version)
    current = revision_row(session, version)
    if seen_revision != version.revision or (seen_hash and seen_hash != current.content_hash):
        raise Refused([changed_since(session, version, seen_revision)], kind="stale")
    content = contents_of(session, [version])[version.id]
    reasons = completeness(content)
    if reasons:
        raise Refused(reasons, kind="guard")
    accepted = {a.side: a for a in session.exec(select(PlanAcceptance).where(
        PlanAcceptance.plan_version_id == version.id, PlanAcceptance.revision == version.revision))}
    if side in accepted:
        raise Refused([_("%(who)s already accepted this revision at %(when)s.", who=accepted[side].user_name,
                         when=format_local(accepted[side].accepted_at))], kind="stale")
    actor = Actor.of(user)
    session.add(PlanAcceptance(plan_version_id=version.id, side=side, revision=version.revision,
                               content_hash=current.content_hash, user_id=user.id, user_name=user.name))
    session.flush()
    audit.record(session, actor=actor, action="plan.accepted", object_type="plan_version", object_id=version.id,
                 tender_id=programme.tender_id, changes={"version": [None, version.number], "side": [None, side],
                                                         "revision": [None, version.revision],
                                                         "content_hash": [None, current.content_hash]})
    other = other_side(side)
    if other not in accepted:
        ops.notify(session, programme, (other,), "programme_plan_awaiting", kind="reminder",
                   dedupe=f"plan:{version.id}:rev:{version.revision}:awaiting", version=version, accepted_by=user.name,
                   path=f"/programmes/{programme.id}/plan/{version.number}")
        return False
    _agree(session, user, actor, programme, version)
    return True


def _agree(session: Session, user: User, actor: Actor, programme: Programme, version: PlanVersion) -> None:
    from app.programmes import participant_operations
    version.status, version.agreed_at, version.agreed_revision = "agreed", now(), version.revision
    session.flush()
    changes = {"status": ["draft", "agreed"], "revision": [None, version.revision]}
    if programme.state == "plan":
        audit.record(session, actor=actor, action="plan.agreed", object_type="plan_version", object_id=version.id,
                     tender_id=programme.tender_id, changes=changes)
        ops.fire(session, user, programme, "start", actor=actor)
    else:
        changes.update(ops.apply_agreed_plan(session, programme, version))
        audit.record(session, actor=actor, action="plan.agreed", object_type="plan_version", object_id=version.id,
                     tender_id=programme.tender_id, changes=changes)
        participant_operations.fill_from_waiting_list(session, actor, programme)
    ops.notify(session, programme, (MUNICIPALITY, BUREAU), "programme_plan_agreed", kind="decision",
               dedupe=f"plan:{version.id}:agreed", version=version,
               path=f"/programmes/{programme.id}/plan/{version.number}")


def add_comment(session: Session, user: User, programme: Programme, version: PlanVersion, side: str,
                body: str) -> PlanComment:
    version = lock_version(session, version.id)
    _refuse_unless_draft(version)
    comment = PlanComment(plan_version_id=version.id, revision=version.revision, side=side, author_id=user.id,
                          author_name=user.name, body=body)
    session.add(comment)
    session.flush()
    audit.record(session, actor=Actor.of(user), action="plan.commented", object_type="plan_version",
                 object_id=version.id, tender_id=programme.tender_id, changes={"comment": [None, body]})
    return comment


def withdraw_drafts(session: Session, programme: Programme) -> list[int]:
    drafts = session.exec(select(PlanVersion).where(PlanVersion.programme_id == programme.id,
                                                    PlanVersion.status == "draft")).all()
    for version in drafts:
        version.status = "withdrawn"
    session.flush()
    return [v.number for v in drafts]
