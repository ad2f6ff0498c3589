"""Selection per lot, the award decision and its letters, objections, the definitive award, cancellation."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app import clock
from app.clock import amsterdam
from app.models import (
    Attachment, AuditEvent, AwardDecision, Contract, DecisionLetter, LotSelection, Objection, OutboxAttachment,
    OutboxMessage, Programme, Tender,
)
from tests.award_factories import decide_all, selection_form, selection_tender

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def send_decision(client, tender, version=None):
    return client.post(f"/tenders/{tender.id}/actions/send_decision",
                       data={"version": str(version if version is not None else tender.version), "reason": ""})


def messages(session, kind=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return session.exec(stmt).all()


def current(session, tender):
    session.expire_all()
    return session.get(Tender, tender.id)


# --- selection -------------------------------------------------------------------------------------------------

def test_selection_page_shows_the_final_ranking_with_ties(make, login_as, count_queries):
    a = selection_tender(make, bureaus=3, scores={0: 8, 1: 6, 2: 6})
    client = login_as(a.officer)
    with count_queries() as q:
        html = client.get(f"/tenders/{a.tender.id}/selection").get_data(as_text=True)
    assert q.count <= 16
    for lot in a.lots:
        assert f'id="lot-{lot.id}"' in html
    # 8 on every criterion → 80.00 in both stages; the two bureaus on 6 share rank 2.
    assert "#1" in html and "80.00" in html and html.count(">tie<") == 2 * len(a.lots)
    assert "Write a motivation for every bureau" in html


def test_a_selection_without_motivation_is_refused_and_the_input_kept(make, login_as, session):
    a = selection_tender(make)
    client = login_as(a.officer)
    lot = a.lots[0]
    data = selection_form(lot, a.tender.version, [(a.bureaus[0], True, "Sterkste visie"), (a.bureaus[1], False, ""),
                                                   (a.bureaus[2], False, "Minder concreet")])
    response = client.post(f"/tenders/{a.tender.id}/selection/{lot.id}", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This field is required." in html and "Sterkste visie" in html and "Minder concreet" in html
    assert session.exec(select(LotSelection)).all() == []


def test_more_winners_than_a_lot_allows_is_refused(make, login_as, session):
    a = selection_tender(make, max_winners=1)
    lot = a.lots[0]
    data = selection_form(lot, a.tender.version, [(b, True, "Goed") for b in a.bureaus[:2]] +
                          [(a.bureaus[2], False, "Minder")])
    response = login_as(a.officer).post(f"/tenders/{a.tender.id}/selection/{lot.id}", data=data)
    assert response.status_code == 422
    assert "At most 1 bureau(s) may be selected per lot in this tender; you selected 2." in response.get_data(as_text=True)
    assert session.exec(select(LotSelection)).all() == []


def test_a_bureau_without_final_score_cannot_be_selected(make, login_as):
    a = selection_tender(make, pitch_for=[0, 1])  # bureau 2 was not shortlisted for the pitches
    lot = a.lots[0]
    data = selection_form(lot, a.tender.version, [(a.bureaus[0], False, "x"), (a.bureaus[1], False, "y"),
                                                   (a.bureaus[2], True, "z")])
    response = login_as(a.officer).post(f"/tenders/{a.tender.id}/selection/{lot.id}", data=data)
    assert response.status_code == 422
    assert f"{a.bureaus[2].name} cannot be selected: there is no final score" in response.get_data(as_text=True)


def test_a_selection_is_saved_and_audited(make, login_as, session):
    a = selection_tender(make, max_winners=2)
    lot = a.lots[1]
    data = selection_form(lot, a.tender.version, [(a.bureaus[0], True, "Verbindend"), (a.bureaus[1], True, "Divers"),
                                                   (a.bureaus[2], False, "Te algemeen")])
    response = login_as(a.officer).post(f"/tenders/{a.tender.id}/selection/{lot.id}", data=data)
    assert response.status_code == 302
    rows = {r.bureau_id: r for r in session.exec(select(LotSelection).where(LotSelection.lot_id == lot.id))}
    assert rows[a.bureaus[0].id].selected and rows[a.bureaus[1].id].selected and not rows[a.bureaus[2].id].selected
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "selection.saved")).one()
    assert event.actor_id == a.officer.id and "Te algemeen" in event.changes


def test_a_stale_selection_form_is_refused(make, login_as, session):
    a = selection_tender(make)
    lot = a.lots[0]
    seen = a.tender.version
    decide_all(session, a)  # bumps the tender version
    data = selection_form(lot, seen, [(b, i == 1, "Anders") for i, b in enumerate(a.bureaus)])
    response = login_as(a.officer).post(f"/tenders/{a.tender.id}/selection/{lot.id}", data=data)
    assert response.status_code == 409
    assert "Someone else changed this tender" in response.get_data(as_text=True)


def test_the_decision_cannot_be_sent_before_every_lot_is_decided(make, login_as, session):
    a = selection_tender(make)
    client = login_as(a.officer)
    html = client.get(f"/tenders/{a.tender.id}").get_data(as_text=True)
    assert 'id="why-send_decision"' in html and "write a motivation for" in html
    assert "Lots decided: 0 of 2." in html
    response = send_decision(client, a.tender)
    assert response.status_code == 409
    assert current(session, a.tender).state == "selection" and messages(session) == []


# --- the decision and its letters ----------------------------------------------------------------------------------

def test_every_bureau_gets_one_letter_with_its_own_scores_and_the_winners(make, login_as, session):
    clock.freeze(amsterdam(2027, 2, 2, 10))  # a Tuesday: day 20 is Monday 22 February
    a = selection_tender(make, bureaus=3, lots=2)
    decide_all(session, a, {0: [0], 1: [1]})
    client = login_as(a.officer)
    tender = current(session, a.tender)
    seen = tender.version
    assert send_decision(client, tender, seen).status_code == 302
    # A double click (the same form twice) is refused, and sends nothing more.
    again = send_decision(client, tender, seen)
    assert again.status_code == 409
    assert "already changed this" in again.get_data(as_text=True)
    # Also when the second request carries the new version: the stage has moved on.
    assert send_decision(client, tender, current(session, a.tender).version).status_code == 409

    tender = current(session, a.tender)
    assert tender.state == "standstill"
    decision = session.exec(select(AwardDecision)).one()
    assert decision.standstill_last_day == date(2027, 2, 22)
    assert decision.standstill_ends_at == amsterdam(2027, 2, 23)
    sent = messages(session, "decision")
    assert sorted(m.to_addr for m in sent) == sorted(b.contact_email for b in a.bureaus)
    assert len({m.created_at for m in sent}) == 1  # the same moment
    for m in sent:
        assert m.subject.startswith("Award decision:") and "Monday 22 February 2027" in m.body_text
        assert f"/award/tenders/{tender.id}" in m.body_text
    by_addr = {m.to_addr: m for m in sent}
    for i, bureau in enumerate(a.bureaus):
        attachment = session.exec(select(OutboxAttachment).where(
            OutboxAttachment.message_id == by_addr[bureau.contact_email].id)).one()
        assert attachment.content_type == "application/pdf" and attachment.filename.endswith(".pdf")
        text = pdf_text(attachment.content)
        assert bureau.name in text and "Monday 22 February 2027" in text
        # Its own consensus notes, nobody else's.
        assert f"voor {bureau.name}: één € notitie" in text.replace("\n", " ")
        for other in a.bureaus:
            if other is not bureau:
                assert f"voor {other.name}:" not in text
        # The winners of both lots and their relative advantages.
        assert a.bureaus[0].name in text and a.bureaus[1].name in text
        assert f"Motivering voor {a.bureaus[0].name} in Laag 1" in text.replace("\n", " ")
    letters = session.exec(select(DecisionLetter)).all()
    assert len(letters) == 3
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "tender.send_decision")).all()
    assert len(events) == 1


def test_the_same_bureau_may_win_several_lots(make, login_as, session):
    a = selection_tender(make, bureaus=3, lots=2)
    decide_all(session, a, {0: [0], 1: [0]})
    assert send_decision(login_as(a.officer), current(session, a.tender)).status_code == 302
    letter = session.exec(select(DecisionLetter).where(DecisionLetter.bureau_id == a.bureaus[0].id)).one()
    text = pdf_text(letter.pdf)
    assert text.count("Outcome for you Selected") == 2 and "Not selected" not in text
    other = session.exec(select(DecisionLetter).where(DecisionLetter.bureau_id == a.bureaus[1].id)).one()
    assert pdf_text(other.pdf).count("Outcome for you Not selected") == 2


def test_only_bureaus_that_applied_get_a_letter_and_only_for_their_lots(make, login_as, session):
    a = selection_tender(make, bureaus=3, lots=2, applications={0: [0], 1: [0, 1], 2: [1]})
    decide_all(session, a, {0: [0], 1: [1]})
    assert send_decision(login_as(a.officer), current(session, a.tender)).status_code == 302
    letter = session.exec(select(DecisionLetter).where(DecisionLetter.bureau_id == a.bureaus[0].id)).one()
    assert "Laag 2" not in pdf_text(letter.pdf)
    assert len(messages(session, "decision")) == 3


# --- the bureau's page ------------------------------------------------------------------------------------------

def test_a_bureau_reads_only_its_own_letter(make, login_as, session, count_queries):
    a = selection_tender(make, bureau_users=True)
    decide_all(session, a)
    send_decision(login_as(a.officer), current(session, a.tender))
    mine, other = a.users[a.bureaus[1].id], a.users[a.bureaus[2].id]
    client = login_as(mine)
    with count_queries() as q:
        html = client.get(f"/award/tenders/{a.tender.id}").get_data(as_text=True)
    assert q.count <= 10
    assert "Not selected" in html and f"voor {a.bureaus[1].name}" in html and f"voor {a.bureaus[2].name}" not in html
    assert "Lodge an objection" in html
    letters = {l.bureau_id: l for l in session.exec(select(DecisionLetter))}
    assert client.get(f"/award/letters/{letters[mine.bureau_id].id}.pdf").status_code == 200
    assert client.get(f"/award/letters/{letters[other.bureau_id].id}.pdf").status_code == 404
    with count_queries() as q:
        overview = client.get("/award/letters").get_data(as_text=True)
    assert q.count <= 6 and a.tender.title in overview
    # Another organisation's officer sees nothing; a bureau never sees the officer's pages.
    assert login_as(make.officer()).get(f"/award/letters/{letters[mine.bureau_id].id}.pdf").status_code == 404
    assert client.get(f"/tenders/{a.tender.id}/decision").status_code == 404
    assert client.get(f"/tenders/{a.tender.id}/selection").status_code == 404


def test_a_bureau_without_letter_gets_404(make, login_as, session):
    a = selection_tender(make)
    outsider = make.bureau_user()
    assert login_as(outsider).get(f"/award/tenders/{a.tender.id}").status_code == 404


# --- objections -------------------------------------------------------------------------------------------------

def _standstill(make, login_as, session, **kw):
    clock.freeze(amsterdam(2027, 2, 2, 10))
    a = selection_tender(make, bureau_users=True, **kw)
    decide_all(session, a)
    assert send_decision(login_as(a.officer), current(session, a.tender)).status_code == 302
    return a


def lodge(client, tender, text="De scores kloppen niet.", files=None):
    data = {"text": text}
    if files:
        data["files"] = files
    return client.post(f"/award/tenders/{tender.id}/objections", data=data, content_type="multipart/form-data")


def test_an_objection_with_attachment_blocks_the_award_until_rejected(make, login_as, session, runner):
    a = _standstill(make, login_as, session)
    bureau_user = a.users[a.bureaus[1].id]
    response = lodge(login_as(bureau_user), a.tender, files=[(io.BytesIO(PDF_BYTES), "bezwaar.pdf")])
    assert response.status_code == 302
    objection = session.exec(select(Objection)).one()
    assert objection.status == "open" and objection.bureau_id == a.bureaus[1].id
    file = session.exec(select(Attachment).where(Attachment.owner_type == "objection")).one()
    assert file.filename == "bezwaar.pdf"
    assert [m.to_addr for m in messages(session, "objection")] == [a.officer.email]

    officer = login_as(a.officer)
    html = officer.get(f"/tenders/{a.tender.id}/decision").get_data(as_text=True)
    assert "De scores kloppen niet." in html and "bezwaar.pdf" in html
    assert officer.get(f"/award/objections/{objection.id}/files/{file.id}").status_code == 200
    assert login_as(bureau_user).get(f"/award/objections/{objection.id}/files/{file.id}").status_code == 200
    other_bureau = login_as(a.users[a.bureaus[2].id])
    assert other_bureau.get(f"/award/objections/{objection.id}/files/{file.id}").status_code == 404

    clock.freeze(amsterdam(2027, 2, 23, 0, 1))  # the standstill is over
    result = runner.invoke(args=["tenders", "tick"])
    assert "1 objection(s) still open" in result.output
    assert current(session, a.tender).state == "standstill"
    refused = officer.post(f"/tenders/{a.tender.id}/actions/award", data={"version": str(current(session, a.tender).version)})
    assert refused.status_code == 409 and "still open" in refused.get_data(as_text=True)

    # Handling needs a reason.
    key = f"obj{objection.id}"
    response = officer.post(f"/tenders/{a.tender.id}/objections/{objection.id}/handle",
                            data={f"{key}-outcome": "rejected", f"{key}-reason": "", f"{key}-version": "1"})
    assert response.status_code == 422
    response = officer.post(f"/tenders/{a.tender.id}/objections/{objection.id}/handle",
                            data={f"{key}-outcome": "rejected", f"{key}-reason": "De scores zijn juist vastgesteld.",
                                  f"{key}-version": "1"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Objection, objection.id).status == "rejected"
    told = [m for m in messages(session, "objection") if m.to_addr == a.bureaus[1].contact_email]
    assert len(told) == 1 and "De scores zijn juist vastgesteld." in told[0].body_text
    # A second handling (a double click) is refused.
    again = officer.post(f"/tenders/{a.tender.id}/objections/{objection.id}/handle",
                         data={f"{key}-outcome": "upheld", f"{key}-reason": "Toch", f"{key}-version": "1"})
    assert again.status_code == 409

    result = runner.invoke(args=["tenders", "tick"])
    assert "awarded definitively" in result.output
    assert current(session, a.tender).state == "awarded"


def test_an_objection_after_the_standstill_is_refused(make, login_as, session):
    a = _standstill(make, login_as, session)
    clock.freeze(amsterdam(2027, 2, 23, 0, 0))
    response = lodge(login_as(a.users[a.bureaus[2].id]), a.tender)
    assert response.status_code == 422
    assert "an objection can no longer be lodged" in response.get_data(as_text=True)
    assert session.exec(select(Objection)).all() == []


def test_an_objection_without_text_or_with_a_wrong_file_is_refused(make, login_as, session):
    a = _standstill(make, login_as, session)
    client = login_as(a.users[a.bureaus[2].id])
    assert lodge(client, a.tender, text="  ").status_code == 422
    response = lodge(client, a.tender, files=[(io.BytesIO(b"MZ not a document"), "virus.exe")])
    assert response.status_code == 422 and "is not a PDF, DOCX or ODT document" in response.get_data(as_text=True)
    assert session.exec(select(Objection)).all() == []


def test_an_upheld_objection_returns_to_selection_and_a_new_decision_restarts_the_standstill(
        make, login_as, session):
    a = _standstill(make, login_as, session)
    lodge(login_as(a.users[a.bureaus[1].id]), a.tender)
    lodge(login_as(a.users[a.bureaus[2].id]), a.tender, text="Ook bezwaar.")
    first, second = session.exec(select(Objection).order_by(Objection.id)).all()
    officer = login_as(a.officer)
    key = f"obj{first.id}"
    response = officer.post(f"/tenders/{a.tender.id}/objections/{first.id}/handle",
                            data={f"{key}-outcome": "upheld", f"{key}-reason": "Rekenfout in perceel 1.",
                                  f"{key}-version": "1"})
    assert response.status_code == 302
    tender = current(session, a.tender)
    assert tender.state == "selection"
    assert session.get(Objection, second.id).status == "lapsed"
    old = session.exec(select(AwardDecision)).one()
    assert old.status == "withdrawn" and "Rekenfout in perceel 1." in old.withdrawn_reason
    withdrawn = messages(session, "decision_withdrawn")
    assert sorted(m.to_addr for m in withdrawn) == sorted(b.contact_email for b in a.bureaus)

    # A new selection and decision, a week later: a new standstill with new letters.
    clock.freeze(amsterdam(2027, 2, 9, 10))
    decide_all(session, a, {0: [1], 1: [1]})
    assert send_decision(officer, current(session, a.tender)).status_code == 302
    new = session.exec(select(AwardDecision).where(AwardDecision.number == 2)).one()
    assert new.standstill_last_day == date(2027, 3, 1)  # 9 Feb + 20 = Monday 1 March
    assert len(messages(session, "decision")) == 6
    assert "replaces the earlier decision" in pdf_text(
        session.exec(select(DecisionLetter).where(DecisionLetter.decision_id == new.id)).first().pdf)
    html = login_as(a.users[a.bureaus[1].id]).get(f"/award/tenders/{a.tender.id}").get_data(as_text=True)
    assert "Earlier decisions" in html and "Monday 1 March 2027" in html


# --- the definitive award ----------------------------------------------------------------------------------------

def test_tick_awards_after_the_standstill_with_contracts_and_programmes(make, login_as, session, runner):
    a = _standstill(make, login_as, session, lots=2)
    officer = login_as(a.officer)
    winner = session.exec(select(LotSelection).where(LotSelection.selected).order_by(LotSelection.id)).first()
    key = f"terms{winner.id}"
    response = officer.post(f"/tenders/{a.tender.id}/terms/{winner.id}", data={
        f"{key}-start_date": "2027-04-01", f"{key}-duration_years": "3", f"{key}-value_eur": "240000"})
    assert response.status_code == 302
    bad = officer.post(f"/tenders/{a.tender.id}/terms/{winner.id}", data={
        f"{key}-start_date": "2027-04-01", f"{key}-duration_years": "0", f"{key}-value_eur": ""})
    assert bad.status_code == 422

    # Not yet: the standstill runs until Monday 22 February at 24:00.
    clock.freeze(amsterdam(2027, 2, 22, 23, 59))
    assert "awarded" not in runner.invoke(args=["tenders", "tick"]).output
    html = officer.get(f"/tenders/{a.tender.id}").get_data(as_text=True)
    assert "0 days, 0 hours and 1 minutes to go" in html and "Monday 22 February 2027" in html
    clock.freeze(amsterdam(2027, 2, 23, 0, 0))
    result = runner.invoke(args=["tenders", "tick"])
    assert f"{a.tender.reference}: awarded definitively" in result.output
    assert runner.invoke(args=["tenders", "tick"]).output.count("awarded") == 0  # idempotent
    assert current(session, a.tender).state == "awarded"
    contracts = session.exec(select(Contract).order_by(Contract.lot_id)).all()
    assert [(c.lot_id, c.bureau_id) for c in contracts] == [(lot.id, a.bureaus[0].id) for lot in a.lots]
    assert (contracts[0].start_date, contracts[0].duration_years, contracts[0].value_eur) == (date(2027, 4, 1), 3, 240000)
    assert contracts[1].start_date == date(2027, 2, 23) and contracts[1].duration_years == 1
    programmes = session.exec(select(Programme)).all()
    assert len(programmes) == 2 and {p.state for p in programmes} == {"plan"}
    final = messages(session, "award")
    bureau_mail = {m.to_addr: m for m in final if m.to_addr.endswith("bureau.example")}
    assert set(bureau_mail) == {b.contact_email for b in a.bureaus}
    assert "You have been awarded" in bureau_mail[a.bureaus[0].contact_email].body_text
    assert "Thank you for your vision" in bureau_mail[a.bureaus[1].contact_email].body_text
    assert a.officer.email in {m.to_addr for m in final}
    assert len(final) == 3 + 3 + 1  # bureaus, the panel, the officer
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "tender.award")).one()
    assert event.actor_role == "system"
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    html = officer.get(f"/tenders/{a.tender.id}/decision").get_data(as_text=True)
    assert "Contracts and programmes" in html


def test_the_officer_awards_after_the_standstill(make, login_as, session):
    a = _standstill(make, login_as, session, lots=1)
    officer = login_as(a.officer)
    tender = current(session, a.tender)
    early = officer.post(f"/tenders/{tender.id}/actions/award", data={"version": str(tender.version)})
    assert early.status_code == 409 and "The standstill period runs until Monday 22 February 2027" in early.get_data(as_text=True)
    clock.freeze(amsterdam(2027, 2, 23, 9))
    assert officer.post(f"/tenders/{tender.id}/actions/award", data={"version": str(tender.version)}).status_code == 302
    assert current(session, a.tender).state == "awarded"
    assert len(session.exec(select(Programme)).all()) == 1


@pytest.mark.app_config(STANDSTILL_DAYS=20)
def test_a_standstill_ending_on_saturday_runs_to_monday(make, login_as, session):
    clock.freeze(amsterdam(2027, 1, 31, 11))  # a Sunday: day 20 is Saturday 20 February
    a = selection_tender(make, lots=1)
    decide_all(session, a)
    assert send_decision(login_as(a.officer), current(session, a.tender)).status_code == 302
    decision = session.exec(select(AwardDecision)).one()
    assert decision.standstill_last_day == date(2027, 2, 22)
    assert decision.standstill_last_day.weekday() == 0
    letter = session.exec(select(DecisionLetter)).first()
    assert "Monday 22 February 2027 at 24:00" in pdf_text(letter.pdf)


# --- cancellation ------------------------------------------------------------------------------------------------

def test_cancelling_tells_every_invited_bureau(make, login_as, session):
    a = _standstill(make, login_as, session)
    lodge(login_as(a.users[a.bureaus[2].id]), a.tender)
    tender = current(session, a.tender)
    officer = login_as(a.officer)
    refused = officer.post(f"/tenders/{tender.id}/actions/cancel", data={"version": str(tender.version), "reason": ""})
    assert refused.status_code == 409 and messages(session, "cancellation") == []
    response = officer.post(f"/tenders/{tender.id}/actions/cancel",
                            data={"version": str(tender.version), "reason": "Budget ingetrokken door de raad."})
    assert response.status_code == 302
    told = messages(session, "cancellation")
    assert sorted(m.to_addr for m in told) == sorted(b.contact_email for b in a.bureaus)
    assert all("Budget ingetrokken door de raad." in m.body_text for m in told)
    assert session.exec(select(AwardDecision)).one().status == "cancelled"
    assert session.exec(select(Objection)).one().status == "lapsed"


def test_cancelling_a_draft_tells_nobody(make, login_as, session):
    officer = make.officer()
    tender = make.tender(officer)
    response = login_as(officer).post(f"/tenders/{tender.id}/actions/cancel",
                                      data={"version": str(tender.version), "reason": "Niet meer nodig."})
    assert response.status_code == 302
    assert messages(session) == []


def test_decision_page_query_count_is_bounded(make, login_as, session, count_queries):
    a = _standstill(make, login_as, session, bureaus=4, lots=3)
    for b in a.bureaus[1:]:
        lodge(login_as(a.users[b.id]), a.tender)
    client = login_as(a.officer)
    with count_queries() as q:
        html = client.get(f"/tenders/{a.tender.id}/decision").get_data(as_text=True)
    assert html.count('class="objection objection-open"') == 3
    assert q.count <= 12
    with count_queries() as q:
        client.get(f"/tenders/{a.tender.id}")
    assert q.count <= 30
