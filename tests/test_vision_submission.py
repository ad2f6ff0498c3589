"""Vision submission: draft, submit, revise and resubmit (every version kept), withdraw; uploads
checked by content and size; empty sections, double submits and late submissions refused with a
clear message and nothing lost."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from app import clock
from app.models import Attachment, AuditEvent, Lot, OutboxMessage, Vision, VisionLot, VisionVersion
from app.portal import submissions
from tests.portal_factories import (
    SECTIONS, contacts, docx_bytes, invited, odt_bytes, open_submission, pdf_bytes, submit, vision_input,
)
from workflows import Refused


@pytest.fixture
def world(make, session):
    tender, officer = invited(make, session)
    open_submission(session, officer, tender)
    bureau, other, _third = contacts(session, tender)
    lots = session.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position)).all()
    return {"tender": tender, "officer": officer, "bureau": bureau, "other": other, "lots": lots}


def _form(lots, action="submit", **sections):
    data = {"action": action, **SECTIONS, **sections}
    for lot in lots:
        data[f"lot-{lot.id}"] = "y"
        data[f"approach-{lot.id}"] = f"Onze aanpak voor {lot.title}"
    return data


def _versions(session, bureau):
    session.commit()
    return session.exec(select(VisionVersion).join(Vision, Vision.id == VisionVersion.vision_id)
                        .where(Vision.bureau_id == bureau.bureau_id).order_by(VisionVersion.number)).all()


def test_draft_submit_revise_resubmit(world, session, login_as, count_queries):
    tender, bureau, lots = world["tender"], world["bureau"], world["lots"]
    client = login_as(bureau)
    url = f"/portal/tenders/{tender.id}/vision"
    draft = client.post(url, data={**_form(lots[:1], action="save"), "view": "Eerste gedachte",
                                   "attachment": (__import__("io").BytesIO(pdf_bytes()), "visie.pdf")})
    assert draft.status_code == 303
    [v1] = _versions(session, bureau)
    assert v1.submitted_at is None and v1.view == "Eerste gedachte"
    with count_queries() as q:
        page = client.get(url).get_data(as_text=True)
    assert q.count <= 14, q.statements
    assert "Eerste gedachte" in page and "visie.pdf" in page and "not submitted" in page

    submitted = client.post(url, data=_form(lots[:1]))
    assert submitted.status_code == 303
    [v1] = _versions(session, bureau)
    assert v1.submitted_at is not None and len(v1.content_hash) == 64
    vision = session.exec(select(Vision).where(Vision.bureau_id == bureau.bureau_id)).one()
    assert (vision.status, vision.submitted_version) == ("submitted", 1)

    # Revise: a new draft copies text, lots and files; version 1 stays as it was.
    client.post(url, data={**_form(lots, action="save"), "team": "Vier begeleiders."})
    client.post(url, data={**_form(lots), "team": "Vier begeleiders."})
    v1, v2 = _versions(session, bureau)
    assert (v1.team, v2.team) == (SECTIONS["team"], "Vier begeleiders.")
    assert v2.submitted_at is not None and v1.content_hash != v2.content_hash
    session.expire_all()
    assert session.get(Vision, vision.id).submitted_version == 2
    files = session.exec(select(Attachment).where(Attachment.owner_type == "vision_version")).all()
    assert sorted((a.owner_id, a.filename) for a in files) == [(v1.id, "visie.pdf"), (v2.id, "visie.pdf")]
    assert len(session.exec(select(VisionLot).where(VisionLot.version_id == v2.id)).all()) == 2
    receipts = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "receipt")).all()
    assert len(receipts) == 2 and v2.content_hash in receipts[1].body_text
    assert SECTIONS["view"] not in receipts[1].body_text  # receipts never carry the content
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "vision.submitted")).all()
    assert len(events) == 2 and SECTIONS["view"] not in events[1].canonical
    old = client.get(f"/portal/tenders/{tender.id}/vision/versions/1").get_data(as_text=True)
    assert SECTIONS["team"] in old and "Vier begeleiders." not in old


def test_submitted_versions_are_immutable_in_the_database(world, session):
    version = submit(session, world["bureau"], world["tender"])
    for statement in (f"UPDATE vision_version SET view = 'vervalst' WHERE id = {version.id}",
                      f"DELETE FROM vision_version WHERE id = {version.id}",
                      f"UPDATE vision_lot SET approach = 'vervalst' WHERE version_id = {version.id}"):
        with pytest.raises(DBAPIError):
            session.execute(text(statement))
        session.rollback()


def test_empty_sections_and_missing_lots_are_refused_and_kept(world, session, login_as):
    client = login_as(world["bureau"])
    response = client.post(f"/portal/tenders/{world['tender'].id}/vision",
                           data={**_form([], view="Mijn visie in wording"), "team": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Fill in the section “The team”." in html and "Choose at least one lot" in html
    assert "Mijn visie in wording" in html
    assert all(v.submitted_at is None for v in _versions(session, world["bureau"]))
    lot = world["lots"][0]
    no_approach = client.post(f"/portal/tenders/{world['tender'].id}/vision",
                              data={**_form([]), f"lot-{lot.id}": "y", f"approach-{lot.id}": ""})
    assert no_approach.status_code == 422 and "approach for every lot" in no_approach.get_data(as_text=True)


@pytest.mark.app_config(VISION_ATTACHMENT_MB=1)
@pytest.mark.parametrize("name,data,ok", [
    ("plan.pdf", pdf_bytes(), True),
    ("plan.docx", docx_bytes(), True),
    ("plan.odt", odt_bytes(), True),
    ("plan.pdf", b"MZ\x90\x00 this is a program, not a pdf" * 10, False),
    ("groot.pdf", pdf_bytes() + b"0" * (1024 * 1024 + 1), False),
])
def test_uploads_are_checked_by_content_and_size(world, session, login_as, name, data, ok):
    import io
    client = login_as(world["bureau"])
    response = client.post(f"/portal/tenders/{world['tender'].id}/vision",
                           data={**_form(world["lots"][:1], action="save", view="Bewaard"),
                                 "attachment": (io.BytesIO(data), name)})
    stored = session.exec(select(Attachment)).all()
    if ok:
        assert response.status_code == 303 and len(stored) == 1 and stored[0].filename == name
    else:
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and stored == []
        assert ("not a PDF, DOCX or ODT" in html or "larger than 1 MB" in html) and "Bewaard" in html


@pytest.mark.app_config(MAX_CONTENT_LENGTH=200_000)
def test_a_request_over_the_upload_limit_loses_nothing_saved(world, session, login_as):
    import io
    submit(session, world["bureau"], world["tender"])
    client = login_as(world["bureau"])
    response = client.post(f"/portal/tenders/{world['tender'].id}/vision",
                           data={**_form(world["lots"]), "attachment": (io.BytesIO(b"%PDF" + b"0" * 300_000), "x.pdf")})
    assert response.status_code == 413 and "nothing was saved" in response.get_data(as_text=True)
    assert [v.number for v in _versions(session, world["bureau"])] == [1]


def test_double_submit_gives_one_version(world, session, login_as):
    client = login_as(world["bureau"])
    url = f"/portal/tenders/{world['tender'].id}/vision"
    assert client.post(url, data=_form(world["lots"])).status_code == 303
    again = client.post(url, data=_form(world["lots"]))
    assert again.status_code == 409 and "already submitted as version 1" in again.get_data(as_text=True)
    assert [v.number for v in _versions(session, world["bureau"])] == [1]


def test_withdraw_and_submit_again(world, session, login_as):
    submit(session, world["bureau"], world["tender"])
    client = login_as(world["bureau"])
    client.post(f"/portal/tenders/{world['tender'].id}/vision/withdraw", data={})
    vision = session.exec(select(Vision)).one()
    assert (vision.status, vision.submitted_version) == ("withdrawn", None)
    assert len(_versions(session, world["bureau"])) == 1  # the submitted version is kept
    client.post(f"/portal/tenders/{world['tender'].id}/vision", data=_form(world["lots"], team="Nieuw team"))
    session.expire_all()
    assert session.get(Vision, vision.id).submitted_version == 2


def test_late_submission_is_refused_with_the_deadline_and_nothing_lost(world, session, login_as):
    tender, bureau = world["tender"], world["bureau"]
    submit(session, bureau, tender)
    clock.freeze(tender.vision_deadline + timedelta(seconds=1))
    response = login_as(bureau).post(f"/portal/tenders/{tender.id}/vision",
                                     data=_form(world["lots"], view="Te laat herzien"))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The deadline for visions has passed" in html and "Amsterdam time" in html
    assert "Te laat herzien" in html  # the typed text is still on the page
    versions = _versions(session, bureau)
    assert [v.number for v in versions] == [1] and versions[0].submitted_at is not None
    late = session.exec(select(AuditEvent).where(AuditEvent.action == "vision.late_refused")).one()
    assert late.actor_id == bureau.id


def test_receipt_time_decides_a_submit_racing_the_deadline(world, session):
    """Received a second before the deadline but handled after it: accepted (server receipt time)."""
    tender, bureau = world["tender"], world["bureau"]
    clock.freeze(tender.vision_deadline + timedelta(seconds=2))
    received = tender.vision_deadline - timedelta(seconds=1)
    version = submissions.submit(session, bureau, tender, vision_input(session, tender), None, received)
    session.commit()
    assert version.submitted_at == received
    with pytest.raises(Refused) as late:
        submissions.submit(session, world["other"], tender, vision_input(session, tender), None,
                           tender.vision_deadline)
    assert "has passed" in late.value.reasons[0]


def test_submission_opens_only_with_the_stage_and_needs_an_active_invitation(make, session, login_as):
    tender, _officer = invited(make, session)
    bureau, declined = contacts(session, tender)[:2]
    with pytest.raises(Refused) as early:
        submit(session, bureau, tender)
    assert "has not opened yet" in early.value.reasons[0]
    session.rollback()
    assert submissions.save_draft(session, bureau, tender, vision_input(session, tender)) is not None  # drafts are fine
    session.commit()
    login_as(declined).post(f"/portal/tenders/{tender.id}/decline", data={"reason": "Nee"})
    response = login_as(declined).post(f"/portal/tenders/{tender.id}/vision", data={"action": "save", **SECTIONS})
    assert response.status_code == 409 and "have not declined" in response.get_data(as_text=True)


def test_declining_after_submitting_needs_a_withdrawal_first(world, session, login_as):
    submit(session, world["bureau"], world["tender"])
    response = login_as(world["bureau"]).post(f"/portal/tenders/{world['tender'].id}/decline",
                                              data={"reason": "Toch niet"})
    assert response.status_code == 409 and "Withdraw it first" in response.get_data(as_text=True)
