"""Eksport in a real browser: the downloaded files are what the command line produces.

The CLI runs in a subprocess against a second demo database built by ``python -m trappetrin demo``:
the server holds its own DuckDB file and DuckDB lets no other process open it, not even
read-only. The demo generator is deterministic, so both databases hold the same data.
"""

from __future__ import annotations

import csv as csv_module
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import REPO_ROOT, screenshot, wait_for_app
from tests.support.csvfiles import normalise_dannet

SCENARIO = "p.c.forebyggelse.outside_labour=35"
PREVIEW_ROW = "[data-testid='stDataFrame'] table[role='grid'] tbody tr"


def _cli(db: Path, *args: str) -> bytes:
    proc = subprocess.run(
        [sys.executable, "-m", "trappetrin", *args],
        cwd=REPO_ROOT,
        env={**os.environ, "TRAPPETRIN_DB": str(db)},
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli_db") / "trappetrin.duckdb"
    _cli(db, "demo")
    return db


@pytest.fixture(scope="module")
def newest(cli_db: Path) -> str:
    return _cli(cli_db, "releases").decode().splitlines()[-1].split("\t")[0]


def download(page: Page, key: str):
    """Click the download button with widget key ``key``; return Playwright's Download."""
    button = page.locator(f".st-key-{key}").get_by_role("button")
    expect(button).to_be_visible()
    with page.expect_download(timeout=30_000) as info:
        button.click()
    return info.value


def test_danish_csv_download_equals_cli(page, app_server, cli_db, newest):
    """Clicking "CSV til dansk Excel" downloads exactly ``python -m trappetrin classify`` output.

    On /eksport (newest release, adopted rule set trappetrin) the downloaded file is named
    ``farveliste_<newest>_trappetrin-v1.csv`` and its bytes equal the CLI's for the same release
    and rule set, apart from the Dannet column (generation minute). The XLSX button, whose file
    is generated on click, delivers a workbook with the three sheets.
    """
    page.goto(f"{app_server}/eksport")
    wait_for_app(page, settle_ms=0)
    expect(page.get_by_role("heading", name="Eksport", exact=True)).to_be_visible()
    expect(page.locator(PREVIEW_ROW).first).to_be_attached(timeout=30_000)
    screenshot(page, "eksport-1280")

    csv = download(page, "dl_csv_danish")
    assert csv.suggested_filename == f"farveliste_{newest}_trappetrin-v1.csv"
    offered = Path(csv.path()).read_bytes()
    expected = _cli(cli_db, "classify", "--release", newest, "--rules", "trappetrin")
    assert offered.startswith(b"\xef\xbb\xbf")
    assert normalise_dannet(offered) == normalise_dannet(expected)

    xlsx = download(page, "dl_xlsx")
    assert xlsx.suggested_filename == f"farveliste_{newest}_trappetrin-v1.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(xlsx.path()).read_bytes()), read_only=True)
    assert book.sheetnames == ["Farveliste", "Røde og gule", "Anvisning", "Om data"]


def test_scenario_link_exports_a_marked_scenario(page, app_server, newest):
    """A shared scenario link on /eksport downloads a file named and marked as a scenario.

    ``?p.c.forebyggelse.outside_labour=35`` puts a scenario on top of trappetrin: the page warns,
    and the Danish CSV is ``farveliste_<newest>_trappetrin-v1_scenarie.csv`` with Regelsæt
    "trappetrin + scenarie" on every row.
    """
    page.goto(f"{app_server}/eksport?{SCENARIO}")
    wait_for_app(page, settle_ms=0)
    expect(page.get_by_text("scenarie", exact=False).first).to_be_visible()
    expect(page.locator(PREVIEW_ROW).first).to_be_attached(timeout=30_000)
    screenshot(page, "eksport-scenarie-1280")

    csv = download(page, "dl_csv_danish")
    assert csv.suggested_filename == f"farveliste_{newest}_trappetrin-v1_scenarie.csv"
    rows = list(csv_module.reader(io.StringIO(Path(csv.path()).read_bytes().decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index("Regelsæt")
    assert len(rows) == 272
    assert {row[column] for row in rows[1:]} == {"trappetrin + scenarie"}
