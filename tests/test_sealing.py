"""Sealed until the deadline: before the opening nobody but the bureau itself — not the officer,
not an evaluator, not an admin, not another bureau — can read a vision or its attachments, on any
route of the application. After `tenders tick` past the deadline the officer and the panel can."""
from __future__ import annotations

import io

import pytest
from sqlmodel import select

from app.models import Attachment, OutboxMessage, PanelMember, User, Vision
from tests.portal_factories import contacts, invited, open_submission, past_deadline, pdf_bytes, submit

MARKER = "ZEGEL-7f3a"
PARAMS = {"number": 1, "kind": "users", "section": "brief", "stage": "vision"}
SKIP = {"static", "portal.follow_link", "auth.set_password"}


@pytest.fixture
def sealed(make, session, login_as):
    tender, officer = invited(make, session)
    open_submission(session, officer, tender)
    owner, other, _third = contacts(session, tender)
    from app.portal import submissions
    upload = submissions.Upload(data=pdf_bytes(MARKER), filename=f"{MARKER}.pdf")
    submit(session, owner, tender, upload, view=f"{MARKER} visie", team=f"{MARKER} team")
    vision = session.exec(select(Vision)).one()
    attachment = session.exec(select(Attachment)).one()
    evaluator = session.exec(select(User).join(PanelMember, PanelMember.user_id == User.id)
                             .where(PanelMember.tender_id == tender.id)).first()
    ids = {"tender_id": tender.id, "vision_id": vision.id, "attachment_id": attachment.id,
           "message_id": session.exec(select(OutboxMessage.id).where(OutboxMessage.kind == "receipt")).one()}
    return {"tender": tender, "officer": officer, "owner": owner, "other": other, "evaluator": evaluator,
            "admin": make.admin(), "outsider": make.evaluator(make.organisation()), "ids": ids}


def _urls(app, ids):
    """Every GET route of the app, filled with the ids of the sealed tender, vision and attachment."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP or "GET" not in rule.methods:
            continue
        values = {arg: ids.get(arg, PARAMS.get(arg, 1)) for arg in rule.arguments if arg not in (rule.defaults or {})}
        values.update(rule.defaults or {})
        built = rule.build(values, append_unknown=False)
        if built is not None:
            urls.append(built[1])
    return urls


@pytest.mark.app_config(MAIL_SERVER="")
def test_nobody_but_the_bureau_reads_a_vision_before_the_opening(app, sealed, login_as):
    urls = _urls(app, sealed["ids"])
    assert any("/visions/" in u for u in urls) and any("/outbox/" in u for u in urls)
    owner = login_as(sealed["owner"])
    assert MARKER.encode() in owner.get(f"/portal/tenders/{sealed['tender'].id}/vision").data
    for who in ("officer", "evaluator", "admin", "other", "outsider"):
        client = login_as(sealed[who])
        for url in urls:
            response = client.get(url)
            assert MARKER.encode() not in response.data, f"{who} read the sealed vision at {url}"
    officer = login_as(sealed["officer"])
    read = officer.get(f"/tenders/{sealed['tender'].id}/visions/{sealed['ids']['vision_id']}")
    assert read.status_code == 409 and "sealed until the deadline" in read.get_data(as_text=True).lower()
    page = officer.get(f"/tenders/{sealed['tender'].id}").get_data(as_text=True)
    assert "submitted" in page  # whether and when, nothing more


def test_after_the_deadline_the_panel_and_officer_read_it(app, sealed, login_as, runner, session):
    tender = sealed["tender"]
    past_deadline(tender)
    result = runner.invoke(args=["tenders", "tick"])
    assert f"{tender.reference}: vision_review" in result.output
    vision_url = f"/tenders/{tender.id}/visions/{sealed['ids']['vision_id']}"
    attachment_url = f"{vision_url}/attachments/{sealed['ids']['attachment_id']}"
    # Before declaring conflicts of interest a panel member sees no material (issue 4).
    assert login_as(sealed["evaluator"]).get(vision_url).status_code == 404
    _declare_no_conflicts(session, sealed["evaluator"], tender)
    for who in ("officer", "evaluator"):
        client = login_as(sealed[who])
        assert MARKER in client.get(vision_url).get_data(as_text=True)
        download = client.get(attachment_url)
        assert download.status_code == 200 and MARKER.encode() in download.data
        assert download.headers["Content-Disposition"].startswith("attachment")
    for who in ("admin", "outsider", "other"):
        client = login_as(sealed[who])
        assert client.get(vision_url).status_code == 404
        assert client.get(attachment_url).status_code == 404
    other_bureau = login_as(sealed["other"])
    own_url = f"/portal/tenders/{tender.id}/vision/attachments/{sealed['ids']['attachment_id']}"
    assert other_bureau.get(own_url).status_code == 404


def _declare_no_conflicts(session, evaluator, tender):
    from app.evaluation import operations as evaluation
    from app.evaluation.panel import load_panel
    tender = session.get(type(tender), tender.id)
    evaluation.declare_conflicts(session, evaluator, tender,
                                 {b: ("none", "") for b in load_panel(session, tender).bureaus})
    session.commit()


def test_another_bureaus_attachment_is_404_before_and_after(sealed, login_as):
    url = f"/portal/tenders/{sealed['tender'].id}/vision/attachments/{sealed['ids']['attachment_id']}"
    assert login_as(sealed["owner"]).get(url).status_code == 200
    assert login_as(sealed["other"]).get(url).status_code == 404
    assert login_as(sealed["other"]).get(f"/portal/tenders/{sealed['tender'].id}/vision/versions/1").status_code == 404


def test_upload_is_stored_under_a_generated_name(sealed, session, app):
    attachment = session.exec(select(Attachment)).one()
    assert MARKER not in attachment.stored_name and attachment.content_type == "application/pdf"
    assert io.BytesIO(pdf_bytes(MARKER)).getvalue() == (
        __import__("pathlib").Path(app.config["UPLOAD_DIR"]) / attachment.stored_name).read_bytes()
