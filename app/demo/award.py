"""Demo tenders in `selection` (one lot decided, one to go), `standstill` (decision sent six days ago, an
objection open, the standstill ending in about two weeks), `awarded` (twice: a year ago and two weeks
ago, so the programmes show every stage) and `cancelled` (with its reason). Through the award area's
operations and the tender engine; the definitive award is fired by the system, as `tenders tick` does."""
from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from app.audit import SYSTEM
from app.award import operations as award
from app.award.queries import current_decision, load_selection
from app.demo import texts
from app.demo.drafts import Cast, at, ready_draft, spec_of
from app.demo.evaluation import Round, evaluate
from app.demo.portal import pdf
from app.models import LotSelection, Tender
from app.portal import invitations
from app.tenders import operations as tender_ops

MEERVOUD, U_LAB, LEERGANG, KOERS, VERBINDERS = ("Bureau Meervoud", "Het U-Lab", "De Leergang", "Koers & Co",
                                                 "Verbinders Collectief")


def select_lot(rnd: Round, lot_title: str) -> None:
    """The officer selects the best-ranked bureau of the lot, with a motivation for every applicant."""
    data = load_selection(rnd.session, rnd.tender)
    lv = next(lv for lv in data.lots if lv.lot.title == lot_title)
    ranked = [r for r in lv.rows if r.final is not None]
    winner = max(ranked, key=lambda r: r.final).bureau_id
    choices = {}
    for row in lv.rows:
        name = data.bureaus[row.bureau_id].name
        if row.bureau_id == winner:
            choices[row.bureau_id] = (True, texts.SELECTED[name])
        elif row.final is None:
            choices[row.bureau_id] = (False, "Niet doorgegaan naar de pitch. " + texts.NOT_SHORTLISTED[name])
        else:
            choices[row.bureau_id] = (False, texts.NOT_SELECTED)
    award.save_lot_selection(rnd.session, rnd.cast.officer, rnd.tender, lv.lot.id, choices, None)


def contract_terms(rnd: Round, start_date: date, value_eur: int, years: int = 4) -> None:
    rows = rnd.session.exec(select(LotSelection).where(LotSelection.tender_id == rnd.tender.id,
                                                       LotSelection.selected).order_by(LotSelection.id)).all()
    for row in rows:
        award.save_contract_terms(rnd.session, rnd.cast.officer, rnd.tender, row.id, start_date, years, value_eur)


def decide(rnd: Round, lots: list[str], when, value_eur: int) -> None:
    """Every lot selected, contract terms set, the decision sent to every bureau at once."""
    at(when)
    for title in lots:
        select_lot(rnd, title)
    contract_terms(rnd, (when + timedelta(days=45)).date(), value_eur)
    at(when + timedelta(hours=3))
    tender_ops.fire(rnd.session, rnd.cast.officer, rnd.tender, "send_decision")


def award_after_standstill(rnd: Round) -> None:
    """The night after the standstill ends, the system awards definitively (as `tenders tick` does)."""
    at(current_decision(rnd.session, rnd.tender.id).standstill_ends_at + timedelta(hours=2))
    tender_ops.fire(rnd.session, None, rnd.tender, "award", actor=SYSTEM)


def selection(session: Session, cast: Cast) -> Tender:
    rnd = evaluate(session, cast, "Leergang opgavegericht werken — Almere Poort en Pampus", [
        ("Afdelingsmanagers", "Afdelingsmanagers van de gebiedsteams Poort en Pampus."),
        ("Teamleiders", "Teamleiders van de gebiedsteams Poort en Pampus.")],
        [MEERVOUD, LEERGANG, KOERS, VERBINDERS],
        {MEERVOUD: ["Afdelingsmanagers"], LEERGANG: ["Afdelingsmanagers"], KOERS: ["Teamleiders"],
         VERBINDERS: ["Teamleiders"]},
        cast.days(-50), [MEERVOUD, LEERGANG, VERBINDERS], selection=53)
    at(cast.days(-2))
    select_lot(rnd, "Afdelingsmanagers")
    return rnd.tender


def standstill(session: Session, cast: Cast) -> Tender:
    rnd = evaluate(session, cast, "Afdelingsmanagers Almere Buiten: opgavegericht leiderschap", [
        ("Afdelingsmanagers", "Afdelingsmanagers en hun plaatsvervangers in Almere Buiten.")],
        [MEERVOUD, LEERGANG, KOERS], {MEERVOUD: None, LEERGANG: None},
        cast.days(-70), [MEERVOUD, LEERGANG], {(1, LEERGANG): ("personal", "Mijn zwager werkt als begeleider "
                                                                "bij De Leergang.")},
        declines={KOERS: "We richten ons dit jaar op het onderwijs; succes met de leergang."})
    decide(rnd, ["Afdelingsmanagers"], cast.days(-6, hour=9), 95_000)
    at(cast.days(-2, hour=16))
    award.lodge_objection(session, cast.contact[LEERGANG], rnd.tender, texts.OBJECTION,
                          [("bezwaar-de-leergang.pdf", pdf("Bezwaar De Leergang"))])
    return rnd.tender


def awarded(session: Session, cast: Cast) -> tuple[Tender, Tender]:
    """Two awarded tenders: a year ago (Top and middle management, two bureaus) and two weeks ago."""
    year_ago = evaluate(session, cast, "Leiderschap in het publiek domein 2025–2029", [
        ("Top van de organisatie", "Directie en concernstaf."),
        ("Middenmanagement", "Afdelingsmanagers en programmamanagers.")],
        [MEERVOUD, U_LAB, LEERGANG, KOERS],
        {U_LAB: ["Top van de organisatie"], LEERGANG: ["Top van de organisatie"],
         MEERVOUD: ["Middenmanagement"], KOERS: ["Middenmanagement"]},
        cast.days(-470), [U_LAB, LEERGANG, MEERVOUD, KOERS])
    decide(year_ago, ["Top van de organisatie", "Middenmanagement"], cast.days(-424, hour=10), 160_000)
    award_after_standstill(year_ago)

    recent = evaluate(session, cast, "Teamleiders: samen de wijk in", [
        ("Teamleiders", "Teamleiders en projectleiders van alle stadsdelen.")],
        [VERBINDERS, KOERS, U_LAB], {VERBINDERS: None, KOERS: None},
        cast.days(-84), [VERBINDERS, KOERS], declines={U_LAB: "Ons team zit vol tot de zomer."})
    decide(recent, ["Teamleiders"], cast.days(-38, hour=10), 85_000)
    award_after_standstill(recent)
    return year_ago.tender, recent.tender


def cancelled(session: Session, cast: Cast) -> Tender:
    start = cast.days(-20)
    at(start)
    tender = ready_draft(session, cast.officer, spec_of("Coachpool voor nieuwe leidinggevenden"), [
        ("Nieuwe leidinggevenden", "Leidinggevenden in hun eerste jaar.")], cast.evaluators[:2],
        cast.picks(MEERVOUD, LEERGANG, VERBINDERS), start)
    tender_ops.fire(session, cast.officer, tender, "open_invitation")
    at(start + timedelta(days=3))
    invitations.accept(session, cast.contact[LEERGANG], tender)
    at(cast.days(-6, hour=11))
    tender_ops.fire(session, cast.officer, tender, "cancel", reason=texts.CANCEL_REASON)
    return tender
