"""The rules for leaving `draft`, each shown to refuse with its reason, and the freeze afterwards."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app import clock
from app.audit import Actor
from app.models import Criterion, Invitation, Lot, PanelMember
from app.tenders import operations
from workflows import Refused, tender_engine


def _reasons(session, tender, officer) -> list[str]:
    engine = tender_engine()
    ctx = engine.context(session, tender, Actor.of(officer), officer)
    action = next(a for a in engine.actions(ctx) if a.event == "open_invitation")
    return action.reasons


@pytest.fixture
def ready(session, make):
    officer = make.officer()
    tender = make.tender(officer, bureaus=3)
    return officer, tender


def test_a_ready_tender_may_be_sent(session, ready):
    officer, tender = ready
    assert _reasons(session, tender, officer) == []


def test_too_few_bureaus_needs_a_motivation(session, make, ready):
    officer, tender = ready
    invitation = session.exec(select(Invitation).where(Invitation.tender_id == tender.id)).first()
    session.delete(invitation)
    session.commit()
    assert any("Invite 3 to 5 bureaus (now 2)" in r for r in _reasons(session, tender, officer))
    operations.update_fields(session, officer, tender, {"invitee_motivation": "Only two bureaus work with Theory U."}, None)
    session.commit()
    assert _reasons(session, tender, officer) == []


def test_too_many_bureaus_needs_a_motivation(session, make, ready):
    officer, tender = ready
    for _ in range(3):
        operations.add_invitee(session, officer, tender, make.bureau(), None)
    session.commit()
    assert any("(now 6)" in r for r in _reasons(session, tender, officer))


def test_no_bureaus_is_refused_even_with_motivation(session, make):
    officer = make.officer()
    tender = make.tender(officer, bureaus=0)
    operations.update_fields(session, officer, tender, {"invitee_motivation": "whatever"}, None)
    session.commit()
    assert "Choose the bureaus to invite." in _reasons(session, tender, officer)


@pytest.mark.parametrize("model,needle", [(Lot, "at least one lot"), (PanelMember, "at least one evaluator")])
def test_lots_and_panel_are_required(session, ready, model, needle):
    officer, tender = ready
    for row in session.exec(select(model).where(model.tender_id == tender.id)).all():
        session.delete(row)
    session.commit()
    assert any(needle in r for r in _reasons(session, tender, officer))


def test_weights_must_add_up_to_100_per_stage(session, ready):
    officer, tender = ready
    criterion = session.exec(select(Criterion).where(Criterion.tender_id == tender.id, Criterion.stage == "pitch")).first()
    values = {f: getattr(criterion, f) for f in operations.CRITERION_FIELDS}
    operations.save_criterion(session, officer, tender, "pitch", {**values, "weight": 30}, {}, None, criterion)
    session.commit()
    reasons = _reasons(session, tender, officer)
    assert any("pitch criteria add up to 80 %" in r for r in reasons), reasons


def test_dates_must_be_in_order(session, ready):
    officer, tender = ready
    operations.update_fields(session, officer, tender, {"pitch_start": tender.vision_deadline - timedelta(days=1)}, None)
    session.commit()
    assert any("vision deadline must come before the start of the pitches" in r for r in _reasons(session, tender, officer))


def test_missing_dates_are_named(session, ready):
    officer, tender = ready
    operations.update_fields(session, officer, tender, {"selection_at": None}, None)
    session.commit()
    assert any("Fill in the timeline: selection" in r for r in _reasons(session, tender, officer))


def test_vision_deadline_must_lie_ahead(session, ready):
    officer, tender = ready
    clock.freeze(tender.vision_deadline + timedelta(hours=1))
    assert any("already passed" in r for r in _reasons(session, tender, officer))


def test_bulletin_needs_six_days(session, ready):
    officer, tender = ready
    operations.update_fields(session, officer, tender,
                             {"questions_deadline": tender.vision_deadline - timedelta(days=3)}, None)
    session.commit()
    assert any("at least 6 days" in r for r in _reasons(session, tender, officer))


def test_brief_must_be_complete(session, ready):
    officer, tender = ready
    operations.update_fields(session, officer, tender, {"open_question": ""}, None)
    session.commit()
    assert any("the open question" in r for r in _reasons(session, tender, officer))


def test_refused_transition_changes_nothing(session, ready):
    officer, tender = ready
    operations.update_fields(session, officer, tender, {"city_goals": ""}, None)
    session.commit()
    with pytest.raises(Refused) as refused:
        operations.fire(session, officer, tender, "open_invitation")
    assert refused.value.kind == "guard"
    session.rollback()
    assert session.get(type(tender), tender.id).state == "draft"


def test_everything_is_frozen_after_the_invitations(session, make, ready):
    officer, tender = ready
    operations.fire(session, officer, tender, "open_invitation")
    session.commit()
    lot = session.exec(select(Lot).where(Lot.tender_id == tender.id)).first()
    criterion = session.exec(select(Criterion).where(Criterion.tender_id == tender.id)).first()
    attempts = [
        lambda: operations.update_fields(session, officer, tender, {"title": "new"}, None),
        lambda: operations.save_lot(session, officer, tender, {"title": "X", "description": ""}, None),
        lambda: operations.delete_lot(session, officer, tender, lot, None),
        lambda: operations.save_criterion(session, officer, tender, "vision",
                                          {f: getattr(criterion, f) for f in operations.CRITERION_FIELDS} | {"weight": 5},
                                          {}, None, criterion),
        lambda: operations.add_invitee(session, officer, tender, make.bureau(), None),
    ]
    for attempt in attempts:
        with pytest.raises(Refused) as refused:
            attempt()
        assert "frozen" in refused.value.reasons[0]
        session.rollback()
