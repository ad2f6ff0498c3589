"""Invitations: sending them when the tender opens, opening, accepting or declining, re-sending,
and replacing a bureau that declined. Every change is audited on the tender's chain and every
e-mail is queued in the same transaction."""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from app import audit, mail
from app.admin import operations as admin_ops
from app.audit import Actor
from app.clock import now
from app.models import Bureau, Invitation, Organisation, Tender, User
from app.portal.links import external_url, invitation_link
from app.tenders.operations import lock
from workflows import Refused

ACTIVE = ("sent", "opened", "accepted")  # invited and still in the race


def _record(session, actor: Actor, tender_id: int, action: str, invitation: Invitation, changes=None, reason=None):
    audit.record(session, actor=actor, action=action, object_type="invitation", object_id=invitation.id,
                 tender_id=tender_id, changes=changes, reason=reason)


def contact_user(session: Session, actor: Actor, bureau: Bureau) -> User:
    """The bureau contact's account; created without a password when it does not exist yet."""
    user = admin_ops.bureau_user(session, bureau)
    if user is not None:
        return user
    taken = session.exec(select(User).where(User.email == bureau.contact_email.strip().lower())).first()
    if taken is not None:
        raise Refused([_("The contact address of %(bureau)s (%(email)s) belongs to another account. Correct the "
                         "bureau's contact address first.", bureau=bureau.name, email=bureau.contact_email)],
                      kind="invalid")
    return admin_ops.create_user(session, actor, email=bureau.contact_email, name=bureau.contact_name or bureau.name,
                                 role="bureau", bureau_id=bureau.id)


def _send(session: Session, actor: Actor, tender: Tender, invitation: Invitation, bureau: Bureau,
          action: str, reason: Optional[str] = None) -> None:
    user = contact_user(session, actor, bureau)
    first_time = user.password_hash is None
    buyer = session.get(Organisation, tender.lead_organisation_id).name
    subject, body = mail.render("invitation", locale=user.locale, tender=tender, bureau=bureau, user=user, buyer=buyer,
                                link=invitation_link(user, invitation), first_time=first_time,
                                portal=external_url("portal.tender", tender_id=tender.id))
    invitation.send_count += 1
    mail.queue(session, to=user.email, to_name=user.name, subject=subject, text=body, kind="invitation",
               tender_id=tender.id, dedupe_key=f"invitation:{invitation.id}:{invitation.send_count}")
    before = invitation.status
    if invitation.status == "planned":
        invitation.status = "sent"
    invitation.sent_at = now()
    session.flush()
    _record(session, actor, tender.id, action, invitation,
            {"bureau": [None, bureau.name], "to": [None, user.email], "send_count": [None, invitation.send_count],
             **({"status": [before, invitation.status]} if before != invitation.status else {})}, reason)


def send_invitations(ctx) -> None:
    """Effect of `open_invitation`: every planned invitation goes out, in this transaction."""
    session, tender = ctx.session, ctx.obj
    rows = session.exec(select(Invitation, Bureau).join(Bureau, Bureau.id == Invitation.bureau_id)
                        .where(Invitation.tender_id == tender.id, Invitation.status == "planned")
                        .order_by(Bureau.name)).all()
    for invitation, bureau in rows:
        _send(session, ctx.actor, tender, invitation, bureau, "invitation.sent")


def _lock_invitation(session: Session, tender: Tender, invitation_id: int) -> tuple[Tender, Invitation, Bureau]:
    tender = lock(session, tender.id)
    invitation = session.exec(select(Invitation).where(Invitation.id == invitation_id, Invitation.tender_id == tender.id)
                              .with_for_update().execution_options(populate_existing=True)).first()
    if invitation is None:
        raise Refused([_("This invitation does not exist.")], kind="invalid")
    return tender, invitation, session.get(Bureau, invitation.bureau_id)


def resend(session: Session, user: User, tender: Tender, invitation_id: int) -> Invitation:
    tender, invitation, bureau = _lock_invitation(session, tender, invitation_id)
    if tender.state != "invitation":
        raise Refused([_("Invitations can only be sent again while the tender is in the invitation stage.")])
    if invitation.status not in ACTIVE:
        raise Refused([_("%(bureau)s declined or was replaced; its invitation cannot be sent again.",
                         bureau=bureau.name)])
    _send(session, Actor.of(user), tender, invitation, bureau, "invitation.resent")
    return invitation


def replace(session: Session, user: User, tender: Tender, invitation_id: int, new_bureau: Bureau,
            motivation: str) -> Invitation:
    tender, old, old_bureau = _lock_invitation(session, tender, invitation_id)
    if tender.state != "invitation":
        raise Refused([_("A bureau can only be replaced while the tender is in the invitation stage.")])
    if old.status != "declined":
        raise Refused([_("Only a bureau that declined can be replaced.")])
    if not (motivation or "").strip():
        raise Refused([_("Write down why you invite this bureau instead.")], kind="invalid")
    if session.exec(select(Invitation.id).where(Invitation.tender_id == tender.id,
                                                Invitation.bureau_id == new_bureau.id)).first():
        raise Refused([_("%(name)s has already been invited to this tender.", name=new_bureau.name)], kind="invalid")
    old.status = "replaced"
    new = Invitation(tender_id=tender.id, bureau_id=new_bureau.id, replaces_id=old.id,
                     replacement_motivation=motivation.strip())
    session.add(new)
    session.flush()
    actor = Actor.of(user)
    _record(session, actor, tender.id, "invitation.replaced", old,
            {"declined": [None, old_bureau.name], "replaced_by": [None, new_bureau.name],
             "status": ["declined", "replaced"]}, motivation.strip())
    _send(session, actor, tender, new, new_bureau, "invitation.sent")
    return new


def own_invitation(session: Session, tender_id: int, bureau_id: int, lock_rows: bool = False) -> Optional[Invitation]:
    stmt = select(Invitation).where(Invitation.tender_id == tender_id, Invitation.bureau_id == bureau_id)
    if lock_rows:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.exec(stmt).first()


def mark_opened(session: Session, user: User, tender_id: int, invitation: Invitation) -> bool:
    """The bureau followed its link or looked at the tender: sent → opened (once)."""
    if invitation.status != "sent":
        return False
    invitation.status, invitation.opened_at = "opened", now()
    session.flush()
    _record(session, Actor.of(user), tender_id, "invitation.opened", invitation, {"status": ["sent", "opened"]})
    return True


def _respondable(session: Session, user: User, tender: Tender) -> tuple[Tender, Invitation]:
    tender = lock(session, tender.id)
    invitation = own_invitation(session, tender.id, user.bureau_id, lock_rows=True)
    if invitation is None:
        raise Refused([_("This invitation does not exist.")], kind="invalid")
    if tender.state not in ("invitation", "vision_submission"):
        raise Refused([_("The tender is past the stage in which invitations are answered.")])
    return tender, invitation


def accept(session: Session, user: User, tender: Tender) -> Invitation:
    tender, invitation = _respondable(session, user, tender)
    if invitation.status == "accepted":
        return invitation  # a double click: one result
    if invitation.status not in ("sent", "opened"):
        raise Refused([_("You declined this invitation on %(when)s; it can no longer be accepted.",
                         when=_when(invitation.responded_at))])
    before = invitation.status
    invitation.status, invitation.responded_at = "accepted", now()
    invitation.opened_at = invitation.opened_at or invitation.responded_at
    session.flush()
    _record(session, Actor.of(user), tender.id, "invitation.accepted", invitation, {"status": [before, "accepted"]})
    return invitation


def decline(session: Session, user: User, tender: Tender, reason: str) -> Invitation:
    from app.models import Vision
    tender, invitation = _respondable(session, user, tender)
    if invitation.status == "declined":
        return invitation
    if invitation.status not in ACTIVE:
        raise Refused([_("This invitation can no longer be declined.")])
    if not (reason or "").strip():
        raise Refused([_("Tell the municipality why you decline.")], kind="invalid")
    submitted = session.exec(select(Vision.id).where(Vision.tender_id == tender.id, Vision.bureau_id == user.bureau_id,
                                                     Vision.status == "submitted")).first()
    if submitted:
        raise Refused([_("You have submitted a vision. Withdraw it first if you no longer want to take part.")])
    before = invitation.status
    invitation.status, invitation.responded_at, invitation.decline_reason = "declined", now(), reason.strip()
    invitation.opened_at = invitation.opened_at or invitation.responded_at
    session.flush()
    _record(session, Actor.of(user), tender.id, "invitation.declined", invitation, {"status": [before, "declined"]},
            reason.strip())
    return invitation


def active_recipients(session: Session, tender_id: int) -> list[tuple[Invitation, Bureau, User]]:
    """The contact of every bureau still in the race, for mail to all of them at once."""
    rows = session.exec(
        select(Invitation, Bureau, User).join(Bureau, Bureau.id == Invitation.bureau_id)
        .join(User, (User.bureau_id == Bureau.id) & (User.email == func.lower(Bureau.contact_email)))
        .where(Invitation.tender_id == tender_id, Invitation.status.in_(ACTIVE), User.active)
        .order_by(Bureau.name)
    ).all()
    return list(rows)


def _when(moment) -> str:
    from app.i18n import format_local
    return format_local(moment)
