"""The officer's pages: creating and editing a draft, firing actions, bad input, query counts."""
from __future__ import annotations

import re

from sqlalchemy import func
from sqlmodel import select

from app.models import AuditEvent, Criterion, Lot, ScaleAnchor, Tender


def test_create_a_tender(login_as, make, session):
    officer = make.officer()
    client = login_as(officer)
    response = client.post("/tenders/new", data={"title": "Leiderschap Almere", "description": "Voor de stad"})
    assert response.status_code == 302
    tender = session.exec(select(Tender)).one()
    assert (tender.title, tender.state, tender.lead_organisation_id) == ("Leiderschap Almere", "draft",
                                                                         officer.organisation_id)
    assert tender.reference.startswith("SAM-")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Leiderschap Almere" in page and 'data-event="open_invitation"' in page


def test_new_tender_without_title_keeps_input(login_as, make):
    client = login_as(make.officer())
    response = client.post("/tenders/new", data={"title": "   ", "description": "Mijn uitleg"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Mijn uitleg" in html and 'aria-invalid="true"' in html


def test_edit_the_brief_is_audited(login_as, make, session):
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    client = login_as(officer)
    response = client.post(f"/tenders/{tender.id}/edit/brief", data={
        "version": tender.version, "city_goals": "Verdubbeling", "development_track": "OO", "open_question": "Wat?"})
    assert response.status_code == 302
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "tender.updated")
                         .order_by(AuditEvent.id.desc())).first()
    assert '"city_goals":["","Verdubbeling"]' in event.changes


def test_timeline_out_of_order_is_refused_and_kept(login_as, make):
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    client = login_as(officer)
    response = client.post(f"/tenders/{tender.id}/edit/timeline", data={
        "version": tender.version, "invitation_at": "2027-03-10T09:00", "questions_deadline": "2027-03-01T09:00"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "2027-03-01T09:00" in html and "Must come after" in html


def test_timeline_is_entered_in_amsterdam_time(login_as, make, session):
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    client = login_as(officer)
    client.post(f"/tenders/{tender.id}/edit/timeline", data={"version": tender.version,
                                                              "vision_deadline": "2027-07-01T17:00"})
    session.expire_all()
    stored = session.get(Tender, tender.id).vision_deadline
    assert (stored.hour, stored.tzinfo is not None) == (15, True)  # 17:00 CEST is 15:00 UTC
    assert "1 Jul 2027 17:00" in client.get(f"/tenders/{tender.id}").get_data(as_text=True)


def test_concurrent_edit_is_refused_and_input_kept(login_as, make):
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    client = login_as(officer)
    stale = tender.version
    client.post(f"/tenders/{tender.id}/edit/basics", data={"version": stale, "title": "Eerste versie",
                                                           "procedure_type": "multiple_private"})
    response = client.post(f"/tenders/{tender.id}/edit/basics", data={"version": stale, "title": "Tweede versie",
                                                                      "procedure_type": "multiple_private"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this tender" in html and "Tweede versie" in html


def test_criterion_with_anchors(login_as, make, session):
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    client = login_as(officer)
    form = client.get(f"/tenders/{tender.id}/criteria/vision/new").get_data(as_text=True)
    assert form.count('name="anchors-') == 12  # six levels, score + text each
    data = {"version": tender.version, "title": "Visie", "description": "", "weight": "100", "scale_min": "0",
            "scale_max": "10", "scale_step": "2", "required": "y", "counts_in_total": "y"}
    for i, score in enumerate(range(0, 11, 2)):
        data[f"anchors-{i}-score"] = str(score)
        data[f"anchors-{i}-text"] = f"niveau {score}"
    assert client.post(f"/tenders/{tender.id}/criteria/vision/new", data=data).status_code == 302
    criterion = session.exec(select(Criterion)).one()
    anchors = session.exec(select(ScaleAnchor.score, ScaleAnchor.text).where(ScaleAnchor.criterion_id == criterion.id)
                           .order_by(ScaleAnchor.score)).all()
    assert anchors[-1] == (10, "niveau 10") and len(anchors) == 6


def test_criterion_bad_scale_is_refused(login_as, make):
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    client = login_as(officer)
    response = client.post(f"/tenders/{tender.id}/criteria/vision/new", data={
        "version": tender.version, "title": "Visie", "weight": "40", "scale_min": "0", "scale_max": "10",
        "scale_step": "3", "counts_in_total": "y"})
    assert response.status_code == 422
    assert "The step must divide" in response.get_data(as_text=True)


def test_criterion_step_zero_is_refused_not_a_crash(login_as, make):
    """Found by the form fuzzer: a step of 0 divided by zero in the scale check."""
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    response = login_as(officer).post(f"/tenders/{tender.id}/criteria/vision/new", data={
        "version": tender.version, "title": "Visie", "weight": "40", "scale_min": "0", "scale_max": "10",
        "scale_step": "0", "counts_in_total": "y"})
    assert response.status_code == 422
    assert "Between 1 and 100." in response.get_data(as_text=True)


def test_criterion_absurd_highest_score_is_refused_not_a_crash(login_as, make):
    """Found by the form fuzzer: the anchor rows were built for the typed scale before it was validated."""
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    response = login_as(officer).post(f"/tenders/{tender.id}/criteria/vision/new", data={
        "version": tender.version, "title": "Visie", "weight": "40", "scale_min": "0",
        "scale_max": "99999999999999999999999999", "scale_step": "1", "counts_in_total": "y"})
    assert response.status_code == 422
    assert "Between 1 and 100." in response.get_data(as_text=True)


def test_duplicate_lot_name_is_refused(login_as, make):
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    client = login_as(officer)
    client.post(f"/tenders/{tender.id}/lots/new", data={"version": tender.version, "title": "Top"})
    response = client.post(f"/tenders/{tender.id}/lots/new", data={"title": "top"})
    assert response.status_code == 409
    assert "already a lot with this name" in response.get_data(as_text=True)


def test_lot_of_another_tender_is_404(login_as, make, session):
    officer = make.officer()
    mine = make.tender(officer, ready=False)
    other = make.tender(officer)
    lot = session.exec(select(Lot).where(Lot.tender_id == other.id)).first()
    client = login_as(officer)
    assert client.get(f"/tenders/{mine.id}/lots/{lot.id}/edit").status_code == 404
    assert client.post(f"/tenders/{mine.id}/lots/{lot.id}/delete", data={}).status_code == 404


def test_panel_only_takes_evaluators_of_the_buyers(login_as, make, session):
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    outsider = make.evaluator(make.organisation())
    client = login_as(officer)
    response = client.post(f"/tenders/{tender.id}/panel", data={"item": outsider.id})
    assert response.status_code == 302
    assert "Evaluators come from one of the buying organisations" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_refused_action_shows_reasons(login_as, make):
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    client = login_as(officer)
    response = client.post(f"/tenders/{tender.id}/actions/open_invitation", data={"version": tender.version})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Add at least one lot" in html and "Now: Draft" in html


def test_double_click_gives_one_result_and_a_notice(login_as, make, session):
    officer = make.officer(name="Marieke")
    tender = make.tender(officer)
    client = login_as(officer)
    seen = tender.version  # both clicks come from the same page
    first = client.post(f"/tenders/{tender.id}/actions/open_invitation", data={"version": seen})
    second = client.post(f"/tenders/{tender.id}/actions/open_invitation", data={"version": seen})
    assert first.status_code == 302 and second.status_code == 409
    assert "Marieke already changed this" in second.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "tender.open_invitation")) == 1


def test_unknown_action_is_404(login_as, make):
    officer = make.officer()
    tender = make.tender(officer)
    assert login_as(officer).post(f"/tenders/{tender.id}/actions/self_destruct", data={}).status_code == 404


def test_cancel_needs_a_reason_and_keeps_typing(login_as, make):
    officer = make.officer()
    tender = make.tender(officer)
    client = login_as(officer)
    response = client.post(f"/tenders/{tender.id}/actions/cancel", data={"version": tender.version, "reason": " "})
    assert response.status_code == 409
    assert "A reason is required." in response.get_data(as_text=True)


def test_diagram_highlights_the_current_stage(login_as, make):
    officer = make.officer()
    tender = make.tender(officer)
    html = login_as(officer).get(f"/tenders/{tender.id}").get_data(as_text=True)
    current = re.search(r'<g class="([^"]*)" data-state="draft" aria-current="step">', html)
    assert current and "wf-current" in current.group(1)
    assert re.search(r'<g class="wf-state wf-next" data-state="invitation"', html)


def test_audit_page_filters_and_pages(login_as, make, app):
    officer = make.officer()
    tender = make.tender(officer)
    app.config["AUDIT_PAGE_SIZE"] = 5
    client = login_as(officer)
    first = client.get(f"/tenders/{tender.id}/audit").get_data(as_text=True)
    assert "page 1 of" in first
    last = client.get(f"/tenders/{tender.id}/audit?page=999").get_data(as_text=True)
    assert "Tender created" in last
    lots_only = client.get(f"/tenders/{tender.id}/audit?action=lot.").get_data(as_text=True)
    assert "Lot added" in lots_only and "Criterion added" not in lots_only


# --- bounded queries -------------------------------------------------------------------------------

def _queries(client, count_queries, url):
    with count_queries() as q:
        assert client.get(url).status_code == 200
    return q.count


def test_dashboard_runs_a_fixed_number_of_queries(login_as, make, count_queries):
    officer = make.officer()
    make.tender(officer)
    client = login_as(officer)
    small = _queries(client, count_queries, "/")
    for _ in range(4):
        make.tender(officer)
    assert _queries(client, count_queries, "/") == small
    # The page's own, plus 4 for the officer's tasks (app/tenders/tasks.py) and one each for the award, panel
    # and programme providers, which find nothing in these stages.
    assert small <= 11


def test_tender_page_runs_a_fixed_number_of_queries(login_as, make, count_queries, session):
    officer = make.officer()
    small = make.tender(officer, bureaus=1, evaluators=1, lots=1)
    large = make.tender(officer, bureaus=5, evaluators=5, lots=4)
    client = login_as(officer)
    n_small = _queries(client, count_queries, f"/tenders/{small.id}")
    n_large = _queries(client, count_queries, f"/tenders/{large.id}")
    assert n_small == n_large
    assert n_large <= 20


def test_audit_last_page_runs_a_fixed_number_of_queries(login_as, make, count_queries):
    officer = make.officer()
    tender = make.tender(officer)
    client = login_as(officer)
    assert _queries(client, count_queries, f"/tenders/{tender.id}/audit?page=999") <= 5


def test_absurd_ids_are_not_found(login_as, make):
    client = login_as(make.officer())
    assert client.get("/tenders/99999999999999999999").status_code == 404
    assert client.get("/tenders/2147483648").status_code == 404


def test_large_amounts_fit(login_as, make, session):
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    response = login_as(officer).post(f"/tenders/{tender.id}/edit/basics", data={
        "version": tender.version, "title": "T", "procedure_type": "multiple_private",
        "estimated_value_eur": "50000000000"})
    assert response.status_code == 302
    assert session.get(type(tender), tender.id).estimated_value_eur == 50_000_000_000
