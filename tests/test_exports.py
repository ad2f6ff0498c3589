"""Officers' exports: invitations and the audit trail as CSV and XLSX, streamed; 404 without rights."""
from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import func, insert
from sqlmodel import select

from app import clock
from app.models import AuditEvent, Bureau, Invitation, PanelMember, User
from tests.opendata_factories import SECRETS, decided, opendata  # noqa: F401


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # spreadsheets detect UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.get_data())).active


def test_invitations_export(opendata, login_as, session):
    tender = opendata.tender("invitation")
    officer = session.get(User, tender.created_by_id)
    declined = session.exec(select(Invitation).where(Invitation.tender_id == tender.id,
                                                     Invitation.status == "declined")).one()
    newcomer = opendata.make.bureau("=HYPERLINK(\"http://evil.example\")")
    session.add(Invitation(tender_id=tender.id, bureau_id=newcomer.id, status="sent", sent_at=clock.now(),
                           send_count=1, replaces_id=declined.id, replacement_motivation="Vervanger"))
    declined.status = "replaced"
    session.commit()
    client = login_as(officer)

    response = client.get(f"/tenders/{tender.id}/exports/invitations.csv")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{tender.reference}-invitations.csv"'
    rows = _csv(response)
    assert rows[0][:4] == ["Bureau", "Contact", "E-mail", "Status"]
    assert len(rows) == 1 + 5
    by_status = sorted(r[3] for r in rows[1:])
    assert by_status == ["accepted", "accepted", "accepted", "replaced", "sent"]
    replaced = next(r for r in rows[1:] if r[3] == "replaced")
    assert replaced[8] == SECRETS["decline"]  # officers see why a bureau declined
    newcomer_row = next(r for r in rows[1:] if r[9])
    assert newcomer_row[0] == "'=HYPERLINK(\"http://evil.example\")"  # no formula in a spreadsheet
    assert newcomer_row[9] == replaced[0] and newcomer_row[10] == "Vervanger"
    assert newcomer_row[4] == clock.local(clock.now()).strftime("%Y-%m-%d %H:%M")

    sheet = _xlsx(client.get(f"/tenders/{tender.id}/exports/invitations.xlsx"))
    values = list(sheet.values)
    assert values[0][:2] == ("Bureau", "Contact") and len(values) == 6
    row = next(v for v in values[1:] if v[9])
    assert row[0] == "=HYPERLINK(\"http://evil.example\")"  # a string cell, not a formula
    assert isinstance(row[4], datetime) and row[5] == 1
    assert sheet.cell(row=1, column=1).font.b and sheet.freeze_panes == "A2"


def test_audit_trail_export(opendata, login_as, session):
    tender = opendata.tender("pitch")
    client = login_as(session.get(User, tender.created_by_id))
    events = session.exec(select(AuditEvent).where(AuditEvent.tender_id == tender.id).order_by(AuditEvent.seq)).all()
    rows = _csv(client.get(f"/tenders/{tender.id}/exports/audit.csv"))
    assert rows[0][:5] == ["No.", "When (Amsterdam time)", "Who", "Role", "What"]
    assert [int(r[0]) for r in rows[1:]] == [e.seq for e in events]
    assert rows[1][4] == "Tender created" and rows[1][5] == "tender.created"
    opened = next(r for r in rows if r[5] == "tender.close_submission")
    assert (opened[7], opened[8]) == ("Vision submission", "Vision review")
    assert rows[-1][11] == events[-1].hash

    sheet = _xlsx(client.get(f"/tenders/{tender.id}/exports/audit.xlsx"))
    values = list(sheet.values)
    assert len(values) == len(events) + 1 and values[1][0] == 1
    assert values[1][1] == clock.local(events[0].occurred_at).replace(tzinfo=None)


def test_exports_answer_404_without_rights(opendata, login_as, make, session, client):
    tender = opendata.tender("invitation")
    evaluator = session.exec(select(User).join(PanelMember, PanelMember.user_id == User.id)
                             .where(PanelMember.tender_id == tender.id)).first()
    bureau = session.exec(select(Bureau).join(Invitation, Invitation.bureau_id == Bureau.id)
                          .where(Invitation.tender_id == tender.id)).first()
    url = f"/tenders/{tender.id}/exports/invitations.csv"
    for user in (evaluator, make.officer(), make.bureau_user(bureau), make.admin()):
        assert login_as(user).get(url).status_code == 404, user.role
    assert client.get(url).status_code == 302  # not logged in: to the login page
    officer = login_as(session.get(User, tender.created_by_id))
    assert officer.get(url).status_code == 200
    for bad in ("scores.csv", "invitations.pdf", "audit.json", "opening.pdf", "evaluation.csv"):
        assert officer.get(f"/tenders/{tender.id}/exports/{bad}").status_code == 404
    assert officer.get("/tenders/9999/exports/audit.csv").status_code == 404


def test_a_huge_audit_trail_streams(opendata, login_as, session, count_queries):
    tender = opendata.tender("invitation")
    officer = session.get(User, tender.created_by_id)
    start = session.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.tender_id == tender.id))
    moment = clock.now()
    rows = [{
        "chain": f"tender:{tender.id}", "seq": start + i, "tender_id": tender.id, "occurred_at": moment,
        "actor_id": officer.id, "actor_name": officer.name, "actor_role": "officer", "action": "tender.updated",
        "object_type": "tender", "object_id": tender.id, "changes": '{"title":["a","b"]}', "canonical": "{}",
        "prev_hash": "0" * 64, "hash": hashlib.sha256(f"{tender.id}-{i}".encode()).hexdigest(),
    } for i in range(1, 6001)]
    session.execute(insert(AuditEvent), rows)
    session.commit()
    client = login_as(officer)
    url = f"/tenders/{tender.id}/exports/audit.csv"
    with count_queries() as q:
        response = client.get(url, buffered=False)
        assert response.is_streamed
        chunks = list(response.iter_encoded())
    assert len(chunks) > 10  # sent in pieces as the rows come, not built whole first
    assert sum(chunk.count(b"\r\n") for chunk in chunks) == start + 6000 + 1
    assert q.count <= 5  # user, tender, one streaming select of the events

    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url.replace(".csv", ".xlsx")).get_data()),
                                   read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == start + 6000 + 1


def test_tender_page_offers_the_downloads(opendata, login_as, session):
    tender = opendata.tender("vision_review")
    page = login_as(session.get(User, tender.created_by_id)).get(f"/tenders/{tender.id}").get_data(as_text=True)
    for name in ("invitations-csv", "invitations-xlsx", "audit-csv", "audit-xlsx"):
        assert f'data-export="{name}"' in page
    assert f"/open-data/tenders/{tender.id}/releases.json" in page
    evaluator = session.exec(select(User).join(PanelMember, PanelMember.user_id == User.id)
                             .where(PanelMember.tender_id == tender.id)).first()
    page = login_as(evaluator).get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert "data-export=" not in page and "/open-data/tenders/" not in page


@pytest.mark.parametrize("state", ["draft", "cancelled"])
def test_unpublished_tenders_do_not_link_open_data(state, opendata, login_as, session):
    tender = opendata.tender(state, cancelled_from="draft")
    page = login_as(session.get(User, tender.created_by_id)).get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert 'data-export="audit-csv"' in page and "/open-data/tenders/" not in page


# --- the scores export (evaluation area) -----------------------------------------------------------------

SCORE_HEADER = ["Stage", "Bureau", "Criterion", "Weight (%)", "Scale", "Evaluator", "Score", "Rationale",
                "Sheet submitted (Amsterdam time)", "Consensus score", "Consensus note"]


@pytest.fixture
def scored(make, session):
    from tests.test_reports import evaluated
    return lambda state: evaluated(make, session, state)


def test_scores_export_after_both_stages(scored, login_as, count_queries):
    from tests.test_reports import NAMES
    sc = scored("selection")
    client = login_as(sc.officer)
    url = f"/tenders/{sc.id}/exports/scores.csv"
    with count_queries() as q:
        response = client.get(url, buffered=False)
        assert response.is_streamed
        rows = _csv(response)
    assert q.count <= 5  # user, tender, one streaming select
    assert response.headers["Content-Disposition"] == f'attachment; filename="{sc.tender.reference}-scores.csv"'
    assert rows[0] == SCORE_HEADER
    # 3 bureaus × 2 criteria × 2 evaluators per stage
    assert len(rows) == 1 + 2 * 3 * 2 * 2
    assert [r[0] for r in rows[1:13]] == ["Vision"] * 12 and [r[0] for r in rows[13:]] == ["Pitch"] * 12
    assert [r[1] for r in rows[1:13]] == [NAMES[0]] * 4 + [NAMES[1]] * 4 + [NAMES[2]] * 4
    eva, bart = (e.name for e in sc.evaluators)
    first = rows[1]
    assert first[:8] == ["Vision", NAMES[0], "vision criterium 1", "60", "0–10", bart if bart < eva else eva,
                         "8", "Onderbouwing 8"]
    assert first[9:] == ["8", f"Notitie vision {NAMES[0]}"]
    # Atelier Noord, vision criterion 2: Eva gave 6, Bart 4; the consensus is 6
    line = {(r[1], r[2], r[5]): r for r in rows[1:]}
    assert line[(NAMES[0], "vision criterium 2", "Eva Eerst")][6] == "6"
    assert line[(NAMES[0], "vision criterium 2", "Bart Tweede")][6:8] == ["4", "Onderbouwing 4"]
    assert line[(NAMES[0], "vision criterium 2", "Bart Tweede")][9] == "6"
    assert line[(NAMES[2], "pitch criterium 1", "Eva Eerst")][9:] == ["6", f"Notitie pitch {NAMES[2]}"]
    assert all(r[8] for r in rows[1:])  # when each sheet was submitted

    sheet = _xlsx(client.get(url.replace(".csv", ".xlsx")))
    values = list(sheet.values)
    assert list(values[0]) == SCORE_HEADER and len(values) == 25
    row = next(v for v in values[1:] if v[1] == NAMES[0] and v[2] == "vision criterium 2" and v[5] == "Bart Tweede")
    assert row[3] == 40 and row[6] == 4 and row[9] == 6 and isinstance(row[8], datetime)
    assert row[10] == f"Notitie vision {NAMES[0]}"


def test_scores_export_during_the_pitches_has_the_vision_only(scored, login_as):
    sc = scored("pitch")
    rows = _csv(login_as(sc.officer).get(f"/tenders/{sc.id}/exports/scores.csv"))
    assert len(rows) == 1 + 12 and {r[0] for r in rows[1:]} == {"Vision"}


def test_scores_export_is_404_before_the_consensus_is_final(scored, login_as, session):
    sc = scored("vision_review")  # every vision consensus is recorded, but the stage is still open
    client = login_as(sc.officer)
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/tenders/{sc.id}/exports/scores.{fmt}").status_code == 404
    page = client.get(f"/tenders/{sc.id}").get_data(as_text=True)
    assert 'data-export="scores-csv"' not in page and 'data-export="audit-csv"' in page


def test_scores_export_never_reaches_evaluators_or_others(scored, login_as, make, client):
    sc = scored("selection")
    url = f"/tenders/{sc.id}/exports/scores.csv"
    for user in (*sc.evaluators, make.officer(), make.bureau_user(sc.bureaus[0]), make.admin()):
        response = login_as(user).get(url)
        assert response.status_code == 404, user.role
        assert b"Onderbouwing" not in response.get_data()
        assert login_as(user).get(url.replace(".csv", ".xlsx")).status_code == 404
    page = login_as(sc.evaluators[0]).get(f"/tenders/{sc.id}").get_data(as_text=True)
    assert "/exports/scores" not in page
    assert client.get(url).status_code == 302
    assert login_as(sc.officer).get(url).status_code == 200


def test_scores_export_leaves_out_draft_sheets(scored, login_as, session):
    from app.models import ScoreSheet
    sc = scored("selection")
    draft = session.exec(select(ScoreSheet).where(ScoreSheet.tender_id == sc.id, ScoreSheet.stage == "pitch")).first()
    draft.status, draft.submitted_at = "draft", None  # as if reopened: not a result
    session.commit()
    rows = _csv(login_as(sc.officer).get(f"/tenders/{sc.id}/exports/scores.csv"))
    assert len(rows) == 1 + 24 - 2
