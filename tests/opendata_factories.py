"""Tenders at every stage for the open-data tests, arranged directly where later stages have no
operations yet: the first step goes through the real engine, later transitions are recorded as
audit events at their planned moments and the rows (visions, consensus, contracts, programmes) are
added as the stage areas will. Every tender carries secrets that must never be published."""
from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from app import audit, clock
from app.audit import Actor
from app.models import (
    ConsensusScore, Contract, Criterion, Invitation, Lot, Programme, Tender, Vision, VisionLot, VisionVersion,
)
from app.ocds import sources
from app.tenders import operations as tender_ops

# Markers of confidential text; none may appear in anything published.
SECRETS = {
    "vision": "GEHEIM-VISIETEKST", "approach": "GEHEIM-AANPAK", "note": "GEHEIM-CONSENSUSNOTITIE",
    "reason": "GEHEIM-REDEN", "decline": "GEHEIM-AFWIJZING", "motivation": "GEHEIM-MOTIVATIE",
    "brief": "GEHEIM-BRIEF", "draft": "GEHEIM-CONCEPT",
}
FLOW = ("invitation", "vision_submission", "vision_review", "pitch", "selection", "standstill", "awarded")
EVENTS = {  # state reached -> (event, the tender column giving its planned moment, offset)
    "vision_submission": ("open_submission", "invitation_at", timedelta(hours=1)),
    "vision_review": ("close_submission", "vision_deadline", timedelta(hours=1)),
    "pitch": ("start_pitches", "pitch_start", timedelta(hours=-2)),
    "selection": ("start_selection", "pitch_end", timedelta(hours=2)),
    "standstill": ("send_decision", "selection_at", timedelta(hours=1)),
    "awarded": ("award", "selection_at", timedelta(days=22)),
}


class Decisions:
    """A stand-in for the selection area's award-decision source: the tests say what was decided."""

    def __init__(self):
        self.by_tender: dict[int, list[sources.AwardDecision]] = {}
        self.assessments: list[sources.Assessment] = []

    def decisions(self, _session, tender_ids):
        return [d for i in tender_ids for d in self.by_tender.get(i, [])]

    def yearly(self, _session, _tender_ids):
        return list(self.assessments)


class OpenData:
    def __init__(self, make, session, decisions: Decisions | None = None):
        self.make = make
        self.session = session
        self.decisions = decisions or Decisions()
        self.start = clock.amsterdam(2027, 1, 4, 9)

    def record_transition(self, tender: Tender, officer, event: str, to_state: str, at, reason: str | None = None):
        clock.freeze(at)
        audit.record(self.session, actor=Actor.of(officer), action=f"tender.{event}", object_type="tender",
                     object_id=tender.id, tender_id=tender.id, from_state=tender.state, to_state=to_state,
                     reason=reason)
        tender.state = to_state
        tender.state_changed_at = at
        self.session.flush()

    def tender(self, state: str, *, officer=None, co_buyer: bool = False, lots: int = 2, bureaus: int = 4,
               submitted: int = 3, cancelled_from: str = "pitch", decided: bool = True, ended: bool = False,
               assessed: bool = True) -> Tender:
        """A tender in `state` (or `cancelled` from `cancelled_from`, or `unsuccessful`)."""
        s = self.session
        clock.freeze(self.start - timedelta(days=3))
        officer = officer or self.make.officer()
        tender = self.make.tender(officer, lots=lots, bureaus=bureaus, start=self.start - timedelta(days=1))
        tender_ops.update_fields(s, officer, tender, {
            "city_goals": f"Doelen {SECRETS['brief']}", "invitee_motivation": SECRETS["motivation"],
            "estimated_value_eur": 180_000}, None)
        if co_buyer:
            partner = self.make.organisation(identifier="00000001002564440000", city="Amsterdam")
            tender_ops.add_buyer(s, officer, tender, partner, None)
        s.commit()
        if state == "draft":
            return tender
        target = cancelled_from if state == "cancelled" else "vision_submission" if state == "unsuccessful" else state
        if target == "draft":
            tender.cancel_reason = SECRETS["reason"]
            self.record_transition(tender, officer, "cancel", "cancelled", self.start, SECRETS["reason"])
            s.commit()
            return tender

        clock.freeze(self.start)
        tender = tender_ops.fire(s, officer, tender, "open_invitation")
        invitations = s.exec(select(Invitation).where(Invitation.tender_id == tender.id).order_by(Invitation.id)).all()
        for i, inv in enumerate(invitations):
            inv.status, inv.sent_at, inv.send_count = "sent", self.start, 1
            if i == len(invitations) - 1:
                inv.status, inv.responded_at, inv.decline_reason = "declined", self.start, SECRETS["decline"]
            elif i < submitted:
                inv.status, inv.responded_at = "accepted", self.start
        s.commit()
        lot_rows = s.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position, Lot.id)).all()
        bureau_ids = [inv.bureau_id for inv in invitations]

        for step in FLOW[1:FLOW.index(target) + 1]:
            if step == "vision_review":
                self._visions(tender, bureau_ids, lot_rows, submitted)
            event, column, offset = EVENTS[step]
            at = getattr(tender, column) + offset
            if step == "vision_submission" and state != "draft":
                self._draft_vision(tender, bureau_ids[submitted % len(bureau_ids)], lot_rows)
            if step == "standstill" and decided:
                winners = tuple((lot.id, bureau_ids[i % submitted]) for i, lot in enumerate(lot_rows))
                self.decisions.by_tender.setdefault(tender.id, []).append(
                    sources.AwardDecision(tender.id, at, winners))
            self.record_transition(tender, officer, event, step, at)
            if step == "vision_review":
                self._consensus(tender, officer, bureau_ids[:submitted])
            if step == "awarded":
                self._contracts(tender, lot_rows, bureau_ids[:submitted], at, ended, assessed)
        if state == "unsuccessful":
            self._visions(tender, bureau_ids, lot_rows, submitted)
            self.record_transition(tender, officer, "declare_unsuccessful", "unsuccessful",
                         tender.vision_deadline + timedelta(hours=2), SECRETS["reason"])
        if state == "cancelled":
            tender.cancel_reason = SECRETS["reason"]
            self.record_transition(tender, officer, "cancel", "cancelled", tender.state_changed_at + timedelta(days=1),
                         SECRETS["reason"])
        s.commit()
        clock.freeze(tender.state_changed_at + timedelta(days=1))
        return tender

    def _draft_vision(self, tender, bureau_id, lots):
        vision = Vision(tender_id=tender.id, bureau_id=bureau_id, status="draft")
        self.session.add(vision)
        self.session.flush()
        version = VisionVersion(vision_id=vision.id, number=1, view=SECRETS["draft"])
        self.session.add(version)
        self.session.flush()
        self.session.add(VisionLot(version_id=version.id, lot_id=lots[0].id, approach=SECRETS["draft"]))

    def _visions(self, tender, bureau_ids, lots, submitted):
        moment = tender.vision_deadline - timedelta(days=1)
        for bureau_id in bureau_ids[:submitted]:
            vision = Vision(tender_id=tender.id, bureau_id=bureau_id, status="submitted", submitted_version=1,
                            submitted_at=moment)
            self.session.add(vision)
            self.session.flush()
            version = VisionVersion(vision_id=vision.id, number=1, view=SECRETS["vision"],
                                    co_creation=SECRETS["vision"], submitted_at=moment, content_hash="a" * 64)
            self.session.add(version)
            self.session.flush()
            for lot in lots:
                self.session.add(VisionLot(version_id=version.id, lot_id=lot.id, approach=SECRETS["approach"]))
        self.session.flush()

    def _consensus(self, tender, officer, bureau_ids):
        criteria = self.session.exec(select(Criterion).where(Criterion.tender_id == tender.id)).all()
        for bureau_id in bureau_ids:
            for c in criteria:
                self.session.add(ConsensusScore(tender_id=tender.id, stage=c.stage, bureau_id=bureau_id,
                                                criterion_id=c.id, value=8, note=SECRETS["note"],
                                                decided_by_id=officer.id))
        self.session.flush()

    def _contracts(self, tender, lots, bureau_ids, at, ended, assessed):
        for i, lot in enumerate(lots):
            contract = Contract(tender_id=tender.id, lot_id=lot.id, bureau_id=bureau_ids[i % len(bureau_ids)],
                                start_date=date(2027, 6, 1), duration_years=3, value_eur=60_000 + i,
                                created_at=at)
            self.session.add(contract)
            self.session.flush()
            programme = Programme(contract_id=contract.id, tender_id=tender.id, lot_id=lot.id,
                                  bureau_id=contract.bureau_id, title=f"Programma {lot.title}", state="running",
                                  period_start=date(2027, 6, 1), next_evaluation_on=date(2028, 6, 1))
            self.session.add(programme)
            self.session.flush()
            if assessed:
                self.decisions.assessments.append(sources.Assessment(
                    contract.id, 1, date(2027, 6, 1), date(2028, 5, 31), at + timedelta(days=480),
                    "end" if (ended and i == 0) else "adjust"))
            if ended and i == 0:
                programme.state, programme.end_reason = "ended", SECRETS["reason"]
                programme.state_changed_at = at + timedelta(days=481)
        self.session.flush()


# --- fixtures (import them into a test module) ---------------------------------------------------

import pytest  # noqa: E402


@pytest.fixture
def decided():
    """Registers the stand-in award-decision and assessment sources for the test, and restores the real ones after."""
    stand_in = Decisions()
    registered = sources._award_decisions, sources._assessments  # the areas' own sources, put back after
    sources.award_decisions(stand_in.decisions)
    sources.assessments(stand_in.yearly)
    yield stand_in
    sources.award_decisions(registered[0])
    sources.assessments(registered[1])


@pytest.fixture
def opendata(make, session, decided):
    return OpenData(make, session, decided)
