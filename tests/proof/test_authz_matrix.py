"""The authorisation matrix: every route × every role × the stages where it matters.

Generated from the app's route map: a route without an entry in ROUTES fails the test. For each
cell a request is made as that role: an allowed role must get through (no 404, no login page, no
server error); a denied role must get 404 (anonymous: the login page), and nothing may change.
POSTs carry `version=-1`, so a permitted action is refused as stale after the permission check and
the world stays the same for the next cell.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import pytest

from tests import figures
from tests.conftest import login
from tests.proof import world as W

OFFICERS = frozenset({"officer", "co_officer"})
PANEL = frozenset({"panel", "conflicted"})
EVERYONE_LOGGED_IN = frozenset(W.ROLES) - {"anonymous"}
PUBLIC = frozenset(W.ROLES)

Expect = Callable[[str], frozenset]  # stage -> roles allowed


BUREAUS = frozenset({"bureau", "other_bureau", "stranger_bureau"})
INVITED = frozenset({"bureau", "other_bureau"})
ALL_OFFICERS = frozenset({"officer", "co_officer", "other_officer"})
PROGRAMME = OFFICERS | {"bureau"}


def always(roles) -> Expect:
    return lambda stage: frozenset(roles)


def from_stage(first: str, roles) -> Expect:
    """Allowed from `first` on (earlier the object does not exist yet, or is not shown to them)."""
    order = W.ALL_STAGES
    return lambda stage: frozenset(roles) if order.index(stage) >= order.index(first) else frozenset()


@dataclass(frozen=True)
class Route:
    path: str  # with {tender}, {lot}, … filled from world.ids
    allowed: Expect
    methods: tuple[str, ...] = ("GET",)
    public: bool = False  # anonymous gets the page itself rather than the login page
    ends_at_login: bool = False  # success itself redirects to the login page (logout)
    last: bool = False  # changes the world for good (withdraw, logout): checked after all other routes
    post_allowed: Optional[Expect] = None  # when POST is allowed to fewer roles than GET


ROUTES: dict[str, Optional[Route]] = {
    # Not matrix material: static files.
    "static": None,
    # Authentication
    "auth.login": Route("/login", always(PUBLIC), public=True),
    "auth.logout": Route("/logout", always(EVERYONE_LOGGED_IN), ("POST",), ends_at_login=True, last=True),
    "auth.change_password": Route("/account/password", always(EVERYONE_LOGGED_IN), ("GET", "POST")),
    "auth.forgot_password": Route("/account/forgot", always(PUBLIC), ("GET",), public=True),
    "auth.set_password": None,  # token-guarded; covered by tests/test_auth.py
    "auth.reset_password": None,  # token-guarded; covered by tests/test_auth.py
    "auth.set_language": Route("/language/en", always(PUBLIC), ("POST",), public=True),
    # Administration
    "admin.index": Route("/admin/", always({"admin"})),
    "admin.listing": Route("/admin/users", always({"admin"})),
    "admin.edit": Route("/admin/organisations/{organisation}", always({"admin"}), ("GET", "POST")),
    "admin.user_link": Route("/admin/users/{user}/link", always({"admin"})),
    # The officer's side of a tender
    "tenders.dashboard": Route("/", always(EVERYONE_LOGGED_IN)),
    "tenders.new": Route("/tenders/new", always({"officer", "co_officer", "other_officer"}), ("GET", "POST")),
    "tenders.show": Route("/tenders/{tender}", always(OFFICERS | PANEL)),
    "tenders.act": Route("/tenders/{tender}/actions/cancel", always(OFFICERS), ("POST",)),
    "tenders.audit_trail": Route("/tenders/{tender}/audit", always(OFFICERS)),
    "tenders.edit_section": Route("/tenders/{tender}/edit/brief", always(OFFICERS), ("GET", "POST")),
    "tenders.edit_lot": Route("/tenders/{tender}/lots/{lot}/edit", always(OFFICERS), ("GET", "POST")),
    "tenders.delete_lot": Route("/tenders/{tender}/lots/{lot}/delete", always(OFFICERS), ("POST",)),
    "tenders.edit_criterion": Route("/tenders/{tender}/criteria/{criterion}/edit", always(OFFICERS), ("GET", "POST")),
    "tenders.delete_criterion": Route("/tenders/{tender}/criteria/{criterion}/delete", always(OFFICERS), ("POST",)),
    "tenders.add_panel_member": Route("/tenders/{tender}/panel", always(OFFICERS), ("POST",)),
    "tenders.remove_panel_member": Route("/tenders/{tender}/panel/{member}/delete", always(OFFICERS), ("POST",)),
    "tenders.add_invitee": Route("/tenders/{tender}/invitees", always(OFFICERS), ("POST",)),
    "tenders.remove_invitee": Route("/tenders/{tender}/invitees/{invitation}/delete", always(OFFICERS), ("POST",)),
    "tenders.add_buyer": Route("/tenders/{tender}/buyers", always(OFFICERS), ("POST",)),
    "tenders.remove_buyer": Route("/tenders/{tender}/buyers/{co_buyer}/delete", always(OFFICERS), ("POST",)),
    # The bureau portal (issue 3)
    "portal.follow_link": None,  # token-guarded; covered by tests/test_portal_invitations.py
    "portal.index": Route("/portal", always(BUREAUS)),
    "portal.tender": Route("/portal/tenders/{tender}", from_stage("invitation", INVITED)),
    "portal.accept": Route("/portal/tenders/{tender}/accept", from_stage("invitation", INVITED), ("POST",)),
    "portal.decline": Route("/portal/tenders/{tender}/decline", from_stage("invitation", INVITED), ("POST",)),
    "portal.ask": Route("/portal/tenders/{tender}/questions", from_stage("invitation", INVITED), ("POST",)),
    "portal.vision": Route("/portal/tenders/{tender}/vision", from_stage("invitation", INVITED), ("GET", "POST")),
    "portal.version": Route("/portal/tenders/{tender}/vision/versions/1", from_stage("vision_submission", {"bureau"})),
    "portal.download": Route("/portal/tenders/{tender}/vision/attachments/{attachment}",
                             from_stage("vision_submission", {"bureau"})),
    "portal.remove_attachment": Route("/portal/tenders/{tender}/vision/attachments/{attachment}/delete",
                                      from_stage("vision_submission", {"bureau"}), ("POST",)),
    "portal.withdraw": Route("/portal/tenders/{tender}/vision/withdraw", from_stage("invitation", INVITED), ("POST",),
                             last=True),
    # The officer's side of invitations, questions, visions and mail (issue 3)
    "portal.resend": Route("/tenders/{tender}/invitations/{invitation}/resend", always(OFFICERS), ("POST",)),
    "portal.replace": Route("/tenders/{tender}/invitations/{invitation}/replace", always(OFFICERS), ("GET", "POST")),
    "portal.questions": Route("/tenders/{tender}/questions", always(OFFICERS)),
    "portal.answer": Route("/tenders/{tender}/questions/{question}/answer", from_stage("invitation", OFFICERS),
                           ("POST",)),
    "portal.clarify": Route("/tenders/{tender}/clarifications", always(OFFICERS), ("POST",)),
    "portal.remove_clarification": Route("/tenders/{tender}/clarifications/{clarification}/delete",
                                         from_stage("invitation", OFFICERS), ("POST",), last=True),
    "portal.publish": Route("/tenders/{tender}/bulletins", always(OFFICERS), ("POST",)),
    # Before the opening: sealed (409) for the buyers and the panel; after: not for a conflicted member.
    "portal.read_vision": Route("/tenders/{tender}/visions/{vision}", lambda stage: (
        OFFICERS | PANEL if stage == "vision_submission" else from_stage("vision_review", OFFICERS | {"panel"})(stage))),
    "portal.read_attachment": Route("/tenders/{tender}/visions/{vision}/attachments/{attachment}", lambda stage: (
        OFFICERS | PANEL if stage == "vision_submission" else from_stage("vision_review", OFFICERS | {"panel"})(stage))),
    "portal.outbox": Route("/outbox", always(ALL_OFFICERS)),
    "portal.outbox_message": Route("/outbox/{message}", from_stage("invitation", OFFICERS)),
    # The evaluation panel (issue 4). "panel" declared no conflict; "conflicted" declared one with "bureau".
    "evaluation.index": Route("/evaluation/", always(ALL_OFFICERS | PANEL | {"outsider"})),
    "evaluation.tender": Route("/evaluation/tenders/{tender}", from_stage("vision_review", OFFICERS | PANEL)),
    "evaluation.conflicts": Route("/evaluation/tenders/{tender}/conflicts", from_stage("vision_review", PANEL), ("GET", "POST")),
    "evaluation.excuse": Route("/evaluation/tenders/{tender}/excuse", from_stage("vision_review", OFFICERS), ("POST",)),
    "evaluation.bureau": Route("/evaluation/tenders/{tender}/bureaus/{bureau_id}",
                               from_stage("vision_review", OFFICERS | {"panel"})),
    "evaluation.attachment": Route("/evaluation/tenders/{tender}/bureaus/{bureau_id}/attachments/{attachment}",
                                   from_stage("vision_review", OFFICERS | {"panel"})),
    "evaluation.sheet": Route("/evaluation/tenders/{tender}/vision/{bureau_id}", from_stage("vision_review", {"panel"}),
                              ("GET", "POST")),
    "evaluation.reopen": Route("/evaluation/tenders/{tender}/sheets/{sheet}/reopen", from_stage("vision_review", OFFICERS), ("POST",)),
    "evaluation.due": Route("/evaluation/tenders/{tender}/vision/due", from_stage("vision_review", OFFICERS), ("POST",)),
    # The consensus view opens once every sheet for the bureau is in; only the chair (officer) records it.
    "evaluation.consensus": Route("/evaluation/tenders/{tender}/vision/{bureau_id}/consensus",
                                  from_stage("pitch", OFFICERS | {"panel"}), ("GET", "POST"),
                                  post_allowed=from_stage("pitch", OFFICERS)),
    # Open to the panel; lots holding a bureau a member may not see are hidden from that member.
    "evaluation.ranking": Route("/evaluation/tenders/{tender}/ranking", from_stage("vision_review", OFFICERS | PANEL)),
    "evaluation.shortlist": Route("/evaluation/tenders/{tender}/shortlist", from_stage("vision_review", OFFICERS), ("GET", "POST")),
    "evaluation.slots": Route("/evaluation/tenders/{tender}/slots", from_stage("pitch", OFFICERS), ("GET", "POST")),
    "evaluation.remove_slot": Route("/evaluation/tenders/{tender}/slots/{slot}/delete", from_stage("vision_review", OFFICERS), ("POST",)),
    "evaluation.publish_slots": Route("/evaluation/tenders/{tender}/slots/publish", from_stage("vision_review", OFFICERS), ("POST",)),
    "evaluation.withdraw": Route("/evaluation/tenders/{tender}/withdraw", from_stage("vision_review", OFFICERS), ("POST",)),
    "evaluation.bureau_pitches": Route("/evaluation/pitches", always(BUREAUS)),
    "evaluation.bureau_pitch": Route("/evaluation/pitches/{tender}", from_stage("pitch", {"bureau"}), ("GET", "POST")),
    "evaluation.bureau_ics": Route("/evaluation/pitches/{tender}/pitch.ics", from_stage("pitch", {"bureau"})),
    # Selection, the award decision, objections (issue 5). Only "bureau" submitted a vision and got a letter.
    # The selection and decision pages are the buyers' at every stage (before: "not yet"; a POST is refused).
    "award.selection": Route("/tenders/{tender}/selection", always(OFFICERS)),
    "award.save_selection": Route("/tenders/{tender}/selection/{lot}", always(OFFICERS), ("POST",)),
    "award.save_terms": Route("/tenders/{tender}/terms/{selection}", from_stage("standstill", OFFICERS), ("POST",)),
    "award.decision": Route("/tenders/{tender}/decision", always(OFFICERS)),
    "award.handle_objection": Route("/tenders/{tender}/objections/{objection}/handle", from_stage("standstill", OFFICERS),
                                    ("POST",)),
    "award.letter_pdf": Route("/award/letters/{letter}.pdf", from_stage("standstill", OFFICERS | {"bureau"})),
    "award.objection_file": Route("/award/objections/{objection}/files/{objection_file}",
                                  from_stage("standstill", OFFICERS | {"bureau"})),
    "award.bureau_letters": Route("/award/letters", always(BUREAUS)),
    "award.bureau_tender": Route("/award/tenders/{tender}", from_stage("standstill", {"bureau"})),
    "award.lodge_objection": Route("/award/tenders/{tender}/objections", from_stage("standstill", {"bureau"}), ("POST",)),
    # Open data (issue 7): public once the invitations went out; exports for the buying officers only.
    "ocds.index": Route("/open-data/", always(PUBLIC), public=True),
    "ocds.releases": Route("/open-data/tenders/{tender}/releases.json", from_stage("invitation", PUBLIC), public=True),
    "ocds.records": Route("/open-data/tenders/{tender}/records.json", from_stage("invitation", PUBLIC), public=True),
    "exports.download": Route("/tenders/{tender}/exports/audit.csv", always(OFFICERS)),
    # PDF reports: the opening record exists from the opening on; only the buying officers get it.
    "exports.tender_report": Route("/tenders/{tender}/reports/opening.pdf", from_stage("vision_review", OFFICERS)),
    # A programme's evaluation report exists once the meeting's decision is recorded, which the world never
    # reaches (its evaluation waits for the bureau's form): 404 for everyone here; tests/test_reports.py
    # covers the decided report and its access.
    "exports.programme_report": Route("/programmes/{programme}/evaluations/1/report.pdf", always(())),
    # Programmes (issue 6): the buyers' officers and the programme's own bureau; nobody else.
    "programmes.index": Route("/programmes/", always(ALL_OFFICERS | BUREAUS)),
    "programmes.show": Route("/programmes/{programme}", from_stage("awarded", PROGRAMME)),
    "programmes.act": Route("/programmes/{programme}/actions/end", from_stage("awarded", OFFICERS), ("POST",)),
    "programmes.plan": Route("/programmes/{programme}/plan/1", from_stage("programme_running", PROGRAMME)),
    "programmes.edit_plan": Route("/programmes/{programme}/plan/1/edit", from_stage("programme_running", PROGRAMME),
                                  ("GET", "POST")),
    "programmes.accept_plan": Route("/programmes/{programme}/plan/1/accept", from_stage("programme_running", PROGRAMME),
                                    ("POST",)),
    "programmes.comment_plan": Route("/programmes/{programme}/plan/1/comments",
                                     from_stage("programme_running", PROGRAMME), ("POST",)),
    "programmes.compare_plans": Route("/programmes/{programme}/plan/compare?a=1&b=1",
                                      from_stage("programme_running", PROGRAMME)),
    "programmes.new_version": Route("/programmes/{programme}/plan/new", from_stage("awarded", PROGRAMME), ("POST",),
                                    last=True),
    "programmes.participants": Route("/programmes/{programme}/participants", from_stage("awarded", PROGRAMME),
                                     ("GET", "POST"), post_allowed=from_stage("awarded", OFFICERS)),
    "programmes.withdraw_participant": Route("/programmes/{programme}/participants/{participant}/withdraw",
                                             from_stage("programme_running", OFFICERS), ("POST",), last=True),
    "programmes.evaluation": Route("/programmes/{programme}/evaluations/1",
                                   from_stage("programme_evaluation", PROGRAMME)),
    "programmes.evaluation_form": Route("/programmes/{programme}/evaluations/1/form",
                                        from_stage("programme_evaluation", PROGRAMME), ("GET", "POST")),
    "programmes.evaluation_feedback": Route("/programmes/{programme}/evaluations/1/feedback",
                                            from_stage("programme_evaluation", PROGRAMME), ("POST",)),
    "programmes.evaluation_decision": Route("/programmes/{programme}/evaluations/1/decision",
                                            from_stage("programme_evaluation", OFFICERS), ("POST",)),
}


def test_every_route_has_an_entry(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ROUTES))
    stale = sorted(set(ROUTES) - endpoints)
    assert missing == [], f"routes without an entry in the authorisation matrix: {missing}"
    assert stale == [], f"matrix entries for routes that no longer exist: {stale}"


def _client_for(app, world, role):
    client = app.test_client()
    user = world.users[role]
    if user is not None:
        login(client, user)
    return client


def _verdict(response, allowed: bool, public: bool, role: str, ends_at_login: bool = False) -> Optional[str]:
    """None when the answer is the expected one, else what went wrong."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if status >= 500:
        return f"server error {status}"
    to_login = status in (301, 302, 303) and "/login" in location
    if allowed:
        if status == 404 or (to_login and not (public or ends_at_login)):
            return f"refused ({status} {location})"
        return None
    if role == "anonymous" and not public:
        return None if to_login else f"anonymous not sent to login ({status})"
    return None if status == 404 else f"not refused ({status})"


def run_matrix(app, world, routes) -> tuple[int, list[str]]:
    clients = {role: _client_for(app, world, role) for role in W.ROLES}
    cells, violations = 0, []
    ordered = sorted(((e, r) for e, r in routes.items() if r is not None), key=lambda item: item[1].last)
    for endpoint, route in ordered:
        path = route.path.format(**world.ids)
        if "/None" in path:
            continue  # the object does not exist at this stage: no cell to check
        for role in W.ROLES:
            for method in route.methods:
                expect = route.post_allowed if method == "POST" and route.post_allowed else route.allowed
                allowed_roles = expect(world.stage)
                client = clients[role]
                response = client.get(path) if method == "GET" else client.post(path, data={"version": "-1"})
                cells += 1
                problem = _verdict(response, role in allowed_roles, route.public, role, route.ends_at_login)
                if problem:
                    violations.append(f"{world.stage} {method} {path} as {role}: {problem}")
                if endpoint == "auth.logout" and response.status_code == 303:
                    clients[role] = _client_for(app, world, role)  # log back in for the next cells
    return cells, violations


@pytest.mark.parametrize("stage", W.STAGES)
def test_matrix(app, make, session, stage, capsys):
    cells, violations = run_matrix(app, W.build(make, session, stage), ROUTES)
    figures.record("authz", cells=cells, violations=len(violations))
    with capsys.disabled():
        print(f"\nauthz[{stage}]: {cells} cells, {len(violations)} violations")
    assert violations == []


def test_matrix_catches_a_broken_permission(app, make, session, monkeypatch):
    """Let every officer see every tender (a broken scope): the matrix must report it."""
    from sqlmodel import select as sql_select

    from app import authz
    from app.models import Tender
    original = authz.visible_tenders
    monkeypatch.setattr(authz, "_BY_ID", {})  # the scope is compiled once per role: start afresh
    monkeypatch.setattr(authz, "visible_tenders",
                        lambda user: sql_select(Tender) if user.role == "officer" else original(user))
    world = W.build(make, session, "draft")
    _cells, violations = run_matrix(app, world, {"tenders.show": ROUTES["tenders.show"]})
    assert violations == [f"draft GET /tenders/{world.ids['tender']} as other_officer: not refused (200)"]
