"""Oversigt in a real browser: the deck.gl map draws and "Pr. farve" counts what trappetrin computes.

Expected counts come from trappetrin itself, on a second demo database built the same way as the
server's. The server's DuckDB file can't be read meanwhile: DuckDB lets no other process open a
file another process holds, not even read-only ("Conflicting lock is held"). The demo generator
is deterministic (fixed seed), so both databases hold the same data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, expect

from bench.browser import screenshot, wait_for_app
from trappetrin.colours import classify_release
from trappetrin.store import open_store
from ui.fmt import outcome_label

MAP_TIMEOUT_MS = 45_000


@pytest.fixture(scope="module")
def expected_counts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """Departments per colour label (as the page labels them) for the newest release, adopted rules."""
    store = open_store(Path(tmp_path_factory.mktemp("reference")) / "demo.duckdb", demo_if_empty=True)
    try:
        rules = store.adopted_rule_set()
        summary = classify_release(store, store.release_labels()[-1], rules).summary()
    finally:
        store.close()
    counts = {outcome_label(rules, code): int(n) for code, n in summary["departments"].items() if n}
    counts["I alt"] = int(summary["departments"].sum())
    return counts


def table_rows(table: Locator) -> list[list[str]]:
    """Rows of a plain HTML table (``ui.tables``) as text: the row header cell and the data cells."""
    expect(table.locator("tbody tr").first).to_be_attached()
    return table.evaluate("""table => Array.from(table.querySelectorAll("tbody tr")).map(
        row => Array.from(row.querySelectorAll("th, td")).map(cell => cell.textContent.trim()))""")


def test_oversigt_map_and_counts_per_colour(page, app_server, expected_counts):
    """The map is a visible deck.gl canvas and "Pr. farve" shows trappetrin's count per colour.

    Opens the app's root URL (Oversigt is the default page; /oversigt itself answers "Page not
    found", see the report) on the demo data (newest release, adopted rule set), waits for the deck.gl
    canvas to be visible with a real size, reads the "Pr. farve" table (departments per colour
    and "I alt" = 271) and compares it with trappetrin's own classification. Screenshots the page
    at 1280×800 and 1920×1080.
    """
    page.goto(app_server)
    wait_for_app(page, settle_ms=0)
    expect(page.get_by_role("heading", name="Oversigt", exact=True)).to_be_visible()

    chart = page.locator("[data-testid='stDeckGlJsonChart']")
    canvas = chart.locator("canvas").first
    expect(canvas).to_be_visible(timeout=MAP_TIMEOUT_MS)
    # deck.gl first mounts a default 300×150 canvas and sizes it to the map a frame later.
    page.wait_for_function(
        "() => { const c = document.querySelector(\"[data-testid='stDeckGlJsonChart'] canvas\");"
        " return c && c.getBoundingClientRect().width > 200 && c.getBoundingClientRect().height > 200; }",
        timeout=MAP_TIMEOUT_MS,
    )
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200, box

    per_colour = page.locator(".tt-table").filter(has_text="I alt").first
    rows = table_rows(per_colour)
    shown = {cells[0]: int(cells[1].replace(".", "")) for cells in rows}
    assert shown == expected_counts
    assert shown["I alt"] == 271

    screenshot(page, "oversigt-1280")
    page.set_viewport_size({"width": 1920, "height": 1080})
    expect(canvas).to_be_visible()
    page.wait_for_timeout(500)  # let deck.gl redraw at the new size
    screenshot(page, "oversigt-1920")


def test_the_filters_open_from_the_button_and_narrow_everything(page, app_server, expected_counts):
    """ "Filtre" opens the four filters; choosing the red colour by keyboard narrows the counts and
    the line beside the button says so; the popover stays open while choosing."""
    page.goto(app_server)
    wait_for_app(page, settle_ms=0)
    expect(page.get_by_text("Alle 271 afdelinger vises.")).to_be_visible()
    page.get_by_role("button", name="Filtre").click()
    colour = page.locator("[data-testid='stPopoverBody'] [data-testid='stMultiSelect']").filter(has_text="Farve")
    colour.locator("input").click()
    page.keyboard.type("Rød")
    page.keyboard.press("Enter")
    wait_for_app(page, settle_ms=200)
    red = next(label for label in expected_counts if "Rød" in label)
    expect(page.get_by_text(f"{expected_counts[red]} af 271 afdelinger vises")).to_be_visible()
    expect(page.get_by_role("dialog", name="Filtre (1)")).to_be_visible()  # still open, its button counts 1
    rows = table_rows(page.locator(".tt-table").filter(has_text="I alt").first)
    assert {cells[0]: int(cells[1].replace(".", "")) for cells in rows} == {
        red: expected_counts[red],
        "I alt": expected_counts[red],
    }
