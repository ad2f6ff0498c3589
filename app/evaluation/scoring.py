"""Independent scoring: a member's score sheet per bureau and stage, the officer reopening a submitted
sheet, and the due date of a scoring round.

Audit events of the independent scoring never carry score values: the officer reads the audit trail,
and sees no values before every sheet for a bureau is in. The values and every change to them are kept
in `score_revision`; a submitted sheet's fingerprint (SHA-256) goes into the audit trail.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Optional

from flask_babel import gettext as _
from sqlmodel import Session, select

from app.audit import Actor
from app.audit.chain import canonical_json
from app.clock import now
from app.evaluation.panel import PanelState, load_panel
from app.evaluation.rules import (
    bureau_or_refuse, member_or_refuse, off_scale, record, require_stage_active, stage_label,
)
from app.i18n import format_local
from app.links import external_url
from app.mail import queue, render
from app.models import Bureau, Criterion, Score, ScoreRevision, ScoreSheet, ScoringRound, Tender, User
from app.tenders.operations import lock
from workflows import Refused

Values = dict[int, tuple[Optional[int], str]]  # {criterion_id: (value or None, rationale)}


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
    bureau = _scorable_bureau(state, user, stage, bureau_id)
    sheet = _lock_sheet(session, state, stage, bureau_id, user.id)
    _check_sheet_open(sheet, expected_version)
    criteria = state.criteria[stage]
    by_id = {c.id: c for c in criteria}
    if any(cid not in by_id for cid in entries):
        raise Refused([_("Unknown criterion.")], kind="invalid")
    current = {s.criterion_id: s for s in session.exec(select(Score).where(Score.sheet_id == sheet.id))} \
        if sheet is not None else {}
    values = _sheet_values(criteria, entries, current)
    _check_values(criteria, values, submit)

    stamp = now()
    created = sheet is None
    if created:
        sheet = ScoreSheet(tender_id=tender.id, stage=stage, bureau_id=bureau_id, user_id=user.id)
        session.add(sheet)
        session.flush()
    changed = _write_scores(session, user, sheet, current, values, stamp)
    sheet.updated_at = stamp
    filled = sum(1 for v, _r in values.values() if v is not None)
    if submit:
        sheet.status, sheet.submitted_at = "submitted", stamp
        sheet.fingerprint = fingerprint(criteria, values)
        session.flush()
        record(session, Actor.of(user), tender, "sheet.submitted", "score_sheet", sheet.id,
               {"bureau": [None, bureau.name], "stage": [None, stage], "scored": [None, filled],
                "fingerprint": [None, sheet.fingerprint]})
    elif changed or created:
        session.flush()
        record(session, Actor.of(user), tender, "sheet.saved", "score_sheet", sheet.id,
               {"bureau": [None, bureau.name], "stage": [None, stage], "scored": [None, filled]})
    return sheet


def _scorable_bureau(state: PanelState, user: User, stage: str, bureau_id: int) -> Bureau:
    """The bureau, if this member may score it in this stage now; refused otherwise."""
    member_or_refuse(state, user)
    bureau = bureau_or_refuse(state, bureau_id)
    if not state.declared_all(user.id):
        raise Refused([_("First declare your conflicts of interest for every bureau.")], kind="forbidden")
    if state.blocked(user.id, bureau_id):
        raise Refused([_("You have a conflict of interest with %(bureau)s (or were excused for it); you cannot "
                         "score this bureau.", bureau=bureau.name)], kind="forbidden")
    require_stage_active(state, stage)
    if bureau_id not in state.stage_bureaus(stage):
        raise Refused([_("%(bureau)s is not in the %(stage)s round.", bureau=bureau.name, stage=stage_label(stage))],
                      kind="forbidden")
    if not state.scorable(stage, bureau_id):
        raise Refused([_("%(bureau)s cannot be scored in the pitch round yet: its pitch has not taken place.",
                         bureau=bureau.name)], kind="invalid")
    return bureau


def _check_sheet_open(sheet: Optional[ScoreSheet], expected_version: Optional[int]) -> None:
    if sheet is not None and sheet.status == "submitted":
        raise Refused([_("You submitted this sheet on %(when)s; it is locked. Ask the officer to reopen it if "
                         "you need to change it.", when=format_local(sheet.submitted_at))], kind="stale")
    if sheet is not None and expected_version is not None and sheet.version != expected_version:
        raise Refused([_("This sheet was saved in another window at %(when)s. Your input is kept below; check it "
                         "and save again.", when=format_local(sheet.updated_at))], kind="stale")


def _sheet_values(criteria: list[Criterion], entries: Values, current: dict[int, Score]) -> Values:
    """What the sheet will hold: what was sent, else what was saved before."""
    values: Values = {}
    for c in criteria:
        if c.id in entries:
            value, rationale = entries[c.id]
            values[c.id] = (value, (rationale or "").strip())
        elif c.id in current:
            values[c.id] = (current[c.id].value, current[c.id].rationale)
        else:
            values[c.id] = (None, "")
    return values


def _check_values(criteria: list[Criterion], values: Values, submit: bool) -> None:
    problems = []
    for c in criteria:
        value, rationale = values[c.id]
        if value is not None and value not in c.levels():
            problems.append(off_scale(c))
        if submit and c.required and value is None:
            problems.append(_("%(criterion)s: a score is required.", criterion=c.title))
        if submit and value is not None and not rationale:
            problems.append(_("%(criterion)s: write the rationale for your score.", criterion=c.title))
    if problems:
        raise Refused(problems, kind="invalid")


def _write_scores(session: Session, user: User, sheet: ScoreSheet, current: dict[int, Score], values: Values,
                  stamp: datetime) -> int:
    """Update the sheet's scores and keep a revision of each change; returns how many changed."""
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
    return changed


def reopen_sheet(session: Session, officer: User, tender: Tender, sheet_id: int, reason: str) -> ScoreSheet:
    tender = lock(session, tender.id)
    sheet = session.exec(select(ScoreSheet).where(ScoreSheet.id == sheet_id, ScoreSheet.tender_id == tender.id)
                         .with_for_update().execution_options(populate_existing=True)).first()
    if sheet is None:
        raise Refused([_("This sheet does not exist.")], kind="forbidden")
    state = load_panel(session, tender)
    require_stage_active(state, sheet.stage)
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
    record(session, Actor.of(officer), tender, "sheet.reopened", "score_sheet", sheet.id,
           {"evaluator": [None, member.name], "bureau": [None, bureau.name], "stage": [None, sheet.stage]},
           reason=reason)
    subject, text = render("evaluation_sheet_reopened", locale=member.locale, tender=tender, bureau=bureau,
                           stage=sheet.stage, reason=reason, officer=officer, member=member,
                           link=external_url("evaluation.sheet", tender_id=tender.id, stage=sheet.stage,
                                             bureau_id=bureau.id))
    queue(session, to=member.email, to_name=member.name, subject=subject, text=text, kind="evaluation",
          tender_id=tender.id)
    return sheet


def set_due(session: Session, officer: User, tender: Tender, stage: str, due_at: datetime) -> ScoringRound:
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    require_stage_active(state, stage)
    old = state.due(stage)
    row = state.rounds.get(stage)
    if row is None:
        row = ScoringRound(tender_id=tender.id, stage=stage, due_at=due_at, set_by_id=officer.id)
        session.add(row)
    else:
        row.due_at, row.set_by_id, row.set_at = due_at, officer.id, now()
    session.flush()
    record(session, Actor.of(officer), tender, "evaluation.due_set", "scoring_round", row.id,
           {"stage": [stage, stage], "due_at": [old, due_at]})
    return row
