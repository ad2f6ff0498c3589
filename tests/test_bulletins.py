"""The questions bulletin (Nota van Inlichtingen): questions until the deadline, numbered immutable
bulletins to every invited bureau at once, the asker never shown, clarifications and corrections,
and the guard on opening vision submission."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from app import clock
from app.models import AuditEvent, Bulletin, OutboxMessage, Question
from app.portal import bulletins
from app.tenders import operations
from tests.portal_factories import contacts, invited
from workflows import Refused


def _ask(login_as, user, tender, text_):
    return login_as(user).post(f"/portal/tenders/{tender.id}/questions", data={"text": text_})


def test_question_answer_bulletin_reaches_all_without_the_asker(make, session, login_as, count_queries):
    tender, officer = invited(make, session)
    asker, other, third = contacts(session, tender)
    login_as(third).post(f"/portal/tenders/{tender.id}/decline", data={"reason": "Geen tijd."})
    assert _ask(login_as, asker, tender, "Mogen we met twee bureaus samenwerken?").status_code == 302
    question = session.exec(select(Question)).one()
    assert (question.bureau_id, question.kind, question.bulletin_id) == (asker.bureau_id, "question", None)

    client = login_as(officer)
    with count_queries() as q:
        page = client.get(f"/tenders/{tender.id}/questions").get_data(as_text=True)
    assert q.count <= 10, q.statements
    asker_bureau = asker.name.replace("Contact", "Bureau")
    assert "Mogen we met twee bureaus samenwerken?" in page and asker_bureau in page  # the officer sees who asked
    client.post(f"/tenders/{tender.id}/questions/{question.id}/answer", data={"answer": "Ja, als penvoerder."})
    published = client.post(f"/tenders/{tender.id}/bulletins", data={"intro": "Antwoorden op de eerste vragen."})
    assert published.status_code == 303
    session.commit()
    bulletin = session.exec(select(Bulletin)).one()
    assert (bulletin.number, bulletin.published_by_id) == (1, officer.id) and len(bulletin.content_hash) == 64
    assert session.get(Question, question.id).item_number == 1

    mails = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "bulletin")).all()
    assert sorted(m.to_addr for m in mails) == sorted([asker.email, other.email])  # not the bureau that declined
    assert {m.due_at for m in mails} == {bulletin.published_at}  # one transaction, one moment for everyone
    assert all("Ja, als penvoerder." in m.body_text for m in mails)
    assert asker_bureau not in next(m for m in mails if m.to_addr == other.email).body_text
    seen_by_other = login_as(other).get(f"/portal/tenders/{tender.id}").get_data(as_text=True)
    assert "Ja, als penvoerder." in seen_by_other and "Bulletin 1" in seen_by_other
    assert asker_bureau not in seen_by_other and asker.name not in seen_by_other
    own = login_as(asker).get(f"/portal/tenders/{tender.id}").get_data(as_text=True)
    assert "answered in bulletin 1" in own
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "bulletin.published")).one()
    assert '"number":[null,1]' in event.changes


def test_published_items_never_change(make, session, login_as, backend):
    tender, officer = invited(make, session)
    asker = contacts(session, tender)[0]
    question = bulletins.ask(session, asker, tender, "Hoeveel deelnemers?")
    bulletins.answer(session, officer, tender, question.id, "Ongeveer 25.")
    bulletins.publish(session, officer, tender)
    session.commit()
    response = login_as(officer).post(f"/tenders/{tender.id}/questions/{question.id}/answer",
                                      data={"answer": "Toch 30."})
    assert response.status_code == 409 and "cannot change any more" in response.get_data(as_text=True)
    # The database refuses it too, whoever asks.
    for statement in ("UPDATE question SET answer = 'vervalst'", "DELETE FROM question",
                      "UPDATE bulletin SET intro = 'vervalst'", "DELETE FROM bulletin"):
        with pytest.raises(DBAPIError):
            session.execute(text(statement))
        session.rollback()
    assert session.get(Question, question.id).answer == "Ongeveer 25."


def test_clarifications_and_corrections_are_new_bulletins(make, session, login_as):
    tender, officer = invited(make, session)
    client = login_as(officer)
    nothing = client.post(f"/tenders/{tender.id}/bulletins", data={})
    assert nothing.status_code == 409 and "nothing to publish" in nothing.get_data(as_text=True)
    empty = client.post(f"/tenders/{tender.id}/clarifications", data={"heading": "Planning", "text": ""})
    assert empty.status_code == 422 and "Planning" in empty.get_data(as_text=True)
    client.post(f"/tenders/{tender.id}/clarifications", data={"heading": "Planning", "text": "Pitches op het stadhuis."})
    client.post(f"/tenders/{tender.id}/bulletins", data={})
    client.post(f"/tenders/{tender.id}/clarifications",
                data={"heading": "Correctie op bulletin 1", "text": "Pitches in de bibliotheek."})
    client.post(f"/tenders/{tender.id}/bulletins", data={})
    session.commit()
    numbers = session.exec(select(Bulletin.number).where(Bulletin.tender_id == tender.id).order_by(Bulletin.number)).all()
    assert numbers == [1, 2]
    html = login_as(contacts(session, tender)[0]).get(f"/portal/tenders/{tender.id}").get_data(as_text=True)
    assert "Pitches op het stadhuis." in html and "Correctie op bulletin 1" in html


def test_questions_stop_at_the_deadline(make, session, login_as):
    tender, _officer = invited(make, session)
    bureau = contacts(session, tender)[0]
    clock.freeze(tender.questions_deadline)
    response = _ask(login_as, bureau, tender, "Nog een vraag na de sluiting")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "questions deadline" in html and "Nog een vraag na de sluiting" in html
    assert session.exec(select(Question)).all() == []


def test_opening_submission_needs_every_question_answered_or_the_deadline_passed(make, session):
    tender, officer = invited(make, session)
    bureau = contacts(session, tender)[0]
    question = bulletins.ask(session, bureau, tender, "Is er een budget?")
    session.commit()
    with pytest.raises(Refused) as refused:
        operations.fire(session, officer, tender, "open_submission")
    assert "1 question(s) have not been answered" in refused.value.reasons[0]
    session.rollback()
    bulletins.answer(session, officer, tender, question.id, "Ja.")
    session.commit()
    with pytest.raises(Refused):  # answered but not published yet
        operations.fire(session, officer, tender, "open_submission")
    session.rollback()
    bulletins.publish(session, officer, tender)
    operations.fire(session, officer, tender, "open_submission")
    session.commit()
    assert tender.state == "vision_submission"


def test_past_the_questions_deadline_submission_may_open(make, session):
    tender, officer = invited(make, session)
    bulletins.ask(session, contacts(session, tender)[0], tender, "Onbeantwoord")
    session.commit()
    clock.freeze(tender.questions_deadline)
    operations.fire(session, officer, tender, "open_submission")
    session.commit()
    assert tender.state == "vision_submission"
