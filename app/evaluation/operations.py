"""Changes made by the evaluation panel and its chair. Each locks the tender row first (so the panel's
writes on one tender queue up behind each other), checks the rules against a fresh `PanelState`,
changes the rows, flushes and writes its audit event in the caller's transaction.

Audit events of the independent scoring never carry score values: the officer reads the audit trail,
and sees no values before every sheet for a bureau is in. The values and every change to them are kept
in `score_revision`; a submitted sheet's fingerprint (SHA-256) goes into the audit trail.
"""
from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Optional

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update
from sqlmodel import Session, select

from app import audit
from app.audit import Actor
from app.audit.chain import canonical_json
from app.clock import now
from app.evaluation import ics
from app.evaluation.panel import STAGE_STATES, PanelState, load_panel
from app.i18n import format_local
from app.mail import queue, render
from app.models import (
    Bureau, ConflictDeclaration, ConsensusScore, Criterion, PanelExcusal, PitchSlot, Score, ScoreRevision,
    ScoreSheet, ScoringRound, ShortlistEntry, Tender, User,
)
from app.models.scoring import CONFLICT_KINDS
from app.tenders.operations import lock
from workflows import Refused

def stage_label(stage: str) -> str:
    return _("vision") if stage == "vision" else _("pitch")


def _record(session, actor: Actor, tender: Tender, action: str, object_type: str, object_id,
            changes=None, reason: Optional[str] = None):
    audit.record(session, actor=actor, action=action, object_type=object_type, object_id=object_id,
                 tender_id=tender.id, changes=changes, reason=reason)


def _require_stage_active(state: PanelState, stage: str) -> None:
    if not state.stage_active(stage):
        raise Refused([_("The %(stage)s scoring is closed: the tender is not in the stage for it.",
                         stage=stage_label(stage))], kind="invalid")


def _member_or_refuse(state: PanelState, user: User) -> None:
    if not state.is_member(user):
        raise Refused([_("You are not on this tender's evaluation panel.")], kind="forbidden")


def _bureau(state: PanelState, bureau_id: int) -> Bureau:
    bureau = state.bureaus.get(bureau_id)
    if bureau is None:
        raise Refused([_("This bureau is not being evaluated in this tender.")], kind="forbidden")
    return bureau


# --- conflicts of interest ---------------------------------------------------------------------------

def declare_conflicts(session: Session, user: User, tender: Tender, entries: dict[int, tuple[str, str]]) -> int:
    """Record the member's declarations {bureau_id: (kind, explanation)}; returns how many changed.

    A member may turn "no conflict" into a conflict later (before submitting a sheet for that bureau);
    a declared conflict cannot be withdrawn by the member."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    _member_or_refuse(state, user)
    if tender.state not in STAGE_STATES.values():
        raise Refused([_("Declarations are made while the panel evaluates (vision review and pitches).")],
                      kind="invalid")
    changed = 0
    for bureau_id, (kind, explanation) in entries.items():
        bureau = _bureau(state, bureau_id)
        explanation = (explanation or "").strip()
        if kind not in CONFLICT_KINDS:
            raise Refused([_("Choose a kind of conflict for %(bureau)s.", bureau=bureau.name)], kind="invalid")
        if kind != "none" and not explanation:
            raise Refused([_("Explain your conflict of interest with %(bureau)s.", bureau=bureau.name)],
                          kind="invalid")
        if kind == "none":
            explanation = ""
        existing = state.declaration(user.id, bureau_id)
        if existing is not None and (existing.kind, existing.explanation) == (kind, explanation):
            continue
        if existing is None:
            row = ConflictDeclaration(tender_id=tender.id, user_id=user.id, bureau_id=bureau_id, kind=kind,
                                      explanation=explanation)
            session.add(row)
            session.flush()
            _record(session, Actor.of(user), tender, "conflict.declared", "conflict_declaration", row.id,
                    {"bureau": [None, bureau.name], "kind": [None, kind], "explanation": [None, explanation or None]})
        else:
            if existing.kind != "none" and kind == "none":
                raise Refused([_("You declared a conflict of interest with %(bureau)s on %(when)s; a declared "
                                 "conflict cannot be withdrawn. Ask the officer if it was a mistake.",
                                 bureau=bureau.name, when=format_local(existing.declared_at))], kind="invalid")
            if existing.kind == "none" and any(state.submitted(st, bureau_id, user.id) for st in STAGE_STATES):
                raise Refused([_("You already submitted scores for %(bureau)s. Tell the officer about the conflict; "
                                 "the officer can excuse you for this bureau.", bureau=bureau.name)], kind="invalid")
            before = {"kind": existing.kind, "explanation": existing.explanation or None}
            existing.kind, existing.explanation, existing.updated_at = kind, explanation, now()
            session.flush()
            _record(session, Actor.of(user), tender, "conflict.changed", "conflict_declaration", existing.id,
                    {"bureau": [bureau.name, bureau.name],
                     **audit.diff(before, {"kind": kind, "explanation": explanation or None})})
        changed += 1
    return changed


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
    bureau = _bureau(state, bureau_id)
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
    _record(session, Actor.of(officer), tender, "conflict.excused", "panel_excusal", row.id,
            {"evaluator": [None, member.name], "bureau": [None, bureau.name]}, reason=reason)
    return row


# --- independent scoring ---------------------------------------------------------------------------------

def _lock_sheet(session, state: PanelState, stage: str, bureau_id: int, user_id: int) -> Optional[ScoreSheet]:
    sheet = state.sheet(stage, bureau_id, user_id)
    if sheet is None:
        return None
    stmt = select(ScoreSheet).where(ScoreSheet.id == sheet.id).with_for_update().execution_options(
        populate_existing=True)
    return session.exec(stmt).one()


def fingerprint(criteria: list[Criterion], values: dict[int, tuple[Optional[int], str]]) -> str:
    body = [[c.id, values.get(c.id, (None, ""))[0], values.get(c.id, (None, ""))[1]] for c in criteria]
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def save_sheet(session: Session, user: User, tender: Tender, stage: str, bureau_id: int,
               entries: dict[int, tuple[Optional[int], str]], submit: bool,
               expected_version: Optional[int] = None) -> ScoreSheet:
    """Save the member's scores {criterion_id: (value or None, rationale)} as a draft, or submit them."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    _member_or_refuse(state, user)
    bureau = _bureau(state, bureau_id)
    if not state.declared_all(user.id):
        raise Refused([_("First declare your conflicts of interest for every bureau.")], kind="forbidden")
    if state.blocked(user.id, bureau_id):
        raise Refused([_("You have a conflict of interest with %(bureau)s (or were excused for it); you cannot "
                         "score this bureau.", bureau=bureau.name)], kind="forbidden")
    _require_stage_active(state, stage)
    if bureau_id not in state.stage_bureaus(stage):
        raise Refused([_("%(bureau)s is not in the %(stage)s round.", bureau=bureau.name, stage=stage_label(stage))],
                      kind="forbidden")
    if not state.scorable(stage, bureau_id):
        raise Refused([_("%(bureau)s cannot be scored in the pitch round yet: its pitch has not taken place.",
                         bureau=bureau.name)], kind="invalid")
    sheet = _lock_sheet(session, state, stage, bureau_id, user.id)
    if sheet is not None and sheet.status == "submitted":
        raise Refused([_("You submitted this sheet on %(when)s; it is locked. Ask the officer to reopen it if "
                         "you need to change it.", when=format_local(sheet.submitted_at))], kind="stale")
    if sheet is not None and expected_version is not None and sheet.version != expected_version:
        raise Refused([_("This sheet was saved in another window at %(when)s. Your input is kept below; check it "
                         "and save again.", when=format_local(sheet.updated_at))], kind="stale")
    criteria = state.criteria[stage]
    by_id = {c.id: c for c in criteria}
    if any(cid not in by_id for cid in entries):
        raise Refused([_("Unknown criterion.")], kind="invalid")
    current = {s.criterion_id: s for s in session.exec(select(Score).where(Score.sheet_id == sheet.id))} \
        if sheet is not None else {}
    # What the sheet will hold: what was sent, else what was saved before.
    values: dict[int, tuple[Optional[int], str]] = {}
    for c in criteria:
        if c.id in entries:
            value, rationale = entries[c.id]
            values[c.id] = (value, (rationale or "").strip())
        elif c.id in current:
            values[c.id] = (current[c.id].value, current[c.id].rationale)
        else:
            values[c.id] = (None, "")
    problems = []
    for c in criteria:
        value, rationale = values[c.id]
        if value is not None and value not in c.levels():
            problems.append(_("%(criterion)s: choose a score on the scale (%(levels)s).", criterion=c.title,
                              levels=", ".join(str(v) for v in c.levels())))
        if submit and c.required and value is None:
            problems.append(_("%(criterion)s: a score is required.", criterion=c.title))
        if submit and value is not None and not rationale:
            problems.append(_("%(criterion)s: write the rationale for your score.", criterion=c.title))
    if problems:
        raise Refused(problems, kind="invalid")

    stamp = now()
    created = sheet is None
    if created:
        sheet = ScoreSheet(tender_id=tender.id, stage=stage, bureau_id=bureau_id, user_id=user.id)
        session.add(sheet)
        session.flush()
    changed = 0
    for cid, (value, rationale) in values.items():
        row = current.get(cid)
        if row is not None and (row.value, row.rationale) == (value, rationale):
            continue
        if row is None:
            if value is None and not rationale:
                continue
            row = Score(sheet_id=sheet.id, criterion_id=cid)
            session.add(row)
        row.value, row.rationale, row.updated_at = value, rationale, stamp
        session.add(ScoreRevision(sheet_id=sheet.id, criterion_id=cid, value=value, rationale=rationale,
                                  recorded_by_id=user.id, recorded_at=stamp))
        changed += 1
    sheet.updated_at = stamp
    filled = sum(1 for v, _r in values.values() if v is not None)
    if submit:
        sheet.status, sheet.submitted_at = "submitted", stamp
        sheet.fingerprint = fingerprint(criteria, values)
        session.flush()
        _record(session, Actor.of(user), tender, "sheet.submitted", "score_sheet", sheet.id,
                {"bureau": [None, bureau.name], "stage": [None, stage], "scored": [None, filled],
                 "fingerprint": [None, sheet.fingerprint]})
    elif changed or created:
        session.flush()
        _record(session, Actor.of(user), tender, "sheet.saved", "score_sheet", sheet.id,
                {"bureau": [None, bureau.name], "stage": [None, stage], "scored": [None, filled]})
    return sheet


def reopen_sheet(session: Session, officer: User, tender: Tender, sheet_id: int, reason: str) -> ScoreSheet:
    tender = lock(session, tender.id)
    sheet = session.exec(select(ScoreSheet).where(ScoreSheet.id == sheet_id, ScoreSheet.tender_id == tender.id)
                         .with_for_update().execution_options(populate_existing=True)).first()
    if sheet is None:
        raise Refused([_("This sheet does not exist.")], kind="forbidden")
    state = load_panel(session, tender)
    _require_stage_active(state, sheet.stage)
    reason = (reason or "").strip()
    if not reason:
        raise Refused([_("A reason is required.")], kind="invalid")
    member = state.member(sheet.user_id)
    bureau = state.bureaus[sheet.bureau_id]
    if sheet.status != "submitted":
        raise Refused([_("The sheet of %(member)s for %(bureau)s is not submitted (it may just have been "
                         "reopened); there is nothing to reopen.", member=member.name, bureau=bureau.name)],
                      kind="stale")
    sheet.status, sheet.reopen_count, sheet.updated_at = "draft", sheet.reopen_count + 1, now()
    session.flush()
    _record(session, Actor.of(officer), tender, "sheet.reopened", "score_sheet", sheet.id,
            {"evaluator": [None, member.name], "bureau": [None, bureau.name], "stage": [None, sheet.stage]},
            reason=reason)
    subject, text = render("evaluation_sheet_reopened", locale=member.locale, tender=tender, bureau=bureau,
                           stage=sheet.stage, reason=reason, officer=officer, member=member,
                           link=_link("evaluation.sheet", tender_id=tender.id, stage=sheet.stage,
                                      bureau_id=bureau.id))
    queue(session, to=member.email, to_name=member.name, subject=subject, text=text, kind="evaluation",
          tender_id=tender.id)
    return sheet


def set_due(session: Session, officer: User, tender: Tender, stage: str, due_at: datetime) -> ScoringRound:
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    _require_stage_active(state, stage)
    old = state.due(stage)
    row = state.rounds.get(stage)
    if row is None:
        row = ScoringRound(tender_id=tender.id, stage=stage, due_at=due_at, set_by_id=officer.id)
        session.add(row)
    else:
        row.due_at, row.set_by_id, row.set_at = due_at, officer.id, now()
    session.flush()
    _record(session, Actor.of(officer), tender, "evaluation.due_set", "scoring_round", row.id,
            {"stage": [stage, stage], "due_at": [old, due_at]})
    return row


# --- consensus ----------------------------------------------------------------------------------------------

@dataclass
class CriterionStats:
    criterion: Criterion
    values: list[int]
    mean: Optional[Decimal]
    median: Optional[Decimal]
    spread: Optional[int]
    flagged: bool


def criterion_stats(criterion: Criterion, values: list[int], threshold: int) -> CriterionStats:
    if not values:
        return CriterionStats(criterion, [], None, None, None, False)
    q = Decimal("0.01")
    mean = (Decimal(sum(values)) / len(values)).quantize(q)
    median = Decimal(str(statistics.median(values))).quantize(q)
    spread = max(values) - min(values)
    return CriterionStats(criterion, values, mean, median, spread, spread >= threshold)


def submitted_scores(session: Session, state: PanelState, stage: str, bureau_id: int) -> dict[int, dict[int, Score]]:
    """{user_id: {criterion_id: Score}} of the submitted sheets of the expected members (one query)."""
    sheets = {state.sheet(stage, bureau_id, u.id).id: u.id for u in state.expected(stage, bureau_id)
              if state.submitted(stage, bureau_id, u.id)}
    out: dict[int, dict[int, Score]] = {uid: {} for uid in sheets.values()}
    if sheets:
        for s in session.exec(select(Score).where(Score.sheet_id.in_(list(sheets)))):
            out[sheets[s.sheet_id]][s.criterion_id] = s
    return out


def stats_for(session: Session, state: PanelState, stage: str, bureau_id: int) -> dict[int, CriterionStats]:
    threshold = current_app.config["SCORE_SPREAD_THRESHOLD"]
    scores = submitted_scores(session, state, stage, bureau_id)
    return {c.id: criterion_stats(c, [per[c.id].value for per in scores.values()
                                      if c.id in per and per[c.id].value is not None], threshold)
            for c in state.criteria[stage]}


def record_consensus(session: Session, officer: User, tender: Tender, stage: str, bureau_id: int,
                     entries: dict[int, tuple[Optional[int], str]]) -> int:
    """Record the agreed score and note per criterion {criterion_id: (value or None, note)}."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    _require_stage_active(state, stage)
    bureau = _bureau(state, bureau_id)
    if bureau_id not in state.stage_bureaus(stage):
        raise Refused([_("%(bureau)s is not in the %(stage)s round.", bureau=bureau.name, stage=stage_label(stage))],
                      kind="invalid")
    if not state.all_in(stage, bureau_id):
        raise Refused([_("Not every independent sheet for %(bureau)s is in yet (%(n)d of %(m)d); consensus comes "
                         "after.", bureau=bureau.name, n=state.submitted_count(stage, bureau_id),
                         m=len(state.expected(stage, bureau_id)))], kind="invalid")
    stats = stats_for(session, state, stage, bureau_id)
    needed = {c.id for c in state.consensus_criteria(stage)}
    problems = []
    for c in state.criteria[stage]:
        value, note = entries.get(c.id, (None, ""))
        note = (note or "").strip()
        if value is not None and value not in c.levels():
            problems.append(_("%(criterion)s: choose a score on the scale (%(levels)s).", criterion=c.title,
                              levels=", ".join(str(v) for v in c.levels())))
        if value is None and c.id in needed:
            problems.append(_("%(criterion)s: record the agreed score.", criterion=c.title))
        if stats[c.id].flagged and value is not None and not note:
            problems.append(_("%(criterion)s: the scores lie %(spread)d points apart; explain the agreed score in a "
                              "consensus note.", criterion=c.title, spread=stats[c.id].spread))
    if problems:
        raise Refused(problems, kind="invalid")
    existing = state.consensus_rows(stage, bureau_id)
    changes: dict[str, list] = {}
    stamp = now()
    for c in state.criteria[stage]:
        value, note = entries.get(c.id, (None, ""))
        note = (note or "").strip()
        row = existing.get(c.id)
        if value is None:
            continue
        if row is not None and (row.value, row.note) == (value, note):
            continue
        if row is None:
            row = ConsensusScore(tender_id=tender.id, stage=stage, bureau_id=bureau_id, criterion_id=c.id,
                                 value=value)
            session.add(row)
            changes[c.title] = [None, value]
        else:
            if row.value != value:
                changes[c.title] = [row.value, value]
        if (row.note or "") != note:
            changes[f"{c.title} ({_('note')})"] = [row.note or None, note or None]
        row.value, row.note, row.decided_by_id, row.decided_at = value, note, officer.id, stamp
    if changes:
        session.flush()
        _record(session, Actor.of(officer), tender, "consensus.recorded", "bureau", bureau_id,
                {"bureau": [None, bureau.name], "stage": [None, stage], **changes})
    return len(changes)


# --- shortlist ------------------------------------------------------------------------------------------------

def _bureau_recipients(session: Session, bureau_ids) -> dict[int, list[tuple[str, str, Optional[str]]]]:
    """{bureau_id: [(address, name, locale)]}: the bureau's contact and its active users, once each."""
    bureau_ids = list(bureau_ids)
    out: dict[int, list] = {bid: [] for bid in bureau_ids}
    if not bureau_ids:
        return out
    seen: dict[int, set[str]] = {bid: set() for bid in bureau_ids}
    for u in session.exec(select(User).where(User.bureau_id.in_(bureau_ids), User.active).order_by(User.id)):
        if u.email.lower() not in seen[u.bureau_id]:
            seen[u.bureau_id].add(u.email.lower())
            out[u.bureau_id].append((u.email, u.name, u.locale))
    for b in session.exec(select(Bureau).where(Bureau.id.in_(bureau_ids))):
        if b.contact_email and b.contact_email.lower() not in seen[b.id]:
            out[b.id].append((b.contact_email, b.contact_name, None))
    return out


def _link(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, built from BASE_URL (also outside a request, e.g. in `tenders tick`)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return base + current_app.url_map.bind("localhost").build(endpoint, values)


def decide_shortlist(session: Session, officer: User, tender: Tender,
                     decisions: dict[int, tuple[bool, str]]) -> list[ShortlistEntry]:
    """Which bureaus go on to pitch {bureau_id: (shortlisted, reason)}; decided once, then told by e-mail."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    _require_stage_active(state, "vision")
    if state.shortlist:
        first = next(iter(state.shortlist.values()))
        who = session.get(User, first.decided_by_id)
        raise Refused([_("The shortlist was already decided by %(who)s on %(when)s.",
                         who=who.name if who else "—", when=format_local(first.decided_at))], kind="stale")
    missing = state.bureaus_without_consensus("vision")
    if missing:
        raise Refused([_("Record the vision consensus first; still missing for: %(bureaus)s.",
                         bureaus=", ".join(state.bureaus[b].name for b in missing))], kind="invalid")
    problems = []
    for bid, bureau in state.bureaus.items():
        if bid not in decisions:
            problems.append(_("Decide whether %(bureau)s goes on to pitch.", bureau=bureau.name))
        elif not decisions[bid][0] and not (decisions[bid][1] or "").strip():
            problems.append(_("Give the reason %(bureau)s does not go on to pitch.", bureau=bureau.name))
    if not any(decisions.get(bid, (False, ""))[0] for bid in state.bureaus):
        problems.append(_("Choose at least one bureau to pitch."))
    if problems:
        raise Refused(problems, kind="invalid")
    entries = []
    changes = {}
    for bid, bureau in state.bureaus.items():
        picked, reason = decisions[bid]
        reason = "" if picked else reason.strip()
        entry = ShortlistEntry(tender_id=tender.id, bureau_id=bid, shortlisted=picked, reason=reason,
                               decided_by_id=officer.id)
        session.add(entry)
        entries.append(entry)
        changes[bureau.name] = [None, _("pitches") if picked else _("not shortlisted: %(reason)s", reason=reason)]
    session.flush()
    _record(session, Actor.of(officer), tender, "shortlist.decided", "tender", tender.id, changes)
    recipients = _bureau_recipients(session, state.bureaus)
    for entry in entries:
        bureau = state.bureaus[entry.bureau_id]
        template = "evaluation_shortlisted" if entry.shortlisted else "evaluation_not_shortlisted"
        for address, name, locale in recipients[entry.bureau_id]:
            subject, text = render(template, locale=locale, tender=tender, bureau=bureau, reason=entry.reason,
                                   link=_link("evaluation.bureau_pitch", tender_id=tender.id))
            queue(session, to=address, to_name=name, subject=subject, text=text, kind="shortlist",
                  tender_id=tender.id, dedupe_key=f"shortlist:{tender.id}:{bureau.id}:{address.lower()}")
    return entries


def withdraw_from_pitch(session: Session, officer: User, tender: Tender, bureau_id: int, reason: str) -> None:
    """A shortlisted bureau withdrew (or did not come): it leaves the pitch round; its booking is released."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    _require_stage_active(state, "pitch")
    bureau = _bureau(state, bureau_id)
    entry = state.shortlist.get(bureau_id)
    reason = (reason or "").strip()
    if entry is None or not entry.shortlisted:
        raise Refused([_("%(bureau)s is not on the shortlist.", bureau=bureau.name)], kind="invalid")
    if entry.withdrawn_at is not None:
        raise Refused([_("%(bureau)s already withdrew on %(when)s.", bureau=bureau.name,
                         when=format_local(entry.withdrawn_at))], kind="stale")
    if not reason:
        raise Refused([_("A reason is required.")], kind="invalid")
    entry.withdrawn_at, entry.withdraw_reason = now(), reason
    slot = state.slot_by_bureau.get(bureau_id)
    if slot is not None:
        slot.bureau_id, slot.booked_at, slot.booked_by_id = None, None, None
    session.flush()
    _record(session, Actor.of(officer), tender, "shortlist.withdrawn", "shortlist_entry", entry.id,
            {"bureau": [None, bureau.name]}, reason=reason)


# --- pitch slots ------------------------------------------------------------------------------------------------

def _slot_end(slot: PitchSlot) -> datetime:
    return slot.starts_at + timedelta(minutes=slot.duration_minutes)


def add_slot(session: Session, officer: User, tender: Tender, starts_at: datetime, duration_minutes: int,
             location: str, online_url: str) -> PitchSlot:
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    _require_stage_active(state, "pitch")
    location, online_url = (location or "").strip(), (online_url or "").strip()
    starts_at = starts_at.replace(second=0, microsecond=0)  # slots are planned in whole minutes
    problems = []
    if starts_at <= now():
        problems.append(_("A pitch slot must lie in the future."))
    if not location and not online_url:
        problems.append(_("Give a place or an online link (or both)."))
    if not 10 <= duration_minutes <= 480:
        problems.append(_("Between 10 and 480 minutes."))
    end = starts_at + timedelta(minutes=duration_minutes)
    for other in state.slots:
        if starts_at < _slot_end(other) and other.starts_at < end:
            problems.append(_("This overlaps the slot of %(when)s; the panel cannot be in two pitches at once.",
                              when=format_local(other.starts_at)))
            break
    if problems:
        raise Refused(problems, kind="invalid")
    slot = PitchSlot(tender_id=tender.id, starts_at=starts_at, duration_minutes=duration_minutes, location=location,
                     online_url=online_url, created_by_id=officer.id)
    session.add(slot)
    session.flush()
    _record(session, Actor.of(officer), tender, "pitch.slot_added", "pitch_slot", slot.id,
            {"starts_at": [None, starts_at], "duration_minutes": [None, duration_minutes],
             "location": [None, location or None], "online_url": [None, online_url or None]})
    return slot


def remove_slot(session: Session, officer: User, tender: Tender, slot_id: int) -> None:
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    _require_stage_active(state, "pitch")
    slot = next((s for s in state.slots if s.id == slot_id), None)
    if slot is None:
        raise Refused([_("This slot no longer exists.")], kind="stale")
    if slot.bureau_id is not None:
        raise Refused([_("This slot is booked by %(bureau)s; it cannot be removed. Ask the bureau to move its "
                         "booking first.", bureau=state.bureaus[slot.bureau_id].name)], kind="invalid")
    _record(session, Actor.of(officer), tender, "pitch.slot_removed", "pitch_slot", slot.id,
            {"starts_at": [slot.starts_at, None]})
    session.delete(slot)
    session.flush()


def publish_slots(session: Session, officer: User, tender: Tender) -> int:
    """Publish the slots not yet published and tell the shortlisted bureaus without a booking."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    _require_stage_active(state, "pitch")
    fresh = [s for s in state.slots if s.published_at is None]
    if not fresh:
        raise Refused([_("There are no new slots to publish.")], kind="invalid")
    stamp = now()
    for s in fresh:
        s.published_at = stamp
    session.flush()
    published = sum(1 for s in state.slots if s.published_at is not None)
    _record(session, Actor.of(officer), tender, "pitch.slots_published", "tender", tender.id,
            {"slots": [published - len(fresh), published]})
    waiting = [bid for bid in state.stage_bureaus("pitch") if bid not in state.slot_by_bureau]
    recipients = _bureau_recipients(session, waiting)
    for bid in waiting:
        bureau = state.bureaus[bid]
        for address, name, locale in recipients[bid]:
            subject, text = render("evaluation_pitch_slots", locale=locale, tender=tender, bureau=bureau,
                                   link=_link("evaluation.bureau_pitch", tender_id=tender.id))
            queue(session, to=address, to_name=name, subject=subject, text=text, kind="pitch", tender_id=tender.id,
                  dedupe_key=f"pitch-slots:{tender.id}:{bid}:{published}:{address.lower()}")
    return len(fresh)


def book_slot(session: Session, user: User, tender: Tender, slot_id: int) -> PitchSlot:
    """A shortlisted bureau books (or moves to) a published, free, future slot: one bureau per slot."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    bureau_id = user.bureau_id
    if user.role != "bureau" or bureau_id not in state.stage_bureaus("pitch"):
        raise Refused([_("Only a bureau on the shortlist can book a pitch slot.")], kind="forbidden")
    _require_stage_active(state, "pitch")
    slot = next((s for s in state.slots if s.id == slot_id and s.published_at is not None), None)
    if slot is None:
        raise Refused([_("This slot does not exist (any more).")], kind="invalid")
    current = state.slot_by_bureau.get(bureau_id)
    if current is not None and current.id == slot.id:
        raise Refused([_("You already booked this slot on %(when)s.", when=format_local(current.booked_at))],
                      kind="stale")
    if slot.starts_at <= now():
        raise Refused([_("This slot has already begun; choose a later one.")], kind="invalid")
    if current is not None and current.starts_at <= now():
        raise Refused([_("Your pitch of %(when)s has already begun; it cannot be moved.",
                         when=format_local(current.starts_at))], kind="invalid")
    sequence = current.ics_sequence + 1 if current is not None else 0
    if current is not None:
        session.execute(update(PitchSlot).where(PitchSlot.id == current.id, PitchSlot.bureau_id == bureau_id)
                        .values(bureau_id=None, booked_at=None, booked_by_id=None))
    stamp = now()
    taken = session.execute(
        update(PitchSlot).where(PitchSlot.id == slot.id, PitchSlot.bureau_id.is_(None))
        .values(bureau_id=bureau_id, booked_at=stamp, booked_by_id=user.id, ics_sequence=sequence)
    ).rowcount
    if taken != 1:
        raise Refused([_("Another bureau booked this slot a moment ago. Choose another slot.")], kind="stale")
    session.expire(slot)
    if current is not None:
        session.expire(current)
    bureau = state.bureaus[bureau_id]
    _record(session, Actor.of(user), tender, "pitch.booked", "pitch_slot", slot.id,
            {"bureau": [None, bureau.name], "starts_at": [current.starts_at if current else None, slot.starts_at]})
    _invite_to_pitch(session, state, tender, bureau, slot)
    return slot


def _invite_to_pitch(session: Session, state: PanelState, tender: Tender, bureau: Bureau, slot: PitchSlot) -> None:
    """The pitch invitation with its .ics: to the bureau and to the panel members who may see it."""
    people = [(a, n, loc, "bureau") for a, n, loc in _bureau_recipients(session, [bureau.id])[bureau.id]]
    people += [(u.email, u.name, u.locale, "panel") for u in state.members if not state.blocked(u.id, bureau.id)]
    for address, name, locale, audience in people:
        subject, text = render("evaluation_pitch_invitation", locale=locale, tender=tender, bureau=bureau, slot=slot,
                               audience=audience, end=_slot_end(slot),
                               link=_link("evaluation.bureau_pitch" if audience == "bureau" else "evaluation.tender",
                                          tender_id=tender.id))
        attachment = ics.pitch_attachment(tender, bureau, slot, subject, text.strip())
        queue(session, to=address, to_name=name, subject=subject, text=text, kind="pitch", tender_id=tender.id,
              attachments=[attachment],
              dedupe_key=f"pitch-invite:{tender.id}:{bureau.id}:{slot.ics_sequence}:{address.lower()}")
