"""Links and page switches in a real browser: the view a user built survives, and a link shares it.

This module runs its own server on a copy of the demo database, so the first request it serves
is a deep link: the case where Streamlit, before any session has run app.py, used to run a
``pages/`` file on its own (see ``ui.router.ensure_router``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import start_streamlit, wait_for_app

PARAM = "p.c.forebyggelse.outside_labour"
INPUT = ".st-key-" + PARAM.replace(".", "-") + " input"
# Issue 14: the field is a text field showing the value as a Danish number ("35", "32,5"); the
# browser number field it replaced showed "35.0".
NAV = "[data-testid='stSidebarNavItems']"


@pytest.fixture(scope="module")
def fresh_server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """A server that has answered nothing yet, on its own copy of the demo database."""
    folder = tmp_path_factory.mktemp("fresh_server")
    db = folder / "trappetrin.duckdb"
    shutil.copy(demo_db, db)
    server = start_streamlit(log_path=folder / "streamlit.log", env={"TRAPPETRIN_DB": str(db)})
    try:
        yield server.url
    finally:
        server.stop()


def caption(page: Page) -> str:
    return page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()


def go(page: Page, title: str) -> None:
    page.locator(NAV).get_by_role("link", name=title, exact=True).click()
    wait_for_app(page, settle_ms=400)
    expect(page.locator("h1").first).to_have_text(title)


def test_a_first_deep_link_runs_the_registered_page(page: Page, fresh_server: str):
    """The very first request is /eksport?udgivelse=2023-11: the app's own navigation and
    titles show (not file names), and the release in the link is the one in view."""
    page.goto(fresh_server + "/eksport?udgivelse=2023-11")
    wait_for_app(page, settle_ms=0)
    expect(page.locator("h1").first).to_have_text("Eksport")
    expect(page.locator(NAV)).to_contain_text("Oversigt")
    expect(page.locator(NAV)).not_to_contain_text("app")
    assert page.title() == "Trappetrin"
    assert "udgivelse 2023-11" in caption(page)


def test_release_and_scenario_survive_page_switches_and_the_link_shares_them(page: Page, fresh_server: str, browser):
    page.goto(fresh_server + "/?udgivelse=2023-11")
    wait_for_app(page, settle_ms=0)
    assert "udgivelse 2023-11" in caption(page)

    go(page, "Eksport")
    assert "udgivelse 2023-11" in caption(page)
    assert "udgivelse=2023-11" in page.url

    go(page, "Scenarie")
    field = page.locator(INPUT)
    field.fill("35")
    field.press("Enter")
    expect(page.locator("[data-testid='stMain']")).to_contain_text("afdelinger skifter farve")
    page.wait_for_url(f"**{PARAM}=35**")

    go(page, "Oversigt")
    assert "udgivelse 2023-11" in caption(page) and "+ scenarie" in caption(page)
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("Scenarie aktivt")
    assert f"{PARAM}=35" in page.url and "udgivelse=2023-11" in page.url
    shared = page.url

    go(page, "Scenarie")
    expect(page.locator(INPUT)).to_have_value("35")

    # A colleague opens the link in their own browser session.
    other = browser.new_context(viewport={"width": 1280, "height": 800}, locale="da-DK")
    try:
        theirs = other.new_page()
        theirs.goto(shared)
        wait_for_app(theirs, settle_ms=0)
        assert "udgivelse 2023-11" in caption(theirs) and "+ scenarie" in caption(theirs)
        go(theirs, "Scenarie")
        expect(theirs.locator(INPUT)).to_have_value("35")
    finally:
        other.close()


def test_reset_clears_the_scenario_everywhere(page: Page, fresh_server: str):
    page.goto(fresh_server + f"/scenarie?{PARAM}=35")
    wait_for_app(page, settle_ms=0)
    expect(page.locator(INPUT)).to_have_value("35")
    page.get_by_role("button", name="Nulstil til vedtaget").click()
    wait_for_app(page, settle_ms=400)
    expect(page.locator(INPUT)).to_have_value("30")
    go(page, "Oversigt")
    assert PARAM not in page.url
    expect(page.locator("[data-testid='stSidebar']")).not_to_contain_text("Scenarie aktivt")
