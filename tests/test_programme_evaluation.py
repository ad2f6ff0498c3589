"""The periodic evaluation: the tick opens it when the period ends, both forms, the participants'
feedback, the decision (continue, adjust, end) and its refusals; reminders and the task lists."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app import clock
from app.clock import amsterdam
from app.models import (
    EvaluationForm, OutboxMessage, PlanVersion, Programme, ProgrammeEvaluation, ProgrammePeriod,
)
from tests.programme_factories import TEXTS, ProgrammeFactory


@pytest.fixture
def pf(make):
    clock.freeze(amsterdam(2027, 6, 1, 10))
    return ProgrammeFactory(make)


def _tick(runner, session) -> str:
    result = runner.invoke(args=["tenders", "tick"])
    assert result.exit_code == 0, result.output
    session.commit()
    session.expire_all()
    return result.output


def _decide(client, pid, version, decision, notes="", meeting_on="2028-06-01"):
    return client.post(f"/programmes/{pid}/evaluations/1/decision", data={
        "version": version, "decision": decision, "meeting_on": meeting_on, "notes": notes})


def test_the_tick_opens_the_evaluation_when_the_period_ends(pf, runner, session):
    st = pf.programme()
    pf.agreed_plan(st)
    clock.freeze(amsterdam(2028, 5, 31, 23, 0))
    assert "evaluation opened" not in _tick(runner, session)
    clock.freeze(amsterdam(2028, 6, 1, 6, 0))
    assert f"programme {st.programme.id}: evaluation opened" in _tick(runner, session)
    assert "evaluation opened" not in _tick(runner, session)  # idempotent
    programme = session.get(Programme, st.programme.id)
    evaluation = session.exec(select(ProgrammeEvaluation)).one()
    assert programme.state == "evaluation" and evaluation.due_on == date(2028, 6, 29)
    sides = session.exec(select(EvaluationForm.side).order_by(EvaluationForm.side)).all()
    assert sides == ["bureau", "municipality"]
    opened = session.exec(select(OutboxMessage.to_addr).where(OutboxMessage.subject.startswith("Evaluation of"))).all()
    assert sorted(opened) == sorted([st.officer.email, st.bureau_user.email])


def test_no_decision_without_both_forms(pf, login_as, runner, session):
    st = pf.programme()
    pf.agreed_plan(st)
    clock.advance(timedelta(days=366))
    _tick(runner, session)
    pf.submit_forms(st, sides=("municipality",))
    client = login_as(st.officer)
    pid = st.programme.id
    page = client.get(f"/programmes/{pid}/evaluations/1").get_data(as_text=True)
    assert "Still to be submitted: the bureau&#39;s self-evaluation." in page
    version = session.get(Programme, pid).version
    response = _decide(client, pid, version, "continue")
    assert response.status_code == 409 and "Still to be submitted" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Programme, pid).state == "evaluation"
    assert session.exec(select(ProgrammeEvaluation.decision)).one() is None


def test_forms_stay_apart_until_submitted_and_then_final(pf, login_as, runner, session):
    st = pf.programme()
    pf.agreed_plan(st)
    clock.advance(timedelta(days=366))
    _tick(runner, session)
    officer, bureau = login_as(st.officer), login_as(st.bureau_user)
    pid = st.programme.id
    url = f"/programmes/{pid}/evaluations/1/form"
    draft = {"revision": 0, "results_personal": "Geheime kladtekst", "scores-0-indicator": "Betrokkenheid",
             "scores-0-score": "8", "action": "save"}
    assert officer.post(url, data=draft).status_code == 302
    assert "Geheime kladtekst" not in bureau.get(f"/programmes/{pid}/evaluations/1").get_data(as_text=True)
    incomplete = {**draft, "revision": 1, "action": "submit"}
    response = officer.post(url, data=incomplete)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Fill in before submitting" in html and "Reflectief vermogen" in html and "Geheime kladtekst" in html
    stale = {**draft, "revision": 0, "results_personal": "Oud"}
    response = officer.post(url, data=stale)
    assert response.status_code == 409 and "after you opened it" in response.get_data(as_text=True)
    bad_score = {**draft, "revision": 1, "scores-0-score": "11"}
    assert officer.post(url, data=bad_score).status_code == 422
    pf.submit_forms(st, sides=("bureau",))
    assert "Geheime kladtekst" not in bureau.get(f"/programmes/{pid}/evaluations/1").get_data(as_text=True)
    complete = {"revision": 1, **TEXTS, "scores-0-indicator": "Betrokkenheid", "scores-0-score": "8",
                "scores-1-indicator": "Reflectief vermogen", "scores-1-score": "6", "action": "submit"}
    assert officer.post(url, data=complete).status_code == 302
    assert "Beter omgaan met onzekerheid" in bureau.get(f"/programmes/{pid}/evaluations/1").get_data(as_text=True)
    again = officer.post(url, data={**complete, "revision": 2})
    assert again.status_code == 409 and "can no longer change" in again.get_data(as_text=True)
    assert officer.get(url).status_code == 302
    complete_mail = session.exec(select(OutboxMessage).where(OutboxMessage.subject.startswith("Both evaluations"))
                                 ).all()
    assert [m.to_addr for m in complete_mail] == [st.officer.email]


def test_continue_as_is_starts_the_next_period_on_the_old_rhythm(pf, login_as, runner, session):
    st = pf.programme()
    pf.agreed_plan(st)
    clock.freeze(amsterdam(2028, 6, 20, 10))  # the evaluation opened late: the rhythm still holds
    _tick(runner, session)
    pf.submit_forms(st)
    client = login_as(st.officer)
    pid = st.programme.id
    feedback = client.post(f"/programmes/{pid}/evaluations/1/feedback", data={
        "revision": 0, "participant_feedback": "Deelnemers waarderen de intervisie."})
    assert feedback.status_code == 302
    version = session.get(Programme, pid).version
    assert _decide(client, pid, version, "continue", meeting_on="2028-06-19").status_code == 409  # before opening
    assert _decide(client, pid, version, "continue", meeting_on="2028-06-20").status_code == 302
    session.expire_all()
    programme = session.get(Programme, pid)
    periods = session.exec(select(ProgrammePeriod).order_by(ProgrammePeriod.number)).all()
    assert programme.state == "running" and [p.closed_at is not None for p in periods] == [True, False]
    assert (periods[1].starts_on, periods[1].ends_on) == (date(2028, 6, 1), date(2029, 6, 1))
    assert len(session.exec(select(PlanVersion)).all()) == 1
    again = _decide(client, pid, version, "continue", meeting_on="2028-06-20")
    assert again.status_code == 409 and "already recorded the decision" in again.get_data(as_text=True)
    page = client.get(f"/programmes/{pid}").get_data(as_text=True)
    assert "Continue as is" in page and "Year 2" in page


def test_decision_refusals(pf, login_as, runner, session):
    st = pf.programme()
    pf.agreed_plan(st)
    clock.advance(timedelta(days=366))
    _tick(runner, session)
    pf.submit_forms(st)
    client = login_as(st.officer)
    pid = st.programme.id
    version = session.get(Programme, pid).version
    response = _decide(client, pid, version, "end")
    assert response.status_code == 422 and "why the programme ends" in response.get_data(as_text=True)
    response = _decide(client, pid, version, "continue", meeting_on="2028-07-01")
    assert response.status_code == 409 and "cannot lie in the future" in response.get_data(as_text=True)
    response = _decide(client, pid, version - 1, "continue")
    assert response.status_code == 409
    session.expire_all()
    assert session.get(Programme, pid).state == "evaluation"


def test_ending_the_programme(pf, login_as, runner, session):
    st = pf.programme()
    pf.agreed_plan(st)
    client = login_as(st.officer)
    pid = st.programme.id
    assert client.post(f"/programmes/{pid}/plan/new", data={}).status_code == 302
    clock.advance(timedelta(days=366))
    _tick(runner, session)
    pf.submit_forms(st)
    version = session.get(Programme, pid).version
    assert _decide(client, pid, version, "end", notes="De organisatie kiest een andere koers.").status_code == 302
    session.expire_all()
    programme = session.get(Programme, pid)
    assert (programme.state, programme.end_reason, programme.next_evaluation_on) == \
        ("ended", "De organisatie kiest een andere koers.", None)
    assert session.exec(select(PlanVersion.status).order_by(PlanVersion.number)).all() == ["agreed", "withdrawn"]
    assert "Nothing to do right now." in login_as(st.bureau_user).get("/programmes/").get_data(as_text=True)


def test_ending_a_running_programme_early_needs_a_reason(pf, login_as, session):
    st = pf.programme()
    pf.agreed_plan(st)
    client = login_as(st.officer)
    pid = st.programme.id
    version = session.get(Programme, pid).version
    assert client.post(f"/programmes/{pid}/actions/end", data={"version": version}).status_code == 409
    response = client.post(f"/programmes/{pid}/actions/open_evaluation", data={"version": version})
    assert response.status_code == 409 and "its evaluation opens on that day" in response.get_data(as_text=True)
    assert client.post(f"/programmes/{pid}/actions/end", data={"version": version, "reason": "Budget"}
                       ).status_code == 302
    session.expire_all()
    assert session.get(Programme, pid).state == "ended"


def test_reminders_are_sent_once_to_those_who_are_late(pf, runner, session):
    st = pf.programme()
    version = pf.draft(st)
    pf.accept(st, version, st.officer, "municipality")
    clock.advance(timedelta(days=7))
    _tick(runner, session)
    _tick(runner, session)
    awaiting = session.exec(select(OutboxMessage).where(OutboxMessage.to_addr == st.bureau_user.email,
                                                        OutboxMessage.subject.contains("awaits"))).all()
    assert len(awaiting) == 2  # at the acceptance, and once a week after
    pf.accept(st, version, st.bureau_user, "bureau")
    clock.freeze(amsterdam(2028, 6, 8, 10))
    _tick(runner, session)
    pf.submit_forms(st, sides=("municipality",))
    clock.freeze(amsterdam(2028, 7, 3, 10))  # three days before the forms are due (6 July)
    _tick(runner, session)
    clock.freeze(amsterdam(2028, 7, 8, 10))
    _tick(runner, session)
    _tick(runner, session)
    reminders = session.exec(select(OutboxMessage.subject, OutboxMessage.to_addr)
                             .where(OutboxMessage.subject.contains("your evaluation form"))).all()
    assert sorted(s.split(":")[0] for s, to in reminders) == ["Overdue", "Reminder"]
    assert {to for _s, to in reminders} == {st.bureau_user.email}


def test_my_programme_tasks(pf, login_as, runner, session):
    st = pf.programme()
    officer, bureau = login_as(st.officer), login_as(st.bureau_user)
    assert 'data-kind="draft"' in officer.get("/programmes/").get_data(as_text=True)
    version = pf.draft(st)
    pf.accept(st, version, st.bureau_user, "bureau")
    assert "awaits your acceptance" in officer.get("/programmes/").get_data(as_text=True)
    assert "Nothing to do right now." in bureau.get("/programmes/").get_data(as_text=True)
    pf.accept(st, version, st.officer, "municipality")
    clock.advance(timedelta(days=340))
    assert 'data-kind="upcoming"' in bureau.get("/programmes/").get_data(as_text=True)
    clock.advance(timedelta(days=60))
    _tick(runner, session)
    pf.submit_forms(st, sides=("bureau",))
    clock.advance(timedelta(days=30))
    html = officer.get("/programmes/").get_data(as_text=True)
    assert 'task-form task-overdue' in html and "overdue since" in html
    pf.submit_forms(st, sides=("municipality",))
    assert 'data-kind="decide"' in officer.get("/programmes/").get_data(as_text=True)
    assert 'data-kind="decide"' not in bureau.get("/programmes/").get_data(as_text=True)
