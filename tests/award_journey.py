"""A tender driven through the real operations from the invitations to yearly programme evaluations, with
two competing bureaus, a conflicted panel member, an upheld objection and a second decision. Every
confidential text carries a marker from SECRETS, so a test can check none of it is ever published.

    j = Journey(make, session)
    j.to_standstill()          # decision 1: bureau A wins
    j.uphold_objection()       # B's objection upheld: back to selection
    j.decide_again()           # decision 2: bureau B wins
    j.award()                  # contract and programme for B
    j.evaluation_year("adjust")
"""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app import clock
from app.audit import SYSTEM
from app.award import operations as award
from app.award.queries import current_decision
from app.evaluation import operations as evaluation
from app.models import Bureau, Criterion, Lot, Objection, Organisation, Programme, Tender
from app.programmes import evaluation_operations
from app.tenders import operations
from tests import portal_factories
from tests.programme_factories import TEXTS, ProgrammeFactory, Setup

SECRETS = {
    "rationale": "GEHEIM-ONDERBOUWING", "note": "GEHEIM-CONSENSUS", "conflict": "GEHEIM-BELANG",
    "motivation": "GEHEIM-MOTIVERING", "objection": "GEHEIM-BEZWAAR", "handling": "GEHEIM-AFHANDELING",
    "vision": "GEHEIM-VISIE", "decision": "GEHEIM-BESLUITNOTITIE", "feedback": "GEHEIM-TERUGKOPPELING",
    "shortlist": "GEHEIM-SHORTLIST",
}
# Contents of the programme's forms and plan (tests/programme_factories.py): never published either.
PROGRAMME_TEXTS = (*TEXTS.values(), "Afdelingsmanagers en teamleiders", "Groepsgewijze intakegesprekken",
                   "Sandra Kensen")


class Journey:
    def __init__(self, make, session):
        self.make, self.session = make, session
        s = session
        self.officer = make.officer()
        self.tender = make.tender(self.officer, bureaus=0, evaluators=0, lots=1)
        org = session.get(Organisation, self.officer.organisation_id)
        self.panel = make.evaluator(org)
        self.conflicted = make.evaluator(org)
        for member in (self.panel, self.conflicted):
            operations.add_panel_member(s, self.officer, self.tender, member, None)
        self.users = [make.bureau_user() for _ in range(2)]  # A and B
        self.bureaus = [s.get(Bureau, u.bureau_id) for u in self.users]
        for bureau in [*self.bureaus, make.bureau()]:
            operations.add_invitee(s, self.officer, self.tender, bureau, None)
        s.commit()
        self.lot = s.exec(select(Lot).where(Lot.tender_id == self.tender.id)).one()
        self.programme: Setup | None = None

    # --- the procedure --------------------------------------------------------------------------
    def _criteria(self, stage):
        return self.session.exec(select(Criterion).where(Criterion.tender_id == self.tender.id,
                                                         Criterion.stage == stage)).all()

    def _score(self, stage, value, text):
        return {c.id: (value, f"{text} {SECRETS['rationale']}") for c in self._criteria(stage)}

    def _consensus(self, stage, value):
        return {c.id: (value, SECRETS["note"]) for c in self._criteria(stage)}

    def to_vision_review(self):
        s, t = self.session, self.tender
        operations.fire(s, self.officer, t, "open_invitation")
        operations.fire(s, self.officer, t, "open_submission")
        s.commit()
        for user in self.users:
            portal_factories.submit(s, user, t, view=f"Onze visie {SECRETS['vision']}")
        clock.freeze(t.vision_deadline + timedelta(minutes=1))
        operations.fire(s, None, t, "close_submission", actor=SYSTEM)
        s.commit()

    def declare(self):
        a, b = (x.id for x in self.bureaus)
        evaluation.declare_conflicts(self.session, self.panel, self.tender, {a: ("none", ""), b: ("none", "")})
        evaluation.declare_conflicts(self.session, self.conflicted, self.tender,
                                     {a: ("professional", SECRETS["conflict"]), b: ("none", "")})
        self.session.commit()

    def score_visions(self):
        s, t = self.session, self.tender
        a, b = (x.id for x in self.bureaus)
        for member, bureau_id, value in ((self.panel, a, 8), (self.panel, b, 6), (self.conflicted, b, 6)):
            evaluation.save_sheet(s, member, t, "vision", bureau_id, self._score("vision", value, "Visie"), True)
        for bureau_id, value in ((a, 8), (b, 6)):
            evaluation.record_consensus(s, self.officer, t, "vision", bureau_id, self._consensus("vision", value))
        s.commit()

    def to_pitch(self):
        s, t = self.session, self.tender
        evaluation.decide_shortlist(s, self.officer, t, {b.id: (True, "") for b in self.bureaus})
        operations.fire(s, self.officer, t, "start_pitches")
        slots = [evaluation.add_slot(s, self.officer, t, clock.now() + timedelta(hours=2 + i), 45, "Stadhuis", "")
                 for i in range(2)]
        evaluation.publish_slots(s, self.officer, t)
        for user, slot in zip(self.users, slots):
            evaluation.book_slot(s, user, t, slot.id)
        s.commit()

    def to_selection(self):
        s, t = self.session, self.tender
        clock.freeze(clock.now() + timedelta(hours=4))  # both pitches were held
        a, b = (x.id for x in self.bureaus)
        for member, bureau_id, value in ((self.panel, a, 8), (self.panel, b, 6), (self.conflicted, b, 6)):
            evaluation.save_sheet(s, member, t, "pitch", bureau_id, self._score("pitch", value, "Pitch"), True)
        for bureau_id, value in ((a, 8), (b, 6)):
            evaluation.record_consensus(s, self.officer, t, "pitch", bureau_id, self._consensus("pitch", value))
        operations.fire(s, self.officer, t, "start_selection")
        s.commit()

    def select(self, winner: int):
        choices = {b.id: (i == winner, f"Keuze {i} {SECRETS['motivation']}") for i, b in enumerate(self.bureaus)}
        award.save_lot_selection(self.session, self.officer, self.tender, self.lot.id, choices, None)
        operations.fire(self.session, self.officer, self.tender, "send_decision")
        self.session.commit()

    def to_standstill(self):
        self.to_vision_review()
        self.declare()
        self.score_visions()
        self.to_pitch()
        self.to_selection()
        self.select(0)

    def uphold_objection(self):
        s, t = self.session, self.tender
        clock.advance(timedelta(days=2))
        objection = award.lodge_objection(s, self.users[1], t, f"Wij maken bezwaar {SECRETS['objection']}", [])
        s.commit()
        award.handle_objection(s, self.officer, t, objection.id, "upheld", f"Terecht {SECRETS['handling']}", None)
        s.commit()
        assert s.get(Tender, t.id).state == "selection"

    def decide_again(self):
        clock.advance(timedelta(days=1))
        self.select(1)

    def award(self):
        s = self.session
        clock.freeze(current_decision(s, self.tender.id).standstill_ends_at + timedelta(minutes=1))
        operations.fire(s, None, s.get(Tender, self.tender.id), "award", actor=SYSTEM)
        s.commit()
        programme = s.exec(select(Programme).where(Programme.tender_id == self.tender.id)).one()
        self.programme = Setup(programme, s.get(Tender, self.tender.id), self.officer, self.users[1], self.bureaus[1])
        return programme

    # --- the programme ----------------------------------------------------------------------------
    def agree_plan(self):
        ProgrammeFactory(self.make).agreed_plan(self.programme)

    def evaluation_year(self, decision: str = "continue"):
        pf = ProgrammeFactory(self.make)
        clock.advance(timedelta(days=366))
        pf.open_evaluation(self.programme)
        evaluation_ = pf.submit_forms(self.programme)
        programme = self.session.get(Programme, self.programme.programme.id)
        evaluation_operations.save_feedback(self.session, self.officer, programme, evaluation_,
                                            f"Deelnemers {SECRETS['feedback']}", evaluation_.feedback_revision)
        self.session.commit()
        pf.decide(self.programme, decision, f"Besluit {SECRETS['decision']}")

    def objections(self):
        return self.session.exec(select(Objection).where(Objection.tender_id == self.tender.id)).all()
