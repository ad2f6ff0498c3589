"""Dutch is the default language and complete; English is the second."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "app/translations/nl/LC_MESSAGES/messages.po"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "app/translations/babel.cfg",
                    "-k", "_l", "-o", str(pot), "--omit-header", "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        return read_po(fh)


def test_every_message_has_a_dutch_translation(extracted):
    with CATALOGUE.open("rb") as fh:
        dutch = read_po(fh, locale="nl")
    missing = [m.id for m in extracted if m.id and not (dutch.get(m.id) and dutch.get(m.id).string)]
    assert missing == [], f"{len(missing)} messages lack a Dutch translation (run `make messages`): {missing[:20]}"


def test_translations_keep_their_placeholders():
    with CATALOGUE.open("rb") as fh:
        dutch = read_po(fh, locale="nl")
    problems = [(m.id, [str(e) for e in errors]) for m, errors in dutch.check() if errors]
    assert problems == []


@pytest.mark.app_config(BABEL_DEFAULT_LOCALE="nl")
def test_pages_render_in_dutch_by_default(client, make):
    html = client.get("/login").get_data(as_text=True)
    assert "Inloggen bij Samenspel" in html and 'lang="nl"' in html


@pytest.mark.app_config(BABEL_DEFAULT_LOCALE="nl")
def test_english_on_request(client, make):
    client.post("/language/en", data={})
    html = client.get("/login").get_data(as_text=True)
    assert "Log in to Samenspel" in html and 'lang="en"' in html


@pytest.mark.app_config(BABEL_DEFAULT_LOCALE="nl")
def test_refusal_reasons_are_dutch(login_as, make):
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    html = login_as(officer).get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert "Voeg minstens één perceel (managementlaag) toe." in html
    assert "Uitnodigingen versturen" in html
