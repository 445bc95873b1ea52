"""Danish number entry on Scenarie in Chromium with locale da-DK (issue 14 point 1).

Before: the parameter fields were browser number fields (st.number_input); in a Danish browser
"1,5" became 15 and was applied at once, "32,5" became 325 with an English message. Now each
threshold is a text field read as a Danish number (trappetrin.numbers.read_typed): "1,5" is 1.5,
"32,5" is 32.5, in the link (``p.<key>=1.5``) and in the live movers list (ui/static/movers.js),
and a value outside the range is refused with a Danish message, nothing applied.

The movers list is compared with trappetrin's movers on a second demo database built the same way
(see tests/e2e/test_scenario.py). The browser's parser (``parseTyped`` in movers.js) must read
every text exactly as Python does, or the list would show movers for a value the server refuses.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_scenario import _RECORD, LIST, assert_movers_shown
from tests.support.browser import screenshot, start_streamlit, wait_for_app
from tests.support.demo import demo_copy
from tests.unit.test_typed_numbers import CASES
from trappetrin.colours import classify_release
from trappetrin.formatting import integer
from trappetrin.numbers import parse_typed
from trappetrin.scenario import movers
from trappetrin.store import open_store

JS = Path(__file__).resolve().parents[2] / "ui" / "static" / "movers.js"
CONVICTED = "c.forebyggelse.convicted"
OUTSIDE = "c.forebyggelse.outside_labour"


def field(page: Page, key: str):
    return page.locator(".st-key-p-" + key.replace(".", "-") + " input")


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, float], dict[str, str]]:
    """(parameter, value) → {id: name} of the departments trappetrin says change colour."""
    store = open_store(demo_copy(Path(tmp_path_factory.mktemp("reference")) / "demo.duckdb"))
    try:
        release, rules = store.release_labels()[-1], store.adopted_rule_set()
        before = classify_release(store, release, rules)
        names = before.data.frame["name"]
        out = {}
        for key, value in [(CONVICTED, 1.5), (OUTSIDE, 32.5)]:
            after = classify_release(store, release, rules.with_overrides({key: value}))
            out[key, value] = {i: names[i] for i in movers(before.result, after.result)["id"]}
    finally:
        store.close()
    assert all(out.values()), "each scenario should move departments in the demo"
    return out


def type_value(page: Page, key: str, text: str) -> None:
    box = field(page, key)
    expect(box).to_be_visible(timeout=30_000)
    box.fill(text)
    box.press("Enter")
    wait_for_app(page)


def test_decimal_comma_is_applied_in_the_link_and_the_movers_list(page, app_server, expected):
    """ "1,5" and "32,5" typed in a da-DK browser are 1.5 and 32.5: link, field and movers agree."""
    page.goto(f"{app_server}/scenarie")
    wait_for_app(page, settle_ms=0)
    expect(field(page, CONVICTED)).to_have_value("2", timeout=30_000)  # shown the Danish way, no "2.00"

    type_value(page, CONVICTED, "1,5")
    expect(page).to_have_url(re.compile(re.escape(f"p.{CONVICTED}=1.5") + r"(&|$)"))
    expect(field(page, CONVICTED)).to_have_value("1,5")
    assert_movers_shown(page, expected[CONVICTED, 1.5])

    type_value(page, CONVICTED, "2")  # back, so the next change is on its own
    expect(page.locator(LIST)).to_have_attribute("data-source", "server", timeout=30_000)
    page.wait_for_function("() => (globalThis.__trappetrinMovers?.engines.size ?? 0) > 0", timeout=30_000)
    page.evaluate(_RECORD, LIST)
    type_value(page, OUTSIDE, "32,5")
    # movers.js read "32,5" itself (parseTyped) and drew the movers before the server's answer.
    draws = page.evaluate("window.__draws")
    browser_draws = [d for d in draws if d[0] == "browser"]
    assert browser_draws, f"the browser never drew the list for '32,5': {[d[0] for d in draws]}"
    count = f"{len(expected[OUTSIDE, 32.5])} afdelinger skifter farve"
    assert browser_draws[0][1] == count and sorted(browser_draws[0][2]) == sorted(expected[OUTSIDE, 32.5])
    expect(page).to_have_url(re.compile(re.escape(f"p.{OUTSIDE}=32.5") + r"(&|$)"))
    expect(field(page, OUTSIDE)).to_have_value("32,5")
    assert_movers_shown(page, expected[OUTSIDE, 32.5])
    screenshot(page, "scenarie-decimalkomma-1280")


def test_out_of_range_is_refused_in_danish_and_not_applied(page, app_server, expected):
    """ "325" in a percentage: a Danish message naming 0–100; the link and the movers keep 32.5."""
    page.goto(f"{app_server}/scenarie?p.{OUTSIDE}=32.5")
    wait_for_app(page, settle_ms=0)
    assert_movers_shown(page, expected[OUTSIDE, 32.5])
    type_value(page, OUTSIDE, "325")
    alert = page.locator("[data-testid='stAlertContentError']")
    expect(alert).to_have_count(1, timeout=30_000)
    expect(alert).to_contain_text("325 er uden for det tilladte område. Skriv et tal fra 0 til 100.")
    expect(field(page, OUTSIDE)).to_have_value("325")  # left as typed, to be corrected
    expect(page).to_have_url(re.compile(re.escape(f"p.{OUTSIDE}=32.5") + r"(&|$)"))
    assert_movers_shown(page, expected[OUTSIDE, 32.5])
    expect(page.locator(LIST)).to_have_attribute("data-source", "server")
    assert "outside the allowed range" not in page.content()
    screenshot(page, "scenarie-uden-for-omraadet-1280")


EXTRA = ["32,5 %", "1 234,5", "12 5", "−1,5", "1,234.5", "1.234.5", "+2", "2,", ",5", ".5", "1,,5", "0.000,5", "1.000"]


def test_the_browser_reads_typed_numbers_as_python_does(browser):
    """movers.js ``parseTyped`` against trappetrin.numbers.parse_typed, text for text."""
    texts = sorted({t for t, _, _ in CASES} | set(EXTRA))
    cases = [(t, integer) for t in texts for integer in (False, True)]

    def python(text: str, integer: bool):
        try:
            value = parse_typed(text, integer=integer)
        except ValueError:
            return "refused"
        return "blank" if value is None else value

    page = browser.new_page()
    try:
        module = "data:text/javascript;base64," + base64.b64encode(JS.read_bytes()).decode()
        got = page.evaluate(
            """async ([url, cases]) => {
            const m = await import(url);
            return cases.map(([t, integer]) => {
                const v = m.parseTyped(t, integer);
                return v === null ? "blank" : Number.isNaN(v) ? "refused" : v;
            });
        }""",
            [module, cases],
        )
    finally:
        page.close()
    for (text, whole), js in zip(cases, got):
        assert js == python(text, whole), f"{text!r} (integer={whole}): browser {js!r}"


@pytest.fixture(scope="module")
def national_server(national_db, tmp_path_factory: pytest.TempPathFactory):
    """A server on the national demo, and the number of departments that move at outside labour > 20 %."""
    store = open_store(national_db)
    try:
        release, rules = store.release_labels()[-1], store.adopted_rule_set()
        before = classify_release(store, release, rules)
        after = classify_release(store, release, rules.with_overrides({OUTSIDE: 20.0}))
        moved = len(movers(before.result, after.result))
    finally:
        store.close()
    assert moved >= 1000, "the check needs a count with a thousands separator"
    folder = tmp_path_factory.mktemp("national_numbers")
    server = start_streamlit(log_path=folder / "streamlit.log", env={"TRAPPETRIN_DB": str(national_db)})
    try:
        yield server.url, moved
    finally:
        server.stop()


def test_national_movers_count_is_grouped(page, national_server):
    """The whole country, outside labour > 20 %: "1.085 afdelinger skifter farve", not "1085"."""
    url, moved = national_server
    page.goto(f"{url}/scenarie?kommune=alle")
    wait_for_app(page, settle_ms=0)
    type_value(page, OUTSIDE, "20,0")
    expect(page).to_have_url(re.compile(re.escape(f"p.{OUTSIDE}=20") + r"(&|$)"))
    count = page.locator(f"{LIST} .tt-count")
    expect(count).to_have_text(f"{integer(moved)} afdelinger skifter farve", timeout=60_000)
    assert "." in integer(moved)
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("Trappetrin · Hele landet")
