"""The demo shows a tender in every stage and a programme in every stage of its cycle, each genuinely
sitting there relative to now; its audit chains verify; every account can log in and sees its work;
loading again with --if-empty changes nothing; the time-driven jobs leave every demo stage alone."""
from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from app import clock
from app.demo import PROGRAMME_STAGES, STAGES, accounts
from app.demo.data import PASSWORD
from app.models import (
    AuditEvent, AwardDecision, ConsensusScore, DecisionLetter, LotSelection, Objection, OutboxMessage, PitchSlot,
    Programme, ProgrammeEvaluation, Score, ScoreSheet, ShortlistEntry, Tender, User,
)
from tests.conftest import login


@pytest.fixture
def demo(runner, session):
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0 and "Demo data loaded" in result.output, result.output
    return {t.state: t for t in session.exec(select(Tender).order_by(Tender.id.desc()))}


def test_a_tender_in_every_stage_and_a_programme_in_every_stage_of_its_cycle(demo, session):
    assert set(STAGES) <= set(demo), sorted(demo)
    assert set(STAGES) == {"draft", "invitation", "vision_submission", "vision_review", "pitch", "selection",
                           "standstill", "awarded", "cancelled"}
    programmes = set(session.exec(select(Programme.state)).all())
    assert set(PROGRAMME_STAGES) <= programmes and set(PROGRAMME_STAGES) == {"plan", "running", "evaluation"}


def test_each_tender_genuinely_sits_in_its_stage(demo, session):
    now = clock.now()
    assert demo["invitation"].questions_deadline > now
    assert demo["vision_submission"].vision_deadline > now
    assert demo["vision_review"].vision_deadline < now < demo["vision_review"].pitch_start
    # Pitches: one held yesterday and half scored, one still to come.
    slots = session.exec(select(PitchSlot).where(PitchSlot.tender_id == demo["pitch"].id)).all()
    assert sorted(s.starts_at < now for s in slots) == [False, True] and all(s.bureau_id for s in slots)
    assert demo["pitch"].pitch_start < now < demo["pitch"].pitch_end
    pitch_sheets = select(func.count()).select_from(ScoreSheet).where(
        ScoreSheet.tender_id == demo["pitch"].id, ScoreSheet.stage == "pitch", ScoreSheet.status == "submitted")
    assert session.exec(pitch_sheets).one() == 2
    # Selection: one lot decided, one to go.
    lots = session.exec(select(LotSelection.lot_id).where(LotSelection.tender_id == demo["selection"].id)).all()
    assert len(set(lots)) == 1
    decision = session.exec(select(AwardDecision).where(AwardDecision.tender_id == demo["standstill"].id)).one()
    assert decision.status == "standstill" and decision.sent_at < now < decision.standstill_ends_at
    assert session.exec(select(Objection.status).where(Objection.tender_id == demo["standstill"].id)).one() == "open"
    assert demo["cancelled"].cancel_reason.startswith("De gemeenteraad heeft het budget")
    running = session.exec(select(Programme).where(Programme.state == "running")).one()
    assert running.next_evaluation_on > clock.today_local()
    evaluation = session.exec(select(ProgrammeEvaluation).where(ProgrammeEvaluation.decision.is_(None))).one()
    assert evaluation.due_on > clock.today_local()


def test_the_panel_wrote_rationales_and_consensus_notes(demo, session):
    rationales = session.exec(select(Score.rationale)).all()
    assert rationales and all(r.strip() for r in rationales)
    notes = session.exec(select(ConsensusScore.note).where(ConsensusScore.note.contains("liepen uiteen"))).all()
    assert notes  # a spread was flagged and explained
    reasons = session.exec(select(ShortlistEntry.reason).where(ShortlistEntry.shortlisted.is_(False))).all()
    assert reasons and all(reasons)
    motivations = session.exec(select(LotSelection.motivation)).all()
    assert motivations and all(m.strip() for m in motivations)
    assert session.exec(select(func.count()).select_from(DecisionLetter)).one() >= 3


def test_the_audit_chains_verify(demo, runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and result.output.startswith("OK"), result.output


LANDING = {"admin": "/admin/", "officer": "/", "evaluator": "/evaluation/", "bureau": "/portal"}


def test_every_account_logs_in_and_sees_its_work(demo, app, session):
    expect = {
        "inkoper@almere.example": ["Send the invitations: Leiderschapsprogramma gemeente Almere",
                                   "Programma- en projectmanagers: van buiten naar binnen"],
        "inkoper@amsterdam.example": ["Leergang Koppelkansen"],
        "beoordelaar3@almere.example": ["Directieprogramma Almere 2050", "vision: 0 of 2 sheets submitted"],
        "beoordelaar@liander.example": ["Nothing to do right now."],
        "esther@meervoud.example": ["Afdelingsmanagers Almere Buiten", "Programma- en projectmanagers"],
        "joke@verbinders.example": ["Teamleiders: samen de wijk in"],
    }
    for email, role, _home in accounts():
        user = session.exec(select(User).where(User.email == email)).one()
        client = app.test_client()
        login(client, user, PASSWORD)
        page = client.get("/", follow_redirects=True)
        assert page.status_code == 200, email
        assert page.request.path == LANDING[role], (email, page.request.path)
        html = page.get_data(as_text=True)
        for text in expect.get(email, []):
            assert text in html, (email, text)


def test_loading_twice_with_if_empty_changes_nothing(demo, runner, session):
    def counts():
        return [session.exec(select(func.count()).select_from(model)).one()
                for model in (Tender, User, AuditEvent, OutboxMessage, Programme, ScoreSheet)]
    before = counts()
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "already present" in again.output
    session.commit()
    assert counts() == before
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code != 0 and "not empty" in refused.output


def test_the_time_driven_jobs_leave_every_demo_stage_alone(demo, runner, session):
    before = dict(session.exec(select(Tender.id, Tender.state)).all())
    programmes = dict(session.exec(select(Programme.id, Programme.state)).all())
    result = runner.invoke(args=["tenders", "tick"])
    assert result.exit_code == 0, result.output
    session.commit()
    assert dict(session.exec(select(Tender.id, Tender.state)).all()) == before
    assert dict(session.exec(select(Programme.id, Programme.state)).all()) == programmes


def test_the_programme_tasks_wait_for_the_right_side(demo, app, session):
    for email, task in (("inkoper@almere.example", "Plan version 1 awaits your acceptance"),
                        ("ahmed@deleergang.example", "Submit the bureau&#39;s self-evaluation"),
                        ("joke@verbinders.example", "Nothing to do right now.")):
        client = app.test_client()
        login(client, session.exec(select(User).where(User.email == email)).one(), PASSWORD)
        page = client.get("/programmes/")
        assert page.status_code == 200 and task in page.get_data(as_text=True), (email, task)
