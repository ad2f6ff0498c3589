"""Dashboard, new tender, the tender page, firing actions and the audit trail."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import db
from app.audit import Actor
from app.audit.labels import CATEGORIES
from app.authz import roles_required, tender_or_404
from app.award.queries import tender_panel as award_panel
from app.charts.timeline import tender_timeline
from app.clock import now
from app.dashboard.tasks import tasks_for
from app.exports.registry import for_tender as exports_for
from app.i18n import current_locale
from app.ocds.queries import is_published
from app.tenders import bp, operations, queries
from app.web import CONFLICT, INVALID, attempt, flash_refusal, form_status
from forms.tender import ActionForm, TenderNewForm
from workflows import tender_engine
from workflows.diagram import render_svg
from workflows.guards.draft import prime_from_page


@bp.route("/")
@login_required
def dashboard():
    if current_user.role == "admin":
        return redirect(url_for("admin.index"))
    # Bureaus and evaluators have their own landing pages (the portal, the panel's overview), with their tasks.
    if current_user.role == "bureau":
        return redirect(url_for("portal.index"))
    if current_user.role == "evaluator":
        return redirect(url_for("evaluation.index"))
    session = db.session()
    data = queries.load_dashboard(session, current_user)
    return render_template("tenders/dashboard.html", data=data, states=tender_engine().workflow.states,
                           tasks=tasks_for(session, current_user))


@bp.route("/tenders/new", methods=["GET", "POST"])
@roles_required("officer")
def new():
    form = TenderNewForm()
    if form.validate_on_submit():
        session = db.session()
        tender = operations.create_tender(session, current_user, form.title.data, form.description.data or "")
        session.commit()
        flash(_("Tender created. Fill in the sections below; the checklist shows what is still missing."), "success")
        return redirect(url_for("tenders.show", tender_id=tender.id))
    return render_template("tenders/new.html", form=form), form_status(form)


def render_tender(tender, status: int = 200, typed_reasons: dict | None = None, refused_event: str | None = None):
    session = db.session()
    engine = tender_engine()
    view = queries.load_tender_view(session, tender)
    ctx = engine.context(session, tender, Actor.of(current_user), current_user)
    prime_from_page(ctx, lots=len(view.lots), panel=len(view.panel), invitations=[i for i, _b in view.invitations],
                       criteria=[c for stage in view.criteria.values() for c in stage])
    actions = engine.actions(ctx)
    return render_template(
        "tenders/show.html", v=view, tender=tender, actions=actions, award=award_panel(session, tender),
        state=engine.workflow.state(tender.state), workflow=engine.workflow,
        diagram=_diagram(engine.workflow, tender.state, [a.transition.dest for a in actions if a.allowed]),
        can_edit=current_user.role == "officer" and tender.state == "draft",
        typed_reasons=typed_reasons or {}, refused_event=refused_event,
        pickers=_pickers(session, view) if current_user.role == "officer" and tender.state == "draft" else None,
        portal=_portal_cards(session, tender),
        timeline=tender_timeline(tender, now()), exports=exports_for(tender, current_user),
        published=current_user.role == "officer" and is_published(session, tender),
    ), status


def _portal_cards(session, tender):
    """Invitations, questions and (sealed) submissions, once the invitations have gone out."""
    from app.portal.queries import load_officer_cards
    return load_officer_cards(session, tender) if tender.state != "draft" else None


_DIAGRAMS: dict[tuple, object] = {}


def _diagram(workflow, state: str, next_states: list[str]):
    """The workflow diagram, drawn once per state, next steps and language (it depends on nothing else)."""
    key = (workflow.name, state, frozenset(next_states), current_locale().language)
    svg = _DIAGRAMS.get(key)
    if svg is None:
        svg = _DIAGRAMS[key] = render_svg(workflow, state, next_states)
    return svg


def _pickers(session, view):
    from app.tenders.draft_views import picker_choices
    return picker_choices(session, view)


@bp.route("/tenders/<int:tender_id>")
@roles_required("officer", "evaluator")
def show(tender_id: int):
    tender = tender_or_404(tender_id)
    return render_tender(tender)


@bp.route("/tenders/<int:tender_id>/actions/<event>", methods=["POST"])
@roles_required("officer")
def act(tender_id: int, event: str):
    tender = tender_or_404(tender_id)
    if not tender_engine().workflow.has_event(event):
        abort(404)
    form = ActionForm()
    if not form.validate():
        return render_tender(tender, INVALID, {event: form.reason.data}, event)
    fired, refusal = attempt(lambda s: operations.fire(s, current_user, tender, event, form.reason.data,
                                                       form.version.data))
    if refusal:
        flash_refusal(refusal)
        tender = tender_or_404(tender_id)
        return render_tender(tender, CONFLICT, {event: form.reason.data}, event)
    tender = fired
    state = tender_engine().workflow.state(tender.state)
    flash(_("Done: the tender is now in the stage “%(state)s”.", state=state.label), "success")
    return redirect(url_for("tenders.show", tender_id=tender.id))


@bp.route("/tenders/<int:tender_id>/audit")
@roles_required("officer")
def audit_trail(tender_id: int):
    tender = tender_or_404(tender_id)
    action = request.args.get("action", "")
    if action and action not in CATEGORIES:
        action = ""
    actor = request.args.get("actor", "")[:100]
    page = request.args.get("page", 1, type=int)
    rows, total, page, pages = queries.audit_page(
        db.session(), tender, page, current_app.config["AUDIT_PAGE_SIZE"], action, actor)
    return render_template("tenders/audit.html", tender=tender, events=rows, total=total, page=page, pages=pages,
                           categories=CATEGORIES, action=action, actor=actor)
