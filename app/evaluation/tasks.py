"""Dashboard tasks of the panel's work (see `app.dashboard.tasks`).

The officer (chair): declarations still outstanding (remind, or excuse a member), sheets missing,
consensus to record, the shortlist to decide, pitches to schedule, and the next step once its guards
pass. The evaluator: declarations to make, sheets to score and submit (with their due date), and the
consensus meeting once every sheet for a bureau is in.

Both look at no more than `tasks.LIMIT` tenders in `vision_review` or `pitch` and load the panel of all
of them at once (`load_panels`: the same ten queries as one tender's panel page, for many tenders), so a
dashboard costs the same whatever the number of tenders. The evaluator's tasks never say anything about
others' scores: the consensus task shows only when their own sheet is in (then they see "n of m are in"
on the sheet page anyway), and a bureau they are blocked from never appears.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from flask import url_for
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.dashboard import tasks
from app.evaluation.panel import PanelState
from app.models import (
    Bureau, ConflictDeclaration, ConsensusScore, Criterion, PanelExcusal, PanelMember, PitchSlot, ScoreSheet,
    ScoringRound, ShortlistEntry, Tender, User, Vision,
)
from app.tenders.queries import first_visible_statement, scope_params
from workflows.core import Context

STAGE_OF = {"vision_review": "vision", "pitch": "pitch"}
NEXT = {"vision_review": "start_pitches", "pitch": "start_selection"}


@lru_cache(maxsize=None)
def _statement(role: str):
    return first_visible_statement(role, (Tender.state.in_(tuple(STAGE_OF)),), (Tender.state_changed_at, Tender.id),
                                   tasks.LIMIT)  # the longest waiting first, read by index


def _tenders(session: Session, user) -> list[Tender]:
    return list(session.exec(_statement(user.role), params=scope_params(user)).all())


def load_panels(session: Session, tenders: list[Tender]) -> dict[int, PanelState]:
    """`app.evaluation.panel.load_panel` for many tenders in the same ten queries."""
    ids = [t.id for t in tenders]
    by: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for tid, user in session.exec(select(PanelMember.tender_id, User).join(User, User.id == PanelMember.user_id)
                                  .where(PanelMember.tender_id.in_(ids)).order_by(User.name, User.id)):
        by["members"][tid].append(user)
    for tid, bureau in session.exec(
            select(Vision.tender_id, Bureau).join(Bureau, Bureau.id == Vision.bureau_id)
            .where(Vision.tender_id.in_(ids), Vision.status == "submitted", Vision.submitted_version.is_not(None))
            .order_by(Bureau.name)):
        by["bureaus"][tid].append(bureau)
    # Plain rows (attribute access by column name), not ORM objects: the panel state only reads them, and
    # building some thousand ORM objects was most of the dashboard's cost.
    for model, key in ((Criterion, "criteria"), (ConflictDeclaration, "declarations"), (PanelExcusal, "excusals"),
                       (ScoreSheet, "sheets"), (ShortlistEntry, "shortlist"), (ConsensusScore, "consensus"),
                       (ScoringRound, "rounds"), (PitchSlot, "slots")):
        stmt = select(*model.__table__.c).where(model.tender_id.in_(ids))
        if model is Criterion:
            stmt = stmt.order_by(Criterion.stage, Criterion.position, Criterion.id)
        elif model is PitchSlot:
            stmt = stmt.order_by(PitchSlot.starts_at, PitchSlot.id)
        for row in session.execute(stmt):
            by[key][row.tender_id].append(row)
    out = {}
    for t in tenders:
        criteria: dict[str, list[Criterion]] = {"vision": [], "pitch": []}
        for c in by["criteria"][t.id]:
            criteria[c.stage].append(c)
        out[t.id] = PanelState(
            tender=t, members=by["members"][t.id], bureaus={b.id: b for b in by["bureaus"][t.id]}, criteria=criteria,
            declarations={(d.user_id, d.bureau_id): d for d in by["declarations"][t.id]},
            excusals={(e.user_id, e.bureau_id): e for e in by["excusals"][t.id]},
            sheets={(s.stage, s.bureau_id, s.user_id): s for s in by["sheets"][t.id]},
            shortlist={e.bureau_id: e for e in by["shortlist"][t.id]},
            slots=by["slots"][t.id],
            consensus={(c.stage, c.bureau_id, c.criterion_id): c for c in by["consensus"][t.id]},
            rounds={r.stage: r for r in by["rounds"][t.id]},
        )
    return out


def _panels(session: Session, user) -> list[tuple[Tender, PanelState]]:
    tenders = _tenders(session, user)
    if not tenders:
        return []
    panels = load_panels(session, tenders)
    return [(t, panels[t.id]) for t in tenders]


# --- the officer ------------------------------------------------------------------------------------------

@tasks.provider("officer")
def panel_work(session: Session, user) -> list[tasks.Task]:
    from workflows import (
        tender_engine,  # at call time: the workflow imports the areas that import this one
    )
    out: list[tasks.Task] = []
    workflow = tender_engine().workflow
    for tender, state in _panels(session, user):
        out += _chair_tasks(session, user, tender, state, workflow)
    return out[:tasks.LIMIT]


def _chair_tasks(session, user, tender: Tender, state: PanelState, workflow) -> list[tasks.Task]:
    stage = STAGE_OF[tender.state]
    due = state.due(stage)
    overview = url_for("evaluation.tender", tender_id=tender.id)
    out = []
    undeclared = [u for u in state.members if state.bureaus and state.undeclared(u.id)]
    if undeclared:
        out.append(tasks.Task(
            _("Declarations of interest outstanding: %(title)s", title=tender.title), overview + "#conflicts",
            "evaluation.declarations", due,
            _("%(n)d panel member(s) have not declared for every bureau: remind them, or excuse a member for a "
              "bureau.", n=len(undeclared))))
    # Sheets of members who can write them now (declared, pitch held); undeclared members are counted above.
    missing = sum(1 for b in state.stage_bureaus(stage) if state.scorable(stage, b)
                  for u in state.expected(stage, b)
                  if state.declared_all(u.id) and not state.submitted(stage, b, u.id))
    if missing:
        out.append(tasks.Task(_("Score sheets missing: %(title)s", title=tender.title), overview,
                              "evaluation.sheets", due,
                              _("%(n)d sheet(s) still to be submitted by the panel.", n=missing)))
    for bureau_id in state.stage_bureaus(stage):
        if state.all_in(stage, bureau_id) and not state.consensus_complete(stage, bureau_id):
            out.append(tasks.Task(
                _("Record the consensus for %(bureau)s: %(title)s", bureau=state.bureaus[bureau_id].name,
                  title=tender.title),
                url_for("evaluation.consensus", tender_id=tender.id, stage=stage, bureau_id=bureau_id),
                "evaluation.consensus", due, _("Every sheet is in.")))
    if stage == "vision" and state.bureaus and not state.shortlist_decided \
            and not state.bureaus_without_consensus("vision"):
        out.append(tasks.Task(_("Decide the shortlist: %(title)s", title=tender.title),
                              url_for("evaluation.shortlist", tender_id=tender.id), "evaluation.shortlist",
                              tender.pitch_start, _("The vision consensus is complete.")))
    unbooked = [b for b in state.stage_bureaus(stage) if b not in state.slot_by_bureau]
    if stage == "pitch" and unbooked:
        out.append(tasks.Task(_("Schedule the pitches: %(title)s", title=tender.title),
                              url_for("evaluation.slots", tender_id=tender.id), "evaluation.slots",
                              tender.pitch_start,
                              _("%(n)d shortlisted bureau(s) without a pitch slot.", n=len(unbooked))))
    # The next step, judged by the transition's own guards on this panel state (no query of their own).
    transition = workflow.transition(NEXT[tender.state], tender.state)
    ctx = Context(session=session, obj=tender, actor=None, user=user, cache={"panel_state": state})
    if not [r for g in transition.guards if (r := g.check(ctx))]:
        out.append(tasks.Task(_("%(action)s: %(title)s", action=transition.label, title=tender.title),
                              url_for("tenders.show", tender_id=tender.id), f"tender.{transition.event}",
                              tender.pitch_end if stage == "pitch" else tender.pitch_start,
                              _("The panel's work for this stage is done.")))
    return out


# --- the evaluator ----------------------------------------------------------------------------------------

@tasks.provider("evaluator")
def my_panel_work(session: Session, user) -> list[tasks.Task]:
    out: list[tasks.Task] = []
    for tender, state in _panels(session, user):
        out += _member_tasks(user, tender, state)
    return out[:tasks.LIMIT]


def _member_tasks(user, tender: Tender, state: PanelState) -> list[tasks.Task]:
    if not state.is_member(user) or not state.bureaus:
        return []
    stage = STAGE_OF[tender.state]
    due = state.due(stage)
    if not state.declared_all(user.id):
        return [tasks.Task(_("Declare your conflicts of interest: %(title)s", title=tender.title),
                           url_for("evaluation.conflicts", tender_id=tender.id), "evaluation.declare", due,
                           _("You see the visions once you have declared for every bureau."))]
    out = []
    for bureau_id in state.to_do(stage, user.id):
        draft = state.sheet(stage, bureau_id, user.id) is not None
        title = _("Submit your sheet for %(bureau)s: %(title)s") if draft else _("Score %(bureau)s: %(title)s")
        out.append(tasks.Task(
            title % {"bureau": state.bureaus[bureau_id].name, "title": tender.title},
            url_for("evaluation.sheet", tender_id=tender.id, stage=stage, bureau_id=bureau_id), f"evaluation.{stage}",
            due, _("Vision") if stage == "vision" else _("Pitch")))
    for bureau_id in state.stage_bureaus(stage):
        if state.submitted(stage, bureau_id, user.id) and state.all_in(stage, bureau_id) \
                and not state.consensus_complete(stage, bureau_id):
            out.append(tasks.Task(
                _("Consensus meeting on %(bureau)s: %(title)s", bureau=state.bureaus[bureau_id].name,
                  title=tender.title),
                url_for("evaluation.sheet", tender_id=tender.id, stage=stage, bureau_id=bureau_id),
                "evaluation.meeting", due, _("Every sheet is in; the chair records the agreed scores.")))
    return out
