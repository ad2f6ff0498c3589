"""Who sees a programme: officers of the tender's buying organisations and the programme's own bureau.
Everyone else gets 404, on every page and every action."""
from __future__ import annotations

import pytest
from sqlmodel import select

from app import clock
from app.clock import amsterdam
from app.models import Organisation, Participant, PlanAcceptance, TenderBuyer
from tests.programme_factories import ProgrammeFactory


@pytest.fixture
def pf(make):
    clock.freeze(amsterdam(2027, 6, 1, 10))
    return ProgrammeFactory(make)


def _pages(pid: int) -> list[str]:
    return [f"/programmes/{pid}", f"/programmes/{pid}/plan/1", f"/programmes/{pid}/plan/1/edit",
            f"/programmes/{pid}/plan/compare?a=1&b=1", f"/programmes/{pid}/participants"]


def test_a_bureau_never_sees_another_bureaus_programme(pf, make, login_as, session):
    mine, theirs = pf.programme(title="Programma A"), pf.programme(title="Programma B")
    pf.agreed_plan(theirs)
    client = login_as(mine.bureau_user)
    for url in _pages(theirs.programme.id):
        assert client.get(url).status_code == 404, url
    pid = theirs.programme.id
    assert client.post(f"/programmes/{pid}/plan/1/accept", data={"revision": 2}).status_code == 404
    assert client.post(f"/programmes/{pid}/plan/1/comments", data={"body": "x"}).status_code == 404
    assert client.post(f"/programmes/{pid}/plan/new", data={}).status_code == 404
    index = client.get("/programmes/").get_data(as_text=True)
    assert "Programma A" in index and "Programma B" not in index
    assert len(session.exec(select(PlanAcceptance)).all()) == 2


def test_only_officers_of_the_buying_organisations(pf, make, login_as, session):
    st = pf.programme()
    pf.agreed_plan(st)
    outsider = make.officer()
    for url in _pages(st.programme.id):
        assert login_as(outsider).get(url).status_code == 404, url
    org = make.organisation("Woonstad Rotterdam")
    co_buyer_officer = make.officer(org)
    session.add(TenderBuyer(tender_id=st.tender.id, organisation_id=org.id))
    session.commit()
    assert login_as(co_buyer_officer).get(f"/programmes/{st.programme.id}").status_code == 200
    # An evaluator of the buying organisation has no business with the programme, nor has an admin.
    evaluator = make.evaluator(session.get(Organisation, st.officer.organisation_id))
    for user in (evaluator, make.admin()):
        assert login_as(user).get(f"/programmes/{st.programme.id}").status_code == 404
        assert login_as(user).get("/programmes/").status_code == 404


def test_a_bureau_cannot_do_what_the_municipality_does(pf, login_as, session):
    st = pf.programme()
    pf.agreed_plan(st)
    client = login_as(st.bureau_user)
    pid = st.programme.id
    assert client.get(f"/programmes/{pid}/participants").status_code == 200
    response = client.post(f"/programmes/{pid}/participants", data={"name": "X", "organisation": "Gemeente"})
    assert response.status_code == 404
    assert client.post(f"/programmes/{pid}/actions/open_evaluation", data={}).status_code == 404
    assert client.post(f"/programmes/{pid}/evaluations/1/decision", data={}).status_code == 404
    assert session.exec(select(Participant)).all() == []


def test_unknown_actions_and_versions_are_not_found(pf, login_as):
    st = pf.programme()
    client = login_as(st.officer)
    assert client.post(f"/programmes/{st.programme.id}/actions/start", data={}).status_code == 404
    assert client.get(f"/programmes/{st.programme.id}/plan/7").status_code == 404
    assert client.get(f"/programmes/{st.programme.id}/evaluations/1").status_code == 404
    assert client.get("/programmes/99999").status_code == 404
