"""Opfølgning in a real browser: the Statusrapport downloads from the page (issue 18).

The page offers the report for the chosen period as PDF and XLSX; both are built when clicked.
The PDF's text carries the same colour counts and follow-up figures the page shows.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pypdf
from playwright.sync_api import Page, expect

from tests.support.browser import screenshot, wait_for_app


def _download(page: Page, key: str):
    button = page.locator(f".st-key-{key}").get_by_role("button")
    expect(button).to_be_visible(timeout=60_000)
    with page.expect_download(timeout=120_000) as info:
        button.click()
    return info.value


def _metric(page: Page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def test_report_downloads_from_the_page(page, app_server):
    page.goto(f"{app_server}/opfoelgning")
    wait_for_app(page, settle_ms=0)
    expect(page.get_by_role("heading", name="Opfølgning", exact=True)).to_be_visible(timeout=60_000)
    expect(page.locator(".st-key-fu_dl_pdf")).to_be_visible(timeout=60_000)
    screenshot(page, "opfoelgning-1280")
    red = _metric(page, "Rød (Trin 3)")
    evictions = _metric(page, "Fogedsager")
    used = _metric(page, "Anvendt af boliganvisningen")

    pdf = _download(page, "fu_dl_pdf")
    assert pdf.suggested_filename == "statusrapport_20260101-20261231.pdf"
    data = Path(pdf.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages))
    assert "Statusrapport 2026" in text and "DEMODATA" in text
    assert f"Rød (Trin 3) {red} afdelinger" in text
    assert f"Fogedsager {evictions} forrige periode" in text
    assert f"Anvendt {used} behov" in text

    xlsx = _download(page, "fu_dl_xlsx")
    assert xlsx.suggested_filename == "statusrapport_20260101-20261231.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(xlsx.path()).read_bytes()), read_only=True)
    assert book.sheetnames[:2] == ["Statusrapport", "Farvefordeling"]


def _edit_last_cell(page: Page, grid, text: str) -> None:
    """Type ``text`` into the first row's last cell (Antal) of a data editor."""
    grid.scroll_into_view_if_needed()
    wait_for_app(page, settle_ms=300)
    box = grid.bounding_box()
    x, y = box["x"] + box["width"] - 25, box["y"] + 35 + 17  # header ~35 px, rows ~35 px
    page.mouse.click(box["x"] + 60, y)  # select a read-only cell first (Række-id)
    page.mouse.dblclick(x, y)  # opens the cell's editor
    editor = page.locator("#portal textarea, #portal input").first
    expect(editor).to_be_visible(timeout=10_000)
    editor.fill(text)
    page.keyboard.press("Enter")
    wait_for_app(page, settle_ms=500)  # the edit reruns the script; a click during it is lost


def _open_editor(page: Page, app_server: str):
    """Open Opfølgning, the editor's expander, kind Fogedsager and year 2023; return the grid."""
    page.goto(f"{app_server}/opfoelgning")
    wait_for_app(page, settle_ms=0)
    expander = page.locator("[data-testid='stExpander']").filter(has_text="Ret opfølgningsdata")
    expander.locator("summary").click()
    page.locator(".st-key-fu_edit_kind").get_by_role("combobox").click()
    page.get_by_role("option", name="Fogedsager").click()
    expect(page.locator("[class*='st-key-fu_editor_fogedsag_2026']")).to_be_visible(timeout=30_000)
    year = page.locator(".st-key-fu_edit_year").get_by_role("combobox")
    year.click()
    year.fill("2023")
    page.keyboard.press("Enter")
    grid = page.locator("[class*='st-key-fu_editor_fogedsag_2023'] [data-testid='stDataFrameResizable']")
    expect(grid).to_be_visible(timeout=30_000)
    return grid


def test_admin_corrects_a_row_in_the_editor(page, app_server):
    """The table editor: a bad value is refused with the problem named; a good one is saved and
    written to the audit trail (seen on Revisionsspor). Edits a 2023 row, outside the periods
    other tests read."""
    grid = _open_editor(page, app_server)
    _edit_last_cell(page, grid, "fem")
    page.locator(".st-key-fu_edit_save").get_by_role("button").click()
    expect(page.get_by_text("Rettelserne kan ikke gemmes")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("er ikke et tal").first).to_be_visible()
    screenshot(page, "opfoelgning-editor-fejl")

    grid = _open_editor(page, app_server)  # a fresh page: the refused edit is gone
    _edit_last_cell(page, grid, "12")
    page.locator(".st-key-fu_edit_save").get_by_role("button").click()
    expect(page.get_by_text("1 rækker er rettet og skrevet i revisionssporet")).to_be_visible(timeout=30_000)

    page.goto(f"{app_server}/revision")
    wait_for_app(page, settle_ms=0)
    expect(page.get_by_text("Opfølgningsdata rettet").first).to_be_attached(timeout=30_000)  # a grid cell
