"""The evaluation panel's rows of one generated tender, with the audit events its operations write
(app/evaluation/operations.py): conflict declarations, independent score sheets with their scores and
score revisions (`REVISIONS_SQL`), and the shortlist.

What happens when, on the tender's own timeline (bench/generate.py `STEP_DAY`):
- before `start_pitches`: every member declares "no conflict" for every bureau with a submitted vision,
  then submits a vision sheet for each; the officer decides the shortlist (at most three pitch);
- before `start_selection`: every member submits a pitch sheet for each shortlisted bureau;
- a tender still in `vision_review`: every member has declared; sheets are a mix of submitted, draft
  and not yet started (the first member's sheet for the first bureau is a draft: the page the
  benchmark measures is the one an evaluator works in).

Ids are allocated in fixed strides per tender, as in bench/generate.py, so workers never talk.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from types import SimpleNamespace

from app.audit.chain import Actor
from app.evaluation.operations import fingerprint

COLUMNS: dict[str, tuple[str, ...]] = {
    "conflict_declaration": ("id", "tender_id", "user_id", "bureau_id", "kind", "explanation", "declared_at",
                             "updated_at"),
    "score_sheet": ("id", "tender_id", "stage", "bureau_id", "user_id", "status", "submitted_at", "fingerprint",
                    "reopen_count", "version", "created_at", "updated_at"),
    "score": ("id", "sheet_id", "criterion_id", "value", "rationale", "updated_at"),
    "shortlist_entry": ("id", "tender_id", "bureau_id", "shortlisted", "reason", "decided_by_id", "decided_at",
                        "withdrawn_at", "withdraw_reason"),
}
# A member who submits at once writes each score and one revision just like it (operations.save_sheet):
# the revisions are copied from the scores in the database, once, at the end (fewer rows through Python).
REVISIONS_SQL = (
    "INSERT INTO score_revision (id, sheet_id, criterion_id, value, rationale, recorded_by_id, recorded_at)"
    " SELECT s.id, s.sheet_id, s.criterion_id, s.value, s.rationale, h.user_id, s.updated_at"
    " FROM score s JOIN score_sheet h ON h.id = s.sheet_id")
SHORTLIST = 3  # bureaus that go on to pitch, at most
NOT_SHORTLISTED = "Minder overtuigend op de criteria van de visie."
RATIONALE = "Onderbouwd met voorbeelden uit de visie."
LEVELS = (4, 6, 6, 8, 8, 10)


def events_per_tender(scale) -> float:
    """About how many audit events the panel adds per tender, on average over the state mix (for the
    generator's filler, so the total stays near `Scale.events`): 56 % of tenders reach the review."""
    visions = 0.85 * scale.invitations
    return 0.56 * (2 * scale.evaluators * visions + 1) + 0.42 * scale.evaluators * min(SHORTLIST, visions)


class Panel:
    """Appends one tender's panel rows to `rows` and its events to `chain`, in time order."""

    def __init__(self, t: int, scale, rng: random.Random, chain, ts, rows: dict[str, list], officer: Actor,
                 members: list[tuple[int, str, str]], bureaus: list[int], bureau_names: list[str],
                 criteria: dict[str, list[int]]):
        self.t, self.scale, self.rng, self.chain, self.ts, self.rows = t, scale, rng, chain, ts, rows
        self.officer, self.members, self.bureaus, self.names = officer, members, bureaus, bureau_names
        self.criteria = criteria
        self.shortlisted: list[int] = []
        for table in COLUMNS:
            rows[table] = []

    # --- ids: fixed strides per tender ------------------------------------------------------------
    def _k(self, bureau: int) -> int:
        return self.bureaus.index(bureau)  # the invitation's index in the tender

    def _declaration_id(self, m: int, bureau: int) -> int:
        e, i = self.scale.evaluators, self.scale.invitations
        return (self.t - 1) * e * i + m * i + self._k(bureau) + 1

    def _sheet_id(self, stage: str, m: int, bureau: int) -> int:
        e, i = self.scale.evaluators, self.scale.invitations
        return (self.t - 1) * 2 * e * i + (0 if stage == "vision" else e * i) + m * i + self._k(bureau) + 1

    def _actor(self, m: int) -> Actor:
        uid, name, _email = self.members[m]
        return Actor(uid, name, "evaluator")

    def _moments(self, start: datetime, end: datetime, n: int) -> list[datetime]:
        span = max(60.0, (end - start).total_seconds())
        return [start + timedelta(seconds=s) for s in sorted(self.rng.uniform(0, span) for _ in range(n))]

    # --- what the members and the officer do -------------------------------------------------------
    def declare(self, visions: list[int], start: datetime, end: datetime) -> None:
        pairs = [(m, b) for m in range(len(self.members)) for b in visions]
        for (m, b), at in zip(pairs, self._moments(start, end, len(pairs))):
            did = self._declaration_id(m, b)
            self.rows["conflict_declaration"].append((did, self.t, self.members[m][0], b, "none", "", self.ts(at),
                                                      self.ts(at)))
            self.chain.add(at, self._actor(m), "conflict.declared", "conflict_declaration", did,
                           changes={"bureau": [None, self.names[b - 1]], "kind": [None, "none"],
                                    "explanation": [None, None]})

    def score(self, stage: str, bureaus: list[int], start: datetime, end: datetime, mix=None) -> None:
        """A sheet per member and bureau; `mix` picks each sheet's status (default: all submitted)."""
        pairs = [(m, b) for m in range(len(self.members)) for b in bureaus]
        for (m, b), at in zip(pairs, self._moments(start, end, len(pairs))):
            status = mix(m, b) if mix else "submitted"
            if status is not None:
                self._sheet(stage, m, b, status, at)

    def _sheet(self, stage: str, m: int, b: int, status: str, at: datetime) -> None:
        sid, uid = self._sheet_id(stage, m, b), self.members[m][0]
        cids = self.criteria[stage]
        filled = len(cids) if status == "submitted" else self.rng.randint(1, len(cids) - 1)
        values = {cid: (self.rng.choice(LEVELS), RATIONALE) if j < filled else (None, "")
                  for j, cid in enumerate(cids)}
        print_ = fingerprint([SimpleNamespace(id=c) for c in cids], values) if status == "submitted" else None
        stamp = self.ts(at)
        self.rows["score_sheet"].append((sid, self.t, stage, b, uid, status, stamp if print_ else None, print_, 0, 1,
                                         stamp, stamp))
        for j, cid in enumerate(cids[:filled]):
            value, rationale = values[cid]
            row_id = (sid - 1) * self.scale.criteria + j + 1
            self.rows["score"].append((row_id, sid, cid, value, rationale, stamp))
        change = {"bureau": [None, self.names[b - 1]], "stage": [None, stage], "scored": [None, filled]}
        if status == "submitted":
            self.chain.add(at, self._actor(m), "sheet.submitted", "score_sheet", sid,
                           changes={**change, "fingerprint": [None, print_]})
        else:
            self.chain.add(at, self._actor(m), "sheet.saved", "score_sheet", sid, changes=change)

    def decide_shortlist(self, visions: list[int], at: datetime, officer_id: int) -> list[int]:
        self.shortlisted = visions[:SHORTLIST]
        changes = {}
        for b in visions:
            picked = b in self.shortlisted
            reason = "" if picked else NOT_SHORTLISTED
            self.rows["shortlist_entry"].append(((self.t - 1) * self.scale.invitations + self._k(b) + 1, self.t, b,
                                                 picked, reason, officer_id, self.ts(at), None, None))
            changes[self.names[b - 1]] = [None, "pitches" if picked else f"not shortlisted: {reason}"]
        self.chain.add(at, self.officer, "shortlist.decided", "tender", self.t, changes=changes)
        return self.shortlisted

    # --- hooks for the generator's timeline -------------------------------------------------------------
    def before_step(self, event: str, at: datetime, close_at: datetime | None, visions: list[int],
                    officer_id: int) -> None:
        """What the panel did before the step `event` (fired at `at`)."""
        if not visions:
            return
        if event == "start_pitches":
            self.declare(visions, close_at + timedelta(hours=1), close_at + timedelta(hours=20))
            self.score("vision", visions, close_at + timedelta(hours=21), at - timedelta(hours=4))
            self.decide_shortlist(visions, at - timedelta(hours=1), officer_id)
        elif event == "start_selection":
            self.score("pitch", self.shortlisted, at - timedelta(days=1.5), at - timedelta(hours=3))

    def in_review(self, visions: list[int], close_at: datetime, now: datetime) -> None:
        """A tender still in vision review: everyone declared; sheets under way."""
        if not visions:
            return
        span = now - close_at
        self.declare(visions, close_at + span * 0.02, close_at + span * 0.3)
        first = visions[0]

        def mix(m: int, b: int):
            if (m, b) == (0, first):
                return "draft"
            roll = self.rng.random()
            return "submitted" if roll < 0.4 else "draft" if roll < 0.7 else None
        self.score("vision", visions, close_at + span * 0.32, now - timedelta(minutes=5), mix)
