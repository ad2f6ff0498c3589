"""Participants: full is full (also when two register for the last place at once), the waiting list
moves up when a place comes free or the plan grows, and registration follows the plan's rules."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app import clock
from app.clock import amsterdam
from app.db import writing
from app.models import AuditEvent, Organisation, Participant
from app.programmes import participant_operations
from tests.programme_factories import ProgrammeFactory


@pytest.fixture
def pf(make):
    clock.freeze(amsterdam(2027, 6, 1, 10))
    return ProgrammeFactory(make)


def _register(client, pid, name, organisation="Gemeente", role="Teamleider"):
    return client.post(f"/programmes/{pid}/participants", data={"name": name, "organisation": organisation,
                                                                 "role": role})


def _statuses(session) -> dict[str, str]:
    session.expire_all()
    return dict(session.exec(select(Participant.name, Participant.status)).all())


def test_full_is_full_then_the_waiting_list_moves_up(pf, login_as, session):
    st = pf.programme()
    pf.agreed_plan(st, max_participants=2)
    client = login_as(st.officer)
    pid = st.programme.id
    for name in ("Anna", "Bram", "Carla", "Dirk"):
        assert _register(client, pid, name).status_code == 302
    assert _statuses(session) == {"Anna": "enrolled", "Bram": "enrolled", "Carla": "waiting", "Dirk": "waiting"}
    page = client.get(f"/programmes/{pid}/participants").get_data(as_text=True)
    assert "2 of 2 places taken" in page and "full is full" in page
    bram = session.exec(select(Participant).where(Participant.name == "Bram")).one()
    response = client.post(f"/programmes/{pid}/participants/{bram.id}/withdraw", data={}, follow_redirects=True)
    assert "Carla moved up from the waiting list" in response.get_data(as_text=True)
    assert _statuses(session) == {"Anna": "enrolled", "Bram": "withdrawn", "Carla": "enrolled", "Dirk": "waiting"}
    again = client.post(f"/programmes/{pid}/participants/{bram.id}/withdraw", data={}, follow_redirects=True)
    assert "already withdrawn" in again.get_data(as_text=True)
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.action.startswith("participant."))).all()
    assert sorted(actions) == sorted(["participant.enrolled"] * 2 + ["participant.waiting"] * 2 +
                                     ["participant.withdrawn", "participant.promoted"])


def test_two_officers_registering_for_the_last_place_at_once(pf, make, app, session):
    st = pf.programme()
    pf.agreed_plan(st, max_participants=1)
    other = make.officer(session.get(Organisation, st.officer.organisation_id))
    barrier, errors = threading.Barrier(2), []

    def register(user, name: str):
        try:
            barrier.wait(5)
            with app.app_context(), writing(), Session(app.extensions["samenspel.engine"]) as s:
                participant_operations.register(s, user, st.programme, {"name": name, "organisation": "Gemeente",
                                                                         "role": ""})
                s.commit()
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(repr(e))

    threads = [threading.Thread(target=register, args=(u, n)) for u, n in ((st.officer, "Eva"), (other, "Femke"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(_statuses(session).values()) == ["enrolled", "waiting"]


def test_registration_follows_the_plan(pf, login_as, session):
    st = pf.programme()
    client = login_as(st.officer)
    pid = st.programme.id
    response = _register(client, pid, "Anna")
    assert response.status_code == 409 and "once both sides have accepted the plan" in response.get_data(as_text=True)
    pf.agreed_plan(st, max_participants=3)
    assert _register(client, pid, "Anna").status_code == 302
    response = _register(client, pid, "anna", "gemeente")
    assert response.status_code == 409 and "already registered" in response.get_data(as_text=True)
    response = _register(client, pid, "", "")
    assert response.status_code == 422 and 'aria-invalid="true"' in response.get_data(as_text=True)
    clock.advance(timedelta(days=90))  # past the enrolment deadline (the day before the first session)
    response = _register(client, pid, "Bram")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Enrolment closed" in html and 'value="Bram"' in html
    assert list(_statuses(session)) == ["Anna"]


def test_a_larger_plan_gives_the_waiting_list_its_places(pf, login_as, session):
    st = pf.programme()
    pf.agreed_plan(st, max_participants=1)
    client = login_as(st.officer)
    for name in ("Anna", "Bram", "Carla"):
        _register(client, st.programme.id, name, "Woonstad")
    pf.agreed_plan(st, max_participants=2)
    assert _statuses(session) == {"Anna": "enrolled", "Bram": "enrolled", "Carla": "waiting"}
    page = client.get(f"/programmes/{st.programme.id}/participants").get_data(as_text=True)
    assert 'data-organisation="Woonstad"' in page and "According to plan version 2" in page
