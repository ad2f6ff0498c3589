"""Dashboards by role: the task registry and the officer's "actions ready to take"."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app import clock
from app.dashboard import tasks
from app.models import Bureau, Invitation, Lot, User
from app.tenders import operations as tender_ops
from tests.opendata_factories import decided, opendata  # noqa: F401


def _task_titles(html: str) -> list[str]:
    section = html.split('id="tasks-h"', 1)[1].split("</section>", 1)[0]
    return [part.split("</strong>", 1)[0] for part in section.split("<strong>")[1:]]


def test_officer_sees_the_actions_ready_to_take(opendata, make, login_as, session):
    officer = make.officer()
    waiting = opendata.tender("vision_submission", officer=officer)  # deadline not passed: nothing to do
    bureau_ids = session.exec(select(Invitation.bureau_id).where(Invitation.tender_id == waiting.id)).all()
    opendata._visions(waiting, bureau_ids, session.exec(select(Lot).where(Lot.tender_id == waiting.id)).all(), 2)
    session.commit()
    clock.freeze(waiting.vision_deadline - timedelta(days=1))
    ready = make.tender(officer, title="Klaar om te versturen")
    make.tender(officer, ready=False, title="Nog niet klaar")
    titles = _task_titles(login_as(officer).get("/").get_data(as_text=True))
    assert f"Send the invitations: {ready.title}" in titles
    assert not any("Nog niet klaar" in t or waiting.title in t for t in titles)
    assert not any("Cancel" in t for t in titles)  # destructive steps are never suggested

    clock.freeze(waiting.vision_deadline + timedelta(hours=1))
    html = login_as(officer).get("/").get_data(as_text=True)
    assert f"Close submission and open the visions: {waiting.title}" in _task_titles(html)
    assert 'class="task-due overdue"' in html  # the selection date has passed


def test_co_buyer_officers_get_the_joint_tenders_tasks(make, login_as, session):
    lead = make.officer()
    tender = make.tender(lead)
    partner = make.organisation()
    tender_ops.add_buyer(session, lead, tender, partner, None)
    session.commit()
    assert f"Send the invitations: {tender.title}" in _task_titles(login_as(make.officer(partner)).get("/").get_data(
        as_text=True))


def test_tasks_run_a_fixed_number_of_queries(app, opendata, make, login_as, count_queries, session):
    officer = make.officer()
    partner = make.organisation()
    later = clock.amsterdam(2027, 6, 1)  # the drafts' deadlines lie ahead whatever the clock does below
    make.tender(officer, start=later)
    opendata.tender("invitation", officer=officer)
    client = login_as(officer)
    user = session.get(User, officer.id)
    with count_queries() as q:
        tasks.tasks_for(session, user)
    few = q.count
    for _ in range(3):
        tender = make.tender(officer, start=later)
        tender_ops.add_buyer(session, officer, tender, partner, None)
        opendata.tender("invitation", officer=officer)
    session.commit()
    session.expire_all()
    user = session.get(User, officer.id)
    with count_queries() as q:
        found = tasks.tasks_for(session, user)
    # drafts, their guard facts (2), the active tenders, their guard facts (2); the selection/award and panel
    # providers' tenders and the programmes (none here, so they stop there)
    assert q.count == few == 9
    assert len(found) == 8
    with count_queries() as q:
        assert client.get("/").status_code == 200
    assert q.count <= 15
    colleague = make.officer(partner)  # co-buyer: one more query loads the links, whatever their number
    with Session(app.extensions["samenspel.engine"]) as fresh, count_queries() as q:
        assert len(tasks.tasks_for(fresh, fresh.get(User, colleague.id))) == 3
    assert q.count == 1 + 3 + 1 + 1 + 3, "\n".join(s.replace("\n", " ")[-160:] for s in q.statements)


@pytest.fixture
def registered():
    added = []

    def register(role, fn):
        tasks.provider(role)(fn)
        added.append((role, fn))
    yield register
    for role, fn in added:
        tasks._PROVIDERS[role].remove(fn)


@pytest.mark.parametrize("role", ["evaluator", "bureau"])
def test_each_role_sees_its_own_tasks(role, registered, make, login_as):
    org = make.organisation()
    user = make.evaluator(org) if role == "evaluator" else make.bureau_user()
    other = make.officer(org)
    due = clock.now() + timedelta(days=2)
    registered(role, lambda session, u: [tasks.Task(f"Taak voor {u.name}", "/", f"{role}.test", due)])
    # Bureaus and evaluators land on their own pages (the portal, the panel's overview), tasks on top.
    html = login_as(user).get("/", follow_redirects=True).get_data(as_text=True)
    assert "Your tasks" in html and _task_titles(html) == [f"Taak voor {user.name}"]
    assert "Taak voor" not in login_as(other).get("/").get_data(as_text=True)


def test_no_tasks_says_so(make, login_as):
    html = login_as(make.evaluator(make.organisation())).get("/", follow_redirects=True).get_data(as_text=True)
    assert "Nothing to do right now." in html


def test_tasks_sort_by_due_date():
    now = clock.now()
    fake = [tasks.Task("later", "/", "k", now + timedelta(days=3)), tasks.Task("none", "/", "k"),
            tasks.Task("soon", "/", "k", now + timedelta(days=1))]
    tasks.provider("test-role")(lambda s, u: fake)
    try:
        class U:
            role = "test-role"
        assert [t.title for t in tasks.tasks_for(None, U())] == ["soon", "later", "none"]
    finally:
        tasks._PROVIDERS.pop("test-role")


# --- every role's own tasks, for a tender in every stage (tests/proof/world.py) ---------------------------

def _tasks_of(login_as, user) -> list[str]:
    html = login_as(user).get("/", follow_redirects=True).get_data(as_text=True)
    return _task_titles(html)


@pytest.mark.parametrize("stage", ["invitation", "vision_submission", "vision_review", "pitch", "selection",
                                   "standstill", "awarded", "programme_running", "programme_evaluation"])
def test_each_role_sees_its_own_tasks_in_every_stage(stage, make, session, login_as):
    from app.models import Programme, Tender
    from tests.proof.world import build

    other = build(make, session, stage)  # the same stage elsewhere: another organisation, panel and bureaus
    world = build(make, session, stage)  # built last: the clock stands where this world left it
    tender = session.get(Tender, world.ids["tender"])
    programme = session.get(Programme, world.ids["programme"]) if world.ids["programme"] else None
    seen = {role: _tasks_of(login_as, world.users[role])
            for role in ("officer", "co_officer", "other_officer", "panel", "conflicted", "outsider", "bureau",
                         "other_bureau", "stranger_bureau")}
    theirs = session.get(Tender, other.ids["tender"]).title
    for role, titles in seen.items():
        assert not any(theirs in t for t in titles), (role, titles)  # never another organisation's or bureau's
        assert all(tender.title in t or (programme and programme.title in t) for t in titles), (role, titles)
    assert seen["other_officer"] == seen["outsider"] == seen["stranger_bureau"] == []
    assert seen["co_officer"] == seen["officer"]  # co-buyers act like the lead buyer's officers
    bureau = session.get(Bureau, world.ids["bureau_id"]).name
    expected = {
        "invitation": {"officer": ["Open vision submission: {t}"], "bureau": ["Answer the invitation: {t}"],
                       "other_bureau": ["Answer the invitation: {t}"]},
        "vision_submission": {"other_bureau": ["Answer the invitation: {t}"]},
        "vision_review": {"officer": ["Score sheets missing: {t}"], "panel": ["Score {b}: {t}"]},
        "pitch": {"bureau": ["Your pitch: {t}"]},  # not held yet: nothing to score
        "selection": {"officer": ["Decide the selection and send the award decision: {t}"]},
        "standstill": {"officer": ["Handle the objections: {t}"], "bureau": ["Read the award decision: {t}"]},
        "awarded": {"officer": ["Work on the programme plan: {p}"], "bureau": ["Work on the programme plan: {p}"]},
        "programme_running": {},
        "programme_evaluation": {"bureau": ["Fill in the evaluation form: {p}"]},
    }[stage]
    for role in ("officer", "panel", "conflicted", "bureau", "other_bureau"):
        wanted = [t.format(t=tender.title, b=bureau, p=programme.title if programme else "")
                  for t in expected.get(role, [])]
        assert seen[role] == wanted, (role, seen[role])
    # The conflicted member never gets a task about the bureau, nor anyone a hint of a score or rationale.
    html = login_as(world.users["panel"]).get("/evaluation/").get_data(as_text=True)
    section = html.split('id="tasks-h"', 1)[1].split("</section>", 1)[0]
    assert "Sterk." not in section and "Eens." not in section and "Helder." not in section


# --- the later stages, step by step, through the real operations (tests/award_journey.py) ------------------

def _section(login_as, user) -> str:
    html = login_as(user).get("/", follow_redirects=True).get_data(as_text=True)
    return html.split('id="tasks-h"', 1)[1].split("</section>", 1)[0]


def test_panel_and_award_tasks_follow_the_work(make, session, login_as):
    from app.evaluation import operations as evaluation
    from app.tenders import operations as ops
    from tests.award_journey import SECRETS, Journey

    j = Journey(make, session)
    t = j.tender.title
    a, b = j.bureaus
    j.to_vision_review()

    def titles(user):
        section = _section(login_as, user)
        assert not any(secret in section for secret in SECRETS.values())  # no rationale, note, conflict …
        return _task_titles(section.join(['id="tasks-h"', "</section>"]))

    assert titles(j.officer) == [f"Declarations of interest outstanding: {t}"]
    assert titles(j.panel) == titles(j.conflicted) == [f"Declare your conflicts of interest: {t}"]
    j.declare()
    assert titles(j.officer) == [f"Score sheets missing: {t}"]
    assert sorted(titles(j.panel)) == [f"Score {a.name}: {t}", f"Score {b.name}: {t}"]
    assert titles(j.conflicted) == [f"Score {b.name}: {t}"]  # never the bureau they have a conflict with
    evaluation.save_sheet(session, j.panel, j.tender, "vision", a.id, j._score("vision", 8, "Visie"), False)
    session.commit()
    assert f"Submit your sheet for {a.name}: {t}" in titles(j.panel)

    # The panel member's sheets are in: the consensus meeting on A (only they score A), not yet on B.
    for bureau in (a, b):
        evaluation.save_sheet(session, j.panel, j.tender, "vision", bureau.id, j._score("vision", 8, "V"), True)
    session.commit()
    assert titles(j.panel) == [f"Consensus meeting on {a.name}: {t}"]
    assert titles(j.conflicted) == [f"Score {b.name}: {t}"]  # all others are in, and nothing says so
    assert sorted(titles(j.officer)) == [f"Record the consensus for {a.name}: {t}", f"Score sheets missing: {t}"]
    evaluation.save_sheet(session, j.conflicted, j.tender, "vision", b.id, j._score("vision", 6, "V"), True)
    session.commit()
    assert titles(j.conflicted) == [f"Consensus meeting on {b.name}: {t}"]
    assert sorted(titles(j.officer)) == [f"Record the consensus for {a.name}: {t}",
                                         f"Record the consensus for {b.name}: {t}"]
    for bureau in (a, b):
        evaluation.record_consensus(session, j.officer, j.tender, "vision", bureau.id, j._consensus("vision", 8))
    session.commit()
    assert titles(j.officer) == [f"Decide the shortlist: {t}"] and titles(j.panel) == []
    evaluation.decide_shortlist(session, j.officer, j.tender, {x.id: (True, "") for x in (a, b)})
    session.commit()
    assert titles(j.officer) == [f"Start the pitches: {t}"]

    ops.fire(session, j.officer, j.tender, "start_pitches")
    session.commit()
    assert titles(j.officer) == [f"Schedule the pitches: {t}"]
    assert titles(j.users[0]) == []  # nothing published yet
    slots = [evaluation.add_slot(session, j.officer, j.tender, clock.now() + timedelta(hours=2 + i), 45, "Stadhuis", "")
             for i in range(2)]
    evaluation.publish_slots(session, j.officer, j.tender)
    session.commit()
    assert titles(j.users[0]) == [f"Book a time for your pitch: {t}"]
    for user, slot in zip(j.users, slots):
        evaluation.book_slot(session, user, j.tender, slot.id)
    session.commit()
    assert titles(j.users[0]) == [f"Your pitch: {t}"] and titles(j.officer) == []

    j.to_selection()
    assert titles(j.officer) == [f"Decide the selection and send the award decision: {t}"]
    j.select(0)
    assert titles(j.officer) == [f"Standstill ends: {t}"]
    assert titles(j.users[0]) == titles(j.users[1]) == [f"Read the award decision: {t}"]
    j.uphold_objection()
    assert titles(j.officer) == [f"Decide the selection and send the award decision: {t}"]
    assert titles(j.users[1]) == []  # the withdrawn decision's letter is no task any more
    j.decide_again()
    objection = award_objection(session, j)
    assert titles(j.officer) == [f"Handle the objections: {t}"]
    objection_handled(session, j, objection)
    clock.advance(timedelta(days=30))
    assert titles(j.officer) == [f"Award definitively: {t}"] and titles(j.users[0]) == []


def award_objection(session, j):
    from app.award import operations as award
    objection = award.lodge_objection(session, j.users[0], j.tender, "Bezwaar tegen het tweede besluit.", [])
    session.commit()
    return objection


def objection_handled(session, j, objection):
    from app.award import operations as award
    award.handle_objection(session, j.officer, j.tender, objection.id, "rejected", "Ongegrond.", None)
    session.commit()


def test_each_dashboard_costs_the_same_with_one_and_with_ten_tenders(opendata, make, session, login_as,
                                                                     count_queries):
    from app.models import Organisation, PanelMember, Programme

    officer = make.officer()
    evaluator = make.evaluator(session.get(Organisation, officer.organisation_id))
    bureau = {}

    def add(state):
        tender = opendata.tender(state, officer=officer)
        session.add(PanelMember(tender_id=tender.id, user_id=evaluator.id))
        if bureau and state not in ("awarded",):
            session.add(Invitation(tender_id=tender.id, bureau_id=bureau["id"], status="sent",
                                   sent_at=tender.invitation_at, send_count=1))
        session.commit()
        return tender

    awarded = add("awarded")  # one tender per kind of task: a programme, a panel at work, a standstill …
    bureau["id"] = session.exec(select(Programme.bureau_id).where(Programme.tender_id == awarded.id)).first()
    for state in ("invitation", "vision_review", "standstill"):
        add(state)
    people = {"/": officer, "/evaluation/": evaluator, "/portal": make.bureau_user(session.get(Bureau, bureau["id"]))}

    def measure():
        counts, found = {}, {}
        for url, user in people.items():
            client = login_as(user)
            with count_queries() as q:
                html = client.get(url).get_data(as_text=True)
            counts[url], found[url] = q.count, len(_task_titles(html))
        return counts, found

    few, tasks_few = measure()
    for i in range(10):
        add(("invitation", "vision_review", "pitch", "selection", "standstill", "awarded")[i % 6])
    many, tasks_many = measure()
    assert few == many, (few, many)
    assert all(tasks_many[url] > tasks_few[url] > 0 for url in people), (tasks_few, tasks_many)
