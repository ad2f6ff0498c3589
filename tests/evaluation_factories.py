"""Tenders in `vision_review` and `pitch` for the evaluation tests.

The visions are arranged as rows (the bureau portal that submits them is another area): a ready tender
is sent through the engine (invitations, submission), each bureau gets a submitted Vision with version 1
and its lots, and the submission is closed through the engine after the deadline. The panel's own steps
(declarations, sheets, consensus, shortlist, slots, bookings) go through the evaluation operations, so
every audit chain stays valid.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Optional

from sqlmodel import select

from app import clock
from app.evaluation import operations as ops
from app.models import Bureau, Criterion, Invitation, Lot, Tender, User, Vision, VisionLot, VisionVersion
from app.tenders import operations as tender_ops


@dataclass
class Scenario:
    tender: Tender
    officer: User
    evaluators: list[User]
    bureaus: list[Bureau]
    lots: list[Lot]
    criteria: dict[str, list[Criterion]]
    bureau_users: dict[int, User] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.tender.id


class EvaluationFactory:
    def __init__(self, make):
        self.make = make
        self.session = make.session

    def refresh(self, sc: Scenario) -> Scenario:
        self.session.expire_all()
        sc.tender = self.session.get(Tender, sc.tender.id)
        return sc

    # --- arranging a tender under review ---------------------------------------------------------------
    def in_review(self, *, bureaus: int = 3, evaluators: int = 3, lots: int = 2, lot_choice=None,
                  bureau_names=None, evaluator_names=None, officer=None, bureau_users: bool = False) -> Scenario:
        """A tender in `vision_review` whose bureaus all submitted a vision (for every lot, unless
        `lot_choice(i) -> [lot indexes]` says otherwise). The vision deadline passed a day ago; the
        pitches start in four days."""
        s, make = self.session, self.make
        real = clock.now()
        saved = clock._frozen
        clock.freeze(real - timedelta(days=21))
        try:
            officer = officer or make.officer()
            tender = make.tender(officer, bureaus=bureaus, evaluators=0, lots=lots)
            org = officer.organisation_id
            from app.models import Organisation
            organisation = s.get(Organisation, org)
            people = []
            for i in range(evaluators):
                name = evaluator_names[i] if evaluator_names else None
                person = make.evaluator(organisation, **({"name": name} if name else {}))
                tender_ops.add_panel_member(s, officer, tender, person, None)
                people.append(person)
            s.commit()
            if bureau_names:
                for invitation, name in zip(s.exec(select(Invitation).where(Invitation.tender_id == tender.id)
                                                   .order_by(Invitation.id)).all(), bureau_names):
                    s.get(Bureau, invitation.bureau_id).name = name
                s.commit()
            tender_ops.fire(s, officer, tender, "open_invitation")
            tender_ops.fire(s, officer, tender, "open_submission")
            s.commit()
            invitations = s.exec(select(Invitation).where(Invitation.tender_id == tender.id)
                                 .order_by(Invitation.id)).all()
            lot_rows = s.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position, Lot.id)).all()
            moment = clock.now() + timedelta(days=10)
            for i, invitation in enumerate(invitations):
                invitation.status, invitation.sent_at, invitation.responded_at = "accepted", clock.now(), clock.now()
                vision = Vision(tender_id=tender.id, bureau_id=invitation.bureau_id, status="submitted",
                                submitted_version=1, submitted_at=moment)
                s.add(vision)
                s.flush()
                version = VisionVersion(vision_id=vision.id, number=1, view=f"Visie {i + 1}: leiderschap samen.",
                                        co_creation="Samen ontwerpen.", personal_level="Persoonlijk leiderschap.",
                                        experience="Tien jaar.", team="Drie trainers.", submitted_at=moment,
                                        content_hash=hashlib.sha256(f"{tender.id}-{i}".encode()).hexdigest())
                s.add(version)
                s.flush()
                chosen = lot_choice(i) if lot_choice else range(len(lot_rows))
                for k in chosen:
                    s.add(VisionLot(version_id=version.id, lot_id=lot_rows[k].id, approach=f"Aanpak {k + 1}"))
            s.commit()
        finally:
            clock.freeze(saved)
        tender = s.get(Tender, tender.id)
        tender_ops.fire(s, officer, tender, "close_submission")
        s.commit()
        criteria = {"vision": [], "pitch": []}
        for c in s.exec(select(Criterion).where(Criterion.tender_id == tender.id)
                        .order_by(Criterion.stage, Criterion.position)):
            criteria[c.stage].append(c)
        bureau_rows = [s.get(Bureau, inv.bureau_id) for inv in invitations]
        sc = Scenario(tender, officer, people, bureau_rows, list(lot_rows), criteria)
        if bureau_users:
            for b in bureau_rows:
                sc.bureau_users[b.id] = make.bureau_user(b)
        return sc

    # --- the panel's steps ------------------------------------------------------------------------------
    def declare(self, sc: Scenario, evaluator: User, conflicts: Optional[dict] = None) -> None:
        """Declare for every bureau: none, except {bureau_id: kind} in `conflicts`."""
        conflicts = conflicts or {}
        entries = {b.id: (conflicts.get(b.id, "none"), "Oud-collega." if b.id in conflicts else "")
                   for b in sc.bureaus}
        ops.declare_conflicts(self.session, evaluator, sc.tender, entries)
        self.session.commit()

    def declare_all(self, sc: Scenario) -> None:
        for e in sc.evaluators:
            self.declare(sc, e)

    def score(self, sc: Scenario, evaluator: User, stage: str, bureau: Bureau, values, submit: bool = True):
        criteria = sc.criteria[stage]
        entries = {c.id: (v, f"Onderbouwing {v}" if v is not None else "") for c, v in zip(criteria, values)}
        sheet = ops.save_sheet(self.session, evaluator, sc.tender, stage, bureau.id, entries, submit)
        self.session.commit()
        return sheet

    def consensus(self, sc: Scenario, stage: str, bureau: Bureau, values, note: str = "Besproken in de vergadering."):
        criteria = sc.criteria[stage]
        ops.record_consensus(self.session, sc.officer, sc.tender, stage, bureau.id,
                             {c.id: (v, note) for c, v in zip(criteria, values)})
        self.session.commit()

    def score_round(self, sc: Scenario, stage: str, table: dict[int, list[int]]):
        """Every evaluator submits `table[bureau_id]` for each bureau it may score; then consensus on the
        same values."""
        from app.evaluation.panel import load_panel
        state = load_panel(self.session, sc.tender)
        for b in sc.bureaus:
            if b.id not in table:
                continue
            for e in sc.evaluators:
                if not state.blocked(e.id, b.id):
                    self.score(sc, e, stage, b, table[b.id])
            self.consensus(sc, stage, b, table[b.id])

    def shortlist(self, sc: Scenario, picked: list[Bureau]) -> None:
        ops.decide_shortlist(self.session, sc.officer, sc.tender,
                             {b.id: (b in picked, "" if b in picked else "Minder passend.") for b in sc.bureaus})
        self.session.commit()

    def to_pitch(self, sc: Scenario, picked: Optional[list[Bureau]] = None, table=None) -> Scenario:
        """Vision scored (table, or 8/6 for everyone), consensus recorded, shortlist decided, pitches started."""
        self.declare_all(sc)
        table = table or {b.id: [8, 6] for b in sc.bureaus}
        self.score_round(sc, "vision", table)
        self.shortlist(sc, picked if picked is not None else sc.bureaus)
        tender_ops.fire(self.session, sc.officer, sc.tender, "start_pitches")
        self.session.commit()
        return self.refresh(sc)

    def slot(self, sc: Scenario, hours_ahead: float, publish: bool = True, **kw):
        slot = ops.add_slot(self.session, sc.officer, sc.tender, clock.now() + timedelta(hours=hours_ahead),
                            kw.get("duration", 45), kw.get("location", "Stadhuis, zaal 3"), kw.get("online_url", ""))
        self.session.commit()
        if publish:
            ops.publish_slots(self.session, sc.officer, sc.tender)
            self.session.commit()
        return slot

    def book(self, sc: Scenario, bureau: Bureau, slot) -> None:
        user = sc.bureau_users.get(bureau.id) or self.make.bureau_user(bureau)
        sc.bureau_users[bureau.id] = user
        ops.book_slot(self.session, user, sc.tender, slot.id)
        self.session.commit()

    def pitches_held(self, sc: Scenario, bureaus: Optional[list[Bureau]] = None) -> None:
        """Each bureau books a slot; then the clock moves past the last pitch."""
        bureaus = bureaus if bureaus is not None else [b for b in sc.bureaus]
        slots = [self.slot(sc, 2 + i, publish=False) for i, _b in enumerate(bureaus)]
        ops.publish_slots(self.session, sc.officer, sc.tender)
        self.session.commit()
        for b, s in zip(bureaus, slots):
            self.book(sc, b, s)
        clock.freeze(clock.now() + timedelta(hours=3 + len(bureaus)))
