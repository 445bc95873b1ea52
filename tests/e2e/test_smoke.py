"""Smoke test: the app starts on demo data and renders in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.browser import screenshot, wait_for_app


def test_app_opens_on_demo_data(page, app_server):
    """Opening the base URL shows the app name and labels the data as demo data, in a Danish page.

    The server runs ``serve.py`` (``app.py``) on a freshly built demo database, so once the
    first script run is done the page must say "Trappetrin" and "Demodata", and the document's
    language is Danish (``ui/shell.py``), also on a deep link.
    """
    page.goto(app_server)
    wait_for_app(page, settle_ms=0)

    app = page.locator("[data-testid='stApp']")
    expect(app).to_contain_text("Trappetrin")
    expect(app).to_contain_text("Demodata")
    assert page.evaluate("document.documentElement.lang") == "da"
    page.goto(f"{app_server}/scenarie")
    assert page.evaluate("document.documentElement.lang") == "da"
    page.goto(app_server)
    wait_for_app(page, settle_ms=0)

    screenshot(page, "smoke")
