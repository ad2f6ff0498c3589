"""The officer's dashboard tasks of the selection and award (see `app.dashboard.tasks`): the selection
to decide and send, objections to handle during the standstill, and the standstill's end (the award).

Two queries whatever the number of tenders: the tenders (at most `tasks.LIMIT`), then their current
decision with the number of open objections.
"""
from __future__ import annotations

from functools import lru_cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from app.clock import now
from app.dashboard import tasks
from app.i18n import format_local
from app.models import AwardDecision, Objection, Tender
from app.tenders.queries import first_visible_statement, scope_params


@lru_cache(maxsize=None)
def _statement(role: str):
    return first_visible_statement(role, (Tender.state.in_(("selection", "standstill")),),
                                   (Tender.state_changed_at, Tender.id), tasks.LIMIT)  # read by index


@tasks.provider("officer")
def selection_and_award(session: Session, user) -> list[tasks.Task]:
    tenders = session.exec(_statement(user.role), params=scope_params(user)).all()
    if not tenders:
        return []
    in_standstill = [t.id for t in tenders if t.state == "standstill"]
    decisions = {}
    if in_standstill:
        open_objections = (select(func.count()).select_from(Objection)
                           .where(Objection.decision_id == AwardDecision.id, Objection.status == "open")
                           .correlate(AwardDecision).scalar_subquery())
        decisions = {d.tender_id: (d, n) for d, n in session.execute(
            select(AwardDecision, open_objections).where(AwardDecision.tender_id.in_(in_standstill),
                                                         AwardDecision.status == "standstill"))}
    out = []
    for tender in tenders:
        if tender.state == "selection":
            out.append(tasks.Task(_("Decide the selection and send the award decision: %(title)s", title=tender.title),
                                  url_for("award.selection", tender_id=tender.id), "award.selection",
                                  tender.selection_at, _("Select per lot, with a motivation for every bureau.")))
            continue
        if tender.id not in decisions:
            continue
        decision, objections = decisions[tender.id]
        page = url_for("award.decision", tender_id=tender.id)
        if objections:
            out.append(tasks.Task(_("Handle the objections: %(title)s", title=tender.title), page, "award.objections",
                                  decision.standstill_ends_at,
                                  _("%(n)d objection(s) open: reject or uphold each, with a reason.", n=objections)))
        elif decision.standstill_ends_at <= now():
            out.append(tasks.Task(_("Award definitively: %(title)s", title=tender.title),
                                  url_for("tenders.show", tender_id=tender.id), "tender.award",
                                  decision.standstill_ends_at,
                                  _("The standstill is over and no objection is open.")))
        else:
            out.append(tasks.Task(_("Standstill ends: %(title)s", title=tender.title), page, "award.standstill",
                                  decision.standstill_ends_at,
                                  _("Objections are possible until %(end)s; then the tender is awarded.",
                                    end=format_local(decision.standstill_ends_at))))
    return out
