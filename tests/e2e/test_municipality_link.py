"""National data in Chromium: a link to another municipality's department, and the address bar.

Afdeling's "Vis afdelingen i <kommune> Kommune" links to the page it is on. Streamlit runs such a
link with its query but leaves the address bar as it was unless the script writes the query
(``ui.url.set_url``), so this is checked where it shows: in a real browser.
"""

from __future__ import annotations

import duckdb
import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import start_streamlit, wait_for_app


@pytest.fixture(scope="module")
def national_server(national_db, tmp_path_factory: pytest.TempPathFactory):
    """A server on the national demo, and an Odense department's id and name."""
    folder = tmp_path_factory.mktemp("national_server")
    con = duckdb.connect(str(national_db), read_only=True)
    try:
        dept, name = con.execute(
            "SELECT dept_id, name FROM departments WHERE municipality = 'Odense' ORDER BY dept_id LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    server = start_streamlit(log_path=folder / "streamlit.log", env={"TRAPPETRIN_DB": str(national_db)})
    try:
        yield server.url, dept, name
    finally:
        server.stop()


def test_link_to_another_municipalitys_department_opens_it_and_the_address_says_so(page: Page, national_server):
    url, dept, name = national_server
    page.goto(f"{url}/afdeling?afd={dept}")
    wait_for_app(page, settle_ms=0)
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_text(f"Afdelingen »{dept}« ligger i Odense Kommune")).to_be_visible()

    main.get_by_role("link", name="Vis afdelingen i Odense Kommune").click()
    expect(main.locator("h2").first).to_have_text(name)
    wait_for_app(page)
    # The address bar is a link to what is shown: the department, with Odense picked.
    expect(page).to_have_url(f"{url}/afdeling?afd={dept}&kommune=Odense")
