"""Demo data for `make run`: built through the same operations as the app, so every audit chain
is valid. Loaded once, on an empty database.

`load` is the entry point; the content lives in `data` (accounts, the Almere and Koppelkansen briefs)
and `texts` (what bureaus, panel and officer write later on). Each stage group has its own module:
`drafts` (draft), `portal` (invitation, vision submission, vision review), `evaluation` (the panel at
work, pitch), `award` (selection, standstill, awarded, cancelled), `programmes` (plan, running,
evaluation). Every date is relative to the moment of loading, so each tender genuinely sits in its
stage: deadlines ahead where the stage waits for them, behind where they have passed.
"""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from app import clock
from app.admin import operations as admin_ops
from app.audit import SYSTEM
from app.auth.passwords import hash_password
from app.demo import data
from app.models import Bureau, Organisation, User

# What the demo shows, stage by stage (the tests check every one of them; the README lists them).
STAGES = ("draft", "invitation", "vision_submission", "vision_review", "pitch", "selection", "standstill",
          "awarded", "cancelled")
PROGRAMME_STAGES = ("plan", "running", "evaluation")


def is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(User)) == 0


def load(session: Session) -> None:
    from app.demo import award, drafts, evaluation, portal, programmes
    moment = clock.now()
    try:
        orgs = {o["name"]: admin_ops.save(session, SYSTEM, Organisation, o) for o in data.ORGANISATIONS}
        bureaus = {b["name"]: admin_ops.save(session, SYSTEM, Bureau, b) for b in data.BUREAUS}
        users = {}
        for email, name, role, home in data.USERS:
            users[email] = admin_ops.create_user(
                session, SYSTEM, email=email, name=name, role=role,
                organisation_id=orgs[home].id if role in ("officer", "evaluator") else None,
                bureau_id=bureaus[home].id if role == "bureau" else None,
            )
        # One argon2 hash for the shared demo password: hashing it per account cost a second or more.
        shared = hash_password(data.PASSWORD)
        for user in users.values():
            user.password_hash = shared
        session.flush()
        cast = drafts.Cast(officer=users["inkoper@almere.example"],
                           evaluators=[users[f"beoordelaar{i}@almere.example"] for i in (1, 2, 3)],
                           bureaus=bureaus, contact={n: users[b.contact_email] for n, b in bureaus.items()},
                           now=moment)
        drafts.almere(session, cast)
        drafts.koppelkansen(session, users, orgs, bureaus)
        tenders = portal.build(session, cast)
        evaluation.build(session, cast, tenders["vision_review"])
        award.selection(session, cast)
        award.standstill(session, cast)
        year_ago, recent = award.awarded(session, cast)
        programmes.build(session, cast, year_ago, recent)
        award.cancelled(session, cast)
    finally:
        clock.freeze(None)


def accounts() -> list[tuple[str, str, str]]:
    """(e-mail, role, who) for the README and the start-up banner."""
    return [(email, role, home or "") for email, _name, role, home in data.USERS]
