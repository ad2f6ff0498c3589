"""Journey (issue 6, "Done when"): with a fixed clock, officer and bureau co-create and both accept a
plan (the programme starts running); participants fill it to capacity and the next goes on the waiting
list; a year later the evaluation opens, both submit their forms, "continue with adjustments" opens plan
version 2, which both accept; the programme page shows both years and the indicator chart."""
from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app import clock
from app.clock import amsterdam
from app.models import AuditEvent, OutboxMessage, Participant, PlanVersion, Programme
from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.programme_factories import TEXTS, ProgrammeFactory

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("JOURNEY_SCREENSHOTS")  # a folder: save a screenshot of each step there


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _fill_plan(page, sessions: list[tuple[str, str]], values: dict[str, str]) -> None:
    for field, value in values.items():
        page.fill(f"#{field}", value)
    for i, (day, themes) in enumerate(sessions):
        page.fill(f"#sessions-{i}-held_on", day)
        page.fill(f"#sessions-{i}-themes", themes)


def _register(page, name: str, organisation: str, role: str) -> None:
    page.fill("#name", name)
    page.fill("#organisation", organisation)
    page.fill("#role", role)
    page.click("button[data-action=register]")


def _submit_form(page, programme_id: int, scores: list[str]) -> None:
    page.goto(f"/programmes/{programme_id}/evaluations/1/form")
    for field, text in TEXTS.items():
        page.fill(f"#{field}", text)
    for i, score in enumerate(scores):
        page.fill(f"#scores-{i}-score", score)
    page.click("button[data-action=submit-form]")
    expect(page.locator(".flash-success")).to_be_visible()


def test_plan_participants_and_a_year_of_evaluation(page, browser, live_server, make, session, runner):
    clock.freeze(amsterdam(2027, 6, 1, 10))
    almere = make.organisation("Gemeente Almere")
    officer = make.officer(almere, name="Marieke Jansen", email="inkoper@almere.example")
    bureau = make.bureau("Het U-Lab", contact_email="pieter@u-lab.example")
    setup = ProgrammeFactory(make).programme(officer=officer, bureau=bureau)
    setup.bureau_user.name = "Pieter Bakker"
    session.commit()
    pid = setup.programme.id

    bureau_ctx = browser.new_context(base_url=live_server.url, locale="nl-NL", timezone_id="Europe/Amsterdam")
    bureau_ctx.set_default_timeout(10_000)
    bpage = bureau_ctx.new_page()

    # --- the officer writes the first draft --------------------------------------------------------------
    log_in(page, officer.email, PASSWORD)
    page.click("nav a[href='/programmes/']")
    expect(page.locator("#tasks li[data-kind=draft]")).to_have_count(1)
    page.click(f"a[href='/programmes/{pid}']")
    expect(page.locator(".pagehead .stage")).to_have_class(re.compile("stage-p-plan"))
    page.click("button[data-action=start-plan]")
    _fill_plan(page, [(f"2027-{m:02d}-14", f"Thema {i + 1}") for i, m in enumerate(range(9, 13))] +
               [("2028-01-13", "Persoonlijk leiderschap"), ("2028-02-25", "Omgaan met politiek en bestuur")], {
        "target_group": "Afdelingsmanagers, teamleiders en programmamanagers",
        "intake": "Groepsgewijze intakegesprekken in augustus",
        "max_participants": "3", "cost_per_participant_eur": "3300",
        "time_investment": "Intake: 1 dagdeel; leergang en voorbereiding: 10 dagen",
        "enrolment_deadline": "2027-08-31", "programme_leads": "Esther Hoekstra en Pieter Bakker",
        "spread-0-organisation": "Gemeente Almere", "spread-0-places": "2",
        "spread-1-organisation": "Woonstad", "spread-1-places": "1",
        "indicators-0-name": "Betrokkenheid", "indicators-1-name": "Reflectief vermogen",
    })
    shot(page, "00-plan-edit")
    page.click("main form button.primary")
    expect(page.locator("h1")).to_contain_text("versie 1")
    page.fill("#body", "Kunnen jullie de intake in september doen?")
    page.click("button[data-action=comment]")
    expect(page.locator(".comments")).to_contain_text("intake in september")
    shot(page, "01-officer-draft")

    # --- the bureau changes the draft and accepts it ------------------------------------------------------
    log_in(bpage, setup.bureau_user.email, PASSWORD)
    bpage.click("nav a[href='/programmes/']")
    bpage.click("#tasks li[data-kind=draft] a")
    expect(bpage.locator(".comments")).to_contain_text("intake in september")
    bpage.click("text=Dit concept bewerken")
    bpage.fill("#intake", "Groepsgewijze intakegesprekken in september")
    bpage.click("main form button.primary")
    bpage.click("button[data-action=accept]")
    expect(bpage.locator(".flash-success")).to_contain_text("Je hebt versie 1 geaccepteerd")

    # The officer's page still shows the revision before the bureau's change: accepting it is refused.
    page.click("button[data-action=accept]")
    expect(page.locator("#refusal")).to_contain_text("Pieter Bakker")
    expect(page.locator("#refusal")).to_contain_text("intake")
    page.click("#refusal a")
    expect(page.locator("table.compare tr.changed")).to_have_count(1)
    expect(page.locator("table.compare tr.changed")).to_contain_text("september")
    shot(page, "02-what-changed")
    page.click("text=Terug naar versie 1")
    page.click("button[data-action=accept]")
    expect(page.locator(".flash-success")).to_contain_text("het programma loopt nu")

    page.goto(f"/programmes/{pid}")
    expect(page.locator(".pagehead .stage")).to_have_class(re.compile("stage-p-running"))
    expect(page.locator("svg.wf-diagram [aria-current=step]")).to_have_attribute("data-state", "running")

    # --- participants: full is full, then the waiting list --------------------------------------------------
    page.click("text=Alle deelnemers")
    for name, org in (("Anna de Vries", "Gemeente Almere"), ("Bram Smit", "Woonstad"),
                      ("Carla Jansen", "Gemeente Almere")):
        _register(page, name, org, "Teamleider")
        expect(page.locator(".flash-success")).to_contain_text(f"{name} is ingeschreven")
    _register(page, "Dirk Bos", "Woonstad", "Projectleider")
    expect(page.locator(".flash-warning")).to_contain_text("vol = vol")
    expect(page.locator("table.participants tr[data-status=enrolled]")).to_have_count(3)
    expect(page.locator("table.waitinglist tr[data-status=waiting]")).to_contain_text("Dirk Bos")
    expect(page.locator(".spreadtable tr[data-organisation='Gemeente Almere']")).to_contain_text("2")
    shot(page, "03-participants")

    # --- a year later: the tick opens the evaluation and both sides submit their forms ----------------------
    clock.advance(timedelta(days=366))
    result = runner.invoke(args=["tenders", "tick"])
    assert f"programme {pid}: evaluation opened" in result.output, result.output
    page.goto("/programmes/")
    expect(page.locator("#tasks li[data-kind=form]")).to_have_count(1)
    _submit_form(page, pid, ["7", "6"])
    _submit_form(bpage, pid, ["8", "7"])
    page.goto(f"/programmes/{pid}/evaluations/1")
    expect(page.locator(".evalforms")).to_contain_text("Beter omgaan met onzekerheid")
    page.check("input[name=decision][value=adjust]")
    page.fill("#notes", "Meer één-op-één gesprekken; een extra terugkomdag.")
    shot(page, "04-evaluation")
    page.click("button[data-action=decide]")
    expect(page.locator("h1")).to_contain_text("versie 2")

    # --- plan version 2: the bureau adjusts it, both accept -------------------------------------------------
    bpage.goto(f"/programmes/{pid}/plan/2/edit")
    bpage.fill("#max_participants", "4")
    bpage.fill("#spread-1-places", "2")
    bpage.fill("#enrolment_deadline", "2028-08-31")
    _fill_plan(bpage, [(f"2028-{m:02d}-12", f"Thema {i + 1}") for i, m in enumerate(range(9, 13))] +
               [("2029-01-11", "Persoonlijk leiderschap"), ("2029-02-22", "Eén-op-één gesprekken")], {})
    bpage.click("main form button.primary")
    bpage.click("button[data-action=accept]")
    page.goto(f"/programmes/{pid}/plan/2")
    page.click("button[data-action=accept]")
    expect(page.locator(".flash-success")).to_contain_text("geldende plan")

    # --- the programme page: both years side by side, and the chart -------------------------------------------
    page.goto(f"/programmes/{pid}")
    history = page.locator("table.history")
    expect(history.locator("thead th[data-period]")).to_have_count(2)
    expect(history).to_contain_text("Jaar 1")
    expect(history).to_contain_text("Jaar 2")
    expect(history).to_contain_text("Doorgaan met aanpassingen")
    expect(history).to_contain_text("7,5")
    chart = page.locator("svg.ic-chart")
    expect(chart.locator("g.ic-series")).to_have_count(2)
    expect(chart.locator("circle.ic-point")).to_have_count(2)
    shot(page, "05-programme-history")

    session.expire_all()
    programme = session.get(Programme, pid)
    assert programme.state == "running" and programme.next_evaluation_on.isoformat() == "2029-06-01"
    versions = session.exec(select(PlanVersion.number, PlanVersion.status).where(PlanVersion.programme_id == pid)
                            .order_by(PlanVersion.number)).all()
    assert versions == [(1, "agreed"), (2, "agreed")]
    assert session.exec(select(Participant.name).where(Participant.status == "waiting")).all() == ["Dirk Bos"]
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.tender_id == setup.tender.id)).all()
    for action in ("programme.start", "programme.open_evaluation", "programme.adjust", "plan.agreed",
                   "participant.waiting", "programme_evaluation.form_submitted"):
        assert action in actions
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder",
                                                    OutboxMessage.to_addr == "pieter@u-lab.example")).all()
    bureau_ctx.close()
