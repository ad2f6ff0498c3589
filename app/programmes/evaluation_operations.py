"""The periodic evaluation: the municipality's evaluation and the bureau's self-evaluation (saved as
drafts, then submitted once), the participants' feedback, and the decision of the joint meeting."""
from __future__ import annotations

from datetime import date
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import delete
from sqlmodel import Session, select

from app import audit
from app.audit import Actor
from app.clock import now
from app.i18n import format_local
from app.models import (
    EvaluationForm, IndicatorScore, PlanIndicator, Programme, ProgrammeEvaluation, ProgrammePeriod, User,
)
from app.models.programme_cycle import FORM_TEXTS
from app.programmes import operations as ops
from app.programmes.access import MUNICIPALITY, other_side
from app.programmes.labels import FORM_LABELS
from workflows import Refused

DECISION_EVENTS = {"continue": "continue", "adjust": "adjust", "end": "end"}


def indicators_for(session: Session, period: ProgrammePeriod) -> list[PlanIndicator]:
    if period.plan_version_id is None:
        return []
    return list(session.exec(select(PlanIndicator).where(PlanIndicator.plan_version_id == period.plan_version_id)
                             .order_by(PlanIndicator.position, PlanIndicator.id)))


def _lock(session: Session, model, row_id: int):
    return session.exec(select(model).where(model.id == row_id).with_for_update()
                        .execution_options(populate_existing=True)).one()


def _refuse_if_decided(evaluation: ProgrammeEvaluation) -> None:
    if evaluation.decision is not None:
        raise Refused([_("This evaluation was concluded on %(when)s; it can no longer change.",
                         when=format_local(evaluation.decided_at))], kind="invalid")


def _scores_of(session: Session, form_id: int) -> dict[str, int]:
    return dict(session.exec(select(IndicatorScore.indicator, IndicatorScore.score)
                             .where(IndicatorScore.form_id == form_id)).all())


def save_form(session: Session, user: User, programme: Programme, evaluation: ProgrammeEvaluation, side: str,
              texts: dict[str, str], scores: dict[str, Optional[int]], seen_revision: Optional[int],
              submit: bool) -> EvaluationForm:
    """Save one side's form; with `submit`, check it is complete and make it final."""
    evaluation = _lock(session, ProgrammeEvaluation, evaluation.id)
    form = session.exec(select(EvaluationForm).where(EvaluationForm.evaluation_id == evaluation.id,
                                                     EvaluationForm.side == side).with_for_update()
                        .execution_options(populate_existing=True)).one()
    _refuse_if_decided(evaluation)
    if form.submitted_at is not None:
        raise Refused([_("This form was submitted at %(when)s and can no longer change.",
                         when=format_local(form.submitted_at))], kind="invalid")
    if seen_revision != form.revision:
        raise Refused([_("%(who)s saved this form at %(when)s, after you opened it. Your input is kept below; "
                         "check the saved version before saving again.", who=form.updated_by_name,
                         when=format_local(form.updated_at))], kind="stale")
    period = session.get(ProgrammePeriod, evaluation.period_id)
    names = [i.name for i in indicators_for(session, period)]
    new_scores = {name: scores.get(name) for name in names if scores.get(name) is not None}
    if submit:
        missing = [str(FORM_LABELS[k]) for k in FORM_TEXTS if not (texts.get(k) or "").strip()]
        unscored = [name for name in names if name not in new_scores]
        reasons = []
        if missing:
            reasons.append(_("Fill in before submitting: %(fields)s.", fields="; ".join(missing)))
        if unscored:
            reasons.append(_("Give a score for every agreed indicator: %(names)s.", names=", ".join(unscored)))
        if reasons:
            raise Refused(reasons, kind="input")
    old_scores = _scores_of(session, form.id)
    before = audit.snapshot(form, FORM_TEXTS)
    for k in FORM_TEXTS:
        setattr(form, k, (texts.get(k) or "").strip())
    changes = audit.diff(before, audit.snapshot(form, FORM_TEXTS))
    if new_scores != old_scores:
        changes["scores"] = [old_scores or None, new_scores]
        session.execute(delete(IndicatorScore).where(IndicatorScore.form_id == form.id))
        for i, name in enumerate(n for n in names if n in new_scores):
            session.add(IndicatorScore(form_id=form.id, position=i, indicator=name, score=new_scores[name]))
    form.revision += 1
    form.updated_at, form.updated_by_name = now(), user.name
    if submit:
        form.submitted_at, form.submitted_by_id = now(), user.id
    session.flush()
    if changes or submit:
        audit.record(session, actor=Actor.of(user),
                     action="programme_evaluation.form_submitted" if submit else "programme_evaluation.form_saved",
                     object_type="evaluation_form", object_id=form.id, tender_id=programme.tender_id,
                     changes={"side": [None, side], "period": [None, period.number], **changes})
    if submit:
        _after_submission(session, programme, evaluation, period, side)
    return form


def _after_submission(session, programme, evaluation, period, side) -> None:
    other = session.exec(select(EvaluationForm.submitted_at).where(
        EvaluationForm.evaluation_id == evaluation.id, EvaluationForm.side == other_side(side))).one()
    path = f"/programmes/{programme.id}/evaluations/{period.number}"
    if other is None:
        ops.notify(session, programme, (other_side(side),), "programme_form_submitted", kind="reminder",
                   dedupe=f"programme:{programme.id}:evaluation:{period.number}:submitted:{side}",
                   period=period, evaluation=evaluation, submitted_side=side, path=path)
    else:
        ops.notify(session, programme, (MUNICIPALITY,), "programme_forms_complete", kind="reminder",
                   dedupe=f"programme:{programme.id}:evaluation:{period.number}:complete",
                   period=period, evaluation=evaluation, path=path)


def save_feedback(session: Session, user: User, programme: Programme, evaluation: ProgrammeEvaluation, text: str,
                  seen_revision: Optional[int]) -> None:
    evaluation = _lock(session, ProgrammeEvaluation, evaluation.id)
    _refuse_if_decided(evaluation)
    if seen_revision != evaluation.feedback_revision:
        raise Refused([_("Someone else saved the participants' feedback after you opened it. Your text is kept "
                         "below; check the saved version before saving again.")], kind="stale")
    text = (text or "").strip()
    if text == evaluation.participant_feedback:
        return
    changes = {"participant_feedback": [evaluation.participant_feedback or None, text]}
    evaluation.participant_feedback = text
    evaluation.feedback_revision += 1
    session.flush()
    audit.record(session, actor=Actor.of(user), action="programme_evaluation.feedback", object_type="evaluation",
                 object_id=evaluation.id, tender_id=programme.tender_id, changes=changes)


def decide(session: Session, user: User, programme: Programme, evaluation: ProgrammeEvaluation, decision: str,
           meeting_on: Optional[date], notes: str, expected_version: Optional[int]) -> Programme:
    """Record the joint meeting's decision: continue as is, continue with adjustments, or end."""
    programme = ops.lock_programme(session, programme.id)
    evaluation = _lock(session, ProgrammeEvaluation, evaluation.id)
    if evaluation.decision is not None:
        decider = session.get(User, evaluation.decided_by_id)
        raise Refused([_("%(who)s already recorded the decision at %(when)s.",
                         who=decider.name if decider else "—", when=format_local(evaluation.decided_at))],
                      kind="stale")
    return ops.fire(session, user, programme, DECISION_EVENTS[decision], reason=notes,
                    expected_version=expected_version, data={"meeting_on": meeting_on})
