"""Journey (issue 4, "Done when"): three evaluators declare conflicts (one has a conflict with one bureau
and cannot open it), score the visions independently (nobody sees anything of the others before their
own sheet is in), the consensus view flags a high spread and demands a note, the officer records the
consensus and the shortlist, the bureaus book pitch slots, the pitches are scored, and the combined
ranking per lot appears with its charts; every step is in the audit trail."""
from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app import clock
from app.models import AuditEvent, PitchSlot, Tender
from tests.browser.conftest import log_in
from tests.evaluation_factories import EvaluationFactory
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _as(page, user):
    page.context.clear_cookies()
    log_in(page, user.email, PASSWORD)


def _declare(page, sc, conflicts=None):
    conflicts = conflicts or {}
    page.goto(f"/evaluation/tenders/{sc.id}/conflicts")
    for b in sc.bureaus:
        page.select_option(f"#kind_{b.id}", conflicts.get(b.id, ("none",))[0])
        if b.id in conflicts:
            page.fill(f"#explanation_{b.id}", conflicts[b.id][1])
    page.click("form.declarations button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("Je verklaringen zijn vastgelegd.")


def _score(page, sc, stage, bureau, values, who):
    page.goto(f"/evaluation/tenders/{sc.id}/{stage}/{bureau.id}")
    for c, v in zip(sc.criteria[stage], values):
        page.check(f"input[name=value_{c.id}][value='{v}']")
        page.fill(f"#rationale_{c.id}", f"{who} over {bureau.name}: {v}")
    page.click("button[name=action][value=submit]")
    expect(page.locator(".flash-success")).to_contain_text("Je scores zijn ingediend.")


def _consensus(page, sc, stage, bureau, values, note=""):
    page.goto(f"/evaluation/tenders/{sc.id}/{stage}/{bureau.id}/consensus")
    for c, v in zip(sc.criteria[stage], values):
        page.select_option(f"#value_{c.id}", str(v))
        if note:
            page.fill(f"#note_{c.id}", note)
    page.click("#record button[type=submit]")


def test_panel_scores_visions_and_pitches_to_a_ranking(page, make, session, runner):
    ev = EvaluationFactory(make)
    # Meervoud applies for the top layer only; U-Lab and Koers & Co for both layers.
    sc = ev.in_review(bureau_users=True, lot_choice=lambda i: [0] if i == 0 else [0, 1],
                      bureau_names=["Bureau Meervoud", "Het U-Lab", "Koers & Co"],
                      evaluator_names=["Anna de Vries", "Bram Jansen", "Carla Bos"])
    anna, bram, carla = sc.evaluators
    meervoud, ulab, koers = sc.bureaus

    # 1. Conflicts of interest: nothing opens before the declarations.
    _as(page, anna)
    expect(page.locator("h1")).to_have_text("Beoordeling")  # evaluators land on their panel list
    page.click(f"li[data-tender='{sc.id}'] a")
    expect(page.locator(".notice-warning")).to_contain_text("Verklaar eerst je belangenconflicten.")
    page.goto(f"/evaluation/tenders/{sc.id}/bureaus/{meervoud.id}")
    expect(page).to_have_url(re.compile(r"/conflicts$"))
    _declare(page, sc)
    _as(page, carla)
    _declare(page, sc, {koers.id: ("professional", "Ik werkte tot vorig jaar bij Koers & Co.")})
    expect(page.locator(f"tr[data-bureau='{koers.id}']")).to_contain_text("niet voor jou (conflict)")
    expect(page.locator(f"tr[data-bureau='{koers.id}'] a")).to_have_count(0)
    page.goto(f"/evaluation/tenders/{sc.id}/bureaus/{koers.id}")
    expect(page.locator("h1")).to_have_text("Niet gevonden")
    _as(page, bram)
    _declare(page, sc)

    # 2. Independent scoring: Bram sees nothing of Anna's scores until his own sheet is in.
    _as(page, anna)
    page.goto(f"/evaluation/tenders/{sc.id}/bureaus/{meervoud.id}")
    expect(page.locator("#vision")).to_contain_text("Visie 1: leiderschap samen.")
    _score(page, sc, "vision", meervoud, [2, 6], "Anna")
    _as(page, bram)
    page.goto(f"/evaluation/tenders/{sc.id}/vision/{meervoud.id}/consensus")
    expect(page.locator("h1")).to_have_text("Niet gevonden")
    page.goto(f"/evaluation/tenders/{sc.id}")
    expect(page.locator(f"tr[data-bureau='{meervoud.id}']")).not_to_contain_text("scores commissie")
    page.goto(f"/evaluation/tenders/{sc.id}/vision/{meervoud.id}")
    expect(page.locator("main")).not_to_contain_text("Anna over")
    _score(page, sc, "vision", meervoud, [6, 6], "Bram")
    page.click("text=Scores van de commissie bekijken")
    expect(page.locator("main")).to_contain_text("Anna over Bureau Meervoud: 2")
    expect(page.locator(".notice-warning")).to_contain_text("2 van 3 onafhankelijke scoreformulieren")
    for bureau, values in ((ulab, [8, 8]), (koers, [6, 4])):
        _score(page, sc, "vision", bureau, values, "Bram")
    _as(page, anna)
    for bureau, values in ((ulab, [8, 6]), (koers, [6, 6])):
        _score(page, sc, "vision", bureau, values, "Anna")
    _as(page, carla)
    for bureau, values in ((meervoud, [8, 6]), (ulab, [8, 8])):
        _score(page, sc, "vision", bureau, values, "Carla")

    # 3. Consensus: the high spread on Meervoud (2, 6, 8) is flagged and needs a note.
    _as(page, sc.officer)
    page.goto(f"/evaluation/tenders/{sc.id}")
    expect(page.locator("#progress-vision")).to_contain_text("alle scoreformulieren zijn binnen")
    expect(page.locator("#declarations")).to_contain_text("Ik werkte tot vorig jaar bij Koers & Co.")
    page.goto(f"/evaluation/tenders/{sc.id}/vision/{meervoud.id}/consensus")
    first = sc.criteria["vision"][0]
    expect(page.locator(f".consensus-item[data-criterion='{first.id}'] .flag")).to_contain_text(
        "grote spreiding: een consensusnotitie is verplicht")
    expect(page.locator("svg.chart-dots circle.chart-dot")).to_have_count(6 + 3)  # 3 members × 2 criteria + legend
    _consensus(page, sc, "vision", meervoud, [6, 6])
    expect(page.locator(".notice-error")).to_contain_text("de scores liggen 6 punten uit elkaar")
    _consensus(page, sc, "vision", meervoud, [6, 6], "Anna las de co-creatie strenger; samen op 6 gekomen.")
    expect(page.locator(".flash-success")).to_contain_text("Consensus vastgelegd.")
    expect(page.locator("svg.chart-dots path.chart-agreed")).to_have_count(2 + 1)
    _consensus(page, sc, "vision", ulab, [8, 8])
    _consensus(page, sc, "vision", koers, [6, 4], "Besproken.")

    # 4. Shortlist, with the vision ranking shown and a reason for Koers & Co.
    page.goto(f"/evaluation/tenders/{sc.id}/shortlist")
    expect(page.locator("svg.chart-bars")).to_have_count(2)
    page.check(f"#pick_{meervoud.id}")
    page.check(f"#pick_{ulab.id}")
    page.fill(f"#reason_{koers.id}", "De visie bleef algemeen over co-creatie.")
    page.click("#decide button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("De shortlist is vastgesteld")
    page.goto(f"/tenders/{sc.id}")
    page.click("button[data-event=start_pitches]")
    expect(page.locator(".pagehead .stage")).to_have_class(re.compile("stage-pitch"))

    # 5. Pitch slots: published by the officer, booked by the bureaus.
    tomorrow = clock.local(clock.now() + timedelta(days=1)).strftime("%Y-%m-%d")
    for hour in ("10:00", "11:00"):
        page.goto(f"/evaluation/tenders/{sc.id}/slots")
        page.fill("#starts_at", f"{tomorrow}T{hour}")
        page.fill("#duration_minutes", "45")
        page.fill("#location", "Stadhuis Almere, zaal 3")
        page.click("#add button[type=submit]")
        expect(page.locator(".flash-success")).to_contain_text("Pitchmoment toegevoegd")
    page.click("form[action$='/slots/publish'] button")
    session.commit()
    slots = session.exec(select(PitchSlot).order_by(PitchSlot.starts_at)).all()
    for bureau, slot in ((meervoud, slots[0]), (ulab, slots[1])):
        _as(page, sc.bureau_users[bureau.id])
        page.click("nav.mainnav >> text=Pitches")
        page.click(f"a[href='/evaluation/pitches/{sc.id}']")
        if bureau is ulab:
            expect(page.locator(f"tr[data-slot='{slots[0].id}']")).to_contain_text("bezet")
        page.click(f"tr[data-slot='{slot.id}'] button")
        expect(page.locator(".flash-success")).to_contain_text("Je pitch is geboekt.")
        expect(page.locator("#mine")).to_contain_text("Stadhuis Almere, zaal 3")

    # 6. After the pitches: scored independently, then consensus.
    clock.freeze(slots[1].starts_at + timedelta(hours=1))
    for member, rows in ((anna, ((meervoud, [6, 4]), (ulab, [8, 8]))), (bram, ((meervoud, [6, 6]), (ulab, [8, 6]))),
                         (carla, ((meervoud, [4, 6]), (ulab, [8, 8])))):
        _as(page, member)
        for bureau, values in rows:
            _score(page, sc, "pitch", bureau, values, member.name.split()[0])
    _as(page, sc.officer)
    _consensus(page, sc, "pitch", meervoud, [6, 6])
    _consensus(page, sc, "pitch", ulab, [8, 8])
    expect(page.locator(".flash-success")).to_contain_text("Consensus vastgelegd.")

    # 7. The combined ranking per lot, with its charts.
    page.click("nav.subnav >> text=Rangschikking")
    top, teams = sc.lots
    expect(page.locator("svg.chart-bars")).to_have_count(2)
    # U-Lab: vision 80, pitch 80 → 80; Meervoud: vision 60, pitch 60 → 60 (stages weigh 50/50).
    expect(page.locator(f"#lot-{top.id} tbody tr").first).to_contain_text("Het U-Lab")
    expect(page.locator(f"#lot-{top.id} tr[data-bureau='{ulab.id}'] td").last).to_have_text("80.00")
    expect(page.locator(f"#lot-{top.id} tr[data-bureau='{meervoud.id}'] td").last).to_have_text("60.00")
    expect(page.locator(f"#lot-{teams.id} tbody tr")).to_have_count(2)  # U-Lab and (unranked) Koers & Co
    expect(page.locator(f"#lot-{top.id}")).to_contain_text("Eindscore: visie × 50 % + pitch × 50 %")
    page.goto(f"/tenders/{sc.id}")
    expect(page.locator("button[data-event=start_selection]")).to_be_enabled()

    # 8. Every step is in the audit trail, and the chain verifies.
    page.goto(f"/tenders/{sc.id}/audit?action=conflict.")
    expect(page.locator("table.events")).to_contain_text("Belangenconflict verklaard")
    session.commit()
    session.expire_all()
    actions = Counter(session.exec(select(AuditEvent.action).where(AuditEvent.tender_id == sc.id)).all())
    assert actions["conflict.declared"] == 9 and actions["sheet.submitted"] == 8 + 6
    assert actions["consensus.recorded"] == 3 + 2 and actions["shortlist.decided"] == 1
    assert actions["tender.start_pitches"] == 1 and actions["pitch.slot_added"] == 2
    assert actions["pitch.slots_published"] == 1 and actions["pitch.booked"] == 2
    assert session.get(Tender, sc.id).state == "pitch"
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and verify.output.startswith("OK")
