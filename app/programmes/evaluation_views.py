"""The evaluation of a period: both forms, the participants' feedback, and the meeting's decision."""
from __future__ import annotations

from typing import Optional

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db
from app.audit import Actor
from app.authz import roles_required
from app.clock import today_local
from app.i18n import format_day
from app.models.programme_cycle import FORM_TEXTS
from app.programmes import bp, evaluation_operations, queries
from app.programmes.access import BUREAU, MUNICIPALITY, programme_or_404
from app.programmes.views import my_side, refusal_status
from app.web import attempt, form_status
from forms.programme import DecisionForm, EvaluationFormForm, FeedbackForm
from workflows import programme_engine


def _evaluation(programme, number: int):
    return queries.load_evaluation(db.session(), programme, number) or abort(404)


def decision_reasons(programme) -> list[str]:
    """Why the meeting's decision cannot be recorded yet (asked as if the meeting were today)."""
    if programme.state != "evaluation":
        return []
    engine = programme_engine()
    ctx = engine.context(db.session(), programme, Actor.of(current_user), current_user,
                         data={"meeting_on": today_local()})
    return engine.check(ctx, engine.workflow.transition("continue", "evaluation"))


def render_evaluation(programme, ev, status: int = 200, feedback_form: Optional[FeedbackForm] = None,
                      decision_form: Optional[DecisionForm] = None, refusal=None):
    side = my_side(programme)
    own = ev.forms[side]
    # Each side writes independently: the other side's form shows once both are submitted.
    shown = [s for s in (MUNICIPALITY, BUREAU)
             if s == side or (own.submitted_at is not None and ev.forms[s].submitted_at is not None)]
    if feedback_form is None:
        feedback_form = FeedbackForm(data={"revision": ev.evaluation.feedback_revision,
                                           "participant_feedback": ev.evaluation.participant_feedback})
    if decision_form is None:
        decision_form = DecisionForm(data={"version": programme.version, "meeting_on": today_local()})
    undecided = ev.evaluation.decision is None
    return render_template(
        "programmes/evaluation.html", programme=programme, ev=ev, side=side, shown=shown, texts=FORM_TEXTS,
        feedback_form=feedback_form, decision_form=decision_form, refusal=refusal,
        decision_reasons=decision_reasons(programme) if undecided and current_user.role == "officer" else [],
    ), status


@bp.route("/<int:programme_id>/evaluations/<int:number>")
@roles_required("officer", "bureau")
def evaluation(programme_id: int, number: int):
    programme = programme_or_404(programme_id)
    return render_evaluation(programme, _evaluation(programme, number))


def _score_rows(form: EvaluationFormForm, indicators: list[str], scores: dict[str, int]) -> None:
    """One score row per agreed indicator, keeping what was typed."""
    typed = {e.form.indicator.data: e.form.score for e in form.scores.entries}
    while form.scores.entries:
        form.scores.pop_entry()
    for name in indicators:
        entry = form.scores.append_entry({"indicator": name, "score": scores.get(name)})
        if name in typed:
            entry.form.score.raw_data, entry.form.score.data = typed[name].raw_data, typed[name].data
            entry.form.score.errors = typed[name].errors


@bp.route("/<int:programme_id>/evaluations/<int:number>/form", methods=["GET", "POST"])
@roles_required("officer", "bureau")
def evaluation_form(programme_id: int, number: int):
    programme = programme_or_404(programme_id)
    ev = _evaluation(programme, number)
    side = my_side(programme)
    row = ev.forms[side]
    if request.method == "GET" and (row.submitted_at is not None or ev.evaluation.decision is not None):
        flash(_("This form was submitted and can no longer change."), "info")
        return redirect(url_for("programmes.evaluation", programme_id=programme_id, number=number))
    if request.method == "GET":
        form = EvaluationFormForm(data={"revision": row.revision, **{k: getattr(row, k) for k in FORM_TEXTS}})
    else:
        form = EvaluationFormForm()
    refusal = None
    if form.validate_on_submit():
        submit = request.form.get("action") == "submit"
        scores = {e.form.indicator.data: e.form.score.data for e in form.scores.entries}
        texts = {k: getattr(form, k).data for k in FORM_TEXTS}
        _done, refusal = attempt(lambda s: evaluation_operations.save_form(
            s, current_user, programme, ev.evaluation, side, texts, scores, form.revision.data, submit))
        if not refusal:
            flash(_("Submitted. The other side's form is now visible to you once they submit theirs.") if submit
                  else _("Saved as a draft; only your side sees it until you submit."), "success")
            return redirect(url_for("programmes.evaluation", programme_id=programme_id, number=number))
        ev = _evaluation(programme_or_404(programme_id), number)
    _score_rows(form, ev.indicators, ev.scores.get(side, {}))
    status = refusal_status(refusal) if refusal else form_status(form)
    return render_template("programmes/evaluation_form.html", programme=programme, ev=ev, side=side, form=form,
                           texts=FORM_TEXTS, refusal=refusal), status


def _post(programme_id: int, number: int, form, form_arg: str, op):
    """Validate `form` and run `op(session, programme, evaluation)`. None when done; otherwise the
    evaluation page again, with the form as typed and the reasons."""
    programme = programme_or_404(programme_id)
    ev = _evaluation(programme, number)
    if not form.validate_on_submit():
        return render_evaluation(programme, ev, form_status(form), **{form_arg: form})
    _done, refusal = attempt(lambda s: op(s, programme, ev.evaluation))
    if refusal:
        return render_evaluation(programme_or_404(programme_id), _evaluation(programme, number),
                                 refusal_status(refusal), refusal=refusal, **{form_arg: form})
    return None


@bp.route("/<int:programme_id>/evaluations/<int:number>/feedback", methods=["POST"])
@roles_required("officer", "bureau")
def evaluation_feedback(programme_id: int, number: int):
    form = FeedbackForm()
    failed = _post(programme_id, number, form, "feedback_form", lambda s, programme, evaluation: (
        evaluation_operations.save_feedback(s, current_user, programme, evaluation, form.participant_feedback.data,
                                            form.revision.data)))
    if failed:
        return failed
    flash(_("The participants' feedback is saved."), "success")
    return redirect(url_for("programmes.evaluation", programme_id=programme_id, number=number) + "#feedback")


@bp.route("/<int:programme_id>/evaluations/<int:number>/decision", methods=["POST"])
@roles_required("officer")
def evaluation_decision(programme_id: int, number: int):
    form = DecisionForm()
    failed = _post(programme_id, number, form, "decision_form", lambda s, programme, evaluation: (
        evaluation_operations.decide(s, current_user, programme, evaluation, form.decision.data,
                                     form.meeting_on.data, form.notes.data or "", form.version.data)))
    if failed:
        return failed
    programme = programme_or_404(programme_id)
    if form.decision.data == "end":
        flash(_("Decision recorded: the programme has ended."), "success")
        return redirect(url_for("programmes.show", programme_id=programme_id))
    flash(_("Decision recorded: the next period runs until %(day)s.", day=format_day(programme.next_evaluation_on)),
          "success")
    if form.decision.data == "adjust":
        draft = queries.open_draft(db.session(), programme)
        flash(_("Plan version %(n)d is open: change it together and both accept it.", n=draft.number), "info")
        return redirect(url_for("programmes.plan", programme_id=programme_id, number=draft.number))
    return redirect(url_for("programmes.show", programme_id=programme_id))
