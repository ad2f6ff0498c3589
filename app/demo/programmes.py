"""Demo programmes in every stage of their cycle, through the programme area's operations:

- `evaluation`: De Leergang's programme for the top (awarded a year ago): its first year ended two weeks
  ago, the evaluation opened (by the system, as `tenders tick` does); the municipality submitted its
  form, the bureau is still writing.
- `running`: Bureau Meervoud's programme for middle management: the co-creation took longer, the plan
  was agreed four months ago, participants enrolled.
- `plan`: Verbinders Collectief's programme for team leaders (awarded two weeks ago): the bureau revised
  the draft plan and accepted it; the municipality still has to accept.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from app.audit import SYSTEM
from app import clock
from app.demo import texts
from app.demo.drafts import Cast, at
from app.models import EvaluationForm, Programme, ProgrammeEvaluation, Tender
from app.programmes import evaluation_operations, operations, participant_operations, plan_operations
from app.programmes.plan_operations import PlanContent
from app.programmes.queries import open_draft


def plan(first_session: date, target_group: str, leads: str, max_participants: int = 24,
         themes: list[str] | None = None) -> PlanContent:
    """A plan after the Rotterdam brochure: six day-sessions five weeks apart, intake, full is full."""
    return PlanContent(
        values={"target_group": target_group,
                "intake": "Groepsintake van een dagdeel; daarna een persoonlijk gesprek met de eigen leidinggevende.",
                "max_participants": max_participants, "cost_per_participant_eur": 3300,
                "time_investment": "Groepsintake: 1 dagdeel; leergang en voorbereiding: 10 dagen",
                "enrolment_deadline": first_session - timedelta(days=14), "programme_leads": leads,
                "cadence": "yearly"},
        sessions=[(first_session + timedelta(days=35 * i), theme) for i, theme in enumerate(themes or texts.THEMES)],
        spread=[("Gemeente Almere", max_participants - 4), ("Partners in de stad", 4)],
        indicators=list(texts.INDICATORS))


def _programme(session: Session, tender: Tender, bureau_name: str) -> Programme:
    return session.exec(select(Programme).where(Programme.tender_id == tender.id)
                        .where(Programme.title.contains(bureau_name))).one()


def _draft(session: Session, user, programme: Programme, content: PlanContent):
    version = open_draft(session, programme) or plan_operations.start_version(session, user, programme)
    plan_operations.save_draft(session, user, programme, version, content, version.revision)
    return version


def _accept(session: Session, user, programme: Programme, version, side: str) -> None:
    session.refresh(version)
    plan_operations.accept(session, user, programme, version, side, version.revision, None)


def _agree(session: Session, cast: Cast, programme: Programme, bureau: str, content: PlanContent,
           when: datetime) -> None:
    """The officer drafts, the bureau reworks and accepts, the officer accepts: the programme starts."""
    at(when)
    version = _draft(session, cast.officer, programme, content)
    at(when + timedelta(days=6))
    version = _draft(session, cast.contact[bureau], programme, content)
    _accept(session, cast.contact[bureau], programme, version, "bureau")
    at(when + timedelta(days=8))
    _accept(session, cast.officer, programme, version, "municipality")


def _enrol(session: Session, cast: Cast, programme: Programme, people) -> None:
    for name, organisation, role in people:
        participant_operations.register(session, cast.officer, session.get(Programme, programme.id),
                                        {"name": name, "organisation": organisation, "role": role})


def agreed_a_year_ago(session: Session, cast: Cast, tender: Tender) -> Programme:
    programme = _programme(session, tender, "De Leergang")
    lead = "Marloes Verhoef en Ahmed El Amrani (De Leergang)"
    _agree(session, cast, programme, "De Leergang",
           plan(cast.days(-340).date(), "Directie en concernstaf", lead, max_participants=16), cast.days(-388))
    at(cast.days(-370))
    _enrol(session, cast, programme, texts.PARTICIPANTS[:4])
    return programme


def running(session: Session, cast: Cast, tender: Tender) -> Programme:
    programme = _programme(session, tender, "Bureau Meervoud")
    lead = "Esther Hoekstra en Joris Vermeulen (Bureau Meervoud)"
    _agree(session, cast, programme, "Bureau Meervoud",
           plan(cast.days(-75).date(), "Afdelingsmanagers en programmamanagers", lead), cast.days(-128))
    at(cast.days(-100))
    _enrol(session, cast, programme, texts.PARTICIPANTS)
    return programme


def evaluating(session: Session, cast: Cast, programme: Programme) -> None:
    """The year is over: the system opens the evaluation; the municipality's form is in, the bureau's not."""
    session.refresh(programme)
    end = programme.next_evaluation_on
    at(clock.amsterdam(end.year, end.month, end.day, 6))
    operations.fire(session, None, programme, "open_evaluation", actor=SYSTEM)
    evaluation = session.exec(select(ProgrammeEvaluation).where(ProgrammeEvaluation.programme_id == programme.id)).one()
    forms = {f.side: f for f in session.exec(select(EvaluationForm).where(
        EvaluationForm.evaluation_id == evaluation.id))}
    scores = {"Betrokkenheid": 8, "Reflectief vermogen": 7, "Verbinding met de stad": 6, "Persoonlijk leiderschap": 8}
    at(cast.days(-5))
    evaluation_operations.save_form(session, cast.officer, programme, evaluation, "municipality", texts.EVALUATION,
                                    scores, forms["municipality"].revision, submit=True)
    at(cast.days(-2))
    evaluation_operations.save_form(session, cast.contact["De Leergang"], programme, evaluation, "bureau",
                                    texts.EVALUATION_BUREAU_DRAFT, {"Betrokkenheid": 8},
                                    forms["bureau"].revision, submit=False)


def in_plan(session: Session, cast: Cast, tender: Tender) -> Programme:
    programme = session.exec(select(Programme).where(Programme.tender_id == tender.id)).one()
    lead = "Joke Visser (Verbinders Collectief)"
    first = cast.days(70).date()
    at(cast.days(-10))
    _draft(session, cast.officer, programme, plan(first, "Teamleiders en projectleiders", lead))
    at(cast.days(-3))
    themes = [texts.THEMES[0], "Wijkbezoeken: tafelgesprekken met initiatiefnemers en ondernemers",
              *texts.THEMES[2:]]
    version = _draft(session, cast.contact["Verbinders Collectief"], programme,
                     plan(first, "Teamleiders en projectleiders", lead, themes=themes))
    _accept(session, cast.contact["Verbinders Collectief"], programme, version, "bureau")
    return programme


def build(session: Session, cast: Cast, year_ago: Tender, recent: Tender) -> dict[str, Programme]:
    # In the order things happened: both programmes of a tender write to the tender's one audit chain.
    top = agreed_a_year_ago(session, cast, year_ago)
    middle = running(session, cast, year_ago)
    evaluating(session, cast, top)
    return {"evaluation": top, "running": middle, "plan": in_plan(session, cast, recent)}
