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

from bench.browser import screenshot, wait_for_app


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
