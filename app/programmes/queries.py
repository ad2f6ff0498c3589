"""Read-side queries for the programme pages. Each page runs a fixed number of queries, whatever the
number of programmes, versions, periods, participants or scores (the tests assert the counts)."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from app.charts.indicators import Series, indicator_chart
from app.clock import local, today_local
from app.i18n import format_day
from app.models import (
    Bureau, EvaluationForm, IndicatorScore, Lot, Participant, PlanAcceptance, PlanComment, PlanRevision, PlanVersion,
    Programme, ProgrammeEvaluation, ProgrammePeriod, Tender,
)
from app.programmes.access import BUREAU, MUNICIPALITY, other_side, visible_programmes
from app.programmes.labels import period_label
from app.programmes.plan_operations import PlanContent, completeness, contents_of

UPCOMING_DAYS = 30


@dataclass
class ProgrammeRow:
    programme: Programme
    reference: str
    tender_title: str
    lot_title: str
    bureau_name: str


def list_programmes(session: Session, user, limit: int = 200) -> list[ProgrammeRow]:
    rows = session.execute(
        visible_programmes(user).add_columns(Tender.reference, Tender.title, Lot.title, Bureau.name)
        .join(Tender, Tender.id == Programme.tender_id).join(Lot, Lot.id == Programme.lot_id)
        .join(Bureau, Bureau.id == Programme.bureau_id)
        .order_by(Programme.state == "ended", Tender.reference, Lot.position, Programme.id).limit(limit)
    ).all()
    return [ProgrammeRow(*row) for row in rows]


# --- "my programme tasks" ------------------------------------------------------------------------

@dataclass
class Task:
    row: ProgrammeRow
    kind: str  # accept | draft | form | decide | upcoming
    text: str
    url: str
    due: Optional[date] = None
    overdue: bool = False


def my_tasks(session: Session, user, rows: list[ProgrammeRow]) -> list[Task]:
    """What this officer or bureau must do now, across their programmes (four queries)."""
    side = MUNICIPALITY if user.role == "officer" else BUREAU
    by_id = {r.programme.id: r for r in rows if r.programme.state != "ended"}
    if not by_id:
        return []
    tasks: list[Task] = []
    drafts = session.exec(select(PlanVersion).where(PlanVersion.programme_id.in_(by_id),
                                                    PlanVersion.status == "draft")).all()
    accepted = defaultdict(set)
    for version_id, s in session.exec(
            select(PlanAcceptance.plan_version_id, PlanAcceptance.side)
            .join(PlanVersion, PlanVersion.id == PlanAcceptance.plan_version_id)
            .where(PlanVersion.programme_id.in_(by_id), PlanVersion.status == "draft",
                   PlanAcceptance.revision == PlanVersion.revision)).all():
        accepted[version_id].add(s)
    with_versions = set(session.exec(select(PlanVersion.programme_id).where(
        PlanVersion.programme_id.in_([i for i, r in by_id.items() if r.programme.state == "plan"]))).all())
    for pid, row in by_id.items():
        if row.programme.state == "plan" and pid not in with_versions:
            tasks.append(Task(row, "draft", _("Write the first version of the programme plan together."),
                              f"/programmes/{pid}"))
    for v in drafts:
        row, url = by_id[v.programme_id], f"/programmes/{v.programme_id}/plan/{v.number}"
        if side in accepted[v.id]:
            continue  # waiting for the other side, nothing for this user to do
        if other_side(side) in accepted[v.id]:
            tasks.append(Task(row, "accept", _("Plan version %(n)d awaits your acceptance: the other side "
                                               "accepted it.", n=v.number), url))
        else:
            tasks.append(Task(row, "draft", _("Plan version %(n)d is a draft: work on it together and accept it.",
                                              n=v.number), url))
    today = today_local()
    evaluations = session.exec(
        select(ProgrammeEvaluation, ProgrammePeriod.number, EvaluationForm)
        .join(ProgrammePeriod, ProgrammePeriod.id == ProgrammeEvaluation.period_id)
        .join(EvaluationForm, EvaluationForm.evaluation_id == ProgrammeEvaluation.id)
        .where(ProgrammeEvaluation.programme_id.in_(by_id), ProgrammeEvaluation.decision.is_(None))).all()
    submitted = defaultdict(set)
    for evaluation, number, form in evaluations:
        if form.submitted_at is not None:
            submitted[evaluation.id].add(form.side)
    for evaluation, number, form in evaluations:
        row, url = by_id[evaluation.programme_id], f"/programmes/{evaluation.programme_id}/evaluations/{number}"
        if form.side == side and form.submitted_at is None:
            text = _("Submit the municipality's evaluation") if side == MUNICIPALITY \
                else _("Submit the bureau's self-evaluation")
            tasks.append(Task(row, "form", text, url + "/form", evaluation.due_on, today > evaluation.due_on))
        elif form.side == MUNICIPALITY and side == MUNICIPALITY and len(submitted[evaluation.id]) == 2:
            tasks.append(Task(row, "decide", _("Both forms are in: record the decision of the joint evaluation "
                                               "meeting."), url))
    for row in by_id.values():
        p = row.programme
        if p.state == "running" and p.next_evaluation_on and p.next_evaluation_on <= today + timedelta(UPCOMING_DAYS):
            tasks.append(Task(row, "upcoming", _("The evaluation opens on %(day)s.",
                                                 day=format_day(p.next_evaluation_on)),
                              f"/programmes/{p.id}", p.next_evaluation_on))
    return sorted(tasks, key=lambda t: (not t.overdue, t.kind == "upcoming", t.due or date.max, t.row.programme.id))


# --- the programme page ------------------------------------------------------------------------------

@dataclass
class PeriodColumn:
    period: ProgrammePeriod
    label: str
    plan_number: Optional[int]
    agreed: list[int] = field(default_factory=list)  # plan versions agreed during the period
    enrolled: int = 0
    waiting: int = 0
    evaluation: Optional[ProgrammeEvaluation] = None
    forms: dict = field(default_factory=dict)  # side -> EvaluationForm
    scores: dict = field(default_factory=dict)  # side -> {indicator: score}

    def mean(self, indicator: str) -> Optional[float]:
        values = [s[indicator] for s in self.scores.values() if indicator in s]
        return sum(values) / len(values) if values else None


@dataclass
class ProgrammeView:
    programme: Programme
    tender: Tender
    lot: Lot
    bureau: Bureau
    versions: list[PlanVersion]
    draft_accepted: dict[int, dict[str, PlanAcceptance]]
    columns: list[PeriodColumn]
    indicators: list[str]
    chart: object

    @property
    def in_force(self) -> Optional[PlanVersion]:
        agreed = [v for v in self.versions if v.status == "agreed"]
        return agreed[-1] if agreed else None

    @property
    def draft(self) -> Optional[PlanVersion]:
        return next((v for v in self.versions if v.status == "draft"), None)

    @property
    def current(self) -> Optional[PeriodColumn]:
        return self.columns[-1] if self.columns else None


def load_programme_view(session: Session, programme: Programme) -> ProgrammeView:
    tender, lot, bureau = session.exec(
        select(Tender, Lot, Bureau).select_from(Programme).join(Tender, Tender.id == Programme.tender_id)
        .join(Lot, Lot.id == Programme.lot_id).join(Bureau, Bureau.id == Programme.bureau_id)
        .where(Programme.id == programme.id)).one()
    versions = list(session.exec(select(PlanVersion).where(PlanVersion.programme_id == programme.id)
                                 .order_by(PlanVersion.number)))
    draft_accepted: dict[int, dict[str, PlanAcceptance]] = defaultdict(dict)
    for a in session.exec(select(PlanAcceptance).join(PlanVersion, PlanVersion.id == PlanAcceptance.plan_version_id)
                          .where(PlanVersion.programme_id == programme.id, PlanVersion.status == "draft",
                                 PlanAcceptance.revision == PlanVersion.revision)):
        draft_accepted[a.plan_version_id][a.side] = a
    periods = list(session.exec(select(ProgrammePeriod).where(ProgrammePeriod.programme_id == programme.id)
                                .order_by(ProgrammePeriod.number)))
    number_of = {v.id: v.number for v in versions}
    columns = {p.id: PeriodColumn(p, period_label(p), number_of.get(p.plan_version_id)) for p in periods}
    for v in versions:
        if v.agreed_at is not None:
            day = local(v.agreed_at).date()
            started = [p for p in periods if p.starts_on <= day]
            if started:
                columns[started[-1].id].agreed.append(v.number)
    for period_id, status, n in session.exec(
            select(Participant.period_id, Participant.status, func.count())
            .where(Participant.programme_id == programme.id).group_by(Participant.period_id, Participant.status)):
        if status in ("enrolled", "waiting"):
            setattr(columns[period_id], status, n)
    forms_by_id = {}
    for evaluation, form in session.exec(
            select(ProgrammeEvaluation, EvaluationForm)
            .join(EvaluationForm, EvaluationForm.evaluation_id == ProgrammeEvaluation.id)
            .where(ProgrammeEvaluation.programme_id == programme.id)):
        column = columns[evaluation.period_id]
        column.evaluation = evaluation
        column.forms[form.side] = form
        forms_by_id[form.id] = (column, form.side)
    indicators: list[str] = []
    if forms_by_id:
        for score in session.exec(select(IndicatorScore).where(IndicatorScore.form_id.in_(forms_by_id))
                                  .order_by(IndicatorScore.form_id, IndicatorScore.position)):
            column, side = forms_by_id[score.form_id]
            if column.forms[side].submitted_at is None:
                continue  # drafts are not results
            column.scores.setdefault(side, {})[score.indicator] = score.score
            if score.indicator not in indicators:
                indicators.append(score.indicator)
    ordered = [columns[p.id] for p in periods]
    evaluated = [c for c in ordered if c.scores]
    chart = indicator_chart(
        [c.label for c in evaluated], [Series(name, [c.mean(name) for c in evaluated]) for name in indicators],
        title=_("Indicator scores per period (mean of the municipality's and the bureau's score, 1–10)"),
        empty_text=_("No scores yet: the chart fills in after the first evaluation."),
        chart_id=f"indicators-{programme.id}")
    return ProgrammeView(programme, tender, lot, bureau, versions, dict(draft_accepted), ordered, indicators, chart)


# --- a plan version -----------------------------------------------------------------------------------

@dataclass
class PlanView:
    version: PlanVersion
    content: PlanContent
    revisions: list[PlanRevision]
    acceptances: list[PlanAcceptance]
    comments: list[PlanComment]
    previous_agreed: Optional[int]
    missing: list[str]

    @property
    def current_hash(self) -> str:
        return self.revisions[-1].content_hash if self.revisions else ""

    def accepted_now(self) -> dict[str, PlanAcceptance]:
        return {a.side: a for a in self.acceptances if a.revision == self.version.revision}


def load_plan_view(session: Session, programme: Programme, version: PlanVersion) -> PlanView:
    content = contents_of(session, [version])[version.id]
    revisions = list(session.exec(select(PlanRevision).where(PlanRevision.plan_version_id == version.id)
                                  .order_by(PlanRevision.revision)))
    acceptances = list(session.exec(select(PlanAcceptance).where(PlanAcceptance.plan_version_id == version.id)
                                    .order_by(PlanAcceptance.accepted_at)))
    comments = list(session.exec(select(PlanComment).where(PlanComment.plan_version_id == version.id)
                                 .order_by(PlanComment.created_at, PlanComment.id)))
    previous = session.scalar(select(func.max(PlanVersion.number)).where(
        PlanVersion.programme_id == programme.id, PlanVersion.status == "agreed", PlanVersion.number < version.number))
    return PlanView(version, content, revisions, acceptances, comments, previous, completeness(content))


def version_or_none(session: Session, programme: Programme, number: int) -> Optional[PlanVersion]:
    return session.exec(select(PlanVersion).where(PlanVersion.programme_id == programme.id,
                                                  PlanVersion.number == number)).first()


def open_draft(session: Session, programme: Programme) -> Optional[PlanVersion]:
    return session.exec(select(PlanVersion).where(PlanVersion.programme_id == programme.id,
                                                  PlanVersion.status == "draft")).first()


def snapshots(session: Session, programme: Programme, refs: list[tuple[int, Optional[int]]]) -> list[Optional[dict]]:
    """The stored content for (version number, revision or None for the latest) references (one query)."""
    rows = session.exec(
        select(PlanVersion.number, PlanVersion.revision, PlanRevision.revision, PlanRevision.content)
        .join(PlanRevision, PlanRevision.plan_version_id == PlanVersion.id)
        .where(PlanVersion.programme_id == programme.id, PlanVersion.number.in_({n for n, _r in refs}))).all()
    found = {(number, rev): content for number, _latest, rev, content in rows}
    latest = {number: latest for number, latest, _rev, _content in rows}
    out = []
    for number, revision in refs:
        content = found.get((number, revision or latest.get(number)))
        out.append(json.loads(content) if content else None)
    return out


# --- participants ----------------------------------------------------------------------------------------

@dataclass
class ParticipantsView:
    period: Optional[ProgrammePeriod]
    periods: list[ProgrammePeriod]
    plan: Optional[PlanVersion]
    participants: list[Participant]
    spread: list[tuple[str, Optional[int], int, int]]  # organisation, places, enrolled, waiting

    @property
    def enrolled(self) -> int:
        return sum(1 for p in self.participants if p.status == "enrolled")

    @property
    def waiting(self) -> list[Participant]:
        return [p for p in self.participants if p.status == "waiting"]


def load_participants(session: Session, programme: Programme, number: Optional[int]) -> ParticipantsView:
    periods = list(session.exec(select(ProgrammePeriod).where(ProgrammePeriod.programme_id == programme.id)
                                .order_by(ProgrammePeriod.number)))
    period = next((p for p in periods if p.number == number), None) if number else (periods[-1] if periods else None)
    if period is None:
        return ParticipantsView(None, periods, None, [], [])
    plan = session.get(PlanVersion, period.plan_version_id) if period.plan_version_id else None
    participants = list(session.exec(select(Participant).where(Participant.period_id == period.id)
                                     .order_by(Participant.registered_at, Participant.id)))
    content = contents_of(session, [plan])[plan.id] if plan else PlanContent()
    rows: dict[str, list] = {}
    for organisation, places in content.spread:
        rows[organisation.lower()] = [organisation, places, 0, 0]
    for p in participants:
        if p.status == "withdrawn":
            continue
        row = rows.setdefault(p.organisation.lower(), [p.organisation, None, 0, 0])
        row[2 if p.status == "enrolled" else 3] += 1
    return ParticipantsView(period, periods, plan, participants, [tuple(r) for r in rows.values()])


# --- an evaluation -------------------------------------------------------------------------------------------

@dataclass
class EvaluationView:
    period: ProgrammePeriod
    evaluation: ProgrammeEvaluation
    forms: dict  # side -> EvaluationForm
    scores: dict  # side -> {indicator: score}
    indicators: list[str]
    decided_by: Optional[str]

    def both_submitted(self) -> bool:
        return all(self.forms[s].submitted_at is not None for s in (MUNICIPALITY, BUREAU))


def load_evaluation(session: Session, programme: Programme, number: int) -> Optional[EvaluationView]:
    from app.models import PlanIndicator, User
    row = session.exec(select(ProgrammePeriod, ProgrammeEvaluation)
                       .join(ProgrammeEvaluation, ProgrammeEvaluation.period_id == ProgrammePeriod.id)
                       .where(ProgrammePeriod.programme_id == programme.id, ProgrammePeriod.number == number)).first()
    if row is None:
        return None
    period, evaluation = row
    forms = {f.side: f for f in session.exec(select(EvaluationForm).where(
        EvaluationForm.evaluation_id == evaluation.id))}
    scores: dict = {side: {} for side in forms}
    side_of_form = {f.id: side for side, f in forms.items()}
    for s in session.exec(select(IndicatorScore).where(IndicatorScore.form_id.in_(side_of_form))):
        scores[side_of_form[s.form_id]][s.indicator] = s.score
    indicators = list(session.exec(select(PlanIndicator.name).where(
        PlanIndicator.plan_version_id == period.plan_version_id).order_by(PlanIndicator.position)).all()) \
        if period.plan_version_id else []
    decided_by = session.scalar(select(User.name).where(User.id == evaluation.decided_by_id)) \
        if evaluation.decided_by_id else None
    return EvaluationView(period, evaluation, forms, scores, indicators, decided_by)
