"""Selection per lot, the award decision and its letters, objections, the definitive award and the
cancellation notices. Operations flush and audit in the caller's transaction; effects (`*_effect`)
run inside the tender engine's transition (see workflows/tender.py)."""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Iterable, Optional

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, select

from app import audit, mail
from app.audit import Actor
from app.award import letters as letter_mod
from app.award.queries import SelectionData, current_decision, load_selection
from app.award.standstill import parse_equated, standstill_period
from app.clock import now, today_local
from app.files import store
from app.i18n import format_local
from app.links import external_url
from app.mail.outbox import MailAttachment
from app.models import (
    AwardDecision, Bureau, Contract, DecisionLetter, Invitation, Lot, LotSelection, Objection, PanelMember, Programme,
    Tender, User,
)
from app.tenders.operations import lock
from workflows import Context, Refused

MAX_OBJECTION_FILES = 5


def _letter_locale() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _send(session: Session, to: Bureau | User, template: str, kind: str, tender: Tender, dedupe_key: str,
          attachments: Iterable[MailAttachment] = (), **context) -> None:
    address = to.contact_email if isinstance(to, Bureau) else to.email
    name = to.contact_name if isinstance(to, Bureau) else to.name
    locale = None if isinstance(to, Bureau) else to.locale
    subject, body = mail.render(template, locale=locale, tender=tender, recipient=to, **context)
    mail.queue(session, to=address, to_name=name, subject=subject, text=body, kind=kind, tender_id=tender.id,
               attachments=attachments, dedupe_key=dedupe_key)


# --- selection -----------------------------------------------------------------------------------------

def save_lot_selection(session: Session, user: User, tender: Tender, lot_id: int,
                       choices: dict[int, tuple[bool, str]], expected_version: Optional[int]) -> None:
    """Record the officer's choice for one lot: {bureau_id: (selected, motivation)} for every applicant."""
    tender = lock(session, tender.id)
    if tender.state != "selection":
        raise Refused([_("The selection can only be changed in the stage “Selection”.")], kind="invalid")
    if expected_version is not None and expected_version != tender.version:
        raise Refused([_("Someone else changed this tender while you were editing. Your input is kept below; "
                         "check the current state and save again.")], kind="stale")
    data = load_selection(session, tender)
    lv = data.lot(lot_id)
    if lv is None:
        raise Refused([_("This lot does not belong to the tender.")], kind="invalid")
    if set(choices) != set(lv.applicants):
        raise Refused([_("The bureaus in this lot changed while you were editing; reload the page.")], kind="stale")
    problems = []
    missing = [data.bureaus[b].name for b, (_sel, text) in choices.items() if not text.strip()]
    if missing:
        problems.append(_("Write a motivation for every bureau, selected or not: %(names)s.", names=", ".join(missing)))
    chosen = [b for b, (sel, _t) in choices.items() if sel]
    if not chosen:
        problems.append(_("Select at least one bureau for this lot."))
    if len(chosen) > tender.max_winners_per_lot:
        problems.append(_("At most %(max)d bureau(s) may be selected per lot in this tender; you selected %(n)d.",
                          max=tender.max_winners_per_lot, n=len(chosen)))
    unranked = [data.bureaus[r.bureau_id].name for r in lv.rows if r.bureau_id in chosen and r.final is None]
    if unranked:
        problems.append(_("%(names)s cannot be selected: there is no final score (agreed vision and pitch scores).",
                          names=", ".join(unranked)))
    if problems:
        raise Refused(problems, kind="invalid")
    changes = {}
    for bureau_id, (selected, motivation) in choices.items():
        row = lv.selections.get(bureau_id)
        before = None if row is None else {"selected": row.selected, "motivation": row.motivation}
        after = {"selected": selected, "motivation": motivation.strip()}
        if before == after:
            continue
        if row is None:
            row = LotSelection(tender_id=tender.id, lot_id=lot_id, bureau_id=bureau_id, motivation="")
            session.add(row)
        row.selected, row.motivation = selected, motivation.strip()
        row.decided_by_id, row.decided_at = user.id, now()
        changes[data.bureaus[bureau_id].name] = [before, after]
    if changes:
        tender.updated_at = now()  # bumps the version: a decision sent from an older view is refused
        session.flush()
        audit.record(session, actor=Actor.of(user), action="selection.saved", object_type="lot", object_id=lot_id,
                     tender_id=tender.id, changes={"lot": [None, lv.lot.title], **changes})


def save_contract_terms(session: Session, user: User, tender: Tender, selection_id: int, start_date: Optional[date],
                        duration_years: int, value_eur: Optional[int]) -> LotSelection:
    tender = lock(session, tender.id)
    if tender.state not in ("selection", "standstill"):
        raise Refused([_("Contract terms can be set until the definitive award.")], kind="invalid")
    row = session.get(LotSelection, selection_id)
    if row is None or row.tender_id != tender.id or not row.selected:
        raise Refused([_("Contract terms belong to a selected bureau.")], kind="invalid")
    values = {"start_date": start_date, "duration_years": duration_years, "value_eur": value_eur}
    before = audit.snapshot(row, values)
    for k, v in values.items():
        setattr(row, k, v)
    changes = audit.diff(before, values)
    if changes:
        session.flush()
        audit.record(session, actor=Actor.of(user), action="contract_terms.saved", object_type="lot_selection",
                     object_id=row.id, tender_id=tender.id, changes=changes)
    return row


# --- the decision (effect of send_decision) --------------------------------------------------------------

def send_decision_effect(ctx: Context) -> None:
    """Create the decision, one letter (snapshot + PDF) per participating bureau, and queue every e-mail
    in this one transaction: all bureaus are told at the same moment, or nobody is."""
    session, tender = ctx.session, ctx.obj
    data: SelectionData = ctx.memo("award.selection", lambda: load_selection(session, tender))
    previous = current_decision(session, tender.id)
    sent = now()
    last_day, ends_at = standstill_period(sent, current_app.config["STANDSTILL_DAYS"],
                                          parse_equated(current_app.config.get("EQUATED_HOLIDAYS", "")))
    decision = AwardDecision(tender_id=tender.id, number=(previous.number if previous else 0) + 1, sent_at=sent,
                             sent_by_id=ctx.user.id if ctx.user else None, standstill_last_day=last_day,
                             standstill_ends_at=ends_at)
    session.add(decision)
    session.flush()
    with force_locale(_letter_locale()):
        contents = letter_mod.build_contents(session, tender, decision, data)
        for bureau in data.participants:
            content = contents[bureau.id]
            pdf = letter_mod.render_pdf(content)
            letter = DecisionLetter(decision_id=decision.id, tender_id=tender.id, bureau_id=bureau.id,
                                    content=letter_mod.serialise(content), pdf=pdf,
                                    pdf_sha256=hashlib.sha256(pdf).hexdigest())
            session.add(letter)
            session.flush()
            filename = f"{_('award-decision')}-{tender.reference}-{decision.number}.pdf"
            _send(session, bureau, "award_decision", "decision", tender,
                  f"award:decision:{decision.id}:bureau:{bureau.id}",
                  attachments=[MailAttachment(filename, "application/pdf", pdf)], decision=decision,
                  content=content, url=external_url("award.bureau_tender", tender_id=tender.id),
                  end=letter_mod.standstill_sentence(content))
    ctx.data["audit_changes"] = {
        "decision": [None, decision.number],
        "standstill_last_day": [None, last_day],
        "letters": [None, [b.name for b in data.participants]],
        "selected": [None, {lv.lot.title: [data.bureaus[b].name for b in lv.winners] for lv in data.lots}],
    }


def _lapse_open_objections(session: Session, tender_id: int, reason: str, user_id: Optional[int]) -> int:
    rows = session.exec(select(Objection).where(Objection.tender_id == tender_id, Objection.status == "open")
                        .with_for_update()).all()
    for o in rows:
        o.status, o.handling_reason, o.handled_at, o.handled_by_id = "lapsed", reason, now(), user_id
    session.flush()
    return len(rows)


def _letter_recipients(session: Session, decision: AwardDecision) -> list[Bureau]:
    return list(session.exec(select(Bureau).join(DecisionLetter, DecisionLetter.bureau_id == Bureau.id)
                             .where(DecisionLetter.decision_id == decision.id).order_by(Bureau.name)).all())


def reopen_selection_effect(ctx: Context) -> None:
    """The decision is withdrawn (an objection upheld, or on the officer's own initiative): open objections
    lapse and every bureau that received the letter is told a new decision will follow."""
    session, tender = ctx.session, ctx.obj
    decision = current_decision(session, tender.id)
    reason = (ctx.reason or "").strip()
    decision.status, decision.withdrawn_reason, decision.closed_at = "withdrawn", reason, now()
    lapsed = _lapse_open_objections(session, tender.id, _("The award decision was withdrawn."),
                                    ctx.user.id if ctx.user else None)
    for bureau in _letter_recipients(session, decision):
        _send(session, bureau, "award_withdrawn", "decision_withdrawn", tender,
              f"award:withdrawn:{decision.id}:bureau:{bureau.id}", decision=decision, reason=reason)
    ctx.data["audit_changes"] = {"decision": [decision.number, None], "objections_lapsed": [None, lapsed]}


# --- objections --------------------------------------------------------------------------------------------

def lodge_objection(session: Session, user: User, tender: Tender, text: str,
                    files: list[tuple[str, bytes]]) -> Objection:
    tender = lock(session, tender.id)
    decision = current_decision(session, tender.id)
    if tender.state != "standstill" or decision is None or decision.status != "standstill":
        raise Refused([_("An objection can only be lodged during the standstill period.")], kind="invalid")
    if now() >= decision.standstill_ends_at:
        raise Refused([_("The standstill period ended on %(end)s; an objection can no longer be lodged.",
                         end=format_local(decision.standstill_ends_at))], kind="invalid")
    if session.exec(select(DecisionLetter.id).where(DecisionLetter.decision_id == decision.id,
                                                    DecisionLetter.bureau_id == user.bureau_id)).first() is None:
        raise Refused([_("Only a bureau that received the award decision can object to it.")], kind="forbidden")
    if not text.strip():
        raise Refused([_("Explain your objection.")], kind="invalid")
    if len(files) > MAX_OBJECTION_FILES:
        raise Refused([_("Attach at most %(n)d files.", n=MAX_OBJECTION_FILES)], kind="invalid")
    objection = Objection(tender_id=tender.id, decision_id=decision.id, bureau_id=user.bureau_id, text=text.strip(),
                          lodged_by_id=user.id)
    session.add(objection)
    session.flush()
    names = [store(session, data=data, filename=name, tender_id=tender.id, owner_type="objection",
                   owner_id=objection.id, user_id=user.id).filename for name, data in files]
    audit.record(session, actor=Actor.of(user), action="objection.lodged", object_type="objection",
                 object_id=objection.id, tender_id=tender.id,
                 changes={"decision": [None, decision.number], "text": [None, objection.text],
                          "attachments": [None, names]})
    bureau = session.get(Bureau, user.bureau_id)
    for officer in _officers_to_tell(session, tender, decision):
        _send(session, officer, "award_objection_lodged", "objection", tender,
              f"award:objection:{objection.id}:officer:{officer.id}", bureau=bureau, objection=objection,
              url=external_url("award.decision", tender_id=tender.id))
    return objection


def _officers_to_tell(session: Session, tender: Tender, decision: AwardDecision) -> list[User]:
    ids = {i for i in (decision.sent_by_id, tender.created_by_id) if i}
    if not ids:
        return []
    return list(session.exec(select(User).where(User.id.in_(ids), User.active).order_by(User.id)).all())


def handle_objection(session: Session, user: User, tender: Tender, objection_id: int, outcome: str, reason: str,
                     expected_version: Optional[int]) -> Objection:
    """Reject (the tender goes on) or uphold (the decision is withdrawn, back to selection)."""
    tender = lock(session, tender.id)
    objection = session.exec(select(Objection).where(Objection.id == objection_id).with_for_update()
                             .execution_options(populate_existing=True)).first()
    if objection is None or objection.tender_id != tender.id:
        raise Refused([_("This objection does not belong to the tender.")], kind="invalid")
    if objection.status != "open":
        who = session.get(User, objection.handled_by_id) if objection.handled_by_id else None
        raise Refused([_("This objection was already handled (%(status)s) by %(who)s at %(when)s.",
                         status=objection_status_label(objection.status), who=who.name if who else _("the system"),
                         when=format_local(objection.handled_at))], kind="stale")
    if expected_version is not None and expected_version != objection.version:
        raise Refused([_("This objection changed while you were looking at it; reload the page.")], kind="stale")
    if outcome not in ("rejected", "upheld"):
        raise Refused([_("Choose whether the objection is rejected or upheld.")], kind="invalid")
    if not reason.strip():
        raise Refused([_("Give the reason for your decision on the objection.")], kind="invalid")
    objection.status, objection.handling_reason = outcome, reason.strip()
    objection.handled_by_id, objection.handled_at = user.id, now()
    session.flush()
    audit.record(session, actor=Actor.of(user), action=f"objection.{outcome}", object_type="objection",
                 object_id=objection.id, tender_id=tender.id, changes={"status": ["open", outcome]},
                 reason=objection.handling_reason)
    bureau = session.get(Bureau, objection.bureau_id)
    _send(session, bureau, "award_objection_handled", "objection", tender, f"award:objection:{objection.id}:handled",
          objection=objection, url=external_url("award.bureau_tender", tender_id=tender.id))
    if outcome == "upheld":
        from app.tenders.operations import fire
        fire(session, user, tender, "reopen_selection",
             reason=_("Objection of %(bureau)s upheld: %(reason)s", bureau=bureau.name, reason=objection.handling_reason))
    return objection


def objection_status_label(status: str) -> str:
    return {"open": _("open"), "rejected": _("rejected"), "upheld": _("upheld"), "lapsed": _("lapsed")}.get(status, status)


# --- the definitive award (effect of award) ------------------------------------------------------------------

def award_effect(ctx: Context) -> None:
    """A contract per awarded lot and bureau, a programme per contract in `plan`, and everyone told."""
    session, tender = ctx.session, ctx.obj
    data: SelectionData = ctx.memo("award.selection", lambda: load_selection(session, tender))
    decision = current_decision(session, tender.id)
    decision.status, decision.closed_at = "final", now()
    made = []
    won: dict[int, list[tuple[Lot, Contract]]] = {}
    for lv in data.lots:
        for bureau_id in lv.winners:
            terms = lv.selections[bureau_id]
            contract = Contract(tender_id=tender.id, lot_id=lv.lot.id, bureau_id=bureau_id,
                                start_date=terms.start_date or today_local(), duration_years=terms.duration_years,
                                value_eur=terms.value_eur)
            session.add(contract)
            session.flush()
            bureau = data.bureaus[bureau_id]
            session.add(Programme(contract_id=contract.id, tender_id=tender.id, lot_id=lv.lot.id, bureau_id=bureau_id,
                                  title=f"{tender.title} — {lv.lot.title} ({bureau.name})"[:300]))
            won.setdefault(bureau_id, []).append((lv.lot, contract))
            made.append(f"{lv.lot.title}: {bureau.name}")
    session.flush()
    winners_text = [(lv.lot.title, [data.bureaus[b].name for b in lv.winners]) for lv in data.lots if lv.winners]
    for bureau in data.participants:
        _send(session, bureau, "award_final", "award", tender, f"award:final:{decision.id}:bureau:{bureau.id}",
              contracts=won.get(bureau.id, []), winners=winners_text)
    people = session.exec(select(User).join(PanelMember, PanelMember.user_id == User.id)
                          .where(PanelMember.tender_id == tender.id, User.active)).all()
    for person in {u.id: u for u in [*people, *_officers_to_tell(session, tender, decision)]}.values():
        _send(session, person, "award_final_team", "award", tender, f"award:final:{decision.id}:user:{person.id}",
              winners=winners_text, url=external_url("award.decision", tender_id=tender.id))
    ctx.data["audit_changes"] = {"contracts": [None, made], "decision": [decision.number, "final"]}


# --- cancellation (effect of cancel) ------------------------------------------------------------------------

def cancel_effect(ctx: Context) -> None:
    """Every invited bureau is told, with the reason; a decision in its standstill ends with the tender."""
    session, tender = ctx.session, ctx.obj
    reason = (ctx.reason or "").strip()
    decision = current_decision(session, tender.id)
    if decision is not None and decision.status == "standstill":
        decision.status, decision.closed_at = "cancelled", now()
        _lapse_open_objections(session, tender.id, _("The tender was cancelled."), ctx.user.id if ctx.user else None)
    bureaus = session.exec(select(Bureau).join(Invitation, Invitation.bureau_id == Bureau.id)
                           .where(Invitation.tender_id == tender.id, Invitation.status != "planned")
                           .order_by(Bureau.name)).all()
    for bureau in {b.id: b for b in bureaus}.values():
        _send(session, bureau, "award_tender_cancelled", "cancellation", tender, f"tender:cancelled:{tender.id}:bureau:{bureau.id}",
              reason=reason)
