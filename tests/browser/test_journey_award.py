"""Journey: the officer selects a different bureau for each of two lots, with motivations, and sends
the award decision on a Sunday (the standstill would end on a Saturday and runs to Monday); every
bureau gets one letter with a PDF of its own scores, the winner and the end date; a bureau objects,
the officer rejects the objection, and after the standstill `tenders tick` awards the tender with a
programme per awarded lot."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app import clock
from app.clock import amsterdam
from app.models import Objection, OutboxAttachment, OutboxMessage, Programme, Tender
from tests.award_factories import selection_tender
from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.test_award import PDF_BYTES, pdf_text

pytestmark = pytest.mark.browser

NAMES = ["Bureau Meervoud", "Het U-Lab", "Koers & Co"]
LOTS = ["Top van de organisatie", "Middenmanagement"]


def _select(page, lot: str, winner: str, motivations: dict[str, str]) -> None:
    card = page.locator(f"section.lot-selection[data-lot='{lot}']")
    for bureau, text in motivations.items():
        block = card.locator(f"fieldset[data-bureau='{bureau}']")
        if bureau == winner:
            block.locator("input[type=checkbox]").check()
        block.locator("textarea").fill(text)
    card.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("Selectie opgeslagen")
    expect(page.locator(f"section.lot-selection[data-lot='{lot}'] .badge-ok")).to_have_text("besloten")


def test_selection_decision_objection_and_award(page, browser, live_server, make, session, runner):
    clock.freeze(amsterdam(2027, 1, 31, 11))  # Sunday: day 20 is Saturday 20 February → Monday 22 February
    a = selection_tender(make, bureaus=3, lots=2, names=NAMES, lot_titles=LOTS, bureau_users=True)
    log_in(page, a.officer.email, PASSWORD)
    page.goto(f"/tenders/{a.tender.id}")
    expect(page.locator("button[data-event=send_decision]")).to_be_disabled()
    page.click("#award a.button")

    _select(page, LOTS[0], "Bureau Meervoud", {
        "Bureau Meervoud": "Sterkste visie op leiderschap in de top; overtuigende pitch.",
        "Het U-Lab": "Goed verhaal, maar minder gericht op de top.",
        "Koers & Co": "Te weinig uitgewerkt voor de top.",
    })
    _select(page, LOTS[1], "Het U-Lab", {
        "Bureau Meervoud": "Sterk, maar voor dit perceel minder divers.",
        "Het U-Lab": "Theory U past bij het middenmanagement; sterke co-creatie.",
        "Koers & Co": "Minder concreet over co-creatie.",
    })
    page.click("text=Terug naar de aanbesteding")
    send = page.locator("button[data-event=send_decision]")
    expect(send).to_be_enabled()
    send.click()
    expect(page.locator(".flash-success")).to_contain_text("Opschortende termijn")
    expect(page.locator("#award")).to_contain_text("maandag 22 februari 2027 om 24:00 uur")
    expect(page.locator("#award .countdown-left")).to_contain_text("nog 22 dagen")

    session.commit()
    letters = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "decision")).all()
    assert sorted(m.to_addr for m in letters) == sorted(b.contact_email for b in a.bureaus)
    for message, bureau in ((m, next(b for b in a.bureaus if b.contact_email == m.to_addr)) for m in letters):
        pdf = session.exec(select(OutboxAttachment).where(OutboxAttachment.message_id == message.id)).one()
        text = pdf_text(pdf.content).replace("\n", " ")
        assert "Gunningsbeslissing" in text and "maandag 22 februari 2027 om 24:00" in text
        assert f"voor {bureau.name}: één € notitie" in text
        assert "Bureau Meervoud" in text and "Het U-Lab" in text
    koers = next(b for b in a.bureaus if b.name == "Koers & Co")
    mail = next(m for m in letters if m.to_addr == koers.contact_email)
    link = re.search(r"https?://\S+(/award/tenders/\d+)", mail.body_text).group(1)

    # The bureau that was not selected reads its letter and objects, with an attachment.
    bureau_ctx = browser.new_context(base_url=live_server.url, locale="nl-NL", timezone_id="Europe/Amsterdam")
    bureau_page = bureau_ctx.new_page()
    log_in(bureau_page, a.users[koers.id].email, PASSWORD)
    bureau_page.goto(link)
    expect(bureau_page.locator(".letter")).to_contain_text("Niet gekozen")
    expect(bureau_page.locator(".standstill-end")).to_have_text("maandag 22 februari 2027 om 24:00 uur")
    bureau_page.fill("#text", "Onze pitchscore op criterium 2 is onjuist vastgesteld.")
    bureau_page.set_input_files("#files", files=[{"name": "bezwaar.pdf", "mimeType": "application/pdf",
                                                  "buffer": PDF_BYTES}])
    bureau_page.click("#objections button[type=submit]")
    expect(bureau_page.locator(".flash-success")).to_contain_text("Je bezwaar is ingediend")
    expect(bureau_page.locator("#objections")).to_contain_text("bezwaar.pdf")
    bureau_ctx.close()

    # The officer sees the open objection block the award, and rejects it.
    page.reload()
    expect(page.locator("#award")).to_contain_text("Open bezwaren: 1")
    page.click("#award a.button")
    objection = page.locator("#objections .objection-open")
    expect(objection).to_contain_text("Onze pitchscore op criterium 2")
    objection.locator("input[value=rejected]").check()
    objection.locator("textarea").fill("De pitchscore is in consensus vastgesteld en juist.")
    objection.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("Bezwaar afgewezen")
    session.commit()  # end the test session's read snapshot (SQLite) to see the server's writes
    assert session.exec(select(Objection.status)).one() == "rejected"

    # After the standstill (Monday 22 February, 24:00) the tick awards the tender.
    clock.freeze(amsterdam(2027, 2, 22, 23, 0))
    assert "awarded" not in runner.invoke(args=["tenders", "tick"]).output
    clock.freeze(amsterdam(2027, 2, 23, 0, 5))
    result = runner.invoke(args=["tenders", "tick"])
    assert f"{a.tender.reference}: awarded definitively" in result.output, result.output
    session.commit()
    session.expire_all()
    assert session.get(Tender, a.tender.id).state == "awarded"
    programmes = session.exec(select(Programme).order_by(Programme.lot_id)).all()
    assert [(p.lot_id, p.bureau_id, p.state) for p in programmes] == [
        (a.lots[0].id, a.bureaus[0].id, "plan"), (a.lots[1].id, a.bureaus[1].id, "plan")]
    page.goto(f"/tenders/{a.tender.id}")
    expect(page.locator(".pagehead .stage")).to_have_class(re.compile("stage-awarded"))
    page.click("#award a.button")
    expect(page.locator("#programmes tbody tr")).to_have_count(2)
