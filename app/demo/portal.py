"""Demo tenders in the bureau portal's stages: one in `invitation` (a question and a published bulletin),
one in `vision_submission` (a submitted vision and a draft; the deadline ahead), one in `vision_review`
(visions opened four days ago). `to_review` takes any tender that far for the later stages.
Built through the portal's own operations, with the clock set to the moment each step happened."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.audit import SYSTEM
from app.clock import now
from app.demo import texts
from app.demo.drafts import Cast, at, ready_draft, spec_of, timeline
from app.models import Lot, Tender
from app.portal import bulletins, invitations, submissions
from app.tenders import operations as tender_ops


def pdf(title: str) -> bytes:
    return (f"%PDF-1.4\n1 0 obj << /Type /Catalog /Title ({title}) >> endobj\ntrailer << >>\n%%EOF\n").encode()


def vision_input(session: Session, tender: Tender, bureau: str, lots: list[str] | None = None,
                 **changes) -> submissions.VisionInput:
    """The bureau's vision for the lots it applies for (titles; default: the first lot)."""
    rows = session.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position)).all()
    chosen = [r.id for r in rows if r.title in lots] if lots else [rows[0].id]
    view, approach = texts.VISIONS[bureau]
    return submissions.VisionInput(sections={**texts.SECTIONS, "view": view, **changes},
                                   lots={lot_id: approach for lot_id in chosen})


def to_review(session: Session, cast: Cast, title: str, lots: list[tuple[str, str]], invitees: list[str],
              applications: dict[str, list[str] | None], start, dates: dict | None = None,
              declines: dict[str, str] | None = None) -> Tender:
    """Draft → invitations → visions submitted → deadline passed and visions opened (by the system)."""
    dates = dates or timeline(start)
    at(start)
    tender = ready_draft(session, cast.officer, spec_of(title), lots, cast.evaluators, cast.picks(*invitees),
                         start, dates)
    tender_ops.fire(session, cast.officer, tender, "open_invitation")
    at(start + timedelta(days=2))
    for name in applications:
        invitations.accept(session, cast.contact[name], tender)
    for name, reason in (declines or {}).items():
        invitations.decline(session, cast.contact[name], tender, reason)
    at(dates["questions_deadline"] + timedelta(hours=1))
    tender_ops.fire(session, cast.officer, tender, "open_submission")
    for i, (name, applied) in enumerate(applications.items()):
        at(dates["questions_deadline"] + timedelta(days=2 + i, hours=3))
        submissions.submit(session, cast.contact[name], tender, vision_input(session, tender, name, applied),
                           submissions.Upload(pdf(f"Visie {name}"), "visie.pdf") if i == 0 else None, now())
    at(dates["vision_deadline"] + timedelta(minutes=5))
    tender_ops.fire(session, None, tender, "close_submission", actor=SYSTEM)
    return tender


def build(session: Session, cast: Cast) -> dict[str, Tender]:
    four = ["Bureau Meervoud", "De Leergang", "Verbinders Collectief", "Het U-Lab"]

    # Vision review: visions opened four days ago; De Leergang revised its vision once.
    start = cast.days(-30)
    at(start)
    review = ready_draft(session, cast.officer, spec_of("Directieprogramma Almere 2050"), [
        ("Directie", "De directieraad en de concernstaf.")], cast.evaluators, cast.picks(*four), start)
    tender_ops.fire(session, cast.officer, review, "open_invitation")
    at(start + timedelta(days=2))
    invitations.accept(session, cast.contact["Bureau Meervoud"], review)
    invitations.decline(session, cast.contact["Het U-Lab"], review, "Ons team is dit voorjaar volgeboekt.")
    at(start + timedelta(days=13))
    tender_ops.fire(session, cast.officer, review, "open_submission")
    at(start + timedelta(days=20))
    for name in ("Bureau Meervoud", "De Leergang", "Verbinders Collectief"):
        submissions.submit(session, cast.contact[name], review, vision_input(session, review, name),
                           submissions.Upload(pdf(f"Visie {name}"), "visie.pdf") if name == "Bureau Meervoud"
                           else None, now())
    at(start + timedelta(days=24))
    submissions.submit(session, cast.contact["De Leergang"], review, vision_input(
        session, review, "De Leergang", view=texts.VISIONS["De Leergang"][0] + " Zo verbinden we het geheel van "
        "de stad met de eigen vragen van elke leidinggevende."), None, now())
    at(review.vision_deadline + timedelta(hours=1))
    tender_ops.fire(session, None, review, "close_submission", actor=SYSTEM)

    # Vision submission: the deadline is twelve days ahead; one vision in, one bureau on its draft.
    at(cast.days(-14))
    running = ready_draft(session, cast.officer, spec_of("Middenmanagement en de opgaven van de stad"), [
        ("Middenmanagement", "Afdelingsmanagers en programmamanagers.")], cast.evaluators[:2], cast.picks(*four),
        cast.days(-14))
    tender_ops.fire(session, cast.officer, running, "open_invitation")
    tender_ops.fire(session, cast.officer, running, "open_submission")
    at(cast.days(-3))
    submissions.submit(session, cast.contact["Bureau Meervoud"], running,
                       vision_input(session, running, "Bureau Meervoud"), None, now())
    at(cast.days(-1))
    submissions.save_draft(session, cast.contact["De Leergang"], running,
                           vision_input(session, running, "De Leergang", team=""))

    # Invitation: a question answered in bulletin 1, and one still open.
    at(cast.now)
    inviting = ready_draft(session, cast.officer, spec_of("Teamleiders in de wijk — Almere Haven"), [
        ("Teamleiders", "Teamleiders en projectleiders in Almere Haven.")], cast.evaluators[:2],
        cast.picks("Bureau Meervoud", "Het U-Lab", "Koers & Co"), cast.now)
    tender_ops.fire(session, cast.officer, inviting, "open_invitation")
    invitations.accept(session, cast.contact["Bureau Meervoud"], inviting)
    asked = bulletins.ask(session, cast.contact["Het U-Lab"], inviting,
                          "Mogen deelnemers uit verschillende teams samen in één leerkring?")
    bulletins.answer(session, cast.officer, inviting, asked.id,
                     "Ja, dat heeft zelfs de voorkeur: teams leren van elkaar.")
    bulletins.publish(session, cast.officer, inviting, "Antwoorden op de vragen tot nu toe.")
    bulletins.ask(session, cast.contact["Koers & Co"], inviting,
                  "Is er budget voor een slotbijeenkomst met inwoners?")
    return {"vision_review": review, "vision_submission": running, "invitation": inviting}
