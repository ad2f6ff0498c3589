"""Journey: an officer creates a tender, fills the draft, is refused with a reason, fixes it,
and sends the invitations; the demo tender goes on to vision submission."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.models import AuditEvent, Tender
from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _fill_section(page, section: str, values: dict[str, str]) -> None:
    page.click(f"#{section} .card-head a")
    for field, value in values.items():
        page.fill(f"#{field}", value)
    page.click("main form button[type=submit]")


def _add_criterion(page, stage: str, title: str, weight: str) -> None:
    page.click(f"#criteria-{stage} .card-head a")
    page.fill("#title", title)
    page.fill("#weight", weight)
    page.click("main form button.primary")


def test_officer_fills_a_draft_and_sends_invitations(page, make, session):
    org = make.organisation("Gemeente Almere")
    officer = make.officer(org, email="inkoper@almere.example")
    make.evaluator(org, name="Ruud Smit")
    bureaus = [make.bureau(name) for name in ("Bureau Meervoud", "Het U-Lab", "Koers & Co")]
    log_in(page, officer.email, PASSWORD)

    page.click("a[href='/tenders/new']")
    page.fill("#title", "Leiderschapsprogramma Almere")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Leiderschapsprogramma Almere")
    # Not ready yet: the action is greyed and says why.
    expect(page.locator("button[data-event=open_invitation]")).to_be_disabled()
    expect(page.locator("#why-open_invitation")).to_contain_text("Voeg minstens één perceel (managementlaag) toe.")

    _fill_section(page, "brief", {"city_goals": "De stad verdubbelt tot 2050.",
                                  "development_track": "Organisatieontwikkeling met medewerkers.",
                                  "open_question": "Wat is er nodig aan leiderschap?"})
    _fill_section(page, "timeline", {"invitation_at": "2027-01-11T09:00", "questions_deadline": "2027-01-25T12:00",
                                     "vision_deadline": "2027-02-15T17:00", "pitch_start": "2027-03-01T09:00",
                                     "pitch_end": "2027-03-03T17:00", "selection_at": "2027-03-15T12:00"})
    page.click("#lots .card-head a")
    page.fill("#title", "Top van de organisatie")
    page.click("main form button.primary")
    _add_criterion(page, "vision", "Visie op leiderschap", "100")
    _add_criterion(page, "pitch", "Overtuigingskracht", "100")
    page.select_option("#pick-panel", label="Ruud Smit")
    page.click("#panel .picker button")
    for bureau in bureaus[:2]:
        page.select_option("#pick-invitees", label=bureau.name)
        page.click("#invitees .picker button")

    # Two bureaus: refused with the Gids Proportionaliteit reason.
    expect(page.locator("button[data-event=open_invitation]")).to_be_disabled()
    expect(page.locator("#why-open_invitation")).to_contain_text("Nodig 3 tot 5 bureaus uit (nu 2)")
    expect(page.locator("#why-open_invitation li")).to_have_count(1)

    page.select_option("#pick-invitees", label=bureaus[2].name)
    page.click("#invitees .picker button")
    send = page.locator("button[data-event=open_invitation]")
    expect(send).to_be_enabled()
    send.click()
    expect(page.locator(".flash-success")).to_contain_text("de fase “Uitnodiging”")
    expect(page.locator(".pagehead .stage")).to_have_class(re.compile("stage-invitation"))
    expect(page.locator("svg [aria-current=step]")).to_have_attribute("data-state", "invitation")

    tender = session.exec(select(Tender)).one()
    assert tender.state == "invitation"
    page.click("a[href$='/audit']")
    expect(page.locator("table.events")).to_contain_text("Uitnodigingen verstuurd")
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "tender.open_invitation")).one().actor_id == officer.id


def test_demo_tender_from_draft_to_vision_submission(page, runner, session):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    log_in(page, "inkoper@almere.example", "samenspel-demo")
    page.click("text=Leiderschapsprogramma gemeente Almere")
    diagram = page.locator("svg.wf-diagram")
    expect(diagram).to_be_visible()
    expect(diagram.locator("[aria-current=step]")).to_have_attribute("data-state", "draft")

    page.click("button[data-event=open_invitation]")
    expect(diagram.locator("[aria-current=step]")).to_have_attribute("data-state", "invitation")
    page.click("button[data-event=open_submission]")
    expect(diagram.locator("[aria-current=step]")).to_have_attribute("data-state", "vision_submission")
    # Sealed until the deadline: closing is refused with the reason and the deadline shown.
    expect(page.locator("button[data-event=close_submission]")).to_be_disabled()
    expect(page.locator("#why-close_submission")).to_contain_text(re.compile(r"\d{4} \d{2}:\d{2}"))
    session.expire_all()
    assert session.exec(select(Tender.state).where(Tender.title == "Leiderschapsprogramma gemeente Almere")).one() \
        == "vision_submission"
