"""Test data built through the app's own operations, so audit chains stay valid.

    make.officer(), make.evaluator(org), make.bureau(), make.tender(officer, ready=True)
"""
from __future__ import annotations

import itertools
from datetime import timedelta

from sqlmodel import select

from app.admin import operations as admin_ops
from app.audit import SYSTEM
from app.auth.passwords import hash_password
from app.clock import now
from app.models import Bureau, Organisation, User
from app.tenders import operations as tender_ops

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


class Factory:
    def __init__(self, session):
        self.session = session

    def _n(self) -> int:
        return next(_seq)

    def commit(self):
        self.session.commit()

    def organisation(self, name: str | None = None, **kw) -> Organisation:
        org = admin_ops.save(self.session, SYSTEM, Organisation,
                             {"name": name or f"Gemeente Test {self._n()}", "kind": "municipality", **kw})
        self.session.commit()
        return org

    def bureau(self, name: str | None = None, **kw) -> Bureau:
        n = self._n()
        bureau = admin_ops.save(self.session, SYSTEM, Bureau, {
            "name": name or f"Bureau {n}", "contact_name": f"Contact {n}",
            "contact_email": kw.pop("contact_email", f"contact{n}@bureau.example"), **kw})
        self.session.commit()
        return bureau

    def user(self, role: str, organisation=None, bureau=None, name: str | None = None, email: str | None = None,
             password: str | None = PASSWORD):
        n = self._n()
        user = admin_ops.create_user(
            self.session, SYSTEM, email=email or f"{role}{n}@test.example", name=name or f"{role.title()} {n}",
            role=role, password=password,
            organisation_id=organisation.id if organisation else None, bureau_id=bureau.id if bureau else None)
        self.session.commit()
        return user

    def officer(self, organisation=None, **kw):
        return self.user("officer", organisation=organisation or self.organisation(), **kw)

    def evaluator(self, organisation, **kw):
        return self.user("evaluator", organisation=organisation, **kw)

    def admin(self, **kw):
        return self.user("admin", **kw)

    def bureau_user(self, bureau=None, **kw):
        """The bureau's contact account; sending invitations may have made it already (without a password)."""
        bureau = bureau or self.bureau()
        email = kw.pop("email", bureau.contact_email).lower()
        existing = self.session.exec(select(User).where(User.email == email)).first()
        if existing is not None:
            existing.password_hash = existing.password_hash or hash_password(PASSWORD)
            self.session.commit()
            return existing
        return self.user("bureau", bureau=bureau, email=email, **kw)

    def tender(self, officer=None, *, ready: bool = True, bureaus: int = 3, evaluators: int = 3, lots: int = 2,
               title: str | None = None, start=None):
        """A draft tender; with ready=True everything needed to send the invitations is filled in."""
        officer = officer or self.officer()
        s = self.session
        tender = tender_ops.create_tender(s, officer, title or f"Leiderschapsprogramma {self._n()}", "Een test.")
        if ready:
            org = s.get(Organisation, officer.organisation_id)
            start = start or now()
            tender_ops.update_fields(s, officer, tender, {
                "city_goals": "De stad verdubbelt.", "development_track": "Samen met medewerkers.",
                "open_question": "Wat is er nodig aan leiderschap?",
                "invitation_at": start + timedelta(days=1), "questions_deadline": start + timedelta(days=10),
                "vision_deadline": start + timedelta(days=20), "pitch_start": start + timedelta(days=25),
                "pitch_end": start + timedelta(days=26), "selection_at": start + timedelta(days=30),
            }, None)
            for i in range(lots):
                tender_ops.save_lot(s, officer, tender, {"title": f"Laag {i + 1}", "description": ""}, None)
            for stage, weights in (("vision", (60, 40)), ("pitch", (50, 50))):
                for i, weight in enumerate(weights):
                    tender_ops.save_criterion(s, officer, tender, stage, {
                        "title": f"{stage} criterium {i + 1}", "description": "", "weight": weight, "scale_min": 0,
                        "scale_max": 10, "scale_step": 2, "required": True, "counts_in_total": True},
                        tender_ops.default_anchors(), None)
            for _ in range(evaluators):
                tender_ops.add_panel_member(s, officer, tender, self.evaluator(org), None)
            for _ in range(bureaus):
                tender_ops.add_invitee(s, officer, tender, self.bureau(), None)
        s.commit()
        return tender
