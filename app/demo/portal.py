"""Demo tenders past the draft: one in `invitation` (a question and a published bulletin), one in
`vision_submission` (a draft and a submitted vision), one in `vision_review` (visions opened).
Built through the portal's own operations; the opened one with the clock frozen in the past."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app import clock
from app.audit import SYSTEM
from app.models import Lot
from app.portal import bulletins, invitations, submissions
from app.tenders import operations as tender_ops

VISION = {
    "view": "Leiderschap dat de stad in gaat: leidinggevenden die het gesprek met inwoners, ondernemers en "
            "partners zelf voeren, en hun teams daarin voorgaan. Niet eerst plannen, dan uitvoeren, maar samen "
            "met de stad waarnemen wat er nodig is (Theory U: van buiten naar binnen).",
    "co_creation": "Elke bijeenkomst ontwerpen we samen met een ontwerpgroep van de gemeente; na elk blok "
                   "evalueren we samen en passen we het programma aan.",
    "personal_level": "Intervisie, persoonlijke leervragen en een eigen praktijkopdracht in de wijk, "
                      "gesponsord door een directeur.",
    "experience": "Leiderschapstrajecten voor drie middelgrote gemeenten en een woningcorporatie; referenties "
                  "op aanvraag.",
    "team": "Twee vaste begeleiders en een acteur voor de oefensessies.",
}


def _pdf(title: str) -> bytes:
    return (f"%PDF-1.4\n1 0 obj << /Type /Catalog /Title ({title}) >> endobj\ntrailer << >>\n%%EOF\n").encode()


def _vision(session: Session, tender, lots: int = 1, **changes) -> submissions.VisionInput:
    lot_ids = session.exec(select(Lot.id).where(Lot.tender_id == tender.id).order_by(Lot.position)).all()[:lots]
    return submissions.VisionInput(sections={**VISION, **changes},
                                   lots={i: "We starten met een intake per deelnemer en werken in leerkringen "
                                            "van acht." for i in lot_ids})


def build(session: Session, users: dict, bureaus: dict, ready_draft, spec_of) -> None:
    officer = users["inkoper@almere.example"]
    evaluators = [users[f"beoordelaar{i}@almere.example"] for i in (1, 2, 3)]
    contact = {name: users[b.contact_email] for name, b in bureaus.items()}
    three = [bureaus[n] for n in ("Bureau Meervoud", "Het U-Lab", "Koers & Co")]
    four = [bureaus[n] for n in ("Bureau Meervoud", "De Leergang", "Verbinders Collectief", "Het U-Lab")]

    # 1. Opened visions: built in the past, the deadline passed four days ago.
    start = clock.now() - timedelta(days=30)
    clock.freeze(start)
    try:
        past = ready_draft(session, officer, spec_of("Directieprogramma Almere 2050"), [
            ("Directie", "De directieraad en de concernstaf.")], evaluators, four, start)
        tender_ops.fire(session, officer, past, "open_invitation")
        clock.freeze(start + timedelta(days=2))
        invitations.accept(session, contact["Bureau Meervoud"], past)
        invitations.decline(session, contact["Het U-Lab"], past, "Ons team is dit voorjaar volgeboekt.")
        clock.freeze(start + timedelta(days=13))
        tender_ops.fire(session, officer, past, "open_submission")
        clock.freeze(start + timedelta(days=20))
        submissions.submit(session, contact["Bureau Meervoud"], past, _vision(session, past),
                           submissions.Upload(_pdf("Visie Bureau Meervoud"), "visie-bureau-meervoud.pdf"), clock.now())
        submissions.submit(session, contact["De Leergang"], past, _vision(session, past, view=(
            "Leiderschap als vakmanschap: we leren leidinggevenden kijken naar het geheel van de stad.")), None,
            clock.now())
        clock.freeze(start + timedelta(days=24))
        submissions.submit(session, contact["De Leergang"], past, _vision(session, past, view=(
            "Leiderschap als vakmanschap: we leren leidinggevenden kijken naar het geheel van de stad, en "
            "verbinden dat met hun eigen vragen.")), None, clock.now())
        clock.freeze(past.vision_deadline + timedelta(hours=1))
        tender_ops.fire(session, None, past, "close_submission", actor=SYSTEM)
    finally:
        clock.freeze(None)

    # 2. Vision submission: one vision submitted, one bureau still on its draft.
    now = clock.now()
    clock.freeze(now - timedelta(days=14))
    try:
        running = ready_draft(session, officer, spec_of("Middenmanagement en de opgaven van de stad"), [
            ("Middenmanagement", "Afdelingsmanagers en programmamanagers.")], evaluators[:2], four, clock.now())
        tender_ops.fire(session, officer, running, "open_invitation")
        tender_ops.fire(session, officer, running, "open_submission")
        submissions.submit(session, contact["Bureau Meervoud"], running, _vision(session, running), None, clock.now())
        submissions.save_draft(session, contact["De Leergang"], running, _vision(session, running, team=""))
    finally:
        clock.freeze(None)

    # 3. Invitation: a question answered in bulletin 1, and one still open.
    inviting = ready_draft(session, officer, spec_of("Teamleiders in de wijk — Almere Haven"), [
        ("Teamleiders", "Teamleiders en projectleiders in Almere Haven.")], evaluators[:2], three, now)
    tender_ops.fire(session, officer, inviting, "open_invitation")
    invitations.accept(session, contact["Bureau Meervoud"], inviting)
    asked = bulletins.ask(session, contact["Het U-Lab"], inviting,
                          "Mogen deelnemers uit verschillende teams samen in één leerkring?")
    bulletins.answer(session, officer, inviting, asked.id, "Ja, dat heeft zelfs de voorkeur: teams leren van elkaar.")
    bulletins.publish(session, officer, inviting, "Antwoorden op de vragen tot nu toe.")
    bulletins.ask(session, contact["Koers & Co"], inviting, "Is er budget voor een slotbijeenkomst met inwoners?")
