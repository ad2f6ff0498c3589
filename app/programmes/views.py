"""The programme index ("my programme tasks"), the programme page with its history, and its actions."""
from __future__ import annotations

from typing import Optional

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db
from app.audit import Actor
from app.authz import roles_required
from app.programmes import bp, operations, queries
from app.programmes.access import programme_or_404, side_of
from app.web import CONFLICT, INVALID, attempt, flash_refusal
from forms.tender import ActionForm
from workflows import Refused, programme_engine
from workflows.diagram import render_svg

# Actions offered on the programme page; the plan and the evaluation pages carry the others.
PANEL_EVENTS = {"running": ("open_evaluation", "end")}


def refusal_status(refusal: Refused) -> int:
    return INVALID if refusal.kind == "input" else CONFLICT


def my_side(programme) -> str:
    return side_of(db.session(), current_user, programme)


@bp.route("/")
@roles_required("officer", "bureau")
def index():
    session = db.session()
    rows = queries.list_programmes(session, current_user)
    tasks = queries.my_tasks(session, current_user, rows)
    return render_template("programmes/index.html", rows=rows, tasks=tasks)


def render_programme(programme, status: int = 200, typed: Optional[dict] = None, refused_event: Optional[str] = None):
    session = db.session()
    view = queries.load_programme_view(session, programme)
    engine = programme_engine()
    ctx = engine.context(session, programme, Actor.of(current_user), current_user)
    actions = [a for a in engine.actions(ctx) if a.event in PANEL_EVENTS.get(programme.state, ())]
    return render_template(
        "programmes/show.html", v=view, programme=programme, actions=actions, side=my_side(programme),
        state=engine.workflow.state(programme.state), typed=typed or {}, refused_event=refused_event,
        diagram=render_svg(engine.workflow, programme.state, [a.transition.dest for a in actions if a.allowed],
                           title=_("The programme's cycle")),
    ), status


@bp.route("/<int:programme_id>")
@roles_required("officer", "bureau")
def show(programme_id: int):
    return render_programme(programme_or_404(programme_id))


@bp.route("/<int:programme_id>/actions/<event>", methods=["POST"])
@roles_required("officer")
def act(programme_id: int, event: str):
    programme = programme_or_404(programme_id)
    if event not in PANEL_EVENTS["running"]:
        abort(404)
    form = ActionForm()
    if not form.validate():
        return render_programme(programme, INVALID, {event: form.reason.data}, event)
    _done, refusal = attempt(lambda s: operations.fire(s, current_user, programme, event, reason=form.reason.data,
                                            expected_version=form.version.data))
    if refusal:
        flash_refusal(refusal)
        return render_programme(programme_or_404(programme_id), CONFLICT, {event: form.reason.data}, event)
    state = programme_engine().workflow.state(programme_or_404(programme_id).state)
    flash(_("Done: the programme is now in the stage “%(state)s”.", state=state.label), "success")
    return redirect(url_for("programmes.show", programme_id=programme_id))


@bp.context_processor
def _labels():
    from app.programmes import labels
    return {
        "period_name": labels.period_label,
        "programme_stage": lambda state: str(programme_engine().workflow.state(state).label),
        "side_label": lambda side: str(labels.SIDE_LABELS.get(side, side)),
        "side_titles": labels.SIDE_TITLES,
        "accepted_by_side": labels.ACCEPTED_BY_SIDE,
        "cadence_label": lambda cadence: str(labels.CADENCE_LABELS.get(cadence, cadence)),
        "decision_label": labels.decision_label,
        "participant_status": lambda status: str(labels.PARTICIPANT_LABELS.get(status, status)),
        "form_titles": labels.FORM_TITLES,
        "form_labels": labels.FORM_LABELS,
        "plan_labels": labels.PLAN_FIELD_LABELS,
        "score": _score,
    }


def _score(value: float) -> str:
    """A mean score with one decimal, in the page's language (7,5 in Dutch)."""
    from babel.numbers import format_decimal
    from flask_babel import get_locale
    return format_decimal(value, format="0.0", locale=str(get_locale() or "nl"))
