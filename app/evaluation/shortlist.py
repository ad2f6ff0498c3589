"""The shortlist: which bureaus go on to pitch after the vision round, and a bureau leaving the pitches."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import Session

from app.audit import Actor
from app.clock import now
from app.evaluation.notify import bureau_recipients
from app.evaluation.panel import PanelState, load_panel
from app.evaluation.rules import bureau_or_refuse, record, require_stage_active
from app.i18n import format_local
from app.links import external_url
from app.mail import queue, render
from app.models import ShortlistEntry, Tender, User
from app.tenders.operations import lock
from workflows import Refused


def decide_shortlist(session: Session, officer: User, tender: Tender,
                     decisions: dict[int, tuple[bool, str]]) -> list[ShortlistEntry]:
    """Which bureaus go on to pitch {bureau_id: (shortlisted, reason)}; decided once, then told by e-mail."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    require_stage_active(state, "vision")
    if state.shortlist:
        first = next(iter(state.shortlist.values()))
        who = session.get(User, first.decided_by_id)
        raise Refused([_("The shortlist was already decided by %(who)s on %(when)s.",
                         who=who.name if who else "—", when=format_local(first.decided_at))], kind="stale")
    missing = state.bureaus_without_consensus("vision")
    if missing:
        raise Refused([_("Record the vision consensus first; still missing for: %(bureaus)s.",
                         bureaus=", ".join(state.bureaus[b].name for b in missing))], kind="invalid")
    _check_decisions(state, decisions)
    entries = []
    changes = {}
    for bid, bureau in state.bureaus.items():
        picked, reason = decisions[bid]
        reason = "" if picked else reason.strip()
        entry = ShortlistEntry(tender_id=tender.id, bureau_id=bid, shortlisted=picked, reason=reason,
                               decided_by_id=officer.id)
        session.add(entry)
        entries.append(entry)
        changes[bureau.name] = [None, _("pitches") if picked else _("not shortlisted: %(reason)s", reason=reason)]
    session.flush()
    record(session, Actor.of(officer), tender, "shortlist.decided", "tender", tender.id, changes)
    _tell_bureaus(session, state, tender, entries)
    return entries


def _check_decisions(state: PanelState, decisions: dict[int, tuple[bool, str]]) -> None:
    """A decision for every bureau, a reason for each one left out, and at least one bureau to pitch."""
    problems = []
    for bid, bureau in state.bureaus.items():
        if bid not in decisions:
            problems.append(_("Decide whether %(bureau)s goes on to pitch.", bureau=bureau.name))
        elif not decisions[bid][0] and not (decisions[bid][1] or "").strip():
            problems.append(_("Give the reason %(bureau)s does not go on to pitch.", bureau=bureau.name))
    if not any(decisions.get(bid, (False, ""))[0] for bid in state.bureaus):
        problems.append(_("Choose at least one bureau to pitch."))
    if problems:
        raise Refused(problems, kind="invalid")


def _tell_bureaus(session: Session, state: PanelState, tender: Tender, entries: list[ShortlistEntry]) -> None:
    recipients = bureau_recipients(session, state.bureaus)
    for entry in entries:
        bureau = state.bureaus[entry.bureau_id]
        template = "evaluation_shortlisted" if entry.shortlisted else "evaluation_not_shortlisted"
        for address, name, locale in recipients[entry.bureau_id]:
            subject, text = render(template, locale=locale, tender=tender, bureau=bureau, reason=entry.reason,
                                   link=external_url("evaluation.bureau_pitch", tender_id=tender.id))
            queue(session, to=address, to_name=name, subject=subject, text=text, kind="shortlist",
                  tender_id=tender.id, dedupe_key=f"shortlist:{tender.id}:{bureau.id}:{address.lower()}")


def withdraw_from_pitch(session: Session, officer: User, tender: Tender, bureau_id: int, reason: str) -> None:
    """A shortlisted bureau withdrew (or did not come): it leaves the pitch round; its booking is released."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    require_stage_active(state, "pitch")
    bureau = bureau_or_refuse(state, bureau_id)
    entry = state.shortlist.get(bureau_id)
    reason = (reason or "").strip()
    if entry is None or not entry.shortlisted:
        raise Refused([_("%(bureau)s is not on the shortlist.", bureau=bureau.name)], kind="invalid")
    if entry.withdrawn_at is not None:
        raise Refused([_("%(bureau)s already withdrew on %(when)s.", bureau=bureau.name,
                         when=format_local(entry.withdrawn_at))], kind="stale")
    if not reason:
        raise Refused([_("A reason is required.")], kind="invalid")
    entry.withdrawn_at, entry.withdraw_reason = now(), reason
    slot = state.slot_by_bureau.get(bureau_id)
    if slot is not None:
        slot.bureau_id, slot.booked_at, slot.booked_by_id = None, None, None
    session.flush()
    record(session, Actor.of(officer), tender, "shortlist.withdrawn", "shortlist_entry", entry.id,
           {"bureau": [None, bureau.name]}, reason=reason)
