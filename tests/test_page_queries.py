"""Query counts of the pages the benchmark measures (issue 9): fixed, whatever the amount of data,
so an N+1 regression fails here. Also what the faster dashboard shows."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.clock import now
from app.models import Bureau, Invitation, Organisation, PanelMember, User
from app.tenders import operations as tender_ops


def _count(client, count_queries, url) -> int:
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200, url
    return q.count


def _timeline(session, officer, tender, start):
    tender_ops.update_fields(session, officer, tender, {
        "invitation_at": start + timedelta(days=1), "questions_deadline": start + timedelta(days=10),
        "vision_deadline": start + timedelta(days=20), "pitch_start": start + timedelta(days=25),
        "pitch_end": start + timedelta(days=26), "selection_at": start + timedelta(days=30)}, None)
    session.commit()


def test_officer_dashboard_queries_stay_fixed_as_tenders_grow(login_as, make, count_queries, session):
    officer = make.officer()
    other = make.officer()
    make.tender(officer, ready=False)
    first_joint = make.tender(other, ready=False)  # co-bought: on the dashboard through the second branch
    tender_ops.add_buyer(session, other, first_joint, _org(session, officer), None)
    session.commit()
    client = login_as(officer)
    few = _count(client, count_queries, "/")
    for _ in range(3):
        make.tender(officer, ready=False)
    joint = make.tender(other, ready=False)
    tender_ops.add_buyer(session, other, joint, _org(session, officer), None)
    session.commit()
    # The user, stage counts, deadlines, last changed; the tasks: drafts, their guard facts (2), the co-buyer
    # links, the active tenders; the tenders in selection/standstill, in evaluation and the programmes (none
    # here, so those providers stop after one query each).
    assert _count(client, count_queries, "/") == few == 12
    page = client.get("/").get_data(as_text=True)
    assert joint.title in page
    assert re.search(r'class="count">\(6\)', page)


def _org(session, user):
    return session.get(Organisation, user.organisation_id)


def test_evaluator_and_bureau_dashboards_run_the_same_queries(login_as, make, count_queries, session):
    officer = make.officer()
    tender = make.tender(officer, evaluators=1, bureaus=3)
    evaluator = session.get(User, session.exec(select(PanelMember.user_id)).first())
    client = login_as(evaluator)
    evaluator_page = _count(client, count_queries, "/evaluation/")  # where "/" sends evaluators
    assert client.get("/").headers["Location"].endswith("/evaluation/")
    tender_ops.fire(session, officer, tender, "open_invitation")
    session.commit()
    invitation = session.exec(select(Invitation).where(Invitation.tender_id == tender.id)).first()
    invitation.status, bureau_id = "sent", invitation.bureau_id  # what sending does once the portal lands
    session.commit()
    bureau_user = make.bureau_user(session.get(Bureau, bureau_id), email=f"b{bureau_id}@bench.example")
    client = login_as(bureau_user)
    bureau_page = _count(client, count_queries, "/portal")  # where "/" sends bureaus
    assert tender.title in client.get("/portal").get_data(as_text=True)
    # More tenders, same number of queries on both landing pages.
    for _ in range(2):
        more = make.tender(officer, evaluators=0, bureaus=2)
        tender_ops.add_panel_member(session, officer, more, evaluator, None)
        tender_ops.add_invitee(session, officer, more, session.get(Bureau, bureau_id), None)
        session.commit()
        tender_ops.fire(session, officer, more, "open_invitation")
        session.commit()
    assert _count(login_as(evaluator), count_queries, "/evaluation/") == evaluator_page
    assert _count(client, count_queries, "/portal") == bureau_page



def test_dashboard_shows_the_soonest_twenty_deadlines_and_counts_the_rest(login_as, make, session):
    officer = make.officer()
    start = now()
    for i in range(11):  # two deadlines each within 14 days: invitations (+1 day) and questions (+10 days)
        tender = make.tender(officer, ready=False, title=f"Traject {i:02d}")
        _timeline(session, officer, tender, start + timedelta(hours=i))
    page = login_as(officer).get("/").get_data(as_text=True)
    deadlines = page.split('id="deadlines-h"')[1].split("</section>")[0]
    assert deadlines.count("<li><div><strong>") == 20
    assert "More deadlines follow in this period." in deadlines
    shown = re.findall(r"(Invitations go out|Questions deadline) — <a [^>]+>(Traject \d\d)</a>", deadlines)
    assert shown[:11] == [("Invitations go out", f"Traject {i:02d}") for i in range(11)]
    assert shown[11:] == [("Questions deadline", f"Traject {i:02d}") for i in range(9)]


def test_tender_page_queries_stay_fixed(login_as, make, count_queries, session):
    officer = make.officer()
    small = make.tender(officer, bureaus=3, evaluators=1, lots=1)
    large = make.tender(officer, bureaus=5, evaluators=5, lots=3)
    client = login_as(officer)
    # Draft: the user, the tender, its view (7), the pickers (3); the draft guards reuse the view's rows.
    assert _count(client, count_queries, f"/tenders/{small.id}") == _count(
        client, count_queries, f"/tenders/{large.id}") == 12
    for tender in (small, large):
        tender_ops.fire(session, officer, tender, "open_invitation")
    session.commit()
    # After the invitations: the portal's cards (invitations, questions, sealed submissions), the award panel,
    # the timeline and the open-data flag join the page — still the same number for both.
    assert _count(client, count_queries, f"/tenders/{small.id}") == _count(
        client, count_queries, f"/tenders/{large.id}") == 15


@pytest.mark.app_config(AUDIT_PAGE_SIZE=5)
def test_audit_trail_pages_cost_the_same_first_and_last(login_as, make, count_queries):
    officer = make.officer()
    tender = make.tender(officer, bureaus=5, evaluators=5, lots=3)  # about 30 events: several pages of 5
    client = login_as(officer)
    counts = {page: _count(client, count_queries, f"/tenders/{tender.id}/audit?page={page}") for page in (1, 3, 999)}
    assert set(counts.values()) == {4}  # the user, the tender, the chain head, one page of events


def test_audit_rows_are_kept_per_language(login_as, make):
    """Rendered event rows are reused, but never across languages."""
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    client = login_as(officer)
    assert "Tender created" in client.get(f"/tenders/{tender.id}/audit").get_data(as_text=True)
    assert client.post("/language/nl", data={}).status_code == 303
    dutch = client.get(f"/tenders/{tender.id}/audit").get_data(as_text=True)
    assert "Aanbesteding aangemaakt" in dutch and "Tender created" not in dutch
    assert client.post("/language/en", data={}).status_code == 303
    assert "Tender created" in client.get(f"/tenders/{tender.id}").get_data(as_text=True)


# --- the later stages' pages the benchmark measures (bench/endpoints.py) -----------------------------------

def _sheet_count(ev, login_as, count_queries, sc) -> int:
    """The first member's draft sheet for the first bureau, as the benchmark's evaluator sees it."""
    ev.declare_all(sc)
    first, others = sc.bureaus[0], sc.bureaus[1:]
    ev.score(sc, sc.evaluators[0], "vision", first, [8, None], submit=False)
    ev.score(sc, sc.evaluators[0], "vision", first, [8, 6], submit=False)  # a history of two revisions
    for b in others:
        for e in sc.evaluators:
            ev.score(sc, e, "vision", b, [6, 8])
    return _count(login_as(sc.evaluators[0]), count_queries, f"/evaluation/tenders/{sc.id}/vision/{first.id}")


def test_scoring_sheet_queries_stay_fixed(make, login_as, count_queries):
    from tests.evaluation_factories import EvaluationFactory

    ev = EvaluationFactory(make)
    small = _sheet_count(ev, login_as, count_queries, ev.in_review(bureaus=3, evaluators=2, lots=1))
    large = _sheet_count(ev, login_as, count_queries, ev.in_review(bureaus=5, evaluators=4, lots=3))
    # The user, the tender's scope, the panel (10), the sheet's scores, the anchors, the vision (version,
    # lots, attachments), the sheet's history.
    assert small == large == SHEET_QUERIES


def test_bureau_portal_queries_stay_fixed(make, session, login_as, count_queries):
    from tests.portal_factories import contacts, invited

    tender, _officer = invited(make, session, bureaus=3, lots=1)
    me = contacts(session, tender)[0]
    client = login_as(me)
    client.get(f"/portal/tenders/{tender.id}")  # the first look marks the invitation opened (a write)
    few = (_count(client, count_queries, "/portal"), _count(client, count_queries, f"/portal/tenders/{tender.id}"))
    bureau = session.get(Bureau, me.bureau_id)
    for _ in range(3):  # more invitations of the same bureau, and a larger tender
        officer = make.officer()
        large = make.tender(officer, bureaus=4, lots=3, evaluators=2)
        tender_ops.add_invitee(session, officer, large, bureau, None)
        session.commit()
        tender_ops.fire(session, officer, large, "open_invitation")
        session.commit()
    client.get(f"/portal/tenders/{large.id}")
    many = (_count(client, count_queries, "/portal"), _count(client, count_queries, f"/portal/tenders/{large.id}"))
    # Index: the user, the count of invitations, one page of them (with tender and vision), and the bureau's
    # tasks (portal: invitations, visions and pitches, letters; programmes: plans and forms). Tender page: the user, the tender's
    # scope, the invitation, the brief (buyers, lots, criteria, anchors, bulletins), questions, vision.
    assert few == many == PORTAL_QUERIES


def test_bureau_portal_index_comes_in_pages(make, session, login_as, count_queries, monkeypatch):
    """A bureau invited to ever more tenders gets pages: the landing page never grows with the years."""
    from app.portal import views as portal_views
    from tests.portal_factories import contacts, invited

    monkeypatch.setattr(portal_views, "INDEX_PAGE_SIZE", 2)
    first, _officer = invited(make, session, bureaus=3, lots=1)
    me = contacts(session, first)[0]
    bureau = session.get(Bureau, me.bureau_id)
    titles = [first.title]
    for _ in range(2):
        officer = make.officer()
        more = make.tender(officer, bureaus=2, lots=1)
        tender_ops.add_invitee(session, officer, more, bureau, None)
        tender_ops.fire(session, officer, more, "open_invitation")
        session.commit()
        titles.append(more.title)
    client = login_as(me)
    # The invitations list only: the tasks above it name every open invitation on each page.
    pages = [client.get(f"/portal?page={n}").get_data(as_text=True).split('class="card tasks"')[1].split("</section>", 1)[1]
             for n in (1, 2)]
    assert [sum(t in page for t in titles) for page in pages] == [2, 1]
    assert titles[-1] in pages[0] and titles[0] in pages[1]  # most recently moved first
    assert "page 1 of 2" in pages[0] and _count(client, count_queries, "/portal?page=2") == PORTAL_QUERIES[0]


def test_ocds_record_package_queries_stay_fixed(make, session, client, count_queries):
    from tests.opendata_factories import Decisions, OpenData

    data = OpenData(make, session, Decisions())
    small = data.tender("awarded", lots=1, bureaus=3, submitted=2)
    large = data.tender("awarded", lots=4, bureaus=5, submitted=4, ended=True)
    counts = {_count(client, count_queries, f"/open-data/tenders/{t.id}/records.json") for t in (small, large)}
    # No session: the published tender, then its facts (buyers, lots, criteria, steps, tenderers, contracts,
    # programmes, the award decisions (decisions, selections, letters of withdrawn ones) and assessments of
    # the registered sources, the bureaus).
    assert counts == {OCDS_QUERIES}


SHEET_QUERIES = 18
PORTAL_QUERIES = (7, 11)
OCDS_QUERIES = 13
