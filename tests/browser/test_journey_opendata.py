"""Journey: the officer's dashboard lists the actions ready to take; the tender page shows the
timeline and offers the downloads, which arrive as real CSV and XLSX files; anyone reads the tender's
open data without logging in."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import openpyxl
import pytest
from playwright.sync_api import expect

from app import clock
from app.models import User
from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.opendata_factories import decided, opendata  # noqa: F401

pytestmark = pytest.mark.browser


def test_officer_downloads_exports_and_the_public_reads_open_data(page, browser, live_server, opendata, make,
                                                                  session):
    tender = opendata.tender("pitch")
    officer = session.get(User, tender.created_by_id)
    clock.freeze(tender.pitch_start + timedelta(hours=3))
    draft = make.tender(officer, title="Leergang teamleiders", start=clock.now())
    log_in(page, officer.email, PASSWORD)

    tasks = page.locator("section.tasks")
    expect(tasks.locator("h2")).to_contain_text("Acties die klaarstaan")
    expect(tasks).to_contain_text(f"Verstuur de uitnodigingen: {draft.title}")
    page.locator("#tenders-h + ul").get_by_role("link", name=tender.title).click()

    expect(page.locator("h1")).to_have_text(tender.title)
    chart = page.locator("svg.timeline-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("g[aria-current=date] text")).to_contain_text("Vandaag")
    expect(chart.locator(".tl-mark .tl-label")).to_have_count(5)

    with page.expect_download() as info:
        page.click("a[data-export=invitations-csv]")
    download = info.value
    assert download.suggested_filename == f"{tender.reference}-invitations.csv"
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert rows[0][:4] == ["Bureau", "Contactpersoon", "E-mail", "Status"] and len(rows) == 5
    assert sorted(r[3] for r in rows[1:]) == ["aangenomen", "aangenomen", "aangenomen", "afgeslagen"]

    with page.expect_download() as info:
        page.click("a[data-export=audit-xlsx]")
    sheet = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes())).active
    values = list(sheet.values)
    assert values[0][4] == "Wat" and values[1][4] == "Aanbesteding aangemaakt"
    assert any(v[5] == "tender.start_pitches" for v in values[1:])

    public = browser.new_context(base_url=live_server.url, locale="nl-NL")
    try:
        anonymous = public.new_page()
        anonymous.goto("/open-data/")
        expect(anonymous.locator("h1")).to_contain_text("Open data")
        expect(anonymous.locator("main")).not_to_contain_text(draft.title)
        anonymous.get_by_role("link", name="Releases (JSON)").click()
        package = json.loads(anonymous.locator("body").inner_text())
        assert [r["tag"] for r in package["releases"]] == [["tender"], ["tenderUpdate"]]
        assert package["releases"][0]["tender"]["awardCriteriaDetails"].startswith("Beste prijs-kwaliteitverhouding")
    finally:
        public.close()
