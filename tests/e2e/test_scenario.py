"""Scenarie in a real browser: a changed threshold lists the movers, and a shared link reproduces it.

Selectors follow the Scenarie page (pages/scenarie.py, ui/scenario_view.py): each parameter is a
text field (a Danish number, ui/number_entry.py) with widget key ``p.<parameter key>`` (CSS class
``st-key-p-c-forebyggelse-outside_labour``), bound to the query parameter of the same name; the
movers are the live list (``ui/static/movers.js``) keyed ``ui.scenario_view.MOVERS_KEY``: the line
"<n> afdelinger skifter farve" and a table (first column Afdelings-id, one row per department
that changes colour). Its ``data-source`` says who drew it: ``browser`` (the browser's copy of the
engine, the moment a change is committed) or ``server`` (the rerun's own list).

The expected movers come from trappetrin on a second demo database built the same way as the
server's (DuckDB lets no other process open the server's file, not even read-only; the demo
generator is deterministic).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.browser import screenshot, wait_for_app
from tests.support.demo import demo_copy
from trappetrin.colours import classify_release
from trappetrin.scenario import movers
from trappetrin.store import open_store
from ui.scenario_view import MOVERS_KEY

PARAM = "c.forebyggelse.outside_labour"
VALUE = 35
INPUT = ".st-key-p-" + PARAM.replace(".", "-") + " input"
LIST = f".st-key-{MOVERS_KEY} .tt-movers"
MOVERS = f"{LIST} table"


@pytest.fixture(scope="module")
def expected_movers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Department id → name of the departments that change colour at outside labour > 35 %.

    (The names are kept for the failure message only.)"""
    store = open_store(demo_copy(Path(tmp_path_factory.mktemp("reference")) / "demo.duckdb"))
    try:
        release, rules = store.release_labels()[-1], store.adopted_rule_set()
        before = classify_release(store, release, rules)
        after = classify_release(store, release, rules.with_overrides({PARAM: VALUE}))
        ids = movers(before.result, after.result)["id"]
        names = before.data.frame["name"]
    finally:
        store.close()
    assert len(ids) >= 5, "the demo should give this scenario several movers"
    return {i: names[i] for i in ids}


def table_rows(table: Locator) -> list[list[str]]:
    """Every data row of a table as cell texts (the table scrolls, but all rows are in the page)."""
    expect(table.locator("tbody tr").first).to_be_attached()
    return table.evaluate("""table => Array.from(table.querySelectorAll("tbody tr")).map(
        row => Array.from(row.querySelectorAll("th, td")).map(cell => cell.textContent.trim()))""")


def assert_movers_shown(page: Page, expected: dict[str, str]) -> None:
    expect(page.locator(f"{LIST} .tt-count")).to_have_text(f"{len(expected)} afdelinger skifter farve", timeout=30_000)
    frame = page.locator(MOVERS)
    expect(frame).to_be_visible(timeout=30_000)
    rows = table_rows(frame)
    text = "\n".join(" | ".join(cells) for cells in rows)
    assert sorted(row[0] for row in rows) == sorted(expected), f"movers table shows:\n{text}"


def test_threshold_change_lists_movers_and_link_reproduces_them(page, app_server, expected_movers):
    """Typing 35 into the outside-labour threshold lists exactly trappetrin's movers; the link repeats it.

    On /scenarie the field for ``c.forebyggelse.outside_labour`` (default 30) is set to 35
    and Enter pressed: the URL gains ``p.c.forebyggelse.outside_labour=35``, the page says
    "<n> afdelinger skifter farve" and the movers table lists exactly the departments (by id)
    that trappetrin says change colour, one row each. A fresh page opened at that URL shows the
    input at 35 and the same movers without any typing.
    """
    page.goto(f"{app_server}/scenarie")
    wait_for_app(page, settle_ms=0)
    number = page.locator(INPUT)
    expect(number).to_be_visible(timeout=30_000)
    number.fill(str(VALUE))
    number.press("Enter")
    wait_for_app(page)
    expect(page).to_have_url(re.compile(re.escape(f"p.{PARAM}={VALUE}")))
    assert_movers_shown(page, expected_movers)
    screenshot(page, "scenarie-1280")

    shared = page.context.new_page()
    shared.goto(f"{app_server}/scenarie?p.{PARAM}={VALUE}")
    wait_for_app(shared, settle_ms=0)
    expect(shared.locator(INPUT)).to_have_value(re.compile(rf"^{VALUE}([.,]0+)?$"))
    assert_movers_shown(shared, expected_movers)
    screenshot(shared, "scenarie-link-1280")


# Records every drawing of the live list: who drew it, its count line and its first cells.
_RECORD = """selector => {
    window.__draws = [];
    const box = document.querySelector(selector);
    const note = () => window.__draws.push([box.dataset.source, box.querySelector(".tt-count").textContent,
        Array.from(box.querySelectorAll("tbody tr"), row => row.firstElementChild.textContent)]);
    new MutationObserver(note).observe(box, {subtree: true, childList: true, attributes: true});
}"""


def test_the_browser_shows_the_movers_before_the_server_and_both_agree(page, app_server, expected_movers):
    """On Enter the browser draws the movers itself; the server's rerun then draws the same list.

    The browser's list is the one that reaches the screen first (what makes a change feel
    instant in a meeting); the server's replaces it and must not change a single row.
    """
    page.goto(f"{app_server}/scenarie")
    wait_for_app(page, settle_ms=0)
    page.wait_for_function("() => (globalThis.__trappetrinMovers?.engines.size ?? 0) > 0", timeout=30_000)
    expect(page.locator(LIST)).to_have_attribute("data-source", "server", timeout=30_000)
    page.evaluate(_RECORD, LIST)
    number = page.locator(INPUT)
    number.fill(str(VALUE))
    number.press("Enter")
    wait_for_app(page)
    expect(page.locator(LIST)).to_have_attribute("data-source", "server", timeout=30_000)
    draws = page.evaluate("window.__draws")
    sources = [d[0] for d in draws]
    assert "browser" in sources, f"the browser never drew the list itself: {sources}"
    first = next(d for d in draws if d[0] == "browser")
    last = draws[-1]
    assert first[1] == last[1] == f"{len(expected_movers)} afdelinger skifter farve"
    assert first[2] == last[2] and sorted(first[2]) == sorted(expected_movers)
    assert sources.index("browser") < len(sources) - 1 - sources[::-1].index("server")
    assert_movers_shown(page, expected_movers)
