"""The demo shows a tender in each stage the portal serves, built through its operations."""
from __future__ import annotations

from sqlmodel import select

from app.models import Bulletin, OpeningRecord, Question, Tender, Vision, VisionVersion


def test_demo_has_tenders_in_invitation_submission_and_review(runner, session, login_as):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    states = dict(session.exec(select(Tender.title, Tender.state)).all())
    assert states["Teamleiders in de wijk — Almere Haven"] == "invitation"
    assert states["Middenmanagement en de opgaven van de stad"] == "vision_submission"
    assert states["Directieprogramma Almere 2050"] == "vision_review"
    by_title = {t.title: t for t in session.exec(select(Tender))}
    inviting = by_title["Teamleiders in de wijk — Almere Haven"]
    assert len(session.exec(select(Bulletin).where(Bulletin.tender_id == inviting.id)).all()) == 1
    assert len(session.exec(select(Question).where(Question.tender_id == inviting.id)).all()) == 2
    running = by_title["Middenmanagement en de opgaven van de stad"]
    visions = session.exec(select(Vision).where(Vision.tender_id == running.id)).all()
    assert sorted(v.status for v in visions) == ["draft", "submitted"]
    opened = by_title["Directieprogramma Almere 2050"]
    assert session.exec(select(OpeningRecord).where(OpeningRecord.tender_id == opened.id)).one().outcome == \
        "vision_review"
    # Three bureaus submitted, De Leergang twice.
    assert len(session.exec(select(VisionVersion).join(Vision).where(Vision.tender_id == opened.id)).all()) == 4
    assert runner.invoke(args=["audit", "verify"]).output.startswith("OK")
