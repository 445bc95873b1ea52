"""Oversigt in a real browser: the deck.gl map draws and "Pr. farve" counts what trappetrin computes.

Expected counts come from trappetrin itself, on a second demo database built the same way as the
server's. The server's DuckDB file can't be read meanwhile: DuckDB lets no other process open a
file another process holds, not even read-only ("Conflicting lock is held"). The demo generator
is deterministic (fixed seed), so both databases hold the same data.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Locator, expect

from tests.support.browser import screenshot, start_streamlit, wait_for_app
from tests.support.demo import demo_copy
from trappetrin.colours import classify_release
from trappetrin.staticmap import LAND
from trappetrin.store import open_store
from ui.fmt import outcome_label

MAP_TIMEOUT_MS = 45_000


@pytest.fixture(scope="module")
def expected_counts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """Departments per colour label (as the page labels them) for the newest release, adopted rules."""
    store = open_store(demo_copy(Path(tmp_path_factory.mktemp("reference")) / "demo.duckdb"))
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


# --- issue 15: the map fits every department, draws Aalborg, and its tooltip and list work ----------

# The deck.gl map as drawn: the view state the DeckGL component renders with (read from its React
# props: Streamlit passes the live view state down) and each layer's id and data, plus the canvas's
# size on screen. Each department's position in the canvas is then computed with Web Mercator at
# pitch 0, as deck.gl draws it.
_MAP_STATE = """() => {
    const canvas = document.querySelector("[data-testid='stDeckGlJsonChart'] canvas");
    if (!canvas) return null;
    const key = Object.keys(canvas).find(k => k.startsWith("__reactFiber$"));
    let fiber = key ? canvas[key] : null;
    while (fiber && !(fiber.memoizedProps && fiber.memoizedProps.viewState && fiber.memoizedProps.layers)) {
        fiber = fiber.return;
    }
    if (!fiber) return null;
    const props = fiber.memoizedProps;
    const rect = canvas.getBoundingClientRect();
    const layers = {};
    for (const layer of props.layers.flat(Infinity)) {
        if (!layer || !layer.id) continue;
        const data = layer.props.data;
        layers[layer.id] = Array.isArray(data) ? data : (data && data.features ? data.features : []);
    }
    const v = props.viewState;
    const scale = 512 * Math.pow(2, v.zoom);
    const mx = lon => (lon + 180) / 360 * scale;
    const my = lat => (1 - Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)) / Math.PI) / 2 * scale;
    const project = ([lon, lat]) => [
        mx(lon) - mx(v.longitude) + rect.width / 2, my(lat) - my(v.latitude) + rect.height / 2,
    ];
    const depts = (layers["departments"] || []).map(d => [d.dept_id, ...project([d.lon, d.lat])]);
    const towns = (layers["municipalities"] || []).map(d => [d.municipality, ...project([d.lon, d.lat])]);
    return {
        view: {latitude: v.latitude, longitude: v.longitude, zoom: v.zoom},
        box: {x: rect.x, y: rect.y, width: rect.width, height: rect.height},
        layers: Object.fromEntries(Object.entries(layers).map(([id, data]) => [id, data.length])),
        departments: depts,
        municipalities: towns,
    };
}"""


def map_state(page) -> dict:
    page.wait_for_function(
        "() => { const c = document.querySelector(\"[data-testid='stDeckGlJsonChart'] canvas\");"
        " return c && c.getBoundingClientRect().width > 200 && c.getBoundingClientRect().height > 200; }",
        timeout=MAP_TIMEOUT_MS,
    )
    page.wait_for_function(f"() => {{ const s = ({_MAP_STATE})(); return s && s.departments.length > 0; }}")
    return page.evaluate(_MAP_STATE)


def settled_state(page, seconds: float = 10.0) -> dict:
    """The map's state once the new view has replaced the old one (a click into a municipality
    refits the map a moment after its departments arrive): polled until every department is
    inside, for at most ``seconds``; the caller's assertion then says what is wrong."""
    deadline = time.monotonic() + seconds
    state = map_state(page)
    while outside(state) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        state = map_state(page)
    return state


def outside(state: dict) -> list[str]:
    w, h = state["box"]["width"], state["box"]["height"]
    return [d for d, x, y in state["departments"] if not (0 <= x <= w and 0 <= y <= h)]


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)], ids=["1280", "1920"])
def test_map_opens_fitted_to_every_department_with_aalborg_drawn(page, app_server, expected_counts, size):
    """Every department inside the map at 1280×800 and 1920×1080; land, parishes and names drawn."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(app_server)
    wait_for_app(page, settle_ms=0)
    state = map_state(page)
    assert len(state["departments"]) == expected_counts["I alt"] == 271
    assert outside(state) == [], f"{len(outside(state))} departments outside the map: {outside(state)[:5]}"
    assert state["layers"].get("boundary", 0) >= 1 and state["layers"].get("parishes", 0) >= 1
    assert state["layers"].get("places", 0) >= 5  # the towns' names at the opening view
    # The land is drawn: its fill colour covers a good part of the canvas (not just declared).
    from PIL import Image

    png = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.screenshot()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    land = int((np.abs(pixels - np.asarray(LAND)).max(axis=2) <= 3).sum())
    assert land > 0.1 * pixels.shape[0] * pixels.shape[1], land
    screenshot(page, f"map-aalborg-{size[0]}")


def test_filters_refit_the_map_and_the_link_keeps_them(page, app_server, expected_counts):
    """Filtering to Hals' departments zooms in on them; the link carries the filter; 'Hele kommunen'
    returns to the fitted view after the user has zoomed."""
    page.goto(app_server + "/?bydel=Hals")
    wait_for_app(page, settle_ms=300)
    expect(page.get_by_text("Bydel: Hals")).to_be_visible()
    state = map_state(page)
    assert 0 < len(state["departments"]) < 20 and outside(state) == []
    assert state["view"]["zoom"] > 11  # a close-up of Hals, not the municipality
    assert "bydel=Hals" in page.url
    # Zoom in with the wheel, then back to the fitted view with the button.
    box = state["box"]
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(3):
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(200)
    page.wait_for_function(f"() => ({_MAP_STATE})().view.zoom > {state['view']['zoom'] + 0.5}")
    page.get_by_role("button", name="Hele kommunen").click()
    page.wait_for_function(f"() => Math.abs(({_MAP_STATE})().view.zoom - {state['view']['zoom']}) < 0.01")
    assert outside(map_state(page)) == []


def test_tooltip_is_plain_text_inside_the_map(page, app_server):
    """Hovering the rightmost department: the tooltip shows lines of text (no literal tags) inside the map."""
    page.goto(app_server)
    wait_for_app(page, settle_ms=0)
    state = map_state(page)
    box = state["box"]
    dept, x, y = max(state["departments"], key=lambda d: d[1])  # nearest the right edge
    page.mouse.move(box["x"] + x, box["y"] + y)
    tip = page.locator(".deck-tooltip")
    expect(tip).to_be_visible()
    page.wait_for_timeout(300)
    text = tip.inner_text()
    assert text.strip() and "<br" not in text and "&lt;" not in tip.inner_html()
    assert "Demo-afd." in text
    tb = tip.bounding_box()
    assert tb["x"] >= box["x"] - 1 and tb["x"] + tb["width"] <= box["x"] + box["width"] + 1, (tb, box)
    assert tb["y"] >= box["y"] - 1 and tb["y"] + tb["height"] <= box["y"] + box["height"] + 1, (tb, box)
    screenshot(page, "map-tooltip")


def test_a_click_on_a_row_of_the_red_yellow_list_opens_the_department(page, app_server):
    page.goto(app_server)
    wait_for_app(page, settle_ms=0)
    link = page.locator(".tt-table a[data-afd]").first
    expect(link).to_be_visible()
    dept, name = link.get_attribute("data-afd"), link.inner_text().strip()
    link.click()
    expect(page.get_by_role("heading", name="Afdeling", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    assert f"afd={dept}" in page.url


@pytest.fixture(scope="module")
def national_server(national_db, tmp_path_factory):
    server = start_streamlit(
        log_path=tmp_path_factory.mktemp("national_server") / "streamlit.log", env={"TRAPPETRIN_DB": str(national_db)}
    )
    try:
        yield server.url
    finally:
        server.stop()


def test_national_view_draws_one_mark_per_municipality(page, national_server):
    """'Hele landet': ~98 pies instead of 8,000 points, every one inside the map; a click opens one."""
    page.goto(national_server + "/?kommune=alle")
    wait_for_app(page, settle_ms=0)
    # deck.gl first mounts a default 300×150 canvas and sizes it a frame later: measure the sized map.
    page.wait_for_function(
        f"() => {{ const s = ({_MAP_STATE})(); return s && (s.layers.municipalities || 0) > 50"
        " && s.box.width > 200 && s.box.height > 200; }",
        timeout=MAP_TIMEOUT_MS,
    )
    page.wait_for_timeout(300)
    state = page.evaluate(_MAP_STATE)
    assert "departments" not in state["layers"] and state["layers"]["municipalities"] >= 90
    w, h = state["box"]["width"], state["box"]["height"]
    assert [m for m, x, y in state["municipalities"] if not (0 <= x <= w and 0 <= y <= h)] == []
    expect(page.get_by_role("button", name="Hele landet")).to_be_visible()
    page.wait_for_timeout(1000)  # the pies are images: let them load
    screenshot(page, "map-national-1280")
    name, x, y = next(m for m in state["municipalities"] if m[0] == "Bornholm")  # alone on the map
    page.mouse.click(state["box"]["x"] + x, state["box"]["y"] + y)
    expect(page.get_by_text("Bornholm Kommune", exact=False).first).to_be_visible()
    assert outside(settled_state(page)) == []
