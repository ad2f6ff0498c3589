"""The award decision letter: what it says (a snapshot, stored as JSON with the letter) and its PDF.

The snapshot is taken when the decision is sent, so a letter keeps saying what it said even if the
selection changes after an upheld objection. The HTML page and the PDF are both rendered from it.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.audit import canonical_json
from app.clock import AMSTERDAM
from app.i18n import _locale, format_local
from app.models import AwardDecision, ConsensusScore, Criterion, Organisation, Tender, TenderBuyer
from app.award.queries import SelectionData

STAGES = ("vision", "pitch")


def _num(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else str(value)


def build_contents(session: Session, tender: Tender, decision: AwardDecision, data: SelectionData) -> dict[int, dict]:
    """{bureau_id: letter content} for every participating bureau (three queries for all of them)."""
    criteria = session.exec(select(Criterion).where(Criterion.tender_id == tender.id)
                            .order_by(Criterion.stage, Criterion.position, Criterion.id)).all()
    scores = session.exec(select(ConsensusScore).where(ConsensusScore.tender_id == tender.id)).all()
    buyers = session.exec(select(Organisation).where(
        (Organisation.id == tender.lead_organisation_id)
        | Organisation.id.in_(select(TenderBuyer.organisation_id).where(TenderBuyer.tender_id == tender.id))
    )).all()
    buyer_names = [o.name for o in sorted(buyers, key=lambda o: (o.id != tender.lead_organisation_id, o.name))]
    by_bureau: dict[int, dict[int, ConsensusScore]] = {}
    for s in scores:
        by_bureau.setdefault(s.bureau_id, {})[s.criterion_id] = s
    common = {
        "tender": {"id": tender.id, "title": tender.title, "reference": tender.reference, "buyers": buyer_names},
        "decision": {"number": decision.number, "sent_at": decision.sent_at, "last_day": decision.standstill_last_day,
                     "ends_at": decision.standstill_ends_at},
        "stage_weights": {"vision": tender.vision_stage_weight, "pitch": tender.pitch_stage_weight},
    }
    out = {}
    for bureau in data.participants:
        lots = []
        totals: dict[str, Optional[str]] = {"vision": None, "pitch": None, "final": None}
        for lv in data.lots:
            own = next((r for r in lv.rows if r.bureau_id == bureau.id), None)
            if own is None:
                continue
            totals = {"vision": _num(own.vision), "pitch": _num(own.pitch), "final": _num(own.final)}
            mine = lv.selections[bureau.id]
            winners = []
            for r in lv.rows:
                if r.bureau_id in lv.winners:
                    winners.append({"name": data.bureaus[r.bureau_id].name, "vision": _num(r.vision),
                                    "pitch": _num(r.pitch), "final": _num(r.final), "rank": r.rank,
                                    "advantages": lv.selections[r.bureau_id].motivation})
            lots.append({
                "title": lv.lot.title, "outcome": "selected" if mine.selected else "not_selected",
                "motivation": mine.motivation, "rank": own.rank, "tied": own.tied,
                "ranked": sum(1 for r in lv.rows if r.rank is not None), "final": _num(own.final),
                "winners": winners,
            })
        own_scores = by_bureau.get(bureau.id, {})
        stages = {}
        for stage in STAGES:
            stages[stage] = [
                {"criterion": c.title, "weight": c.weight, "counts": c.counts_in_total, "min": c.scale_min,
                 "max": c.scale_max, "value": own_scores[c.id].value, "note": own_scores[c.id].note}
                for c in criteria if c.stage == stage and c.id in own_scores
            ]
        out[bureau.id] = {**common, "bureau": {"id": bureau.id, "name": bureau.name}, "lots": lots,
                          "scores": stages, "totals": totals}
    return out


def serialise(content: dict) -> str:
    return canonical_json(content)


def parse(text: str) -> dict:
    return json.loads(text)


# --- formatting (in the current locale: the letter language when sending, the reader's on the page) ---

def long_day(value) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, "EEEE d MMMM y", locale=_locale())


def moment(value) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return format_local(value, "long")


def score(value) -> str:
    if value is None:
        return "—"
    return format_decimal(Decimal(str(value)), format="0.00", locale=_locale())


def standstill_sentence(content: dict) -> str:
    return _("The standstill period ends on %(day)s at 24:00 (Amsterdam time).",
             day=long_day(content["decision"]["last_day"]))


def outcome_label(outcome: str) -> str:
    return _("Selected") if outcome == "selected" else _("Not selected")


def stage_label(stage: str) -> str:
    return _("Vision") if stage == "vision" else _("Pitch")


def rank_text(lot: dict) -> str:
    if lot["rank"] is None:
        return _("not ranked (no final score)")
    text = _("rank %(rank)d of %(n)d", rank=lot["rank"], n=lot["ranked"])
    return text + (" " + _("(tied)") if lot["tied"] else "")


# --- the PDF --------------------------------------------------------------------------------------

def render_pdf(content: dict) -> bytes:
    # Imported here: fpdf2 (with fontTools) adds about 25 MB to every worker that imports it, and only
    # the workers that write letters need it (the peak memory target of issue 9).
    from app.reports.pdf import Document

    t, d = content["tender"], content["decision"]
    buyers = ", ".join(t["buyers"])
    sent_at = datetime.fromisoformat(str(d["sent_at"]).replace("Z", "+00:00")) if isinstance(d["sent_at"], str) \
        else d["sent_at"]
    doc = Document(
        title=_("Award decision"), subtitle=f"{t['title']} · {t['reference']} · {buyers}",
        header=f"{_('Award decision')} — {t['reference']} — {content['bureau']['name']}",
        footer=f"{buyers} · Samenspel", created=sent_at.astimezone(AMSTERDAM), language=str(_locale()),
    )
    doc.facts([
        (_("To"), content["bureau"]["name"]),
        (_("Tender"), f"{t['title']} ({t['reference']})"),
        (_("Sent"), moment(d["sent_at"])),
        (_("Decision"), _("number %(n)d", n=d["number"]) + (" " + _("(replaces the earlier decision)")
                                                              if d["number"] > 1 else "")),
        (_("End of the standstill period"), _("%(day)s at 24:00", day=long_day(d["last_day"]))),
    ])
    doc.paragraph(_("With this letter we inform you, at the same moment as every other participating bureau, of "
                    "the award decision in this tender: the outcome per lot with our reasons, your own agreed "
                    "scores, and the selected bureau(s) with their relative advantages."))
    doc.heading(_("Standstill period"))
    doc.paragraph(standstill_sentence(content) + " " + _(
        "Until then no contract is awarded definitively. If you disagree with this decision, lodge your objection "
        "in Samenspel before the end of the standstill period."))
    doc.heading(_("Outcome per lot"))
    if not content["lots"]:
        doc.paragraph(_("You did not apply for any lot."))
    for lot in content["lots"]:
        doc.heading(lot["title"], level=2)
        doc.facts([
            (_("Outcome for you"), outcome_label(lot["outcome"])),
            (_("Your final score"), f"{score(lot['final'])} — {rank_text(lot)}"),
            (_("Motivation"), lot["motivation"]),
        ])
        doc.heading(_("Selected bureau(s)"), level=3)
        doc.table([_("Bureau"), _("Vision"), _("Pitch"), _("Final score")],
                  [[w["name"], score(w["vision"]), score(w["pitch"]), score(w["final"])] for w in lot["winners"]],
                  widths=(4, 1.3, 1.3, 1.6), align=("L", "R", "R", "R"))
        chart = [(w["name"], float(w["final"])) for w in lot["winners"] if w["final"] is not None]
        if lot["outcome"] != "selected" and lot["final"] is not None:
            chart.append((content["bureau"]["name"], float(lot["final"])))
        if chart:
            doc.bar_chart(chart, maximum=100, value_text=score)
        for w in lot["winners"]:
            doc.paragraph(_("Relative advantages of %(name)s", name=w["name"]), bold=True)
            doc.paragraph(w["advantages"])
    doc.heading(_("Your scores per criterion"))
    weights = content["stage_weights"]
    for stage in STAGES:
        rows = content["scores"][stage]
        doc.heading(_("%(stage)s (weight in the final score: %(w)d %%)", stage=stage_label(stage), w=weights[stage]),
                    level=2)
        if not rows:
            doc.paragraph(_("No agreed scores in this stage."), muted=True)
            continue
        doc.table(
            [_("Criterion"), _("Weight"), _("Score"), _("Consensus note")],
            [[r["criterion"], f"{r['weight']} %" if r["counts"] else _("does not count"),
              f"{r['value']} / {r['max']}", r["note"] or "—"] for r in rows],
            widths=(3, 1.2, 1.1, 4.5), align=("L", "R", "R", "L"))
        doc.paragraph(_("Total %(stage)s: %(total)s of 100", stage=stage_label(stage).lower(),
                        total=score(content["totals"][stage])), bold=True)
    doc.paragraph(_("Final score: %(total)s of 100", total=score(content["totals"]["final"])), bold=True)
    return doc.output()
