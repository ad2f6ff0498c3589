"""The demo's cast, its sense of time, and the drafts every demo tender starts from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlmodel import Session

from app import clock
from app.demo import data
from app.models import Bureau, Tender, User
from app.tenders import operations as tender_ops


@dataclass
class Cast:
    """Who plays in the demo: Almere's officer and panel, the bureaus and their contacts."""
    officer: User
    evaluators: list[User]
    bureaus: dict[str, Bureau]
    contact: dict[str, User]
    now: datetime  # the moment the demo is loaded: every date is relative to it

    def days(self, n: float, hour: int | None = None) -> datetime:
        """`now` + n days; with `hour`, at that hour of the Amsterdam day (for pitches, deadlines)."""
        moment = self.now + timedelta(days=n)
        return moment if hour is None else local_hour(moment, hour)

    def picks(self, *names: str) -> list[Bureau]:
        return [self.bureaus[n] for n in names]


def local_hour(moment: datetime, hour: int) -> datetime:
    """That Amsterdam day at `hour` o'clock (in UTC)."""
    day = clock.local(moment).date()
    return clock.amsterdam(day.year, day.month, day.day, hour).astimezone(timezone.utc)


def at(moment: datetime) -> None:
    """Move the demo's clock: operations stamp their rows and audit events with this moment."""
    clock.freeze(moment)


def timeline(start: datetime, deadline: int = 26, pitch: tuple[int, int] = (33, 35), selection: int = 42) -> dict:
    """The tender's dates, in days after `start`, at the hours a municipality would pick (Amsterdam), in
    the order the draft guards demand."""
    day = lambda n, hour: local_hour(start + timedelta(days=n), hour)  # noqa: E731
    return {
        "invitation_at": start,  # the invitations go out the moment the demo sends them
        "questions_deadline": day(12, 12),
        "vision_deadline": day(deadline, 12),
        "pitch_start": day(pitch[0], 9),
        "pitch_end": day(pitch[1], 17),
        "selection_at": day(selection, 12),
    }


def ready_draft(session: Session, officer: User, spec: dict, lots, evaluators, bureaus, start: datetime,
                dates: dict | None = None) -> Tender:
    """A draft with everything filled in: ready to send the invitations."""
    tender = tender_ops.create_tender(session, officer, spec["title"], spec["description"])
    tender_ops.update_fields(session, officer, tender,
                             {k: v for k, v in spec.items() if k not in ("title", "description")}, None)
    tender_ops.update_fields(session, officer, tender, dates or timeline(start), None)
    for title, description in lots:
        tender_ops.save_lot(session, officer, tender, {"title": title, "description": description}, None)
    anchors = tender_ops.default_anchors()
    for stage, criteria in (("vision", data.VISION_CRITERIA), ("pitch", data.PITCH_CRITERIA)):
        for title, weight in criteria:
            tender_ops.save_criterion(session, officer, tender, stage, {
                "title": title, "description": "", "weight": weight, "scale_min": 0, "scale_max": 10,
                "scale_step": 2, "required": True, "counts_in_total": True}, anchors, None)
    for evaluator in evaluators:
        tender_ops.add_panel_member(session, officer, tender, evaluator, None)
    for bureau in bureaus:
        tender_ops.add_invitee(session, officer, tender, bureau, None)
    return tender


def spec_of(title: str, **changes) -> dict:
    """Almere's brief under another title (each demo tender is a management layer or a district)."""
    return {**data.ALMERE, "title": title, **changes}


def almere(session: Session, cast: Cast) -> Tender:
    """The model case, ready to send: the browser journey takes it on from here."""
    at(cast.now)
    dates = {**timeline(cast.now), "invitation_at": cast.days(1, hour=9)}  # to go out tomorrow morning
    return ready_draft(session, cast.officer, data.ALMERE, data.ALMERE_LOTS, cast.evaluators,
                       list(cast.bureaus.values()), cast.now, dates)


def koppelkansen(session: Session, users: dict, orgs: dict, bureaus: dict) -> Tender:
    """Joint procurement, still being drafted: the checklist shows what is missing."""
    officer = users["inkoper@amsterdam.example"]
    spec = data.KOPPELKANSEN
    tender = tender_ops.create_tender(session, officer, spec["title"], spec["description"])
    tender_ops.update_fields(session, officer, tender,
                             {k: v for k, v in spec.items() if k not in ("title", "description")}, None)
    for name in ("Liander", "Waternet"):
        tender_ops.add_buyer(session, officer, tender, orgs[name], None)
    for title, description in data.KOPPELKANSEN_LOTS:
        tender_ops.save_lot(session, officer, tender, {"title": title, "description": description}, None)
    for email in ("beoordelaar@liander.example", "beoordelaar@waternet.example"):
        tender_ops.add_panel_member(session, officer, tender, users[email], None)
    for name in ("Het U-Lab", "Koers & Co"):
        tender_ops.add_invitee(session, officer, tender, bureaus[name], None)
    return tender
