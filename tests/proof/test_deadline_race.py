"""Races across processes: bureaus submit their visions around the deadline, through two gunicorn
servers on one PostgreSQL, with a file each.

Every submission is either accepted (stored whole: the version, its row for the file and the file
itself with the bytes sent, one audit event) or refused with the deadline shown (nothing stored,
the late attempt on record). None is lost, none half-stored, none accepted after the deadline: the
deadline is judged on the server's receipt time, under the tender's row lock.
"""
from __future__ import annotations

import hashlib
import io
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func
from sqlmodel import select

from app import clock
from app.i18n import format_local
from app.models import Attachment, AuditEvent, Lot, Tender, Vision, VisionVersion
from app.portal import submissions
from tests import figures
from tests.factories import PASSWORD
from tests.portal_factories import SECTIONS, contacts, invited, open_submission, pdf_bytes
from tests.proof.servers import CSRF, HttpClient
from tests.proof.storage import half_stored

pytestmark = pytest.mark.xdist_group("servers")


@dataclass
class Attempt:
    bureau_id: int
    sent: bytes
    status: int = 0
    html: str = ""


@dataclass
class Verdict:
    accepted: int = 0
    refused: int = 0
    problems: list[str] = field(default_factory=list)

    def count(self, word: str) -> int:
        return sum(word in p for p in self.problems)


def judge(session, tender: Tender, attempts: list[Attempt], upload_dir: Path, deadline_shown: str) -> Verdict:
    """Hold every answer against what was stored."""
    session.commit()
    session.expire_all()
    verdict = Verdict()
    for attempt in attempts:
        vision = session.exec(select(Vision).where(Vision.tender_id == tender.id,
                                                   Vision.bureau_id == attempt.bureau_id)).first()
        version = None if vision is None or vision.submitted_version is None else session.exec(
            select(VisionVersion).where(VisionVersion.vision_id == vision.id,
                                        VisionVersion.number == vision.submitted_version)).one()
        who = f"bureau {attempt.bureau_id}"
        if attempt.status == 303:
            verdict.accepted += 1
            if version is None:
                verdict.problems.append(f"{who}: lost (accepted, nothing stored)")
                continue
            if version.submitted_at >= tender.vision_deadline:
                verdict.problems.append(f"{who}: late (accepted at {version.submitted_at})")
            files = session.exec(select(Attachment).where(Attachment.owner_type == submissions.OWNER,
                                                          Attachment.owner_id == version.id)).all()
            if [a.sha256 for a in files] != [hashlib.sha256(attempt.sent).hexdigest()]:
                verdict.problems.append(f"{who}: half-stored (the file's row is missing or holds other bytes)")
        elif attempt.status == 409:
            verdict.refused += 1
            if deadline_shown not in attempt.html:
                verdict.problems.append(f"{who}: refused without the deadline shown")
            if version is not None:
                verdict.problems.append(f"{who}: half-stored (refused, yet a version was stored)")
        else:
            verdict.problems.append(f"{who}: lost (answered {attempt.status})")
    verdict.problems += [f"storage: half-stored ({p})" for p in half_stored(session, upload_dir)]
    events = Counter(dict(session.exec(select(AuditEvent.action, func.count()).where(
        AuditEvent.tender_id == tender.id, AuditEvent.action.in_(("vision.submitted", "vision.late_refused")))
        .group_by(AuditEvent.action)).all()))
    if (events["vision.submitted"], events["vision.late_refused"]) != (verdict.accepted, verdict.refused):
        verdict.problems.append(f"audit: lost ({dict(events)} for {verdict.accepted} accepted, "
                                f"{verdict.refused} refused)")
    return verdict


def _ready_tender(make, session):
    """Five invited bureaus (the most the rules allow), submission open, English pages."""
    tender, officer = invited(make, session, bureaus=5)
    open_submission(session, officer, tender)
    bureaus = contacts(session, tender)
    for user in bureaus:
        user.locale = "en"
    session.commit()
    lot = session.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position)).first()
    return tender, bureaus, lot


def _form(lot) -> dict:
    return {"action": "submit", **SECTIONS, f"lot-{lot.id}": "y", f"approach-{lot.id}": "Onze aanpak"}


def deadline_text(app, tender) -> str:
    with app.test_request_context(), force_locale("en"):
        return format_local(tender.vision_deadline, "long")


@pytest.mark.postgres_only
def test_visions_racing_the_deadline_across_two_servers(app, servers, make, session, capsys):
    worlds = [_ready_tender(make, session) for _ in range(4)]
    attempts: list[tuple[Attempt, HttpClient, str, str, dict]] = []
    for t, (tender, bureaus, lot) in enumerate(worlds):
        for b, user in enumerate(bureaus):
            client = HttpClient(servers[(t + b) % 2].url)
            client.login(user.email, PASSWORD)
            path = f"/portal/tenders/{tender.id}/vision"
            status, html = client.get(path)
            assert status == 200, status
            sent = pdf_bytes(f"visie {tender.id}-{user.bureau_id}")
            attempts.append((Attempt(user.bureau_id, sent), client, path, CSRF.search(html).group(1), _form(lot)))
    deadline = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=4)
    for tender, _bureaus, _lot in worlds:
        tender.vision_deadline = deadline
    session.commit()
    # From 1.2 s before to 1 s after the deadline, spread evenly over the attempts.
    offsets = [-1.2 + 2.2 * i / (len(attempts) - 1) for i in range(len(attempts))]

    def fire(attempt, client, path, token, form, offset):
        time.sleep(max(0.0, (deadline + timedelta(seconds=offset) - datetime.now(timezone.utc)).total_seconds()))
        try:
            attempt.status, attempt.html = client.post(path, form, token, timeout=60,
                                                       files={"attachment": ("visie.pdf", attempt.sent)})
        except OSError as e:
            attempt.status, attempt.html = 0, str(e)

    threads = [threading.Thread(target=fire, args=(*a, o)) for a, o in zip(attempts, offsets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    verdicts = []
    for i, (tender, _bureaus, _lot) in enumerate(worlds):
        session.refresh(tender)
        verdicts.append(judge(session, tender, [a[0] for a in attempts[i * 5:(i + 1) * 5]], servers.uploads,
                              deadline_text(app, tender)))
    problems = [p for v in verdicts for p in v.problems]
    figures.record("races", attempts=len(attempts),
                   lost=sum(any(w in p for w in ("lost", "half-stored")) for p in problems),
                   late=sum("late" in p for p in problems))
    accepted, refused = sum(v.accepted for v in verdicts), sum(v.refused for v in verdicts)
    with capsys.disabled():
        print(f"\ndeadline race: {accepted} accepted, {refused} refused with the deadline, {len(problems)} problems")
    assert problems == []
    assert accepted + refused == len(attempts)
    assert accepted > 0 and refused > 0, (accepted, refused)  # the race really straddled the deadline


def test_the_check_catches_a_deadline_guard_that_lets_a_late_vision_in(app, make, session, login_as, monkeypatch):
    """Break the guard on purpose (the deadline ignored): a late vision is accepted, and the check says so."""
    tender, bureaus, lot = _ready_tender(make, session)
    editable = submissions.editable
    monkeypatch.setattr(submissions, "editable",
                        lambda t, invitation, at=None: editable(t, invitation, clock.now() - timedelta(days=365)))
    clock.freeze(tender.vision_deadline + timedelta(minutes=1))
    sent = pdf_bytes("te laat")
    client = login_as(bureaus[0])
    response = client.post(f"/portal/tenders/{tender.id}/vision",
                           data={**_form(lot), "attachment": (io.BytesIO(sent), "visie.pdf")})
    attempt = Attempt(bureaus[0].bureau_id, sent, response.status_code, response.get_data(as_text=True))
    verdict = judge(session, tender, [attempt], Path(app.config["UPLOAD_DIR"]), deadline_text(app, tender))
    assert any("late" in p for p in verdict.problems), verdict
