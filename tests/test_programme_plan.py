"""Co-creating the programme plan: drafts by both sides, comments, revisions, acceptance of one exact
revision by both sides, refusals (stale, incomplete, agreed versions), comparison, new versions."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from app import clock
from app.clock import amsterdam
from app.models import (
    AuditEvent, OutboxMessage, PlanAcceptance, PlanRevision, PlanVersion, Programme, ProgrammePeriod,
)
from tests.programme_factories import ProgrammeFactory, plan_content


@pytest.fixture
def pf(make):
    clock.freeze(amsterdam(2027, 6, 1, 10))
    return ProgrammeFactory(make)


def plan_form(content=None, revision: int = 1, **overrides) -> dict:
    """The edit form's fields for a plan content."""
    c = content or plan_content(first_session=date(2027, 9, 14), max_participants=3)
    data = {"revision": revision, **{k: "" if v is None else str(v) for k, v in c.values.items()}}
    for i, (day, themes) in enumerate(c.sessions):
        data[f"sessions-{i}-held_on"], data[f"sessions-{i}-themes"] = day.isoformat(), themes
    for i, (org, places) in enumerate(c.spread):
        data[f"spread-{i}-organisation"], data[f"spread-{i}-places"] = org, str(places)
    for i, (name, description) in enumerate(c.indicators):
        data[f"indicators-{i}-name"], data[f"indicators-{i}-description"] = name, description
    data.update(overrides)
    return data


def _accept(client, pid, number, revision, content_hash=""):
    return client.post(f"/programmes/{pid}/plan/{number}/accept", data={"revision": revision,
                                                                        "content_hash": content_hash})


def test_both_sides_co_create_and_accept_the_same_revision(pf, login_as, session, runner):
    st = pf.programme()
    officer, bureau = login_as(st.officer), login_as(st.bureau_user)
    pid = st.programme.id
    response = officer.post(f"/programmes/{pid}/plan/new", data={})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/programmes/{pid}/plan/1/edit")
    assert officer.post(f"/programmes/{pid}/plan/1/edit", data=plan_form()).status_code == 302
    assert bureau.post(f"/programmes/{pid}/plan/1/comments", data={"body": "Intake liever in september."}
                       ).status_code == 302
    form = plan_form(revision=2, intake="Intake in september")
    assert bureau.post(f"/programmes/{pid}/plan/1/edit", data=form).status_code == 302
    revisions = session.exec(select(PlanRevision).order_by(PlanRevision.revision)).all()
    assert [r.revision for r in revisions] == [1, 2, 3] and revisions[-1].saved_by_name == st.bureau_user.name
    assert json.loads(revisions[-1].content)["intake"] == "Intake in september"

    response = _accept(bureau, pid, 1, 3, revisions[-1].content_hash)
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Programme, pid).state == "plan"
    awaiting = session.exec(select(OutboxMessage).where(OutboxMessage.to_addr == st.officer.email)).all()
    assert len(awaiting) == 1 and "awaits your acceptance" in awaiting[0].subject
    page = officer.get(f"/programmes/{pid}/plan/1").get_data(as_text=True)
    assert "Intake liever in september." in page and 'data-action="accept"' in page

    assert _accept(officer, pid, 1, 3, revisions[-1].content_hash).status_code == 302
    session.expire_all()
    programme = session.get(Programme, pid)
    version = session.exec(select(PlanVersion)).one()
    assert (programme.state, version.status, version.agreed_revision) == ("running", "agreed", 3)
    period = session.exec(select(ProgrammePeriod)).one()
    assert (period.number, period.starts_on, period.ends_on, period.plan_version_id) == \
        (1, date(2027, 6, 1), date(2028, 6, 1), version.id)
    assert (programme.period_start, programme.next_evaluation_on) == (date(2027, 6, 1), date(2028, 6, 1))
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.tender_id == st.tender.id)
                           .order_by(AuditEvent.seq)).all()
    assert actions[-8:] == ["plan.opened", "plan.edited", "plan.commented", "plan.edited", "plan.accepted",
                            "plan.accepted", "plan.agreed", "programme.start"]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    trail = officer.get(f"/tenders/{st.tender.id}/audit?action=plan.").get_data(as_text=True)
    assert "Plan version agreed by both sides" in trail and "Programme started" not in trail
    assert "Programme started" in officer.get(f"/tenders/{st.tender.id}/audit").get_data(as_text=True)


def test_accepting_a_revision_that_changed_is_refused(pf, login_as, session):
    st = pf.programme()
    version = pf.draft(st)  # revision 2
    pf.draft(st, plan_content(max_participants=12), user=st.bureau_user)  # revision 3, by the bureau
    response = _accept(login_as(st.officer), st.programme.id, 1, 2)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert st.bureau_user.name in html and "maximum number of participants" in html
    assert "a=1.2&amp;b=1" in html  # the link to what changed
    assert session.exec(select(PlanAcceptance)).all() == []
    session.refresh(version)
    assert version.status == "draft"


def test_an_incomplete_plan_cannot_be_accepted(pf, login_as, session):
    st = pf.programme()
    content = plan_content()
    content.values["programme_leads"] = ""
    content.indicators = []
    version = pf.draft(st, content)
    client = login_as(st.officer)
    page = client.get(f"/programmes/{st.programme.id}/plan/1").get_data(as_text=True)
    assert 'disabled aria-describedby="why-accept"' in page and "programme leads" in page
    response = _accept(client, st.programme.id, 1, version.revision)
    assert response.status_code == 409
    assert "Agree at least one indicator" in response.get_data(as_text=True)
    assert session.exec(select(PlanAcceptance)).all() == []


def test_an_agreed_version_cannot_change(pf, login_as, session):
    st = pf.programme()
    pf.agreed_plan(st)
    client = login_as(st.bureau_user)
    pid = st.programme.id
    response = client.get(f"/programmes/{pid}/plan/1/edit")
    assert response.status_code == 302
    response = client.post(f"/programmes/{pid}/plan/1/edit", data=plan_form(revision=2, intake="Anders"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "can no longer change" in html and "Anders" in html  # refused, input kept
    assert client.post(f"/programmes/{pid}/plan/1/comments", data={"body": "Nog iets"}).status_code == 409
    assert _accept(client, pid, 1, 2).status_code == 409
    assert session.exec(select(PlanRevision)).all()[-1].revision == 2


def test_a_stale_edit_is_refused_and_the_input_kept(pf, login_as, session):
    st = pf.programme()
    pf.draft(st)  # revision 2
    pf.draft(st, plan_content(max_participants=8), user=st.bureau_user)  # revision 3
    client = login_as(st.officer)
    response = client.post(f"/programmes/{st.programme.id}/plan/1/edit", data=plan_form(revision=2,
                                                                                        intake="Mijn tekst"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Mijn tekst" in html and st.bureau_user.name in html and 'name="revision" type="hidden" value="3"' in html
    assert len(session.exec(select(PlanRevision)).all()) == 3


def test_one_side_cannot_accept_twice(pf, login_as, session):
    st = pf.programme()
    version = pf.draft(st)
    client = login_as(st.officer)
    assert _accept(client, st.programme.id, 1, version.revision).status_code == 302
    response = _accept(client, st.programme.id, 1, version.revision)
    assert response.status_code == 409 and "already accepted this revision" in response.get_data(as_text=True)
    assert len(session.exec(select(PlanAcceptance)).all()) == 1


def test_editing_after_an_acceptance_voids_it_and_tells_that_side(pf, session):
    st = pf.programme()
    version = pf.draft(st)
    pf.accept(st, version, st.bureau_user, "bureau")
    pf.draft(st, plan_content(max_participants=10))
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.edited")
                         .order_by(AuditEvent.seq.desc())).first()
    assert json.loads(event.changes)["acceptances_no_longer_valid"] == [["bureau"], None]
    changed = session.exec(select(OutboxMessage).where(
        OutboxMessage.to_addr == st.bureau_user.email, OutboxMessage.subject.contains("changed after you accepted"))).all()
    assert len(changed) == 1
    session.refresh(version)
    pf.accept(st, version, st.officer, "municipality")  # the bureau's acceptance was of revision 2
    session.refresh(version)
    assert version.status == "draft"


def test_compare_two_versions_side_by_side(pf, login_as):
    st = pf.programme()
    pf.agreed_plan(st, max_participants=3)
    client = login_as(st.officer)
    assert client.post(f"/programmes/{st.programme.id}/plan/new", data={}).status_code == 302
    pf.draft(st, plan_content(max_participants=5, indicators=("Betrokkenheid", "Verbinding")))
    html = client.get(f"/programmes/{st.programme.id}/plan/compare?a=1&b=2").get_data(as_text=True)
    assert html.count('class="changed"') == 5  # maximum, places of both organisations, one indicator in, one out
    assert "Indicator: Verbinding" in html and "Indicator: Reflectief vermogen" in html
    assert client.get(f"/programmes/{st.programme.id}/plan/compare?a=1&b=9").status_code == 404
    assert client.get(f"/programmes/{st.programme.id}/plan/compare?a=x&b=1").status_code == 404


def test_bad_plan_input_is_refused_with_the_input_kept(pf, login_as):
    st = pf.programme()
    version = pf.draft(st)
    client = login_as(st.officer)
    url = f"/programmes/{st.programme.id}/plan/1/edit"
    too_many = plan_form(revision=version.revision, **{"spread-0-places": "30"})
    response = client.post(url, data=too_many)
    assert response.status_code == 422 and "more than the maximum of 3" in response.get_data(as_text=True)
    twice = plan_form(revision=version.revision, **{"spread-1-organisation": "gemeente"})
    assert "Name each organisation once." in client.post(url, data=twice).get_data(as_text=True)
    undated = plan_form(revision=version.revision, **{"sessions-0-held_on": ""})
    response = client.post(url, data=undated)
    assert response.status_code == 422 and "Give the session a date." in response.get_data(as_text=True)


def test_a_new_version_copies_the_plan_in_force_and_only_one_draft_at_a_time(pf, login_as, session):
    st = pf.programme()
    pf.agreed_plan(st, max_participants=3)
    client = login_as(st.bureau_user)
    assert client.post(f"/programmes/{st.programme.id}/plan/new", data={}).status_code == 302
    response = client.post(f"/programmes/{st.programme.id}/plan/new", data={}, follow_redirects=True)
    assert "Version 2 is still being drafted" in response.get_data(as_text=True)
    v1, v2 = session.exec(select(PlanVersion).order_by(PlanVersion.number)).all()
    second = session.exec(select(PlanRevision.content).order_by(PlanRevision.id.desc())).first()
    assert (v2.status, v2.max_participants) == ("draft", 3)
    assert json.loads(second) == json.loads(session.exec(select(PlanRevision.content).where(
        PlanRevision.plan_version_id == v1.id, PlanRevision.revision == v1.revision)).one())


def test_agreeing_a_quarterly_cadence_re_times_the_running_period(pf, session):
    st = pf.programme()
    pf.agreed_plan(st)
    clock.advance(timedelta(days=30))
    pf.agreed_plan(st, cadence="quarterly")
    session.expire_all()
    programme = session.get(Programme, st.programme.id)
    period = session.exec(select(ProgrammePeriod)).one()
    assert (programme.cadence, period.cadence, period.ends_on, programme.next_evaluation_on) == \
        ("quarterly", "quarterly", date(2027, 9, 1), date(2027, 9, 1))
