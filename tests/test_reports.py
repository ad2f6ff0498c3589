"""PDF reports: the opening record, the evaluation report of a tender and the periodic evaluation report
of a programme. The PDFs are read back with pypdf and their text checked; access is for the buying
organisations' officers only, and a report that does not exist yet in the stage answers 404."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.models import Bureau, OpeningRecord, Programme
from app.tenders import operations as tender_ops
from tests.evaluation_factories import EvaluationFactory
from tests.programme_factories import ProgrammeFactory
from tests.proof import world as W

NAMES = ["Atelier Noord", "Bureau Zuid", "Coöperatie Oost"]
# Per bureau: (first evaluator, second evaluator, consensus) on the two criteria of the stage.
# Vision weights 60/40, pitch 50/50, stages 50/50 (tests/factories.py):
#   vision totals 72, 72, 40 (a tie); pitch totals 80, 80, 60; final 76, 76, 50 (a tie again).
VISION = {0: ([8, 6], [8, 4], [8, 6]), 1: ([8, 6], [8, 6], [8, 6]), 2: ([4, 4], [4, 2], [4, 4])}
PITCH = {0: ([8, 8], [8, 6], [8, 8]), 1: ([8, 8], [6, 8], [8, 8]), 2: ([6, 6], [6, 6], [6, 6])}


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[ \t]+", " ", text)


def _pdf(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return pdf_text(response.get_data())


def _stage(ev, sc, stage: str, table: dict) -> None:
    for i, bureau in enumerate(sc.bureaus):
        first, second, agreed = table[i]
        ev.score(sc, sc.evaluators[0], stage, bureau, first)
        ev.score(sc, sc.evaluators[1], stage, bureau, second)
        ev.consensus(sc, stage, bureau, agreed, note=f"Notitie {stage} {NAMES[i]}")


def evaluated(make, session, state: str):
    """A tender in `state` (vision_review, pitch or selection) with the scores above. Bureau Zuid applied
    for the first lot only."""
    ev = EvaluationFactory(make)
    sc = ev.in_review(bureaus=3, evaluators=2, lots=2, bureau_names=NAMES,
                      evaluator_names=["Eva Eerst", "Bart Tweede"], lot_choice=lambda i: [0] if i == 1 else [0, 1])
    ev.declare_all(sc)
    if state == "vision_review":
        _stage(ev, sc, "vision", VISION)  # consensus recorded, but the stage is still open
        return sc
    _stage(ev, sc, "vision", VISION)
    ev.shortlist(sc, sc.bureaus)
    tender_ops.fire(session, sc.officer, sc.tender, "start_pitches")
    session.commit()
    sc = ev.refresh(sc)
    if state == "pitch":
        return sc
    ev.pitches_held(sc)
    _stage(ev, sc, "pitch", PITCH)
    tender_ops.fire(session, sc.officer, sc.tender, "start_selection")
    session.commit()
    return ev.refresh(sc)


@pytest.fixture
def selection(make, session):
    return evaluated(make, session, "selection")


# --- the evaluation report -------------------------------------------------------------------------------

def test_evaluation_report_after_both_stages(selection, login_as, count_queries):
    sc = selection
    url = f"/tenders/{sc.id}/reports/evaluation.pdf"
    client = login_as(sc.officer)
    with count_queries() as q:
        text = _pdf(client.get(url))
    assert q.count == 8  # user, tender and six for the report, whatever the number of bureaus or lots
    assert "Evaluation report" in text and sc.tender.reference in text
    for name in NAMES:
        assert name in text
    # criteria and weights per stage
    assert "vision criterium 1" in text and "60 %" in text and "pitch criterium 2" in text
    # consensus scores with the chair's notes, and the weighted totals
    assert "Notitie vision Atelier Noord" in text and "Notitie pitch Coöperatie Oost" in text
    assert "Weighted total vision: 72.00 of 100" in text and "Weighted total pitch: 60.00 of 100" in text
    # ranking per lot: the tie shown as a tie; Bureau Zuid only in the first lot
    lot1, lot2 = text.split("Laag 1", 2)[-1].split("Laag 2", 1)
    assert re.search(r"=1 Atelier Noord 72\.00 80\.00 76\.00", lot1)
    assert re.search(r"=1 Bureau Zuid 72\.00 80\.00 76\.00", lot1)
    assert re.search(r"3 Coöperatie Oost 40\.00 60\.00 50\.00", lot1)
    assert re.search(r"1 Atelier Noord 72\.00 80\.00 76\.00", lot2) and "Bureau Zuid" not in lot2
    assert re.search(r"2 Coöperatie Oost 40\.00 60\.00 50\.00", lot2)
    # individual evaluators' scores stay in the scores export, not in this report
    assert "Eva Eerst" not in text and "Onderbouwing" not in text


def test_evaluation_report_during_the_pitches_has_the_vision_only(make, session, login_as):
    sc = evaluated(make, session, "pitch")
    text = _pdf(login_as(sc.officer).get(f"/tenders/{sc.id}/reports/evaluation.pdf"))
    assert "ranking is on the vision total" in text
    assert "Notitie vision Bureau Zuid" in text
    assert "pitch criterium" not in text and "Final score" not in text
    lot1 = text.split("Laag 1", 2)[-1]
    assert re.search(r"=1 Atelier Noord 72\.00", lot1) and re.search(r"3 Coöperatie Oost 40\.00", lot1)


def test_evaluation_report_does_not_exist_before_consensus(make, session, login_as):
    sc = evaluated(make, session, "vision_review")
    client = login_as(sc.officer)
    assert client.get(f"/tenders/{sc.id}/reports/evaluation.pdf").status_code == 404
    page = client.get(f"/tenders/{sc.id}").get_data(as_text=True)
    assert 'data-export="evaluation-pdf"' not in page and 'data-export="scores-csv"' not in page
    assert 'data-export="opening-pdf"' in page


def test_reports_only_for_the_buying_officers(selection, make, login_as, client):
    sc = selection
    for report in ("evaluation", "opening"):
        url = f"/tenders/{sc.id}/reports/{report}.pdf"
        bureau_user = make.bureau_user(sc.bureaus[0])
        for user in (sc.evaluators[0], make.officer(), bureau_user, make.admin()):
            assert login_as(user).get(url).status_code == 404, (report, user.role)
        assert client.get(url).status_code == 302  # to the login page
        assert login_as(sc.officer).get(url).status_code == 200
    officer = login_as(sc.officer)
    for bad in ("scores.pdf", "evaluation.csv", "opening.xlsx", "audit.pdf", "nothing.pdf"):
        assert officer.get(f"/tenders/{sc.id}/reports/{bad}").status_code == 404, bad
    assert officer.get(f"/tenders/{sc.id}/exports/evaluation.pdf").status_code == 404
    assert officer.get("/tenders/99999/reports/opening.pdf").status_code == 404


def test_tender_page_offers_the_reports(selection, login_as, count_queries, monkeypatch):
    from app.exports import registry
    sc = selection
    tid = sc.id  # read before counting: the test's own session would refresh the row
    client = login_as(sc.officer)
    client.get(f"/tenders/{tid}")
    with count_queries() as q:
        page = client.get(f"/tenders/{tid}").get_data(as_text=True)
    for name in ("opening-pdf", "evaluation-pdf", "scores-csv", "scores-xlsx"):
        assert f'data-export="{name}"' in page
    assert f'href="/tenders/{sc.id}/reports/evaluation.pdf"' in page
    with_reports = q.count
    # The same page without the scores export and the reports runs exactly as many queries: the registry
    # decides on the tender row alone.
    monkeypatch.setattr(registry, "_EXPORTS", {k: v for k, v in registry._EXPORTS.items()
                                               if k in ("invitations", "audit")})
    with count_queries() as q:
        page = client.get(f"/tenders/{tid}").get_data(as_text=True)
    assert 'data-export="evaluation-pdf"' not in page and 'data-export="audit-csv"' in page
    assert q.count == with_reports
    page = login_as(sc.evaluators[0]).get(f"/tenders/{sc.id}").get_data(as_text=True)
    assert "data-export=" not in page and "/reports/" not in page


# --- the opening record -------------------------------------------------------------------------------

@pytest.mark.parametrize("stage", ["vision_submission", "vision_review"])
def test_opening_record(stage, make, session, login_as):
    world = W.build(make, session, stage)
    officer = login_as(world.users["officer"])
    url = f"/tenders/{world.ids['tender']}/reports/opening.pdf"
    if stage == "vision_submission":
        assert officer.get(url).status_code == 404  # sealed: no record, no report
        page = officer.get(f"/tenders/{world.ids['tender']}").get_data(as_text=True)
        assert 'data-export="opening-pdf"' not in page
        return
    record = session.exec(select(OpeningRecord).where(OpeningRecord.tender_id == world.ids["tender"])).one()
    submitter = session.get(Bureau, world.users["bureau"].bureau_id)
    others = [session.get(Bureau, world.users["other_bureau"].bureau_id)]
    text = _pdf(officer.get(url))
    assert "Opening record" in text and record.opened_by_name in text
    assert "Valid visions 1 of 3 invited bureaus" in text
    assert submitter.name in text and "visie.pdf" in text
    flat = text.replace("\n", "")
    assert record.record_hash in flat  # the fingerprint, whole
    import json
    version = json.loads(record.entries)
    hashes = [v["content_hash"] for e in version for v in e["versions"]]
    assert hashes and all(h in flat for h in hashes)
    missing = text.split("Bureaus without a valid vision", 1)[1]
    assert others[0].name in missing and submitter.name not in missing
    assert "no vision submitted" in missing
    # the co-buyer's officer may have it too; the panel may not
    assert login_as(world.users["co_officer"]).get(url).status_code == 200
    assert login_as(world.users["panel"]).get(url).status_code == 404


def test_opening_record_of_an_unsuccessful_tender(make, session, login_as):
    from datetime import timedelta

    from app import clock
    from app.audit import SYSTEM
    officer = make.officer()
    tender = make.tender(officer, bureaus=3)
    tender_ops.fire(session, officer, tender, "open_invitation")
    tender_ops.fire(session, officer, tender, "open_submission")
    session.commit()
    clock.freeze(tender.vision_deadline + timedelta(minutes=1))
    tender_ops.fire(session, None, tender, "declare_unsuccessful", actor=SYSTEM, reason="Geen visies ontvangen.")
    session.commit()
    text = _pdf(login_as(officer).get(f"/tenders/{tender.id}/reports/opening.pdf"))
    assert "declared unsuccessful" in text and "Valid visions 0 of 3" in text
    assert "No vision was submitted." in text


# --- the programme's evaluation report ------------------------------------------------------------------

def test_programme_evaluation_report(make, session, login_as, count_queries):
    pf = ProgrammeFactory(make)
    setup = pf.programme()
    pf.agreed_plan(setup, indicators=("Betrokkenheid", "Reflectief vermogen"))
    pf.year_passes(setup)
    url = f"/programmes/{setup.programme.id}/evaluations/1/report.pdf"
    officer = login_as(setup.officer)
    assert officer.get(url).status_code == 404  # the evaluation is open: no report yet
    pf.submit_forms(setup, {"municipality": {"Betrokkenheid": 8, "Reflectief vermogen": 6},
                            "bureau": {"Betrokkenheid": 9, "Reflectief vermogen": 7}})
    assert officer.get(url).status_code == 404  # forms in, not decided
    page = officer.get(f"/programmes/{setup.programme.id}").get_data(as_text=True)
    assert "report.pdf" not in page
    pf.decide(setup, "adjust", "Meer één-op-één gesprekken in jaar 2.")
    with count_queries() as q:
        text = _pdf(officer.get(url))
    assert q.count <= 15  # user, programme, the evaluation (5), tender, buyers, participants and plan
    assert "Yearly evaluation report" in text and setup.programme.title.split()[0] in text
    assert setup.bureau.name in text and "Year 1" in text
    assert "Continue with adjustments" in text and "Meer één-op-één gesprekken in jaar 2." in text
    assert re.search(r"Betrokkenheid 8 9 8\.50", text) and re.search(r"Reflectief vermogen 6 7 6\.50", text)
    assert "De afsluiting was een knaller." in text  # the forms' answers
    assert "The municipality's evaluation" in text and "The bureau's self-evaluation" in text
    page = officer.get(f"/programmes/{setup.programme.id}").get_data(as_text=True)
    assert f'href="{url}"' in page
    # the programme's own bureau, other officers, evaluators: 404
    for user in (setup.bureau_user, make.officer(), make.evaluator(make.organisation()), make.admin()):
        assert login_as(user).get(url).status_code == 404, user.role
    assert "report.pdf" not in login_as(setup.bureau_user).get(f"/programmes/{setup.programme.id}").get_data(
        as_text=True)
    assert officer.get(f"/programmes/{setup.programme.id}/evaluations/2/report.pdf").status_code == 404
    other = session.exec(select(Programme).where(Programme.id != setup.programme.id)).first()
    assert other is None or officer.get(f"/programmes/{other.id}/evaluations/1/report.pdf").status_code == 404


def test_reports_render_in_dutch(selection, login_as):
    client = login_as(selection.officer)
    assert client.post("/language/nl", data={}).status_code == 303
    text = _pdf(client.get(f"/tenders/{selection.id}/reports/evaluation.pdf"))
    assert "Beoordelingsrapport" in text and "Rangschikking per perceel" in text
    assert "72,00" in text
