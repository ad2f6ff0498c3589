"""The periodic (usually yearly) evaluation report of a programme as a PDF: the period and the plan in
force, the participants (counts per organisation against the plan's spread; no names), both sides'
evaluation forms, the participants' feedback, the indicator scores and the decision of the joint
meeting (continue, continue with adjustments, end).

It exists once the decision is recorded: before that the forms may be private drafts, and the report
would describe an evaluation that is not finished.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _
from sqlmodel import Session, select

from app.i18n import format_day
from app.models import Bureau, Lot, Programme, Tender
from app.models.programme_cycle import FORM_LABELS, FORM_TEXTS
from app.programmes.access import BUREAU, MUNICIPALITY
from app.programmes.labels import CADENCE_LABELS, FORM_TITLES, decision_label, period_label
from app.programmes.queries import load_evaluation, load_participants
from app.reports.common import buyer_names, document, score, when


def render(session: Session, programme: Programme, number: int) -> Optional[bytes]:
    """The PDF of period `number`, or None when that period has no decided evaluation (bounded queries)."""
    ev = load_evaluation(session, programme, number)
    if ev is None or ev.evaluation.decision is None:
        return None
    tender, lot, bureau = session.exec(
        select(Tender, Lot, Bureau).select_from(Programme).join(Tender, Tender.id == Programme.tender_id)
        .join(Lot, Lot.id == Programme.lot_id).join(Bureau, Bureau.id == Programme.bureau_id)
        .where(Programme.id == programme.id)).one()
    buyers = buyer_names(session, tender)
    people = load_participants(session, programme, number)
    period, evaluation = ev.period, ev.evaluation
    label = period_label(period)
    title = _("Yearly evaluation report") if period.cadence == "yearly" else _("Periodic evaluation report")
    doc = document(title, tender, buyers, extra=f"{programme.title} · {label}")
    doc.facts([
        (_("Programme"), programme.title),
        (_("Bureau"), bureau.name),
        (_("Lot"), lot.title),
        (_("Period"), f"{label}: {format_day(period.starts_on)} – {format_day(period.ends_on)}"),
        (_("Evaluation cadence"), str(CADENCE_LABELS.get(period.cadence, period.cadence))),
        (_("Plan in force"), _("version %(n)d", n=people.plan.number) if people.plan else "—"),
        (_("Evaluation opened"), when(evaluation.opened_at)),
        (_("Evaluation meeting"), format_day(evaluation.meeting_on)),
    ])
    doc.heading(_("Decision"))
    doc.facts([(_("Decision"), decision_label(evaluation.decision)),
               (_("Recorded"), f"{when(evaluation.decided_at)} · {ev.decided_by or '—'}")])
    doc.paragraph(evaluation.decision_notes or _("No notes."))
    doc.heading(_("Participants"))
    doc.paragraph(_("%(n)d enrolled, %(w)d on the waiting list.", n=people.enrolled, w=len(people.waiting)))
    if people.spread:
        doc.table([_("Organisation"), _("Places in the plan"), _("Enrolled"), _("Waiting")],
                  [[org, "—" if places is None else str(places), str(enrolled), str(waiting)]
                   for org, places, enrolled, waiting in people.spread],
                  widths=(3, 1.4, 1.2, 1.2), align=("L", "R", "R", "R"))
    doc.heading(_("Indicators"))
    names = ev.indicators or sorted({n for s in ev.scores.values() for n in s})
    if names:
        rows, bars = [], []
        for name in names:
            values = [ev.scores.get(side, {}).get(name) for side in (MUNICIPALITY, BUREAU)]
            given = [v for v in values if v is not None]
            mean = sum(given) / len(given) if given else None
            rows.append([name, *("—" if v is None else str(v) for v in values), score(mean)])
            if mean is not None:
                bars.append((name, mean))
        doc.table([_("Indicator"), _("Municipality"), _("Bureau"), _("Mean")], rows,
                  widths=(3, 1.2, 1.2, 1.2), align=("L", "R", "R", "R"))
        doc.bar_chart(bars, maximum=10, value_text=score)
    else:
        doc.paragraph(_("No indicators were scored."), muted=True)
    doc.heading(_("Participants' feedback"))
    doc.paragraph(evaluation.participant_feedback or _("No summary was written."))
    for side in (MUNICIPALITY, BUREAU):
        form = ev.forms.get(side)
        doc.heading(str(FORM_TITLES[side]))
        if form is None or form.submitted_at is None:
            doc.paragraph(_("Not submitted."), muted=True)
            continue
        doc.paragraph(_("Submitted %(when)s.", when=when(form.submitted_at)), muted=True, size=9)
        for key in FORM_TEXTS:
            doc.paragraph(str(FORM_LABELS[key]), bold=True)
            doc.paragraph(getattr(form, key) or "—")
    return doc.output()
