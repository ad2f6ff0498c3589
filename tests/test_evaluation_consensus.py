"""Consensus, ranking with ties, the shortlist and the guards out of vision_review and pitch."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlmodel import select

from app.evaluation.ranking import ranking_per_lot
from app.models import AuditEvent, ConsensusScore, OutboxMessage, ShortlistEntry, Tender
from app.tenders import operations as tender_ops
from tests.evaluation_factories import EvaluationFactory
from workflows import Refused


@pytest.fixture
def ev(make):
    return EvaluationFactory(make)


def _consensus_form(sc, stage, values, notes):
    data = {}
    for c, v, n in zip(sc.criteria[stage], values, notes):
        data[f"value_{c.id}"], data[f"note_{c.id}"] = "" if v is None else str(v), n
    return data


def test_a_high_spread_is_flagged_and_needs_a_note(ev, login_as, session):
    sc = ev.in_review(lots=1)
    ev.declare_all(sc)
    bureau = sc.bureaus[0]
    for e, values in zip(sc.evaluators, ([2, 6], [6, 6], [8, 8])):  # criterion 1 spreads 6 points
        ev.score(sc, e, "vision", bureau, values)
    officer = login_as(sc.officer)
    url = f"/evaluation/tenders/{sc.id}/vision/{bureau.id}/consensus"
    html = officer.get(url).get_data(as_text=True)
    assert "large spread: a consensus note is required" in html
    assert '<strong class="mean">5.33</strong>' in html and '<strong class="median">6.00</strong>' in html
    assert '<strong class="spread">6</strong>' in html and 'class="chart-flag"' in html
    refused = officer.post(url, data=_consensus_form(sc, "vision", [6, 6], ["", ""]))
    assert refused.status_code == 422
    assert "the scores lie 6 points apart" in refused.get_data(as_text=True)
    assert session.exec(select(ConsensusScore)).all() == []
    assert officer.post(url, data=_consensus_form(sc, "vision", [6, 6], ["Verschil besproken: 6.", ""])
                        ).status_code == 302
    rows = {r.criterion_id: r for r in session.exec(select(ConsensusScore))}
    first = rows[sc.criteria["vision"][0].id]
    assert (first.value, first.note, first.decided_by_id) == (6, "Verschil besproken: 6.", sc.officer.id)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "consensus.recorded")).one()
    assert json.loads(event.changes)[sc.criteria["vision"][0].title] == [None, 6]
    page = officer.get(url).get_data(as_text=True)
    assert "Agreed score: 6" in page and "Verschil besproken: 6." in page and 'class="chart-agreed"' in page


@pytest.mark.app_config(SCORE_SPREAD_THRESHOLD=7)
def test_the_spread_threshold_is_a_setting(ev, login_as):
    sc = ev.in_review(lots=1)
    ev.declare_all(sc)
    bureau = sc.bureaus[0]
    for e, values in zip(sc.evaluators, ([2, 6], [6, 6], [8, 8])):
        ev.score(sc, e, "vision", bureau, values)
    url = f"/evaluation/tenders/{sc.id}/vision/{bureau.id}/consensus"
    officer = login_as(sc.officer)
    assert "large spread" not in officer.get(url).get_data(as_text=True)
    assert officer.post(url, data=_consensus_form(sc, "vision", [6, 6], ["", ""])).status_code == 302


def test_no_consensus_before_every_sheet_is_in(ev, session):
    sc = ev.in_review(lots=1)
    ev.declare_all(sc)
    ev.score(sc, sc.evaluators[0], "vision", sc.bureaus[0], [8, 8])
    with pytest.raises(Refused, match="Not every independent sheet"):
        ev.consensus(sc, "vision", sc.bureaus[0], [8, 8])
    session.rollback()


def test_ranking_per_lot_with_ties_and_stage_weights(ev, login_as, session):
    # Bureau 0 applies for lot 1 only; the others for both lots.
    sc = ev.in_review(lots=2, lot_choice=lambda i: [0] if i == 0 else [0, 1])
    b0, b1, b2 = sc.bureaus
    ev.to_pitch(sc, table={b0.id: [10, 10], b1.id: [6, 6], b2.id: [8, 4]})
    ev.pitches_held(sc)
    ev.score_round(sc, "pitch", {b0.id: [4, 4], b1.id: [8, 8], b2.id: [6, 6]})
    per_lot = ranking_per_lot(session, sc.tender)
    lot1, lot2 = sc.lots
    # vision 60/40, pitch 50/50, stages 50/50: b0 = (100 + 40)/2, b1 = (60 + 80)/2, b2 = (64 + 60)/2
    assert [(r.bureau_id, r.final, r.rank, r.tied) for r in per_lot[lot1.id]] == [
        (b0.id, Decimal("70.00"), 1, True), (b1.id, Decimal("70.00"), 1, True), (b2.id, Decimal("62.00"), 3, False)]
    assert [r.bureau_id for r in per_lot[lot2.id]] == [b1.id, b2.id]
    html = login_as(sc.officer).get(f"/evaluation/tenders/{sc.id}/ranking").get_data(as_text=True)
    assert html.count('class="pill tie"') == 2 and ">=1<" in html and 'class="chart chart-bars"' in html
    assert "vision × 50 % + pitch × 50 %" in html


def test_a_member_with_a_conflict_does_not_see_that_lots_ranking(ev, login_as):
    sc = ev.in_review(lots=1)
    b0, b1, b2 = sc.bureaus
    conflicted = sc.evaluators[0]
    ev.declare(sc, conflicted, {b2.id: "financial"})
    for e in sc.evaluators[1:]:
        ev.declare(sc, e)
    ev.score_round(sc, "vision", {b.id: [8, 6] for b in sc.bureaus})
    html = login_as(conflicted).get(f"/evaluation/tenders/{sc.id}/ranking").get_data(as_text=True)
    assert "Hidden: you declared a conflict" in html and b2.name not in html
    html = login_as(sc.evaluators[1]).get(f"/evaluation/tenders/{sc.id}/ranking").get_data(as_text=True)
    assert b2.name in html and "chart-bars" in html


def test_shortlist_needs_the_consensus_and_a_reason_and_tells_every_bureau(ev, login_as, session, make):
    sc = ev.in_review(lots=1)
    ev.declare_all(sc)
    b0, b1, b2 = sc.bureaus
    user = make.bureau_user(b2, email="team@" + b2.contact_email.split("@")[1])
    officer = login_as(sc.officer)
    url = f"/evaluation/tenders/{sc.id}/shortlist"
    data = {f"pick_{b0.id}": "y", f"pick_{b1.id}": "y", f"reason_{b2.id}": ""}
    ev.score_round(sc, "vision", {b0.id: [8, 8], b1.id: [6, 6]})
    early = officer.post(url, data={**data, f"reason_{b2.id}": "Te algemeen."})
    assert early.status_code == 422 and "First record the vision consensus for" in early.get_data(as_text=True)
    ev.score_round(sc, "vision", {b2.id: [4, 4]})
    no_reason = officer.post(url, data=data)
    assert no_reason.status_code == 422
    assert "Give the reason this bureau does not go on to pitch." in no_reason.get_data(as_text=True)
    assert officer.post(url, data={**data, f"reason_{b2.id}": "Te algemeen."}).status_code == 302
    entries = {e.bureau_id: e for e in session.exec(select(ShortlistEntry))}
    assert entries[b2.id].shortlisted is False and entries[b2.id].reason == "Te algemeen."
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "shortlist")).all()
    to_b2 = [m for m in mails if m.to_addr in (b2.contact_email, user.email)]
    assert len(mails) == 4 and len(to_b2) == 2 and all("Te algemeen." in m.body_text for m in to_b2)
    assert any(m.to_addr == b0.contact_email and "/evaluation/pitches/" in m.body_text for m in mails)
    twice = officer.post(url, data={**data, f"reason_{b2.id}": "Anders."})
    assert twice.status_code == 409 and "already decided" in twice.get_data(as_text=True)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "shortlist.decided")).one()


def test_guards_out_of_vision_review_and_pitch(ev, login_as, session):
    sc = ev.in_review(lots=1)
    b0, b1, b2 = sc.bureaus
    officer = login_as(sc.officer)
    html = officer.get(f"/tenders/{sc.id}").get_data(as_text=True)
    assert "declared their conflicts of interest yet (3 to go)" in html
    assert "Decide the shortlist" in html and "Record the consensus for" in html
    assert officer.post(f"/tenders/{sc.id}/actions/start_pitches", data={}).status_code == 409
    ev.declare_all(sc)
    ev.score_round(sc, "vision", {b.id: [8, 6] for b in sc.bureaus})
    ev.shortlist(sc, [b0, b1])
    assert officer.post(f"/tenders/{sc.id}/actions/start_pitches", data={}).status_code == 302
    sc = ev.refresh(sc)
    assert sc.tender.state == "pitch"
    html = officer.get(f"/tenders/{sc.id}").get_data(as_text=True)
    assert f"Still without a pitch slot: {b0.name}, {b1.name}" in html
    ev.pitches_held(sc, [b0, b1])
    with pytest.raises(Refused):
        tender_ops.fire(session, sc.officer, sc.tender, "start_selection")
    session.rollback()
    for e in sc.evaluators:
        ev.score(sc, e, "pitch", b0, [6, 6])
        ev.score(sc, e, "pitch", b1, [8, 8])
    html = officer.get(f"/tenders/{sc.id}").get_data(as_text=True)
    assert f"Record the consensus for: {b0.name}, {b1.name}" in html
    ev.consensus(sc, "pitch", b0, [6, 6])
    ev.consensus(sc, "pitch", b1, [8, 8])
    assert officer.post(f"/tenders/{sc.id}/actions/start_selection", data={}).status_code == 302
    assert session.get(Tender, sc.id).state == "selection"
