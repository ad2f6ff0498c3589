"""Journey: after the pitches' consensus the officer finds the scores export and the PDF reports in
the downloads block of the tender page, downloads the CSV, the XLSX and both PDFs in a real browser,
and the files say what they should (read back with csv, openpyxl and pypdf)."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.test_reports import NAMES, evaluated, pdf_text

pytestmark = pytest.mark.browser


def _download(page, name: str):
    with page.expect_download() as info:
        page.click(f"a[data-export={name}]")
    return info.value


def test_officer_downloads_scores_and_reports(page, live_server, make, session):
    sc = evaluated(make, session, "selection")
    log_in(page, sc.officer.email, PASSWORD)
    page.goto(f"/tenders/{sc.id}")
    block = page.locator("#downloads")
    expect(block.locator("h2")).to_have_text("Downloads")
    expect(block).to_contain_text("Scores per bureau, criterium en beoordelaar, met de consensus")
    expect(block).to_contain_text("Beoordelingsrapport (pdf)")
    expect(block).to_contain_text("Proces-verbaal van opening (pdf)")

    download = _download(page, "scores-csv")
    assert download.suggested_filename == f"{sc.tender.reference}-scores.csv"
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert rows[0][:3] == ["Fase", "Bureau", "Criterium"] and rows[0][5] == "Beoordelaar"
    assert len(rows) == 1 + 24 and {r[0] for r in rows[1:]} == {"Visie", "Pitch"}
    assert {r[1] for r in rows[1:]} == set(NAMES)

    download = _download(page, "scores-xlsx")
    assert download.suggested_filename == f"{sc.tender.reference}-scores.xlsx"
    values = list(openpyxl.load_workbook(io.BytesIO(download.path().read_bytes())).active.values)
    assert len(values) == 25 and values[0][9] == "Consensusscore"
    assert any(v[10] == f"Notitie pitch {NAMES[2]}" for v in values[1:])

    download = _download(page, "evaluation-pdf")
    assert download.suggested_filename == f"{sc.tender.reference}-evaluation.pdf"
    text = pdf_text(download.path().read_bytes())
    assert "Beoordelingsrapport" in text and "Rangschikking per perceel" in text
    assert "=1 Atelier Noord" in text and "=1 Bureau Zuid" in text and "76,00" in text

    download = _download(page, "opening-pdf")
    text = pdf_text(download.path().read_bytes())
    assert "Proces-verbaal van opening" in text and "3 van 3 uitgenodigde bureaus" in text
    for name in NAMES:
        assert name in text


def test_officer_downloads_the_yearly_evaluation_report(page, live_server, make, session):
    from tests.programme_factories import ProgrammeFactory
    pf = ProgrammeFactory(make)
    setup = pf.programme()
    pf.agreed_plan(setup, indicators=("Betrokkenheid", "Reflectief vermogen"))
    pf.year_passes(setup)
    pf.submit_forms(setup, {"municipality": {"Betrokkenheid": 8, "Reflectief vermogen": 6},
                            "bureau": {"Betrokkenheid": 9, "Reflectief vermogen": 7}})
    pf.decide(setup, "end", "Het programma heeft zijn doel bereikt.")
    log_in(page, setup.officer.email, PASSWORD)
    page.goto(f"/programmes/{setup.programme.id}")
    expect(page.locator("#downloads")).to_contain_text("Evaluatierapport Jaar 1")
    download = _download(page, "programme-report-1")
    text = pdf_text(download.path().read_bytes())
    assert "Jaarlijks evaluatierapport" in text and setup.bureau.name in text
    assert "Programma beëindigen" in text
    assert "Het programma heeft zijn doel bereikt." in text and "8,50" in text
