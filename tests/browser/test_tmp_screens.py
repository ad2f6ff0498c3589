import pytest
from tests.browser.conftest import log_in
from tests.evaluation_factories import EvaluationFactory
from tests.factories import PASSWORD


def test_screens(page, make, session):
    ev = EvaluationFactory(make)
    sc = ev.in_review(bureau_users=True, bureau_names=["Bureau Meervoud", "Het U-Lab", "Koers & Co"],
                      evaluator_names=["Anna de Vries", "Bram Jansen", "Carla Bos"])
    ev.declare(sc, sc.evaluators[2], {sc.bureaus[1].id: "professional"})
    ev.declare(sc, sc.evaluators[0])
    ev.score(sc, sc.evaluators[0], "vision", sc.bureaus[0], [8, 4])
    log_in(page, sc.evaluators[1].email, PASSWORD)
    page.goto(f"/evaluation/tenders/{sc.id}/conflicts")
    page.screenshot(path="/tmp/s_conflicts.png", full_page=True)
    ev.declare(sc, sc.evaluators[1])
    page.goto(f"/evaluation/tenders/{sc.id}/vision/{sc.bureaus[0].id}")
    page.screenshot(path="/tmp/s_sheet.png", full_page=True)
    ev.score(sc, sc.evaluators[1], "vision", sc.bureaus[0], [2, 6])
    ev.score(sc, sc.evaluators[2], "vision", sc.bureaus[0], [6, 6])
    page.goto(f"/evaluation/tenders/{sc.id}")
    page.screenshot(path="/tmp/s_member.png", full_page=True)
    page.goto(f"/evaluation/tenders/{sc.id}/vision/{sc.bureaus[0].id}/consensus")
    page.screenshot(path="/tmp/s_consensus_member.png", full_page=True)
    page.context.clear_cookies()
    log_in(page, sc.officer.email, PASSWORD)
    page.goto(f"/evaluation/tenders/{sc.id}")
    page.screenshot(path="/tmp/s_overview.png", full_page=True)
    page.goto(f"/evaluation/tenders/{sc.id}/vision/{sc.bureaus[0].id}/consensus")
    page.screenshot(path="/tmp/s_consensus_officer.png", full_page=True)
    ev.consensus(sc, "vision", sc.bureaus[0], [6, 6])
    for b, vals in ((sc.bureaus[1], [8, 8]), (sc.bureaus[2], [6, 6])):
        for e in sc.evaluators:
            if not (e is sc.evaluators[2] and b is sc.bureaus[1]):
                ev.score(sc, e, "vision", b, vals)
        ev.consensus(sc, "vision", b, vals)
    page.goto(f"/evaluation/tenders/{sc.id}/shortlist")
    page.screenshot(path="/tmp/s_shortlist.png", full_page=True)
