"""Independent scoring: drafts, submission, locks, reopening, history; nobody sees another's scores
before their own sheet is in; the officer sees counts, not values, until every sheet is in."""
from __future__ import annotations

import json

import pytest
from sqlmodel import select

from app.models import AuditEvent, Score, ScoreRevision, ScoreSheet
from tests.evaluation_factories import EvaluationFactory


@pytest.fixture
def ev(make):
    return EvaluationFactory(make)


def _sheet_form(sc, values, rationales, action="save", version=None):
    data = {"action": action}
    if version is not None:
        data["version"] = version
    for c, v, r in zip(sc.criteria["vision"], values, rationales):
        data[f"value_{c.id}"] = "" if v is None else str(v)
        data[f"rationale_{c.id}"] = r
    return data


def test_draft_then_submit_keeps_every_change(ev, login_as, session):
    sc = ev.in_review()
    member, bureau = sc.evaluators[0], sc.bureaus[0]
    ev.declare_all(sc)
    client = login_as(member)
    url = f"/evaluation/tenders/{sc.id}/vision/{bureau.id}"
    assert client.post(url, data=_sheet_form(sc, [6, None], ["Redelijk", ""])).status_code == 302
    sheet = session.exec(select(ScoreSheet)).one()
    assert sheet.status == "draft"
    assert client.post(url, data=_sheet_form(sc, [8, 4], ["Sterk verhaal", "Weinig co-creatie"], "submit",
                                             sheet.version)).status_code == 302
    session.expire_all()
    sheet = session.get(ScoreSheet, sheet.id)
    assert sheet.status == "submitted" and len(sheet.fingerprint) == 64
    assert sorted(s.value for s in session.exec(select(Score))) == [4, 8]
    history = session.exec(select(ScoreRevision.value, ScoreRevision.rationale).order_by(ScoreRevision.id)).all()
    assert history == [(6, "Redelijk"), (8, "Sterk verhaal"), (4, "Weinig co-creatie")]
    # The audit trail records the steps, never the values.
    events = session.exec(select(AuditEvent).where(AuditEvent.action.startswith("sheet."))
                          .order_by(AuditEvent.seq)).all()
    assert [e.action for e in events] == ["sheet.saved", "sheet.submitted"]
    assert all("Sterk verhaal" not in e.changes and "Redelijk" not in e.changes for e in events)
    assert json.loads(events[1].changes)["fingerprint"][1] == sheet.fingerprint
    page = client.get(url).get_data(as_text=True)
    assert "submitted" in page and 'name="action"' not in page and "Sterk verhaal" in page


def test_bad_input_is_refused_and_kept(ev, login_as, session):
    sc = ev.in_review()
    ev.declare_all(sc)
    client = login_as(sc.evaluators[0])
    url = f"/evaluation/tenders/{sc.id}/vision/{sc.bureaus[0].id}"
    off_scale = client.post(url, data=_sheet_form(sc, [7, 4], ["Zeven", "Vier"], "submit"))
    assert off_scale.status_code == 422
    html = off_scale.get_data(as_text=True)
    assert "Choose a score on the scale: 0, 2, 4, 6, 8, 10." in html and "Zeven" in html
    no_rationale = client.post(url, data=_sheet_form(sc, [8, 4], ["Goed", ""], "submit"))
    assert no_rationale.status_code == 422
    html = no_rationale.get_data(as_text=True)
    assert "write the rationale for your score" in html and "Goed" in html
    missing = client.post(url, data=_sheet_form(sc, [8, None], ["Goed", ""], "submit"))
    assert missing.status_code == 422 and "a score is required" in missing.get_data(as_text=True)
    assert session.exec(select(ScoreSheet)).all() == []


def test_a_submitted_sheet_is_locked_and_the_officer_can_reopen_it(ev, login_as, session):
    sc = ev.in_review()
    ev.declare_all(sc)
    member, bureau = sc.evaluators[0], sc.bureaus[0]
    sheet = ev.score(sc, member, "vision", bureau, [8, 6])
    client = login_as(member)
    url = f"/evaluation/tenders/{sc.id}/vision/{bureau.id}"
    late = client.post(url, data=_sheet_form(sc, [2, 2], ["Toch niet", "Toch niet"], "submit"))
    assert late.status_code == 409 and "it is locked" in late.get_data(as_text=True)

    officer = login_as(sc.officer)
    assert officer.post(f"/evaluation/tenders/{sc.id}/sheets/{sheet.id}/reopen", data={"reason": ""}).status_code == 422
    assert officer.post(f"/evaluation/tenders/{sc.id}/sheets/{sheet.id}/reopen",
                        data={"reason": "Criterium 2 verkeerd gelezen."}).status_code == 302
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "sheet.reopened")).one()
    assert event.reason == "Criterium 2 verkeerd gelezen."
    again = officer.post(f"/evaluation/tenders/{sc.id}/sheets/{sheet.id}/reopen", data={"reason": "Nog eens"})
    assert again.status_code == 409
    assert client.post(url, data=_sheet_form(sc, [8, 8], ["Onderbouwing 8", "Beter gelezen"], "submit")
                       ).status_code == 302
    values = session.exec(select(ScoreRevision.value).where(ScoreRevision.sheet_id == sheet.id)
                          .order_by(ScoreRevision.id)).all()
    assert values == [8, 6, 8]  # the first 6 is kept; only the changed criterion got a new revision
    from app.models import OutboxMessage
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.to_addr == member.email)).one()
    assert "Criterium 2 verkeerd gelezen." in mail.body_text


def test_a_stale_draft_is_refused(ev, login_as):
    sc = ev.in_review()
    ev.declare_all(sc)
    client = login_as(sc.evaluators[0])
    url = f"/evaluation/tenders/{sc.id}/vision/{sc.bureaus[0].id}"
    client.post(url, data=_sheet_form(sc, [6, None], ["Eerste venster", ""]))
    client.post(url, data=_sheet_form(sc, [8, None], ["Tweede venster", ""], version=1))
    response = client.post(url, data=_sheet_form(sc, [4, None], ["Derde venster", ""], version=1))
    assert response.status_code == 409 and "another window" in response.get_data(as_text=True)
    assert "Derde venster" in response.get_data(as_text=True)


def test_nobody_sees_other_scores_before_their_own_are_in(ev, login_as):
    sc = ev.in_review(lots=1)
    ev.declare_all(sc)
    first, second, third = sc.evaluators
    bureau = sc.bureaus[0]
    ev.score(sc, first, "vision", bureau, [10, 2])  # rationales "Onderbouwing 10" / "Onderbouwing 2"
    client = login_as(second)
    consensus = f"/evaluation/tenders/{sc.id}/vision/{bureau.id}/consensus"
    assert client.get(consensus).status_code == 404
    for url in ("/evaluation/", f"/evaluation/tenders/{sc.id}", f"/evaluation/tenders/{sc.id}/vision/{bureau.id}",
                f"/evaluation/tenders/{sc.id}/ranking", f"/evaluation/tenders/{sc.id}/bureaus/{bureau.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "Onderbouwing 10" not in html and "1 of 3" not in html and "Mean" not in html, url
    # The first member, having submitted, sees what is in so far (without the others' drafts).
    ev.score(sc, second, "vision", bureau, [4, 4], submit=False)
    html = login_as(first).get(consensus).get_data(as_text=True)
    assert "Onderbouwing 10" in html and "Onderbouwing 4" not in html and "1 of 3 independent sheets" in html
    ev.score(sc, second, "vision", bureau, [4, 4])
    html = client.get(consensus).get_data(as_text=True)
    assert "Onderbouwing 10" in html and "Onderbouwing 4" in html


def test_the_officer_sees_counts_until_every_sheet_is_in(ev, login_as):
    sc = ev.in_review(lots=1)
    ev.declare_all(sc)
    bureau = sc.bureaus[0]
    for e in sc.evaluators[:2]:
        ev.score(sc, e, "vision", bureau, [8, 6])
    officer = login_as(sc.officer)
    consensus = f"/evaluation/tenders/{sc.id}/vision/{bureau.id}/consensus"
    assert officer.get(consensus).status_code == 404
    html = officer.get(f"/evaluation/tenders/{sc.id}").get_data(as_text=True)
    assert "2 of 3" in html and "Onderbouwing" not in html
    assert "Onderbouwing" not in officer.get(f"/evaluation/tenders/{sc.id}/ranking").get_data(as_text=True)
    tender_page = officer.get(f"/tenders/{sc.id}").get_data(as_text=True)
    assert "sheets to go" in tender_page  # the guard tells how many, not what
    ev.score(sc, sc.evaluators[2], "vision", bureau, [6, 6])
    html = officer.get(consensus).get_data(as_text=True)
    assert "Onderbouwing 8" in html and "Record the consensus" in html


def test_page_query_counts_do_not_grow_with_the_panel(ev, login_as, count_queries):
    small = ev.in_review(bureaus=3, evaluators=2, lots=1)
    big = ev.in_review(bureaus=5, evaluators=4, lots=3)
    counts = {}
    for sc in (small, big):
        ev.declare_all(sc)
        for b in sc.bureaus:
            for e in sc.evaluators:
                ev.score(sc, e, "vision", b, [8, 6])
        member, officer = login_as(sc.evaluators[0]), login_as(sc.officer)
        b = sc.bureaus[0].id
        pages = [(member, "/evaluation/"), (member, f"/evaluation/tenders/{sc.id}"),
                 (member, f"/evaluation/tenders/{sc.id}/vision/{b}"),
                 (member, f"/evaluation/tenders/{sc.id}/vision/{b}/consensus"),
                 (officer, f"/evaluation/tenders/{sc.id}"), (officer, f"/evaluation/tenders/{sc.id}/ranking"),
                 (officer, f"/evaluation/tenders/{sc.id}/shortlist"),
                 (officer, f"/evaluation/tenders/{sc.id}/vision/{b}/consensus")]
        result = []
        for client, url in pages:
            with count_queries() as q:
                assert client.get(url).status_code == 200, url
            result.append(q.count)
        counts[sc.id] = result
    assert counts[small.id] == counts[big.id]
    assert max(counts[big.id]) <= 20
