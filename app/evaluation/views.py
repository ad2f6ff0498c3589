"""The panel's pages: the evaluator's landing page and sheets, the declarations, the officer's overview,
consensus, the shortlist and the ranking. Views parse, authorise, call one operation and render."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db, web
from app.authz import roles_required, tender_or_404, visible_tenders
from app.dashboard.tasks import tasks_for
from app.evaluation import bp, operations, queries
from app.evaluation.panel import EVALUATION_STATES, load_panel
from app.files import send
from app.models import Tender
from app.web import INVALID, attempt, flash_refusal
from forms.evaluation import (
    CONFLICT_LABELS, DueForm, ExcuseForm, ReasonForm, consensus_form, declaration_form, shortlist_form, sheet_form,
)
from workflows import Refused

STAGES = "any(vision, pitch)"


def load(tender_id: int):
    """The tender (404 unless visible to this user and in evaluation) and its panel state."""
    tender = tender_or_404(tender_id)
    if tender.state not in EVALUATION_STATES:
        abort(404)
    return tender, load_panel(db.session(), tender)


def refusal_status(refusal: Refused) -> int:
    if refusal.kind == "forbidden":
        abort(404)
    return web.refusal_status(refusal)


def _back_to_tender(tender, anchor=""):
    return redirect(url_for("evaluation.tender", tender_id=tender.id) + (f"#{anchor}" if anchor else ""))


# --- landing pages ---------------------------------------------------------------------------------

@bp.route("/")
@roles_required("evaluator", "officer")
def index():
    session = db.session()
    if current_user.role == "evaluator":  # the evaluator's landing page: tasks, then their panels
        return render_template("evaluation/index.html", todos=queries.my_tenders(session, current_user),
                               tasks=tasks_for(session, current_user))
    tenders = session.exec(visible_tenders(current_user).where(Tender.state.in_(EVALUATION_STATES))
                           .order_by(Tender.state_changed_at.desc()).limit(100)).all()
    return render_template("evaluation/index.html", tenders=tenders)


@bp.route("/tenders/<int:tender_id>")
@roles_required("evaluator", "officer")
def tender(tender_id: int):
    tender, state = load(tender_id)
    if current_user.role == "evaluator":
        return render_template("evaluation/member.html", tender=tender, state=state)
    return render_overview(tender, state)


def render_overview(tender, state, status: int = 200, forms: dict | None = None):
    forms = forms or {}
    due_forms = {}
    for stage in ("vision", "pitch"):
        due_forms[stage] = forms.get(f"due_{stage}") or DueForm(formdata=None, data={"due_at": state.due(stage)},
                                                               prefix=stage)
    return render_template(
        "evaluation/overview.html", tender=tender, state=state, due_forms=due_forms,
        excuse_form=forms.get("excuse") or ExcuseForm(formdata=None), reopen_form=forms.get("reopen") or ReasonForm(
            formdata=None), reopen_sheet=forms.get("reopen_sheet"), conflict_labels=CONFLICT_LABELS,
        lots=queries.lots_applied(db.session(), tender)), status


# --- conflicts of interest -----------------------------------------------------------------------------

@bp.route("/tenders/<int:tender_id>/conflicts", methods=["GET", "POST"])
@roles_required("evaluator")
def conflicts(tender_id: int):
    tender, state = load(tender_id)
    uid = current_user.id
    # Bureaus still open to a declaration: not yet declared, or declared "no conflict" (may become one).
    editable = [bid for bid in state.bureaus if (d := state.declaration(uid, bid)) is None or d.kind == "none"]
    data = {}
    for bid in editable:
        d = state.declaration(uid, bid)
        data[f"kind_{bid}"] = d.kind if d else ""
    form = declaration_form(editable, formdata=request.form if request.method == "POST" else None, data=data)
    refusal = None
    if request.method == "POST" and form.validate():
        entries = {bid: (form[f"kind_{bid}"].data, form[f"explanation_{bid}"].data or "") for bid in editable}
        changed, refusal = attempt(lambda s: operations.declare_conflicts(s, current_user, tender, entries))
        if refusal is None:
            flash(_("Your declarations are recorded.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("evaluation.tender", tender_id=tender.id))
    status = refusal_status(refusal) if refusal else (INVALID if form.errors else 200)
    if not state.stage_active("vision") and not state.stage_active("pitch"):
        editable = []
    fixed = [(b, d) for bid, b in state.bureaus.items()
             if (d := state.declaration(uid, bid)) is not None and d.kind != "none"]
    return render_template("evaluation/conflicts.html", tender=tender, state=state, form=form, editable=editable,
                           fixed=fixed, refusal=refusal), status


@bp.route("/tenders/<int:tender_id>/excuse", methods=["POST"])
@roles_required("officer")
def excuse(tender_id: int):
    tender, state = load(tender_id)
    form = ExcuseForm()
    if not form.validate():
        return render_overview(tender, state, INVALID, {"excuse": form})
    _done, refusal = attempt(lambda s: operations.excuse_member(s, current_user, tender, form.member.data,
                                                                  form.bureau.data, form.reason.data))
    if refusal:
        flash_refusal(refusal)
        tender, state = load(tender_id)
        return render_overview(tender, state, refusal_status(refusal), {"excuse": form})
    flash(_("The evaluator is excused for this bureau."), "success")
    return _back_to_tender(tender, "declarations")


# --- the bureau's material and the evaluator's sheet ------------------------------------------------------

def _may_open_or_redirect(tender, state, bureau_id):
    if bureau_id not in state.bureaus:
        abort(404)
    if current_user.role == "evaluator" and not state.declared_all(current_user.id):
        flash(_("First declare your conflicts of interest for every bureau; then the visions open."), "info")
        return redirect(url_for("evaluation.conflicts", tender_id=tender.id))
    if not state.may_open(current_user, bureau_id):
        abort(404)  # a conflict: the bureau does not exist for this member
    return None


@bp.route("/tenders/<int:tender_id>/bureaus/<int:bureau_id>")
@roles_required("evaluator", "officer")
def bureau(tender_id: int, bureau_id: int):
    tender, state = load(tender_id)
    if (away := _may_open_or_redirect(tender, state, bureau_id)) is not None:
        return away
    return render_template("evaluation/bureau.html", tender=tender, state=state, bureau=state.bureaus[bureau_id],
                           material=queries.material(db.session(), tender, bureau_id))


@bp.route("/tenders/<int:tender_id>/bureaus/<int:bureau_id>/attachments/<int:attachment_id>")
@roles_required("evaluator", "officer")
def attachment(tender_id: int, bureau_id: int, attachment_id: int):
    tender, state = load(tender_id)
    if (away := _may_open_or_redirect(tender, state, bureau_id)) is not None:
        return away
    material = queries.material(db.session(), tender, bureau_id)
    found = next((a for a in material.attachments if a.id == attachment_id), None)
    if found is None:
        abort(404)
    return send(found)


@bp.route(f"/tenders/<int:tender_id>/<{STAGES}:stage>/<int:bureau_id>", methods=["GET", "POST"])
@roles_required("evaluator")
def sheet(tender_id: int, stage: str, bureau_id: int):
    tender, state = load(tender_id)
    if (away := _may_open_or_redirect(tender, state, bureau_id)) is not None:
        return away
    if not state.stage_open(stage) or bureau_id not in state.stage_bureaus(stage):
        abort(404)
    session = db.session()
    criteria = state.criteria[stage]
    mine = state.sheet(stage, bureau_id, current_user.id)
    scores = queries.scores_of(session, mine)
    initial = {"version": mine.version if mine else None}
    for c in criteria:
        if c.id in scores:
            initial[f"value_{c.id}"] = scores[c.id].value
            initial[f"rationale_{c.id}"] = scores[c.id].rationale
    form = sheet_form(criteria, formdata=request.form if request.method == "POST" else None, data=initial)
    refusal = None
    if request.method == "POST":
        if form.validate():
            entries = {c.id: (form[f"value_{c.id}"].data, form[f"rationale_{c.id}"].data or "") for c in criteria}
            submit = form.action.data == "submit"
            saved, refusal = attempt(lambda s: operations.save_sheet(
                s, current_user, tender, stage, bureau_id, entries, submit, form.version.data))
            if refusal is None:
                flash(_("Your scores are submitted. You can now see the panel's scores for this bureau.") if submit
                      else _("Draft saved. Nobody else sees it."), "success")
                return redirect(url_for("evaluation.sheet", tender_id=tender.id, stage=stage, bureau_id=bureau_id))
        tender, state = load(tender_id)
        mine = state.sheet(stage, bureau_id, current_user.id)
    status = refusal_status(refusal) if refusal else (INVALID if form.errors else 200)
    return render_template(
        "evaluation/sheet.html", tender=tender, state=state, stage=stage, bureau=state.bureaus[bureau_id],
        sheet=mine, scores=scores, form=form, refusal=refusal,
        anchors=queries.criteria_anchors(session, state, stage),
        material=queries.material(session, tender, bureau_id) if stage == "vision" else None,
        history=queries.revisions_of(session, [mine.id]).get(mine.id, []) if mine else [],
        editable=state.scorable(stage, bureau_id) and (mine is None or mine.status == "draft"),
    ), status


@bp.route("/tenders/<int:tender_id>/sheets/<int:sheet_id>/reopen", methods=["POST"])
@roles_required("officer")
def reopen(tender_id: int, sheet_id: int):
    tender, state = load(tender_id)
    form = ReasonForm()
    if not form.validate():
        return render_overview(tender, state, INVALID, {"reopen": form, "reopen_sheet": sheet_id})
    _done, refusal = attempt(lambda s: operations.reopen_sheet(s, current_user, tender, sheet_id, form.reason.data))
    if refusal:
        flash_refusal(refusal)
        tender, state = load(tender_id)
        return render_overview(tender, state, refusal_status(refusal), {"reopen": form, "reopen_sheet": sheet_id})
    flash(_("The sheet is reopened; the evaluator has been told."), "success")
    return _back_to_tender(tender, "progress")


@bp.route(f"/tenders/<int:tender_id>/<{STAGES}:stage>/due", methods=["POST"])
@roles_required("officer")
def due(tender_id: int, stage: str):
    tender, state = load(tender_id)
    form = DueForm(prefix=stage)
    if not form.validate():
        return render_overview(tender, state, INVALID, {f"due_{stage}": form})
    _done, refusal = attempt(lambda s: operations.set_due(s, current_user, tender, stage, form.due_at.data))
    if refusal:
        flash_refusal(refusal)
        tender, state = load(tender_id)
        return render_overview(tender, state, refusal_status(refusal), {f"due_{stage}": form})
    flash(_("Due date saved."), "success")
    return _back_to_tender(tender, f"progress-{stage}")


# --- consensus -------------------------------------------------------------------------------------------------

@bp.route(f"/tenders/<int:tender_id>/<{STAGES}:stage>/<int:bureau_id>/consensus", methods=["GET", "POST"])
@roles_required("evaluator", "officer")
def consensus(tender_id: int, stage: str, bureau_id: int):
    tender, state = load(tender_id)
    if (away := _may_open_or_redirect(tender, state, bureau_id)) is not None:
        return away
    if not state.stage_open(stage) or not state.may_see_scores(current_user, stage, bureau_id):
        abort(404)
    session = db.session()
    is_chair = current_user.role == "officer"
    if request.method == "POST" and not is_chair:
        abort(404)
    criteria = state.criteria[stage]
    agreed = state.consensus_rows(stage, bureau_id)
    initial = {}
    for cid, row in agreed.items():
        initial[f"value_{cid}"], initial[f"note_{cid}"] = row.value, row.note
    form = consensus_form(criteria, formdata=request.form if request.method == "POST" else None, data=initial)
    refusal = None
    if request.method == "POST":
        if form.validate():
            entries = {c.id: (form[f"value_{c.id}"].data, form[f"note_{c.id}"].data or "") for c in criteria}
            _n, refusal = attempt(lambda s: operations.record_consensus(s, current_user, tender, stage, bureau_id,
                                                                         entries))
            if refusal is None:
                flash(_("Consensus recorded."), "success")
                return redirect(url_for("evaluation.consensus", tender_id=tender.id, stage=stage,
                                        bureau_id=bureau_id))
        tender, state = load(tender_id)
    view = queries.consensus_view(session, state, stage, bureau_id)
    status = refusal_status(refusal) if refusal else (INVALID if form.errors else 200)
    return render_template(
        "evaluation/consensus.html", tender=tender, state=state, stage=stage, bureau=state.bureaus[bureau_id],
        view=view, form=form, refusal=refusal, is_chair=is_chair,
        can_record=is_chair and state.stage_active(stage) and view.all_in,
        chart=queries.score_chart(view, state.bureaus[bureau_id].name),
        anchors=queries.criteria_anchors(session, state, stage),
        deciders=queries.user_names(session, [row.decided_by_id for row in state.consensus_rows(stage, bureau_id)
                                              .values()]),
    ), status


# --- ranking and shortlist ---------------------------------------------------------------------------------

@bp.route("/tenders/<int:tender_id>/ranking")
@roles_required("evaluator", "officer")
def ranking(tender_id: int):
    tender, state = load(tender_id)
    return render_template("evaluation/ranking.html", tender=tender, state=state,
                           lots=queries.ranking(db.session(), current_user, state))


@bp.route("/tenders/<int:tender_id>/shortlist", methods=["GET", "POST"])
@roles_required("officer")
def shortlist(tender_id: int):
    tender, state = load(tender_id)
    bureau_ids = list(state.bureaus)
    form = shortlist_form(bureau_ids, formdata=request.form if request.method == "POST" else None)
    refusal = None
    if request.method == "POST":
        if form.validate():
            decisions = {bid: (bool(form[f"pick_{bid}"].data), form[f"reason_{bid}"].data or "") for bid in bureau_ids}
            _entries, refusal = attempt(lambda s: operations.decide_shortlist(s, current_user, tender, decisions))
            if refusal is None:
                flash(_("The shortlist is decided; every bureau has been told by e-mail."), "success")
                return redirect(url_for("evaluation.shortlist", tender_id=tender.id))
        tender, state = load(tender_id)
    status = refusal_status(refusal) if refusal else (INVALID if form.errors else 200)
    return render_template("evaluation/shortlist.html", tender=tender, state=state, form=form, refusal=refusal,
                           lots=queries.ranking(db.session(), current_user, state, "vision"),
                           missing=[state.bureaus[b].name for b in state.bureaus_without_consensus("vision")]), status
