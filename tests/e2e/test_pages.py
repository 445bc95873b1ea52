"""Every page at a laptop's 1280×800 and a projector's 1920×1080: drawn whole, and a screenshot.

The screenshots (``tests/e2e/screenshots/side-<page>-<width>.png``, ignored by git) are for a person
to look at; what can be checked by machine is checked here: the page's own heading, the demo-data
label in the page itself (not only in the sidebar) on every page that shows data, no error or
exception box, and nothing wider than the window (a table too wide scrolls in its own box, never
the page sideways).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import screenshot, wait_for_app

# (url path, heading, shows data). Oversigt is the default page: its address is the root. The
# audit trail lists actions, not the data, and says nothing of demo data (nothing to label).
PAGES = [
    ("", "Oversigt", True),
    ("scenarie", "Scenarie", True),
    ("udvikling", "Udvikling", True),
    ("afdeling", "Afdeling", True),
    ("tvillinger", "Tvillinger", True),
    ("anvisning", "Anvisning", True),
    ("opfoelgning", "Opfølgning", True),
    ("eksport", "Eksport", True),
    ("data", "Data", True),
    ("revision", "Revisionsspor", False),
]
SIZES = [(1280, 800), (1920, 1080)]

# How far the main area's content reaches beyond its own width (px); 0 when nothing sticks out.
_OVERFLOW = """() => {
    const main = document.querySelector("[data-testid='stMain']");
    return main.scrollWidth - main.clientWidth;
}"""


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[str(w) for w, _ in SIZES])
@pytest.mark.parametrize(("path", "heading", "shows_data"), PAGES, ids=[h.lower() for _, h, _ in PAGES])
def test_page_reads_whole_at_laptop_and_projector_size(page, app_server, path, heading, shows_data, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{app_server}/{path}")
    wait_for_app(page, settle_ms=0)

    main = page.locator("[data-testid='stMain']")
    expect(main.locator("h1").first).to_have_text(heading)
    if shows_data:
        expect(main).to_contain_text(re.compile("demodata", re.IGNORECASE))
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert page.evaluate(_OVERFLOW) <= 1, "the page is wider than the window and scrolls sideways"
    screenshot(page, f"side-{heading.lower()}-{width}")  # other tests take their own (oversigt-1280 …)
