"""Rules for leaving `draft`: what must be fixed before invitations go out."""
from __future__ import annotations

from datetime import timedelta
from typing import Optional

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import select

from app.clock import now
from app.models import Criterion, Invitation, Lot, PanelMember, Tender
from workflows.core import Context, Guard


def _counts(ctx: Context) -> dict:
    """Lots, panel members and bureaus to invite, counted in one statement (the guards ask for all
    three whenever they ask for one), unless a page primed them (see `prime_from_page`, `prime_many`)."""
    if "lots" not in ctx.cache:
        tender_id = ctx.obj.id
        lots, panel, invitees = ctx.session.execute(select(
            select(func.count()).select_from(Lot).where(Lot.tender_id == tender_id).scalar_subquery(),
            select(func.count()).select_from(PanelMember).where(PanelMember.tender_id == tender_id).scalar_subquery(),
            select(func.count()).select_from(Invitation)
            .where(Invitation.tender_id == tender_id, Invitation.status != "replaced").scalar_subquery(),
        )).one()
        ctx.cache.update({"lots": lots, "panel": panel, "invitees": invitees})
    return ctx.cache


def _count(ctx: Context, key: str) -> int:
    return _counts(ctx)[key]


def _invitees(ctx: Context) -> int:
    return _counts(ctx)["invitees"]


def _weights(ctx: Context) -> dict[str, int]:
    def compute():
        rows = ctx.session.execute(
            select(Criterion.stage, func.coalesce(func.sum(Criterion.weight), 0), func.count())
            .where(Criterion.tender_id == ctx.obj.id, Criterion.counts_in_total)
            .group_by(Criterion.stage)
        ).all()
        return {stage: (int(total), n) for stage, total, n in rows}
    return ctx.memo("weights", compute)


def prime_from_page(ctx: Context, *, lots: int, panel: int, invitations: list, criteria: list) -> None:
    """Give the guards the facts a page has loaded already, so checking them costs no queries:
    `invitations` are the tender's Invitation rows, `criteria` its Criterion rows."""
    weights: dict[str, tuple[int, int]] = {}
    for c in criteria:
        if c.counts_in_total:
            total, n = weights.get(c.stage, (0, 0))
            weights[c.stage] = (total + c.weight, n + 1)
    ctx.cache.update({
        "lots": lots, "panel": panel, "weights": weights,
        "invitees": sum(1 for i in invitations if i.status != "replaced"),
    })


def brief_complete(ctx: Context) -> Optional[str]:
    t = ctx.obj
    missing = [label for label, value in (
        (_("goals for the city"), t.city_goals),
        (_("organisation-development track"), t.development_track),
        (_("the open question to the bureaus"), t.open_question),
    ) if not (value or "").strip()]
    if missing:
        return _("The brief is incomplete: fill in %(fields)s.", fields=", ".join(missing))
    return None


def invitee_count(ctx: Context) -> Optional[str]:
    lo, hi = current_app.config["MIN_INVITEES"], current_app.config["MAX_INVITEES"]
    n = _invitees(ctx)
    if n == 0:
        return _("Choose the bureaus to invite.")
    if lo <= n <= hi or (ctx.obj.invitee_motivation or "").strip():
        return None
    return _(
        "Invite %(lo)d to %(hi)d bureaus (now %(n)d), or write down why you deviate "
        "(Gids Proportionaliteit, rule 3.4B).", lo=lo, hi=hi, n=n,
    )


def has_lot(ctx: Context) -> Optional[str]:
    return None if _count(ctx, "lots") else _("Add at least one lot (management layer).")


def has_panel(ctx: Context) -> Optional[str]:
    return None if _count(ctx, "panel") else _("Add at least one evaluator to the panel.")


def weights_complete(ctx: Context) -> Optional[str]:
    weights = _weights(ctx)
    problems = []
    for stage, label in (("vision", _("vision")), ("pitch", _("pitch"))):
        total, n = weights.get(stage, (0, 0))
        if n == 0:
            problems.append(_("Add award criteria for the %(stage)s.", stage=label))
        elif total != 100:
            problems.append(_("The weights of the %(stage)s criteria add up to %(total)d %%; they must add up to 100 %%.",
                              stage=label, total=total))
    return " ".join(problems) or None


def dates_in_order(ctx: Context) -> Optional[str]:
    t = ctx.obj
    steps = [
        (_("invitation"), t.invitation_at),
        (_("questions deadline"), t.questions_deadline),
        (_("vision deadline"), t.vision_deadline),
        (_("start of the pitches"), t.pitch_start),
        (_("end of the pitches"), t.pitch_end),
        (_("selection"), t.selection_at),
    ]
    missing = [label for label, value in steps if value is None]
    if missing:
        return _("Fill in the timeline: %(fields)s.", fields=", ".join(missing))
    for (a_label, a), (b_label, b) in zip(steps, steps[1:]):
        if not a < b:
            return _("The %(a)s must come before the %(b)s.", a=a_label, b=b_label)
    return None


def deadlines_ahead(ctx: Context) -> Optional[str]:
    t = ctx.obj
    if t.vision_deadline is not None and t.vision_deadline <= now():
        return _("The vision deadline has already passed; move it into the future.")
    return None


def bulletin_margin(ctx: Context) -> Optional[str]:
    """Answers must reach bureaus at least 6 days before the deadline (Nota van Inlichtingen)."""
    t = ctx.obj
    days = current_app.config.get("NVI_MIN_DAYS", 6)
    if t.questions_deadline and t.vision_deadline and t.vision_deadline - t.questions_deadline < timedelta(days=days):
        return _("Leave at least %(days)d days between the questions deadline and the vision deadline, "
                 "so the answers reach every bureau in time.", days=days)
    return None


READY_TO_INVITE = (
    Guard("brief_complete", brief_complete),
    Guard("invitee_count", invitee_count),
    Guard("has_lot", has_lot),
    Guard("has_panel", has_panel),
    Guard("weights_complete", weights_complete),
    Guard("dates_in_order", dates_in_order),
    Guard("deadlines_ahead", deadlines_ahead),
    Guard("bulletin_margin", bulletin_margin),
)


def prime_many(session, tender_ids: list[int]) -> dict[int, dict]:
    """The facts the guards above memoise, for many tenders in two queries: {tender_id: ctx.cache entries}.
    A context whose cache starts with these runs READY_TO_INVITE without a query (dashboards)."""
    facts: dict[int, dict] = {i: {"weights": {}} for i in tender_ids}
    if not tender_ids:
        return facts

    def count(model, *extra):
        return (select(func.count()).select_from(model).where(model.tender_id == Tender.id, *extra)
                .correlate(Tender).scalar_subquery())

    rows = session.execute(
        select(Tender.id, count(Lot), count(PanelMember), count(Invitation, Invitation.status != "replaced"))
        .where(Tender.id.in_(tender_ids))
    ).all()
    for tender_id, lots, panel, invitees in rows:
        facts[tender_id].update(lots=lots, panel=panel, invitees=invitees)
    rows = session.execute(
        select(Criterion.tender_id, Criterion.stage, func.coalesce(func.sum(Criterion.weight), 0), func.count())
        .where(Criterion.tender_id.in_(tender_ids), Criterion.counts_in_total)
        .group_by(Criterion.tender_id, Criterion.stage)
    ).all()
    for tender_id, stage, total, n in rows:
        facts[tender_id]["weights"][stage] = (int(total), n)
    return facts
