"""The questions bulletin (Nota van Inlichtingen): bureaus ask until the questions deadline, the
officer drafts answers (and clarifications nobody asked for) and publishes them as a numbered,
immutable bulletin that reaches every invited bureau at the same moment, never naming the asker."""
from __future__ import annotations

import hashlib
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from app import audit, mail
from app.audit import Actor, canonical_json
from app.clock import now
from app.i18n import format_local
from app.models import Bulletin, Question, Tender, User
from app.portal.invitations import ACTIVE, active_recipients, own_invitation
from app.portal.links import external_url
from app.tenders.operations import lock
from workflows import Refused

OPEN_STATES = ("invitation", "vision_submission")
MAX_QUESTION = 5_000


def _record(session, actor: Actor, tender_id: int, action: str, object_type: str, object_id: int, changes=None):
    audit.record(session, actor=actor, action=action, object_type=object_type, object_id=object_id,
                 tender_id=tender_id, changes=changes)


def questions_open(tender: Tender) -> Optional[str]:
    """None while bureaus may ask, else why not."""
    if tender.state not in OPEN_STATES:
        return _("Questions can no longer be asked in this stage.")
    if tender.questions_deadline is not None and now() >= tender.questions_deadline:
        return _("The questions deadline (%(deadline)s) has passed; questions can no longer be asked.",
                 deadline=format_local(tender.questions_deadline, "long"))
    return None


def ask(session: Session, user: User, tender: Tender, text: str) -> Question:
    tender = lock(session, tender.id)
    invitation = own_invitation(session, tender.id, user.bureau_id)
    if invitation is None or invitation.status not in ACTIVE:
        raise Refused([_("Only invited bureaus that have not declined can ask questions.")])
    closed = questions_open(tender)
    if closed:
        raise Refused([closed])
    text = (text or "").strip()
    if not text:
        raise Refused([_("Write your question.")], kind="invalid")
    question = Question(tender_id=tender.id, kind="question", bureau_id=user.bureau_id, asked_by_id=user.id,
                        text=text[:MAX_QUESTION])
    session.add(question)
    session.flush()
    _record(session, Actor.of(user), tender.id, "question.asked", "question", question.id,
            {"question": [None, question.text]})
    return question


def _unpublished(session: Session, tender: Tender, question_id: int) -> Question:
    question = session.exec(select(Question).where(Question.id == question_id, Question.tender_id == tender.id)
                            .with_for_update().execution_options(populate_existing=True)).first()
    if question is None:
        raise Refused([_("This question does not exist.")], kind="invalid")
    if question.bulletin_id is not None:
        raise Refused([_("This item has been published and cannot change any more. Publish a correction as a new "
                         "bulletin.")])
    return question


def answer(session: Session, user: User, tender: Tender, question_id: int, text: str,
           question_text: Optional[str] = None) -> Question:
    """Draft (or change the draft of) an answer; for a clarification also its heading."""
    tender = lock(session, tender.id)
    if tender.state not in OPEN_STATES:
        raise Refused([_("Bulletins can only be published during the invitation and vision submission stages.")])
    question = _unpublished(session, tender, question_id)
    before = {"answer": question.answer, "text": question.text}
    question.answer = (text or "").strip()
    if question.kind == "clarification" and question_text is not None:
        question.text = question_text.strip()
    question.answered_by_id, question.answered_at = user.id, now()
    session.flush()
    changes = audit.diff(before, {"answer": question.answer, "text": question.text})
    if changes:
        _record(session, Actor.of(user), tender.id, "question.answered", "question", question.id, changes)
    return question


def add_clarification(session: Session, user: User, tender: Tender, heading: str, text: str) -> Question:
    tender = lock(session, tender.id)
    if tender.state not in OPEN_STATES:
        raise Refused([_("Bulletins can only be published during the invitation and vision submission stages.")])
    if not (text or "").strip():
        raise Refused([_("Write the clarification.")], kind="invalid")
    item = Question(tender_id=tender.id, kind="clarification", text=(heading or "").strip(), answer=text.strip(),
                    asked_by_id=user.id, answered_by_id=user.id, answered_at=now())
    session.add(item)
    session.flush()
    _record(session, Actor.of(user), tender.id, "question.clarification", "question", item.id,
            {"heading": [None, item.text], "text": [None, item.answer]})
    return item


def remove_clarification(session: Session, user: User, tender: Tender, question_id: int) -> None:
    tender = lock(session, tender.id)
    item = _unpublished(session, tender, question_id)
    if item.kind != "clarification":
        raise Refused([_("A bureau's question cannot be removed; answer it.")])
    _record(session, Actor.of(user), tender.id, "question.clarification_removed", "question", item.id,
            {"heading": [item.text, None], "text": [item.answer, None]})
    session.delete(item)
    session.flush()


def bulletin_items(session: Session, bulletin_ids: list[int]) -> dict[int, list[Question]]:
    out: dict[int, list[Question]] = {b: [] for b in bulletin_ids}
    if bulletin_ids:
        for q in session.exec(select(Question).where(Question.bulletin_id.in_(bulletin_ids))
                              .order_by(Question.item_number)):
            out[q.bulletin_id].append(q)
    return out


def _content(tender: Tender, number: int, intro: str, items: list[Question]) -> dict:
    """What a bulletin says — never who asked."""
    return {"tender": tender.reference, "number": number, "intro": intro,
            "items": [{"n": q.item_number, "kind": q.kind, "question": q.text, "answer": q.answer} for q in items]}


def publish(session: Session, user: User, tender: Tender, intro: str = "") -> Bulletin:
    """Every answered, unpublished item goes into bulletin N+1, e-mailed to all invited bureaus at once."""
    tender = lock(session, tender.id)
    if tender.state not in OPEN_STATES:
        raise Refused([_("Bulletins can only be published during the invitation and vision submission stages.")])
    items = session.exec(select(Question).where(Question.tender_id == tender.id, Question.bulletin_id.is_(None),
                                                Question.answer != "")
                         .order_by(Question.asked_at, Question.id)
                         .with_for_update().execution_options(populate_existing=True)).all()
    if not items:
        raise Refused([_("There is nothing to publish: answer a question or add a clarification first.")])
    number = (session.scalar(select(func.max(Bulletin.number)).where(Bulletin.tender_id == tender.id)) or 0) + 1
    for i, q in enumerate(items, start=1):
        q.item_number = i
    content = _content(tender, number, (intro or "").strip(), items)
    digest = hashlib.sha256(canonical_json(content).encode()).hexdigest()
    bulletin = Bulletin(tender_id=tender.id, number=number, intro=content["intro"], published_by_id=user.id,
                        published_by_name=user.name, content_hash=digest)
    session.add(bulletin)
    session.flush()
    for q in items:
        q.bulletin_id = bulletin.id
    session.flush()
    recipients = active_recipients(session, tender.id)
    link = external_url("portal.tender", tender_id=tender.id, _anchor=f"bulletin-{number}")
    for _inv, bureau, contact in recipients:
        subject, body = mail.render("bulletin", locale=contact.locale, tender=tender, bulletin=bulletin, items=items,
                                    bureau=bureau, link=link)
        mail.queue(session, to=contact.email, to_name=contact.name, subject=subject, text=body, kind="bulletin",
                   tender_id=tender.id, dedupe_key=f"bulletin:{bulletin.id}:{bureau.id}", due_at=bulletin.published_at)
    _record(session, Actor.of(user), tender.id, "bulletin.published", "bulletin", bulletin.id,
            {"number": [None, number], "items": [None, len(items)], "content_hash": [None, digest],
             "sent_to": [None, [b.name for _i, b, _u in recipients]]})
    return bulletin


def unanswered_count(session: Session, tender_id: int) -> int:
    """Bureau questions not yet published in a bulletin."""
    return session.scalar(select(func.count()).select_from(Question).where(
        Question.tender_id == tender_id, Question.kind == "question", Question.bulletin_id.is_(None)))
