"""The browser's copy of the rule engine (``ui/static/movers.js``) gives the server's movers.

The Scenarie page shows a change's movers before the server's rerun arrives, computed in the
browser from :func:`trappetrin.preview.engine_payload`. Here that JavaScript runs in Chromium (a
blank page: no Streamlit) on the demo's newest release for many scenarios — every kind of
parameter: absolute thresholds up and down, the relative conviction factor, the k-of-n counts, the
list gate and the non-western gate, a raised discretion limit, and several at once — and its rows
must equal ``ui.scenario_view.movers_frame`` cell for cell, causes and order included.
"""

from __future__ import annotations

import base64
import random
from pathlib import Path

import pytest

from trappetrin.colours import classify_release
from trappetrin.preview import engine_payload
from trappetrin.store import open_store
from ui import fmt
from ui.scenario_view import MOVER_COLUMNS, movers_frame

JS = Path(__file__).resolve().parents[2] / "ui" / "static" / "movers.js"

FIXED = [
    {},
    {"c.forebyggelse.outside_labour": 35.0},
    {"c.forebyggelse.outside_labour": 25.0},
    {"c.forebyggelse.convicted": 1.5},
    {"c.forebyggelse.convicted": 3.0},
    {"c.forebyggelse.basic_education": 55.0},
    {"c.forebyggelse.income": 70.0},
    {"k.two_criteria": 1.0},
    {"k.two_criteria": 3.0},
    {"k.nonwestern_and_one": 0.0},
    {"g.nonwestern_and_one.nonwestern": 20.0},
    {"g.ministerial_list.on_list": 2.0},
    {"d.minimum": 60.0},
    {"d.minimum": 45.0, "c.forebyggelse.outside_labour": 27.5, "k.two_criteria": 1.0},
]


def random_scenarios(rules, n: int, seed: int = 7) -> list[dict[str, float]]:
    """``n`` scenarios changing one to three parameters each, on the inputs' own steps."""
    rng = random.Random(seed)
    params = rules.parameters()
    out = []
    for _ in range(n):
        scenario = {}
        for p in rng.sample(params, rng.randint(1, 3)):
            if p.kind == "min_met":
                scenario[p.key] = float(rng.randint(0, 4))
            elif p.kind == "discretion":
                scenario[p.key] = p.value + rng.randint(0, 40)
            elif p.kind == "factor":
                scenario[p.key] = round(p.value + rng.choice([-1, 1]) * rng.randint(1, 15) * 0.1, 2)
            else:
                scenario[p.key] = max(0.0, p.value + rng.randint(-20, 20) * 0.5)
        out.append(scenario)
    return out


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory):
    """The payload and, per scenario, the server's rows for the newest demo release.

    A demo database of its own: the session's is held by the app server."""
    store = open_store(tmp_path_factory.mktemp("engine") / "demo.duckdb", demo_if_empty=True)
    try:
        rules, label = store.adopted_rule_set(), store.release_labels()[-1]
        before = classify_release(store, label, rules)
        codes = [o.code for o in rules.outcomes]
        payload = engine_payload(before.data, before.result, dict(zip(codes, fmt.short_outcome_labels(rules, codes))))
        scenarios = FIXED + random_scenarios(rules, 60)
        expected = []
        for overrides in scenarios:
            after = classify_release(store, label, rules.with_overrides(overrides))
            frame = movers_frame(before, after)
            expected.append(frame[MOVER_COLUMNS].astype(str).to_numpy().tolist())
        base = rules.parameter_values()
        return payload, [{**base, **o} for o in scenarios], base, expected
    finally:
        store.close()


def test_browser_engine_gives_the_servers_movers(browser, cases):
    payload, scenarios, base, expected = cases
    assert sum(1 for rows in expected if rows) >= 40, "the scenarios should move departments"
    page = browser.new_page()
    try:
        module = "data:text/javascript;base64," + base64.b64encode(JS.read_bytes()).decode()
        got = page.evaluate(
            """async ([url, engine, base, scenarios]) => {
            const m = await import(url);
            return scenarios.map(p => m.movers(engine, base, p));
        }""",
            [module, payload, base, scenarios],
        )
    finally:
        page.close()
    for scenario, mine, theirs in zip(scenarios, got, expected):
        changed = {k: v for k, v in scenario.items() if base[k] != v}
        assert mine == theirs, f"scenario {changed}"


@pytest.mark.parametrize(
    "x, text",
    [
        (0.0, "0"),
        (30.0, "30"),
        (1.5666666, "1,57"),
        (34.1, "34,1"),
        (0.125, "0,13"),
        (0.375, "0,38"),
        (1234.5, "1.234,5"),
        (-2.005, "\u22122,01"),
        (1e6, "1.000.000"),
        (61.625, "61,63"),
        (2.675, "2,68"),
        (-0.004, "0"),
    ],
)
def test_number_format_matches_python(browser, x, text):
    """Danish numbers as trappetrin.formatting.short writes them: ties away from zero, U+2212 minus."""
    from trappetrin.formatting import short

    assert short(x) == text
    page = browser.new_page()
    try:
        module = "data:text/javascript;base64," + base64.b64encode(JS.read_bytes()).decode()
        assert page.evaluate("async ([url, x]) => (await import(url)).formatNumber(x)", [module, x]) == text
    finally:
        page.close()
