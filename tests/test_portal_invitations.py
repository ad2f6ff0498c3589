"""Invitations: sent when the tender opens, personal signed links that expire, opened / accepted /
declined with a reason, re-sent and replaced by the officer; a bureau sees only its own."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from app import clock
from app.models import AuditEvent, Bureau, Invitation, OutboxMessage, User
from app.tenders import operations
from tests.conftest import login
from tests.factories import PASSWORD
from tests.portal_factories import contacts, invited


def _link(message: OutboxMessage) -> str:
    return re.search(r"http://\S+(/invitation/\S+)", message.body_text).group(1)


def _mail_to(session, email: str) -> list[OutboxMessage]:
    session.commit()
    return session.exec(select(OutboxMessage).where(OutboxMessage.to_addr == email).order_by(OutboxMessage.id)).all()


def test_opening_the_invitation_stage_sends_every_bureau_its_link(make, session):
    existing = make.bureau_user()  # a bureau whose contact already has an account with a password
    officer = make.officer()
    tender = make.tender(officer)
    operations.add_invitee(session, officer, tender, session.get(Bureau, existing.bureau_id), None)
    operations.fire(session, officer, tender, "open_invitation")
    session.commit()
    invitations = session.exec(select(Invitation).where(Invitation.tender_id == tender.id)).all()
    assert {i.status for i in invitations} == {"sent"} and all(i.send_count == 1 for i in invitations)
    messages = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "invitation")).all()
    assert len(messages) == 4 and all("/invitation/" in m.body_text for m in messages)
    assert tender.open_question in messages[0].body_text
    new_contacts = session.exec(select(User).where(User.role == "bureau", User.password_hash.is_(None))).all()
    assert len(new_contacts) == 3  # accounts without a password for the three new bureaus
    first_time = next(m for m in messages if m.to_addr == new_contacts[0].email)
    returning = next(m for m in messages if m.to_addr == existing.email)
    assert "set a password" in first_time.body_text and "to log in" in returning.body_text
    sent = session.exec(select(AuditEvent).where(AuditEvent.action == "invitation.sent")).all()
    assert len(sent) == 4


def test_the_link_sets_a_password_once_then_leads_to_login(make, session, client):
    tender, _officer = invited(make, session)
    contact = contacts(session, tender, password=None)[0]
    link = _link(_mail_to(session, contact.email)[0])
    page = client.get(link)
    assert page.status_code == 200 and "Set your password" in page.get_data(as_text=True)
    session.commit()
    invitation = session.exec(select(Invitation).where(Invitation.bureau_id == contact.bureau_id)).one()
    assert invitation.status == "opened" and invitation.opened_at is not None
    short = client.post(link, data={"password": "kort", "confirm": "kort"})
    assert short.status_code == 422
    done = client.post(link, data={"password": "een goed wachtwoord", "confirm": "een goed wachtwoord"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/portal/tenders/{tender.id}")
    assert tender.title in client.get(done.headers["Location"]).get_data(as_text=True)
    # The same link, later, in another browser: it leads to the login page, never into the account.
    other = client.application.test_client()
    again = other.get(link)
    assert again.status_code == 302 and "/login" in again.headers["Location"]
    assert other.post(link, data={"password": "overgenomen!!", "confirm": "overgenomen!!"}).status_code == 302


def test_expired_and_tampered_links(make, session, client):
    tender, _officer = invited(make, session)
    contact = contacts(session, tender, password=None)[0]
    link = _link(_mail_to(session, contact.email)[0])
    tampered = client.get(link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"))
    assert tampered.status_code == 404 and "not valid" in tampered.get_data(as_text=True)
    clock.freeze(clock.now() + timedelta(days=15))
    expired = client.get(link)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert client.get("/invitation/rubbish").status_code == 404


def test_accept_and_decline_with_a_reason(make, session, login_as):
    tender, _officer = invited(make, session)
    first, second = contacts(session, tender)[:2]
    a = login_as(first)
    assert a.post(f"/portal/tenders/{tender.id}/accept", data={}).status_code == 302
    assert a.post(f"/portal/tenders/{tender.id}/accept", data={}).status_code == 302  # double click: one result
    b = login_as(second)
    empty = b.post(f"/portal/tenders/{tender.id}/decline", data={"reason": "  "})
    assert empty.status_code == 422
    b.post(f"/portal/tenders/{tender.id}/decline", data={"reason": "Geen capaciteit dit jaar."})
    session.commit()
    statuses = {i.bureau_id: i for i in session.exec(select(Invitation).where(Invitation.tender_id == tender.id))}
    assert statuses[first.bureau_id].status == "accepted"
    assert (statuses[second.bureau_id].status, statuses[second.bureau_id].decline_reason) == \
        ("declined", "Geen capaciteit dit jaar.")
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "invitation.accepted")).all()) == 1
    declined = session.exec(select(AuditEvent).where(AuditEvent.action == "invitation.declined")).one()
    assert declined.reason == "Geen capaciteit dit jaar." and declined.actor_id == second.id
    page = b.get(f"/portal/tenders/{tender.id}")
    assert "You declined" in page.get_data(as_text=True)
    assert b.post(f"/portal/tenders/{tender.id}/accept", data={}).status_code == 302
    session.commit()
    assert session.get(Invitation, statuses[second.bureau_id].id).status == "declined"


def test_officer_resends_and_replaces_a_declined_bureau(make, session, login_as):
    tender, officer = invited(make, session)
    first, second = contacts(session, tender)[:2]
    login_as(second).post(f"/portal/tenders/{tender.id}/decline", data={"reason": "Past niet."})
    session.commit()
    by_bureau = {i.bureau_id: i for i in session.exec(select(Invitation).where(Invitation.tender_id == tender.id))}
    client = login_as(officer)
    page = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert "Past niet." in page and f'data-resend="{by_bureau[first.bureau_id].id}"' in page

    client.post(f"/tenders/{tender.id}/invitations/{by_bureau[first.bureau_id].id}/resend", data={})
    assert len(_mail_to(session, first.email)) == 2
    refused = client.post(f"/tenders/{tender.id}/invitations/{by_bureau[second.bureau_id].id}/resend", data={})
    assert refused.status_code == 303
    assert "cannot be sent again" in client.get(f"/tenders/{tender.id}").get_data(as_text=True)

    newcomer = make.bureau("Nieuw Bureau")
    url = f"/tenders/{tender.id}/invitations/{by_bureau[second.bureau_id].id}/replace"
    assert "Nieuw Bureau" in client.get(url).get_data(as_text=True)
    missing = client.post(url, data={"bureau": newcomer.id, "motivation": ""})
    assert missing.status_code == 422
    done = client.post(url, data={"bureau": newcomer.id, "motivation": "Tweede keus uit de marktverkenning."})
    assert done.status_code == 303
    session.commit()
    new = session.exec(select(Invitation).where(Invitation.bureau_id == newcomer.id)).one()
    assert (new.status, new.replaces_id, new.replacement_motivation) == \
        ("sent", by_bureau[second.bureau_id].id, "Tweede keus uit de marktverkenning.")
    assert session.get(Invitation, by_bureau[second.bureau_id].id).status == "replaced"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "invitation.replaced")).one()
    assert event.reason == "Tweede keus uit de marktverkenning." and event.actor_id == officer.id
    assert len(_mail_to(session, newcomer.contact_email)) == 1
    assert client.post(url, data={"bureau": newcomer.id, "motivation": "nog eens"}).status_code == 409


def test_a_bureau_sees_only_its_own_invitations(make, session, login_as, count_queries):
    tender, _officer = invited(make, session)
    other_tender, _ = invited(make, session)
    draft = make.tender(make.officer())  # invitations only planned
    me = contacts(session, tender)[0]
    stranger = contacts(session, other_tender)[0]
    operations.add_invitee(session, session.get(User, draft.created_by_id), draft, session.get(Bureau, me.bureau_id),
                           None)
    session.commit()
    client = login_as(me)
    assert client.get("/").headers["Location"].endswith("/portal")
    with count_queries() as q:
        index = client.get("/portal").get_data(as_text=True)
    assert q.count <= 7, q.statements  # … the count for the pager, and the tasks: app/portal/tasks.py (3), the programmes (1)
    assert tender.title in index and other_tender.title not in index and draft.title not in index
    client.get(f"/portal/tenders/{tender.id}")  # the first look marks the invitation opened
    with count_queries() as q:
        page = client.get(f"/portal/tenders/{tender.id}")
    assert page.status_code == 200 and q.count <= 14, q.statements
    for url in (f"/portal/tenders/{other_tender.id}", f"/portal/tenders/{draft.id}",
                f"/portal/tenders/{other_tender.id}/vision", f"/tenders/{tender.id}", f"/tenders/{tender.id}/questions",
                "/outbox"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/portal/tenders/{other_tender.id}/questions", data={"text": "?"}).status_code == 404
    assert login_as(stranger).get(f"/portal/tenders/{tender.id}").status_code == 404


def test_the_bureau_reads_the_brief(make, session, login_as):
    tender, _officer = invited(make, session)
    html = login_as(contacts(session, tender)[0]).get(f"/portal/tenders/{tender.id}").get_data(as_text=True)
    for text in (tender.city_goals, tender.development_track, tender.open_question, "Laag 1", "vision criterium 1",
                 "60 %", "Excellent: convincing and distinctive on every point", "Vision deadline"):
        assert text in html, text
    assert "Evaluator" not in html  # the panel is not the bureaus' business


def test_login_with_password_via_link(make, session, client):
    tender, _officer = invited(make, session)
    contact = contacts(session, tender)[0]  # has a password now
    link = _link(_mail_to(session, contact.email)[0])
    response = client.get(link)
    assert response.status_code == 302 and "next=" in response.headers["Location"]
    login(client, contact, PASSWORD)
    assert client.get(link).headers["Location"].endswith(f"/portal/tenders/{tender.id}")
