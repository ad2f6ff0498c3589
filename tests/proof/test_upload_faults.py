"""Faults: the upload storage fails (full disk, read-only) while a bureau works on its vision.

The bureau gets a clear message (never a 500; 503, since the fault is the server's and passes),
what it typed stays in the form, the version it submitted earlier keeps its texts and files, and
nothing is stored by halves: no row without its file, no half-written file. Once the storage
works again the same request succeeds.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import Attachment, Lot, Vision, VisionVersion
from app.portal import submissions
from tests import figures
from tests.portal_factories import SECTIONS, contacts, invited, open_submission, pdf_bytes, submit
from tests.proof.storage import FailingStorage, half_stored

MESSAGE = "could not be stored; nothing was saved"


@pytest.fixture
def storage(app, monkeypatch):
    failing = FailingStorage(Path(app.config["UPLOAD_DIR"]), monkeypatch)
    yield failing
    failing.repair()
    failing.close()


@pytest.fixture
def world(make, session, storage):
    tender, officer = invited(make, session)
    open_submission(session, officer, tender)
    bureau = contacts(session, tender)[0]
    first = submit(session, bureau, tender, upload=submissions.Upload(pdf_bytes("eerste"), "eerste.pdf"))
    lots = session.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position)).all()
    return {"tender": tender, "bureau": bureau, "lots": lots[:1], "first": first}


def _form(lots, action: str, file: bytes | None = None, **sections) -> dict:
    data = {"action": action, **SECTIONS, **sections}
    for lot in lots:
        data[f"lot-{lot.id}"] = "y"
        data[f"approach-{lot.id}"] = f"Onze aanpak voor {lot.title}"
    if file is not None:
        data["attachment"] = (io.BytesIO(file), "nieuw.pdf")
    return data


def _versions(session, bureau) -> list[tuple[int, str, bool, list[str]]]:
    """(number, view text, submitted?, file names) per version."""
    session.commit()
    session.expire_all()
    versions = session.exec(select(VisionVersion).join(Vision, Vision.id == VisionVersion.vision_id)
                            .where(Vision.bureau_id == bureau.bureau_id).order_by(VisionVersion.number)).all()
    files = {v.id: sorted(a.filename for a in session.exec(select(Attachment).where(
        Attachment.owner_type == submissions.OWNER, Attachment.owner_id == v.id))) for v in versions}
    return [(v.number, v.view, v.submitted_at is not None, files[v.id]) for v in versions]


def _refused_and_intact(response, session, world, before, typed: str) -> int:
    """The checks for one request during the fault; returns the number of half-stored findings."""
    html = response.get_data(as_text=True)
    assert response.status_code == 503, response.status_code
    assert MESSAGE in html and typed in html  # a clear message; what was typed is still in the form
    assert _versions(session, world["bureau"]) == before  # the version that counts, unchanged
    return len(half_stored(session, _dir(world)))


def _dir(world) -> Path:
    from flask import current_app
    return Path(current_app.config["UPLOAD_DIR"])


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_failing_upload_storage_loses_nothing_and_stores_nothing_by_halves(world, session, login_as, storage,
                                                                           fault):
    client = login_as(world["bureau"])
    url = f"/portal/tenders/{world['tender'].id}/vision"
    before = _versions(session, world["bureau"])
    assert before == [(1, SECTIONS["view"], True, ["eerste.pdf"])]
    storage.fill() if fault == "full" else storage.make_read_only()

    findings = 0
    for action in ("save", "submit"):  # a new file with new texts: refused, nothing kept
        response = client.post(url, data=_form(world["lots"], action, pdf_bytes("tweede"), view=f"Tekst {action}"))
        findings += _refused_and_intact(response, session, world, before, f"Tekst {action}")
    attempts = 2

    # Texts only: the new draft carries the submitted files as links, so a full disk does not stop a
    # bureau from revising its texts; a read-only storage does, with the same clear refusal.
    response = client.post(url, data=_form(world["lots"], "save", view="Alleen tekst"))
    attempts += 1
    if fault == "full":
        assert response.status_code == 303
        assert _versions(session, world["bureau"]) == before + [(2, "Alleen tekst", False, ["eerste.pdf"])]
        before = _versions(session, world["bureau"])
    else:
        findings += _refused_and_intact(response, session, world, before, "Alleen tekst")
    findings += len(half_stored(session, _dir(world)))

    storage.repair()  # the storage works again: the same request goes through
    response = client.post(url, data=_form(world["lots"], "submit", pdf_bytes("tweede"), view="Hersteld"))
    assert response.status_code == 303
    latest = _versions(session, world["bureau"])[-1]
    assert latest == (2, "Hersteld", True, ["eerste.pdf", "nieuw.pdf"])
    problems = half_stored(session, _dir(world))
    figures.record("faults", uploads=attempts, half_stored=findings + len(problems))
    assert problems == [] and findings == 0, (storage.how, problems)


def test_the_check_catches_a_storage_layer_that_swallows_the_error(world, session, login_as, storage, monkeypatch):
    """Break the storage on purpose (a write error ignored): the row is stored without its file, and
    the check says so."""
    from app import files
    write = files._write

    def careless(stored_name, data):
        try:
            write(stored_name, data)
        except files.StorageError:
            pass  # "it will be fine"

    monkeypatch.setattr(files, "_write", careless)
    storage.fill()
    client = login_as(world["bureau"])
    response = client.post(f"/portal/tenders/{world['tender'].id}/vision",
                           data=_form(world["lots"], "submit", pdf_bytes("tweede"), view="Nieuw"))
    assert response.status_code == 303  # the bureau is told all went well …
    assert any("no file" in p for p in half_stored(session, _dir(world)))  # … and the check finds out
