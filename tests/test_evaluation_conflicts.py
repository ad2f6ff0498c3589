"""Conflicts of interest: declared per bureau before anything opens; a conflict (or an excusal) hides
the bureau from the member entirely; every declaration is audited."""
from __future__ import annotations

import json

import pytest
from sqlmodel import select

from app.evaluation import operations as ops
from app.models import AuditEvent, ConflictDeclaration
from tests.evaluation_factories import EvaluationFactory
from workflows import Refused


@pytest.fixture
def ev(make):
    return EvaluationFactory(make)


def _events(session, action):
    return session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).all()


def test_material_opens_only_after_declaring_for_every_bureau(ev, login_as):
    sc = ev.in_review()
    client = login_as(sc.evaluators[0])
    bureau = sc.bureaus[0]
    response = client.get(f"/evaluation/tenders/{sc.id}/bureaus/{bureau.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/evaluation/tenders/{sc.id}/conflicts")
    assert client.get(f"/evaluation/tenders/{sc.id}/vision/{bureau.id}").status_code == 302
    page = client.get(f"/evaluation/tenders/{sc.id}").get_data(as_text=True)
    assert "Declare your conflicts of interest first." in page and "Visie 1" not in page

    form = {f"kind_{b.id}": "none" for b in sc.bureaus}
    assert client.post(f"/evaluation/tenders/{sc.id}/conflicts", data=form).status_code == 302
    html = client.get(f"/evaluation/tenders/{sc.id}/bureaus/{bureau.id}").get_data(as_text=True)
    assert "Visie 1: leiderschap samen." in html and "Aanpak 1" in html


def test_a_conflict_needs_an_explanation_and_input_is_kept(ev, login_as, session):
    sc = ev.in_review()
    client = login_as(sc.evaluators[0])
    form = {f"kind_{b.id}": "none" for b in sc.bureaus}
    form[f"kind_{sc.bureaus[1].id}"] = "financial"
    response = client.post(f"/evaluation/tenders/{sc.id}/conflicts", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Explain the conflict of interest." in html and 'selected value="financial"' in html
    assert session.exec(select(ConflictDeclaration)).all() == []
    # Nothing chosen for a bureau is refused too.
    del form[f"kind_{sc.bureaus[2].id}"]
    assert client.post(f"/evaluation/tenders/{sc.id}/conflicts", data=form).status_code == 422


def test_declarations_are_audited(ev, login_as, session):
    sc = ev.in_review()
    member = sc.evaluators[0]
    client = login_as(member)
    form = {f"kind_{b.id}": "none" for b in sc.bureaus}
    form[f"kind_{sc.bureaus[1].id}"] = "personal"
    form[f"explanation_{sc.bureaus[1].id}"] = "Mijn zus werkt er."
    assert client.post(f"/evaluation/tenders/{sc.id}/conflicts", data=form).status_code == 302
    events = _events(session, "conflict.declared")
    assert len(events) == 3 and {e.actor_id for e in events} == {member.id}
    kinds = {json.loads(e.changes)["bureau"][1]: json.loads(e.changes)["kind"][1] for e in events}
    assert kinds[sc.bureaus[1].name] == "personal" and kinds[sc.bureaus[0].name] == "none"
    assert "Mijn zus werkt er." in events[1].changes


def test_a_conflicted_member_can_neither_see_nor_score_the_bureau(ev, login_as, session):
    sc = ev.in_review()
    member, other = sc.evaluators[0], sc.bureaus[1]
    ev.declare(sc, member, {other.id: "professional"})
    client = login_as(member)
    for url in (f"/bureaus/{other.id}", f"/vision/{other.id}", f"/vision/{other.id}/consensus"):
        assert client.get(f"/evaluation/tenders/{sc.id}{url}").status_code == 404, url
    response = client.post(f"/evaluation/tenders/{sc.id}/vision/{other.id}",
                           data={"action": "submit", f"value_{sc.criteria['vision'][0].id}": "8"})
    assert response.status_code == 404
    with pytest.raises(Refused, match="conflict of interest"):
        ops.save_sheet(session, member, sc.tender, "vision", other.id, {}, submit=False)
    session.rollback()
    page = client.get(f"/evaluation/tenders/{sc.id}").get_data(as_text=True)
    assert "not for you (conflict)" in page
    # The others' sheets no longer wait for this member.
    for e in sc.evaluators[1:]:
        ev.declare(sc, e)
        ev.score(sc, e, "vision", other, [6, 6])
    from app.evaluation.panel import load_panel
    assert load_panel(session, sc.tender).all_in("vision", other.id)


def test_a_declared_conflict_cannot_be_withdrawn(ev, session):
    sc = ev.in_review()
    member, bureau = sc.evaluators[0], sc.bureaus[0]
    ev.declare(sc, member, {bureau.id: "other"})
    with pytest.raises(Refused, match="cannot be withdrawn"):
        ops.declare_conflicts(session, member, sc.tender, {bureau.id: ("none", "")})
    session.rollback()


def test_no_conflict_may_become_a_conflict_until_scores_are_submitted(ev, session, login_as):
    sc = ev.in_review()
    member, first, second = sc.evaluators[0], sc.bureaus[0], sc.bureaus[1]
    ev.declare(sc, member)
    ev.score(sc, member, "vision", first, [8, 8])
    client = login_as(member)
    form = {f"kind_{b.id}": "none" for b in sc.bureaus}
    form[f"kind_{second.id}"], form[f"explanation_{second.id}"] = "financial", "Aandelen."
    assert client.post(f"/evaluation/tenders/{sc.id}/conflicts", data=form).status_code == 302
    assert [json.loads(e.changes)["kind"] for e in _events(session, "conflict.changed")] == [["none", "financial"]]
    form[f"kind_{first.id}"], form[f"explanation_{first.id}"] = "personal", "Te laat gezien."
    response = client.post(f"/evaluation/tenders/{sc.id}/conflicts", data=form)
    assert response.status_code == 422
    assert "You already submitted scores for" in response.get_data(as_text=True)


def test_the_officer_sees_declarations_and_can_excuse_a_member(ev, login_as, session):
    sc = ev.in_review()
    member, bureau = sc.evaluators[1], sc.bureaus[2]
    ev.declare(sc, sc.evaluators[0], {bureau.id: "personal"})
    officer = login_as(sc.officer)
    page = officer.get(f"/evaluation/tenders/{sc.id}").get_data(as_text=True)
    assert "Personal (family, friendship)" in page and "Oud-collega." in page
    response = officer.post(f"/evaluation/tenders/{sc.id}/excuse", data={"member": member.id, "bureau": bureau.id,
                                                                          "reason": ""})
    assert response.status_code == 422
    response = officer.post(f"/evaluation/tenders/{sc.id}/excuse", data={
        "member": member.id, "bureau": bureau.id, "reason": "Was adviseur van dit bureau."})
    assert response.status_code == 302
    event = _events(session, "conflict.excused")[0]
    assert event.reason == "Was adviseur van dit bureau." and event.actor_id == sc.officer.id
    again = officer.post(f"/evaluation/tenders/{sc.id}/excuse", data={
        "member": member.id, "bureau": bureau.id, "reason": "Nog eens."})
    assert again.status_code == 409 and "already excused" in again.get_data(as_text=True)
    ev.declare(sc, member)
    assert login_as(member).get(f"/evaluation/tenders/{sc.id}/bureaus/{bureau.id}").status_code == 404


def test_only_the_panel_and_the_buyers_get_in(ev, login_as, make):
    sc = ev.in_review()
    outsider = make.evaluator(make.organisation())
    other_officer = make.officer()
    for user in (outsider, other_officer):
        client = login_as(user)
        assert client.get(f"/evaluation/tenders/{sc.id}").status_code == 404
        assert client.get(f"/evaluation/tenders/{sc.id}/ranking").status_code == 404
    bureau_user = make.bureau_user(sc.bureaus[0])
    assert login_as(bureau_user).get(f"/evaluation/tenders/{sc.id}").status_code == 404


def test_vision_attachments_download_for_the_panel_only(ev, login_as, session):
    from app import files
    from app.models import Vision, VisionVersion
    sc = ev.in_review()
    first, second = sc.bureaus[0], sc.bureaus[1]
    version = session.exec(select(VisionVersion).join(Vision, Vision.id == VisionVersion.vision_id)
                           .where(Vision.bureau_id == first.id)).one()
    stored = files.store(session, data=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", filename="visie.pdf",
                         tender_id=sc.id, owner_type="vision_version", owner_id=version.id, user_id=None)
    session.commit()
    member, conflicted = sc.evaluators[0], sc.evaluators[1]
    ev.declare(sc, member)
    ev.declare(sc, conflicted, {first.id: "other"})
    client = login_as(member)
    assert "visie.pdf" in client.get(f"/evaluation/tenders/{sc.id}/bureaus/{first.id}").get_data(as_text=True)
    response = client.get(f"/evaluation/tenders/{sc.id}/bureaus/{first.id}/attachments/{stored.id}")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    assert response.data.startswith(b"%PDF")
    assert client.get(f"/evaluation/tenders/{sc.id}/bureaus/{second.id}/attachments/{stored.id}").status_code == 404
    other = login_as(conflicted)
    assert other.get(f"/evaluation/tenders/{sc.id}/bureaus/{first.id}/attachments/{stored.id}").status_code == 404


def test_nothing_opens_while_the_visions_are_sealed(make, login_as):
    from app.tenders import operations as tender_ops
    officer = make.officer()
    tender = make.tender(officer)
    tender_ops.fire(make.session, officer, tender, "open_invitation")
    tender_ops.fire(make.session, officer, tender, "open_submission")
    make.session.commit()
    from app.models import PanelMember
    member_id = make.session.exec(select(PanelMember.user_id).where(PanelMember.tender_id == tender.id)).first()
    from app.models import User
    member = make.session.get(User, member_id)
    for user in (member, officer):
        client = login_as(user)
        assert client.get(f"/evaluation/tenders/{tender.id}").status_code == 404
        assert client.get(f"/evaluation/tenders/{tender.id}/ranking").status_code == 404


def test_the_dashboard_sends_evaluators_to_their_panels(make, login_as):
    member = make.evaluator(make.organisation())
    response = login_as(member).get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/evaluation/")
