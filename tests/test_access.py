"""Who may see what: officers see their organisations' tenders, evaluators their panels,
bureaus nothing of the officer's side, admins no tender contents. Others get 404."""
from __future__ import annotations

import pytest

from app.tenders import operations


@pytest.fixture
def world(make, session):
    lead = make.organisation("Gemeente Lead")
    co = make.organisation("Co-buyer BV")
    officer = make.officer(lead)
    tender = make.tender(officer)
    operations.add_buyer(session, officer, tender, co, None)
    session.commit()
    return {
        "tender": tender,
        "officer": officer,
        "co_officer": make.officer(co),
        "foreign_officer": make.officer(),
        "panel_evaluator": _panel_member(session, tender),
        "other_evaluator": make.evaluator(lead),
        "bureau": make.bureau_user(),
        "admin": make.admin(),
    }


def _panel_member(session, tender):
    from sqlmodel import select

    from app.models import PanelMember, User
    return session.exec(select(User).join(PanelMember, PanelMember.user_id == User.id)
                        .where(PanelMember.tender_id == tender.id)).first()


EXPECT = {
    # who: (tender page, audit trail, edit brief)
    "officer": (200, 200, 200),
    "co_officer": (200, 200, 200),
    "foreign_officer": (404, 404, 404),
    "panel_evaluator": (200, 404, 404),
    "other_evaluator": (404, 404, 404),
    "bureau": (404, 404, 404),
    "admin": (404, 404, 404),
}


@pytest.mark.parametrize("who", EXPECT)
def test_tender_pages_by_role(world, login_as, who):
    tender_id = world["tender"].id
    client = login_as(world[who])
    got = tuple(client.get(url).status_code for url in (
        f"/tenders/{tender_id}", f"/tenders/{tender_id}/audit", f"/tenders/{tender_id}/edit/brief"))
    assert got == EXPECT[who]


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(f"/tenders/{world['tender'].id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_foreign_officer_cannot_act(world, login_as, session):
    client = login_as(world["foreign_officer"])
    response = client.post(f"/tenders/{world['tender'].id}/actions/open_invitation", data={})
    assert response.status_code == 404
    session.expire_all()
    assert session.get(type(world["tender"]), world["tender"].id).state == "draft"


def test_admin_pages_only_for_admins(world, login_as):
    assert login_as(world["officer"]).get("/admin/").status_code == 404
    assert login_as(world["admin"]).get("/admin/").status_code == 200


def test_dashboard_lists_only_visible_tenders(world, login_as, make):
    make.tender(world["foreign_officer"], title="Geheime aanbesteding")
    html = login_as(world["officer"]).get("/").get_data(as_text=True)
    assert world["tender"].title in html and "Geheime aanbesteding" not in html
