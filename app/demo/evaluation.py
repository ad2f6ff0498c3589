"""The panel at work, through the evaluation area's operations: conflicts declared, sheets with written
rationales, consensus with notes, the shortlist, pitch slots booked and pitches scored.

Two demo tenders stop here: the one in `vision_review` gets a panel halfway (one member done, one with a
draft, one still to score) and a new one sits in `pitch` (one pitch held yesterday and half scored, one
tomorrow). `Round` walks the later demo tenders through the whole evaluation."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.clock import now
from app.demo import texts
from app.demo.drafts import Cast, at, local_hour, timeline
from app.demo.portal import to_review
from app.evaluation import operations as evaluation
from app.evaluation.panel import load_panel
from app.models import Criterion, Tender
from app.tenders import operations as tender_ops

# How good each bureau is, per criterion (0–10, steps of 2); the members differ from it a little.
QUALITY = {
    "Bureau Meervoud": {"vision": [8, 8, 8, 6], "pitch": [8, 8, 8]},
    "Het U-Lab": {"vision": [6, 4, 4, 6], "pitch": [6, 6, 8]},
    "De Leergang": {"vision": [6, 6, 6, 8], "pitch": [8, 6, 6]},
    "Koers & Co": {"vision": [4, 4, 4, 4], "pitch": [6, 6, 4]},
    "Verbinders Collectief": {"vision": [6, 6, 8, 4], "pitch": [6, 8, 6]},
}
# Each member's own view (added to the quality): the third member's differs most, which flags a spread.
PLACE = "Stadhuis Almere, Stadhuisplein 1 (zaal De Wisseling)"
OFFSETS = {"vision": [(0, 0, 2, 0), (0, -2, 0, 0), (2, 0, -2, 2)], "pitch": [(0, 0, 0), (0, -2, 2), (2, 0, -2)]}


@dataclass
class Round:
    """One tender's evaluation: who has a conflict, and helpers that act as the members and the chair."""
    session: Session
    cast: Cast
    tender: Tender
    conflicts: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)

    def bureau_id(self, name: str) -> int:
        return self.cast.bureaus[name].id

    def criteria(self, stage: str) -> list[Criterion]:
        return list(self.session.exec(select(Criterion).where(Criterion.tender_id == self.tender.id,
                                                              Criterion.stage == stage)
                                      .order_by(Criterion.position, Criterion.id)))

    def scorers(self, name: str) -> list[int]:
        return [i for i in range(len(self.cast.evaluators)) if (i, name) not in self.conflicts]

    def declare(self, member: int) -> None:
        bureaus = load_panel(self.session, self.tender).bureaus.values()
        entries = {b.id: self.conflicts.get((member, b.name), ("none", "")) for b in bureaus}
        evaluation.declare_conflicts(self.session, self.cast.evaluators[member], self.tender, entries)

    def sheet(self, stage: str, name: str, member: int, submit: bool = True) -> None:
        entries = {}
        for i, criterion in enumerate(self.criteria(stage)):
            value = max(0, min(10, QUALITY[name][stage][i] + OFFSETS[stage][member][i]))
            entries[criterion.id] = (value, texts.rationale(name, stage, i, value))
        evaluation.save_sheet(self.session, self.cast.evaluators[member], self.tender, stage, self.bureau_id(name),
                              entries, submit)

    def agree(self, stage: str, name: str) -> None:
        """The chair records the consensus: the middle score, with a note where the scores lay apart."""
        state = load_panel(self.session, self.tender)
        stats = evaluation.stats_for(self.session, state, stage, self.bureau_id(name))
        entries = {}
        for i, criterion in enumerate(self.criteria(stage)):
            values = sorted(stats[criterion.id].values)
            entries[criterion.id] = (values[(len(values) - 1) // 2],
                                     texts.consensus_note(name, stage, i, stats[criterion.id].spread))
        evaluation.record_consensus(self.session, self.cast.officer, self.tender, stage, self.bureau_id(name), entries)

    def score_all(self, stage: str, names: list[str], when: datetime) -> None:
        """Every member scores on their own (an hour apart), then the chair records the consensus."""
        for member in range(len(self.cast.evaluators)):
            at(when + timedelta(hours=member))
            for name in names:
                if member in self.scorers(name):
                    self.sheet(stage, name, member)
        at(when + timedelta(days=1))
        for name in names:
            self.agree(stage, name)

    def review(self, names: list[str], shortlist: list[str], when: datetime) -> None:
        """The vision round, from the declarations to the shortlist and the start of the pitches."""
        at(when)
        for member in range(len(self.cast.evaluators)):
            self.declare(member)
        self.score_all("vision", names, when + timedelta(days=1))
        at(when + timedelta(days=2, hours=2))
        evaluation.decide_shortlist(self.session, self.cast.officer, self.tender,
                                    {self.bureau_id(n): (n in shortlist, "" if n in shortlist else
                                                         texts.NOT_SHORTLISTED[n]) for n in names})
        at(when + timedelta(days=3))
        tender_ops.fire(self.session, self.cast.officer, self.tender, "start_pitches")

    def plan_pitches(self, pitches: list[tuple[str, datetime]]) -> None:
        """The chair plans and publishes a slot per bureau (now), the bureaus book theirs an hour later."""
        slots = [evaluation.add_slot(self.session, self.cast.officer, self.tender, starts, 60, PLACE, "")
                 for _n, starts in pitches]
        evaluation.publish_slots(self.session, self.cast.officer, self.tender)
        at(now() + timedelta(hours=1))
        for (name, _starts), slot in zip(pitches, slots):
            evaluation.book_slot(self.session, self.cast.contact[name], self.tender, slot.id)

    def pitch_round(self, pitches: list[tuple[str, datetime]], selection_at: datetime) -> None:
        """Slots planned, every pitch held and scored, consensus, then the selection starts."""
        self.plan_pitches(pitches)
        last = max(starts for _n, starts in pitches)
        self.score_all("pitch", [n for n, _s in pitches], last + timedelta(hours=2))
        at(selection_at)
        tender_ops.fire(self.session, self.cast.officer, self.tender, "start_selection")


def evaluate(session: Session, cast: Cast, title: str, lots, invitees, applications, start: datetime,
             shortlist: list[str], conflicts=None, declines=None, pitch=(33, 35), selection=42) -> Round:
    """A tender taken through submission and the whole evaluation, into `selection`."""
    dates = timeline(start, pitch=pitch, selection=selection)
    tender = to_review(session, cast, title, lots, invitees, applications, start, dates, declines)
    rnd = Round(session, cast, tender, conflicts or {})
    rnd.review(list(applications), shortlist, dates["vision_deadline"] + timedelta(days=1))
    at(dates["vision_deadline"] + timedelta(days=4))
    rnd.pitch_round([(name, local_hour(dates["pitch_start"], 10 + 2 * i)) for i, name in enumerate(shortlist)],
                    dates["pitch_end"] + timedelta(days=2))
    return rnd


def build(session: Session, cast: Cast, in_review: Tender) -> Tender:
    # Vision review, halfway: Ruud is done, Fatima has one draft left, Henk (a conflict) still has to score.
    rnd = Round(session, cast, in_review, {(2, "Verbinders Collectief"): (
        "professional", "Ik heb tot vorig jaar bij Verbinders Collectief gewerkt.")})
    at(cast.days(-3))
    for member in range(3):
        rnd.declare(member)
    at(cast.days(-2))
    for name in ("Bureau Meervoud", "De Leergang", "Verbinders Collectief"):
        rnd.sheet("vision", name, 0)
    at(cast.days(-1))
    rnd.sheet("vision", "Bureau Meervoud", 1)
    rnd.sheet("vision", "De Leergang", 1, submit=False)

    # Pitch: visions opened ten days ago; Meervoud pitched yesterday, De Leergang pitches tomorrow.
    start = cast.days(-36)
    dates = timeline(start, pitch=(35, 38), selection=45)
    tender = to_review(session, cast, "Programma- en projectmanagers: van buiten naar binnen", [
        ("Programma- en projectmanagers", "Programmamanagers, projectleiders en strategisch adviseurs.")],
        ["Bureau Meervoud", "Het U-Lab", "De Leergang", "Verbinders Collectief"],
        {"Bureau Meervoud": None, "Het U-Lab": None, "De Leergang": None}, start, dates,
        {"Verbinders Collectief": "Geen capaciteit dit najaar; we doen graag mee aan een volgende ronde."})
    rnd = Round(session, cast, tender, {(2, "Het U-Lab"): (
        "professional", "Ik heb met twee begeleiders van Het U-Lab een leergang ontwikkeld.")})
    rnd.review(["Bureau Meervoud", "Het U-Lab", "De Leergang"], ["Bureau Meervoud", "De Leergang"], cast.days(-9))
    at(cast.days(-5))
    held, coming = cast.days(-1, hour=10), cast.days(1, hour=14)
    rnd.plan_pitches([("Bureau Meervoud", held), ("De Leergang", coming)])
    at(held + timedelta(hours=4))
    rnd.sheet("pitch", "Bureau Meervoud", 0)
    rnd.sheet("pitch", "Bureau Meervoud", 1)
    return tender
