"""Runs workflow definitions on database rows with `transitions`.

One `Machine` per definition, built once with `model=None`: rows are wrapped in a throw-away
adapter per call, so the machine never holds a reference to a row. Firing an action happens
inside the caller's transaction: lock the row, check role, object permission and guards, let the
machine change the state (running the effects), append the audit event, flush. The caller commits
once, or rolls back on any exception, so a failing effect or audit write leaves nothing changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from flask_babel import gettext as _
from transitions import Machine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app import audit
from app.clock import now
from app.i18n import format_local as _fmt
from app.models import AuditEvent
from workflows.core import Context, Transition, Workflow


class Refused(Exception):
    """An action was not carried out; `reasons` say why, in the user's language."""

    def __init__(self, reasons: list[str], kind: str = "guard"):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = [str(r) for r in reasons]
        self.kind = kind  # guard | forbidden | invalid | stale


@dataclass
class Action:
    """An action offered to a user on an object: allowed, or greyed with the reasons."""

    transition: Transition
    reasons: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def event(self) -> str:
        return self.transition.event


class _Adapter:
    """What `transitions` sees: a `state` attribute backed by the row's state column."""

    __slots__ = ("row",)

    def __init__(self, row):
        self.row = row

    @property
    def state(self) -> str:
        return self.row.state

    @state.setter
    def state(self, value: str) -> None:
        self.row.state = value


def _ctx_of(event_data) -> Context:
    return event_data.kwargs["ctx"]


class Engine:
    def __init__(self, workflow: Workflow):
        self.workflow = workflow
        self.machine = Machine(
            model=None,
            states=[
                {"name": s.name, "final": s.final, "on_enter": [self._wrap(fx) for fx in s.on_enter]}
                for s in workflow.states
            ],
            initial=workflow.initial,
            transitions=[
                {
                    "trigger": t.event,
                    "source": list(t.sources),
                    "dest": t.dest,
                    # The guards were evaluated (with reasons) just before triggering.
                    "conditions": [lambda ev: _ctx_of(ev).cache.get("guards_passed", False)],
                    "after": [self._wrap(fx) for fx in t.effects],
                }
                for t in workflow.transitions
            ],
            auto_transitions=False,
            send_event=True,
        )

    @staticmethod
    def _wrap(effect):
        return lambda ev: effect(_ctx_of(ev))

    # --- asking -----------------------------------------------------------------------------
    def context(self, session, obj, actor, user=None, **kw) -> Context:
        return Context(session=session, obj=obj, actor=actor, user=user, **kw)

    def check(self, ctx: Context, t: Transition, *, with_reason: bool = False) -> list[str]:
        """Every reason why `t` cannot be fired now by this actor (empty when it can)."""
        if ctx.actor.role not in t.roles:
            return [_("Your role may not do this.")]
        denied = self.workflow.authorise(ctx)
        if denied:
            return [denied]
        reasons = [r for g in t.guards if (r := g.check(ctx))]
        if with_reason and t.reason_required and not (ctx.reason or "").strip():
            reasons.append(_("A reason is required."))
        return reasons

    def actions(self, ctx: Context) -> list[Action]:
        """The actions this actor's role may take from the object's current state."""
        return [
            Action(t, self.check(ctx, t))
            for t in self.workflow.transitions_from(ctx.obj.state)
            if ctx.actor.role in t.roles
        ]

    # --- doing ------------------------------------------------------------------------------
    def fire(self, ctx: Context, event: str, expected_version: Optional[int] = None) -> Any:
        session = ctx.session
        ctx.obj = self._lock(session, ctx.obj)
        obj = ctx.obj
        if expected_version is not None and getattr(obj, "version", None) != expected_version:
            raise Refused([self._changed_since(session, obj)], kind="stale")
        t = self.workflow.transition(event, obj.state)
        if t is None:
            raise Refused([self._not_possible(session, obj, event)], kind="invalid")
        reasons = self.check(ctx, t, with_reason=True)
        if reasons:
            kind = "forbidden" if ctx.actor.role not in t.roles or self.workflow.authorise(ctx) else "guard"
            raise Refused(reasons, kind=kind)
        before = obj.state
        ctx.cache["guards_passed"] = True
        try:
            # Effects may append their own audit events (e.g. one per invitation sent).
            if not self.machine.events[event].trigger(_Adapter(obj), ctx=ctx):
                raise Refused([_("The action could not be carried out.")])
            obj.state_changed_at = now()
            session.flush()  # constraint violations of the change itself surface here, as themselves
            self._record(ctx, event, before)
        except IntegrityError as e:
            if "audit_event" not in str(e.orig if hasattr(e, "orig") else e):
                raise
            # Another writer appended to this chain at the same moment (a fork attempt): the caller
            # rolls back, so the state change above is undone with it.
            raise Refused([_("Someone else acted on this at the same moment; nothing was changed. "
                             "Look at the current state and try again.")], kind="stale") from None
        return obj

    def _record(self, ctx: Context, event: str, before: str) -> None:
        obj = ctx.obj
        audit.record(
            ctx.session,
            actor=ctx.actor,
            action=f"{self.workflow.name}.{event}",
            object_type=self.workflow.object_type,
            object_id=obj.id,
            tender_id=self.workflow.tender_id_of(obj),
            from_state=before,
            to_state=obj.state,
            changes=ctx.data.get("audit_changes"),
            reason=(ctx.reason or "").strip() or None,
        )
        ctx.session.flush()

    @staticmethod
    def _lock(session, obj):
        """Reload the row under a write lock so concurrent actors queue up behind each other."""
        model = type(obj)
        stmt = select(model).where(model.id == obj.id).with_for_update().execution_options(populate_existing=True)
        return session.execute(stmt).scalar_one()

    def _last_event(self, session, obj) -> Optional[AuditEvent]:
        stmt = (
            select(AuditEvent)
            .where(AuditEvent.chain == audit.tender_chain(self.workflow.tender_id_of(obj)))
            .where(AuditEvent.object_type == self.workflow.object_type, AuditEvent.object_id == obj.id)
            .where(AuditEvent.to_state.is_not(None))
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        )
        return session.execute(stmt).scalar_one_or_none()

    def _changed_since(self, session, obj) -> str:
        last = self._last_event(session, obj)
        if last is None:
            return _("This item was changed by someone else in the meantime. Look at its current state.")
        return _(
            "%(who)s already changed this at %(when)s (now: %(state)s). Look at its current state.",
            who=last.actor_name, when=_fmt(last.occurred_at), state=self.workflow.state(obj.state).label,
        )

    def _not_possible(self, session, obj, event: str) -> str:
        last = self._last_event(session, obj)
        if last is not None and last.action == f"{self.workflow.name}.{event}":
            return _(
                "This was already done by %(who)s at %(when)s.", who=last.actor_name, when=_fmt(last.occurred_at)
            )
        return _(
            "This action is not possible in the stage “%(state)s”.", state=self.workflow.state(obj.state).label
        )

