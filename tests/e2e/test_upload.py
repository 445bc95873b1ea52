"""Upload through the Data page in Chromium: the preview, the commit, the new release in the
sidebar's release picker and on Oversigt's map.

Runs its own server on a copy of the demo database, so the new release does not change what the
other browser tests (on the shared ``app_server``) see.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import start_streamlit, wait_for_app
from trappetrin.imports import export_release_template
from trappetrin.store import Store

LABEL = "e2e-upload"
MAIN = "[data-testid='stMain']"


@pytest.fixture(scope="module")
def upload_server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """(base URL, release file): a server on its own copy of the demo database, and the newest
    demo release exported as an import file (same departments, so the preview has no gaps)."""
    folder = tmp_path_factory.mktemp("upload_server")
    db = folder / "trappetrin.duckdb"
    shutil.copy(demo_db, db)
    store = Store.open(db)
    try:
        body = export_release_template(store, store.release_labels()[-1])
    finally:
        store.close()
    release_file = folder / "ny-udgivelse.csv"
    release_file.write_bytes(body)
    server = start_streamlit(log_path=folder / "streamlit.log", env={"TRAPPETRIN_DB": str(db)})
    try:
        yield server.url, release_file
    finally:
        server.stop()


def test_upload_preview_commit_and_see_the_release(page: Page, upload_server):
    url, release_file = upload_server
    page.goto(url + "/data")
    wait_for_app(page, settle_ms=0)
    expect(page.locator("h1").first).to_have_text("Data")

    label = page.locator(".st-key-data_label input")
    label.fill(LABEL)
    label.press("Enter")
    wait_for_app(page, settle_ms=300)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(release_file))
    main = page.locator(MAIN)
    expect(main).to_contain_text("Forhåndsvisning", timeout=30_000)
    expect(main).to_contain_text("Afdelinger med værdier")
    expect(main.locator("[data-testid='stMetric']").first).to_contain_text("271")

    page.get_by_role("button", name="Gem udgivelsen").click()
    expect(main).to_contain_text(f"Udgivelsen '{LABEL}' er gemt", timeout=30_000)
    wait_for_app(page, settle_ms=300)

    # The sidebar's release picker offers the new release (it is the newest).
    sidebar = page.locator("[data-testid='stSidebar']")
    picker = sidebar.locator("[data-testid='stSelectbox']").filter(has_text="Udgivelse").first
    picker.scroll_into_view_if_needed()
    picker.locator("input").click()  # the picker sits at the sidebar's foot: open it through its input
    if not page.get_by_role("option").count():
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("option", name=LABEL)).to_be_visible()
    page.keyboard.press("Escape")

    # … and Oversigt draws the map of it.
    page.goto(url + f"/?udgivelse={LABEL}")
    wait_for_app(page, settle_ms=0)
    expect(page.locator("h1").first).to_have_text("Oversigt")
    expect(main.locator("[data-testid='stCaptionContainer']").first).to_contain_text(f"udgivelse {LABEL}")
    expect(main.locator("canvas").first).to_be_visible(timeout=45_000)
