"""Journey (issue 3, "Done when"): the officer opens the invitation stage; a bureau follows the link
from the e-mail that arrived at the test SMTP server, sets its password, reads the brief and asks a
question; the officer publishes the answer; every invited bureau sees it without the asker's name;
the bureau submits a vision with an attachment and revises it; a second bureau cannot see it; the
officer cannot read it before the deadline; a late submit is refused with the deadline shown; after
`tenders tick` past the deadline the opening record lists the submissions and the panel reads them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app import clock
from app.auth.passwords import hash_password
from app.models import Attachment, Bureau, Lot, PanelMember, Tender, User, Vision
from app.tenders import operations
from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.portal_factories import pdf_bytes

pytestmark = pytest.mark.browser


def _new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", timezone_id="Europe/Amsterdam")
    context.set_default_timeout(10_000)
    return context.new_page()


def _fill_vision(page, lot_id: int, team: str) -> None:
    page.fill("#view", "Leiderschap dat de wijk in gaat, samen met inwoners.")
    page.fill("#co_creation", "Elke bijeenkomst ontwerpen we samen met de gemeente.")
    page.fill("#personal_level", "Persoonlijke leervragen en intervisie.")
    page.fill("#experience", "Drie gemeenten gingen u voor.")
    page.fill("#team", team)
    page.check(f"#lot-{lot_id}")
    page.fill(f"#approach-{lot_id}", "Leerkringen van acht teamleiders.")


def test_invitation_questions_sealed_vision_and_opening(page, browser, live_server, app, mail_server, runner,
                                                        session, make):
    app.config["BASE_URL"] = live_server.url
    org = make.organisation("Gemeente Almere")
    officer = make.officer(org, email="inkoper@almere.example")
    tender = make.tender(officer, bureaus=0, lots=1, evaluators=1, title="Teamleiders in de wijk")
    for name, email in (("Bureau Meervoud", "esther@meervoud.example"), ("Het U-Lab", "pieter@u-lab.example"),
                        ("Koers & Co", "sanne@koersenco.example")):
        operations.add_invitee(session, officer, tender, make.bureau(name, contact_email=email), None)
    session.commit()
    lot_id = session.exec(select(Lot.id).where(Lot.tender_id == tender.id)).one()
    evaluator = session.exec(select(User).join(PanelMember, PanelMember.user_id == User.id)).one()

    # The officer opens the invitation stage; the e-mails reach the SMTP server.
    log_in(page, officer.email, PASSWORD)
    page.goto(f"/tenders/{tender.id}")
    page.click("button[data-event=open_invitation]")
    expect(page.locator(".pagehead .stage")).to_have_class(re.compile("stage-invitation"))
    assert "Sent 3" in runner.invoke(args=["outbox", "send"]).output
    meervoud = session.exec(select(Bureau).where(Bureau.name == "Bureau Meervoud")).one()
    [invitation_mail] = mail_server.to(meervoud.contact_email)
    link = re.search(r"(http://\S+/invitation/\S+)", mail_server.body(invitation_mail)).group(1)

    # Bureau Meervoud follows the link, sets its password, reads the brief and asks a question.
    bureau = _new_page(browser, live_server)
    bureau.goto(link)
    bureau.fill("#password", "een sterk wachtwoord")
    bureau.fill("#confirm", "een sterk wachtwoord")
    bureau.click("main button[type=submit]")
    expect(bureau.locator("h1")).to_have_text("Teamleiders in de wijk")
    expect(bureau.locator(".open-question")).to_contain_text("Wat is er nodig aan leiderschap?")
    expect(bureau.locator("#criteria-vision")).to_contain_text("60 %")
    bureau.click("button[data-action=accept]")
    expect(bureau.locator(".flash-success")).to_contain_text("aangenomen")
    bureau.fill("#text", "Mogen deelnemers uit verschillende teams samen in één leerkring?")
    bureau.click("#questions button[type=submit]")
    expect(bureau.locator(".own-questions")).to_contain_text("wacht op de Nota van Inlichtingen")

    # The officer answers and publishes the bulletin.
    page.goto(f"/tenders/{tender.id}/questions")
    expect(page.locator("#pending")).to_contain_text("Bureau Meervoud")  # the officer knows who asked
    page.locator("#pending textarea").fill("Ja, dat heeft zelfs de voorkeur.")
    page.click("#pending button[type=submit]")
    page.click("button[data-action=publish]")
    expect(page.locator(".flash-success")).to_contain_text("Nota van Inlichtingen 1")

    # Another invited bureau sees the answer, without the asker's name.
    session.commit()  # a fresh look at what the server wrote
    ulab_user = session.exec(select(User).join(Bureau, Bureau.id == User.bureau_id)
                             .where(Bureau.name == "Het U-Lab")).one()
    ulab_user.password_hash = hash_password(PASSWORD)
    session.commit()
    other = _new_page(browser, live_server)
    log_in(other, ulab_user.email, PASSWORD)
    other.goto(f"/portal/tenders/{tender.id}")
    expect(other.locator("#bulletin-1")).to_contain_text("Ja, dat heeft zelfs de voorkeur.")
    expect(other.locator("#bulletin-1")).to_contain_text("Mogen deelnemers uit verschillende teams")
    assert "Bureau Meervoud" not in other.content() and "Contact" not in other.locator("#bulletins").inner_text()
    assert len(mail_server.to(ulab_user.email)) == 1  # not yet sent: the bulletin waits in the outbox
    runner.invoke(args=["outbox", "send"])
    assert any("Nota van Inlichtingen 1" in m["Subject"] for m in mail_server.to(ulab_user.email))

    # The officer opens vision submission (every question is answered and published).
    page.goto(f"/tenders/{tender.id}")
    page.click("button[data-event=open_submission]")
    expect(page.locator(".pagehead .stage")).to_have_class(re.compile("stage-vision_submission"))

    # Bureau Meervoud submits a vision with an attachment, then revises it.
    bureau.goto(f"/portal/tenders/{tender.id}/vision")
    _fill_vision(bureau, lot_id, "Twee vaste begeleiders.")
    bureau.set_input_files("#attachment", {"name": "visie-meervoud.pdf", "mimeType": "application/pdf",
                                           "buffer": pdf_bytes("visie van Meervoud")})
    bureau.click("button[data-action=submit]")
    expect(bureau.locator(".flash-success")).to_contain_text("Versie 1")
    bureau.fill("#team", "Drie begeleiders en een acteur.")
    bureau.click("button[data-action=submit]")
    expect(bureau.locator(".flash-success")).to_contain_text("Versie 2")
    expect(bureau.locator("#versions li")).to_have_count(2)
    expect(bureau.locator("#files")).to_contain_text("visie-meervoud.pdf")

    # A second bureau cannot see it; the officer cannot read it before the deadline.
    session.commit()
    vision = session.exec(select(Vision).where(Vision.bureau_id == meervoud.id)).one()
    attachment = session.exec(select(Attachment).order_by(Attachment.id.desc())).first()
    assert other.goto(f"/portal/tenders/{tender.id}/vision/attachments/{attachment.id}").status == 404
    other.goto(f"/portal/tenders/{tender.id}/vision")
    expect(other.locator("#view")).to_have_value("")
    page.goto(f"/tenders/{tender.id}")
    expect(page.locator("tr[data-bureau='Bureau Meervoud'] .submission")).to_contain_text("ingediend")
    assert "Drie begeleiders" not in page.content()
    sealed = page.goto(f"/tenders/{tender.id}/visions/{vision.id}")
    assert sealed.status == 409
    expect(page.locator("h1")).to_have_text("Verzegeld tot de deadline")

    # Past the deadline, a late submit is refused with the deadline shown; nothing is lost.
    other.goto(f"/portal/tenders/{tender.id}/vision")
    _fill_vision(other, lot_id, "Ons team")
    deadline = session.get(Tender, tender.id).vision_deadline
    clock.freeze(deadline + timedelta(minutes=1))
    other.click("button[data-action=submit]")
    refusal = other.locator("#refusal")
    expect(refusal).to_contain_text("De deadline voor visies is verstreken")
    expect(refusal).to_contain_text(clock.local(deadline).strftime("%H:%M"))
    expect(other.locator("#team")).to_have_value("Ons team")

    # `tenders tick` opens the visions; the opening record lists them and the panel reads them.
    assert f"{tender.reference}: vision_review" in runner.invoke(args=["tenders", "tick"]).output
    page.goto(f"/tenders/{tender.id}")
    opening = page.locator("#opening")
    expect(opening.locator("tr[data-bureau='Bureau Meervoud']")).to_contain_text("versie 2")
    expect(opening.locator("tr[data-bureau='Het U-Lab']")).to_contain_text("geen visie ingediend")
    panel = _new_page(browser, live_server)
    log_in(panel, evaluator.email, PASSWORD)
    # Material unlocks only after the member declared their conflicts of interest (issue 4).
    panel.goto(f"/evaluation/tenders/{tender.id}/conflicts")
    panel.locator("select[id^=kind_]").first.select_option("none")
    panel.click("form.declarations button[type=submit]")
    expect(panel.locator(".flash-success")).to_contain_text("Je verklaringen zijn vastgelegd.")
    panel.goto(f"/tenders/{tender.id}")
    panel.click("#opening a:has-text('Lees de visie')")
    expect(panel.locator("h1")).to_have_text("Visie van Bureau Meervoud")
    expect(panel.locator("main")).to_contain_text("Drie begeleiders en een acteur.")
    expect(panel.locator("main")).to_contain_text("visie-meervoud.pdf")
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    for extra in (bureau, other, panel):
        extra.context.close()
