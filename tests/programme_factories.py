"""Programmes for tests: a tender set to `awarded`, with a Contract and a Programme created directly
(the award itself is another area's work), and helpers that drive the cycle through the operations.

    pf = ProgrammeFactory(make)
    setup = pf.programme()                      # officer, bureau user, programme in `plan`
    pf.agreed_plan(setup, max_participants=3)    # version 1 accepted by both: running
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import select

from app import clock
from app.audit import SYSTEM
from app.clock import today_local
from app.models import Bureau, Contract, EvaluationForm, Programme, ProgrammeEvaluation, Tender, User
from app.programmes import evaluation_operations, operations, plan_operations
from app.programmes.plan_operations import PlanContent
from app.programmes.queries import open_draft
from app.tenders import operations as tender_ops

TEXTS = {
    "results_personal": "Beter omgaan met onzekerheid; goed en anders leren luisteren.",
    "results_organisational": "Sterke interne netwerken; meer kijken naar het geheel.",
    "results_city": "Contact met partners en inwoners is versterkt.",
    "projects": "Onderhoud van een buurt na een interviewronde met inwoners.",
    "went_differently": "De afsluiting was een knaller.",
    "do_differently": "Meer één-op-één gesprekken.",
    "learned": "Loslaten van de groep gaat steeds beter.",
}


@dataclass
class Setup:
    programme: Programme
    tender: Tender
    officer: User
    bureau_user: User
    bureau: Bureau


def plan_content(first_session: date | None = None, max_participants: int = 25, cadence: str = "yearly",
                 indicators=("Betrokkenheid", "Reflectief vermogen")) -> PlanContent:
    first = first_session or today_local() + timedelta(days=60)
    return PlanContent(
        values={"target_group": "Afdelingsmanagers en teamleiders", "intake": "Groepsgewijze intakegesprekken",
                "max_participants": max_participants, "cost_per_participant_eur": 3300,
                "time_investment": "Intake: 1 dagdeel; leergang: 10 dagen", "enrolment_deadline": first - timedelta(1),
                "programme_leads": "Sandra Kensen en Hennie van Deijck", "cadence": cadence},
        sessions=[(first + timedelta(days=35 * i), f"Thema {i + 1}") for i in range(6)],
        spread=[("Gemeente", max_participants // 2), ("Woonstad", max_participants - max_participants // 2)],
        indicators=[(name, "") for name in indicators])


class ProgrammeFactory:
    def __init__(self, make):
        self.make = make
        self.session = make.session

    def programme(self, officer=None, bureau=None, title: str = "Leiderschap in het publiek domein") -> Setup:
        s = self.session
        officer = officer or self.make.officer()
        tender = self.make.tender(officer, ready=False)
        lot = tender_ops.save_lot(s, officer, tender, {"title": "Top van de organisatie", "description": ""}, None)
        tender = s.get(Tender, tender.id)
        tender.state = "awarded"  # the award is another area's work; only its outcome matters here
        s.flush()
        bureau = bureau or self.make.bureau()
        contract = Contract(tender_id=tender.id, lot_id=lot.id, bureau_id=bureau.id, start_date=today_local(),
                            duration_years=5, value_eur=150_000)
        s.add(contract)
        s.flush()
        programme = Programme(contract_id=contract.id, tender_id=tender.id, lot_id=lot.id, bureau_id=bureau.id,
                              title=title)
        s.add(programme)
        s.commit()
        bureau_user = self.make.bureau_user(bureau)
        return Setup(programme, tender, officer, bureau_user, bureau)

    # --- driving the cycle through the operations (as the pages would) ------------------------------

    def draft(self, setup: Setup, content: PlanContent | None = None, user=None):
        """Save `content` into the open draft (opening one when there is none)."""
        s = self.session
        user = user or setup.officer
        version = open_draft(s, setup.programme) or plan_operations.start_version(s, user, setup.programme)
        plan_operations.save_draft(s, user, setup.programme, version, content or plan_content(), version.revision)
        s.commit()
        return version

    def accept(self, setup: Setup, version, user, side: str):
        s = self.session
        s.refresh(version)
        result = plan_operations.accept(s, user, setup.programme, version, side, version.revision, None)
        s.commit()
        return result

    def agreed_plan(self, setup: Setup, **content_kw):
        version = self.draft(setup, plan_content(**content_kw))
        self.accept(setup, version, setup.officer, "municipality")
        self.accept(setup, version, setup.bureau_user, "bureau")
        self.session.refresh(setup.programme)
        return version

    def open_evaluation(self, setup: Setup):
        s = self.session
        operations.fire(s, None, s.get(Programme, setup.programme.id), "open_evaluation", actor=SYSTEM)
        s.commit()
        s.refresh(setup.programme)
        return operations.current_period(s, setup.programme.id)

    def submit_forms(self, setup: Setup, scores: dict | None = None, sides=("municipality", "bureau")):
        """Submit complete forms (every indicator scored 7 unless `scores` says otherwise)."""
        s = self.session
        s.commit()  # end a read snapshot (SQLite): see what the tick or a request committed meanwhile
        period = operations.current_period(s, setup.programme.id)
        evaluation = s.exec(select(ProgrammeEvaluation).where(ProgrammeEvaluation.period_id == period.id)).one()
        names = [i.name for i in evaluation_operations.indicators_for(s, period)]
        for side in sides:
            user = setup.officer if side == "municipality" else setup.bureau_user
            form = s.exec(select(EvaluationForm).where(EvaluationForm.evaluation_id == evaluation.id,
                                                       EvaluationForm.side == side)).one()
            side_scores = (scores or {}).get(side) or {n: 7 for n in names}
            evaluation_operations.save_form(s, user, setup.programme, evaluation, side, TEXTS, side_scores,
                                            form.revision, submit=True)
            s.commit()
        return evaluation


    def decide(self, setup: Setup, decision: str = "continue", notes: str = "Zo doorgaan."):
        """Record the meeting's decision today on the open evaluation (both forms must be in)."""
        s = self.session
        s.commit()
        evaluation = s.exec(select(ProgrammeEvaluation).where(ProgrammeEvaluation.programme_id == setup.programme.id,
                                                              ProgrammeEvaluation.decision.is_(None))).one()
        evaluation_operations.decide(s, setup.officer, setup.programme, evaluation, decision, today_local(), notes,
                                     None)
        s.commit()

    def year_passes(self, setup: Setup):
        """The period ends: a year passes and the evaluation opens."""
        clock.advance(timedelta(days=366))
        return self.open_evaluation(setup)

    def year(self, setup: Setup, scores: dict | None = None, decision: str = "continue"):
        """A whole period: a year passes, the evaluation opens, both forms, the decision."""
        self.year_passes(setup)
        self.submit_forms(setup, scores)
        self.decide(setup, decision)
