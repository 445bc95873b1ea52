"""Presentation lives in the rule set: symbol, map symbol, severity and text colour per [[outcome]].

Another step model changes data, not code: a rule set whose outcomes have other codes, symbols and
severities is listed, labelled and mapped by what its TOML says.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pandas as pd
import pytest

from tests.support.demo import demo_copy
from trappetrin.colours import ReleaseResult, colour_list, red_and_yellow
from trappetrin.engine import classify
from trappetrin.rules import Outcome, bundled_presentation, bundled_rule_sets, load_rule_set_text
from trappetrin.store import Store, open_store

RENAMED = {"red": "høj", "yellow": "mellem", "green": "lav", "grey": "skjult"}
SYMBOLS = {"høj": ("★", "H", 1, "violet"), "mellem": ("☆", "M", 2, "blue"), "lav": ("·", "L", 3, "green")}


def _other_step_model() -> str:
    """The default rule set with other outcome codes and presentation: only the TOML changes."""
    rs = next(r for r in bundled_rule_sets() if r.name == "trappetrin")
    outcomes = []
    for o in rs.outcomes:
        code = RENAMED[o.code]
        sym, ms, sev, tc = SYMBOLS.get(code, (None, None, None, None))
        # The masked outcome gets no presentation at all: it must still work (sorted last, gray).
        outcomes.append(o.model_copy(update=dict(code=code, symbol=sym, map_symbol=ms, severity=sev, text_colour=tc)))
    data = rs.model_dump(by_alias=True, exclude_none=True)
    data["outcome"] = [o.model_dump(exclude_none=True) for o in outcomes]
    data["name"] = "andet-trinmodel"
    data["default_outcome"] = RENAMED[rs.default_outcome]
    data["discretion"]["outcome"] = RENAMED[rs.discretion.outcome]
    for rule in data["rule"]:
        rule["outcome"] = RENAMED[rule["outcome"]]
    import tomli_w

    return tomli_w.dumps(data)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = open_store(demo_copy(tmp_path_factory.mktemp("presentation") / "demo.duckdb"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def other(store) -> ReleaseResult:
    rules = load_rule_set_text(_other_step_model(), source="test")
    data = store.release_data(store.release_labels()[-1])
    return ReleaseResult(data, classify(data.frame, rules, data.refs))


def test_bundled_rule_sets_carry_their_presentation():
    rs = next(r for r in bundled_rule_sets() if r.name == "trappetrin")
    assert [rs.symbol(c) for c in ("red", "yellow", "green", "grey")] == ["▲", "◆", "●", "○"]
    assert [rs.map_symbol(c) for c in ("red", "yellow", "green", "grey")] == ["3", "2", "1", "-"]
    assert rs.severity_order() == ["red", "yellow", "green", "grey"]
    assert rs.text_colour("yellow") == "orange"
    assert rs.flagged_codes() == ["red", "yellow"]
    for r in bundled_rule_sets():
        assert all(o.severity is not None and o.text_colour for o in r.outcomes), r.name


def test_another_step_model_is_data_not_code(other):
    rules = other.rules
    assert rules.severity_order() == ["høj", "mellem", "lav", "skjult"]
    assert rules.flagged_codes() == ["høj", "mellem"]
    assert rules.text_colour("skjult") == "gray" and rules.symbol("skjult") == ""

    table = colour_list(other, generated_at=datetime(2026, 1, 2, 3, 4), is_demo=True)
    labels = {o.code: o.label for o in rules.outcomes}
    order = {labels[c]: i for i, c in enumerate(rules.severity_order())}
    ranks = table["Farve"].map(order)
    assert ranks.is_monotonic_increasing  # severest first, as the TOML's severity says
    assert set(red_and_yellow(table, rules)["Farve"]) == {labels["høj"], labels["mellem"]}

    from ui import fmt
    from ui.mapview import map_points

    assert fmt.outcome_label(rules, "høj").startswith("★ ")
    assert fmt.short_outcome_labels(rules, ["mellem"]) == ["☆\u00a0" + labels["mellem"]]
    points = map_points(other)
    expected = pd.Series(other.result.outcome).map({"høj": "H", "mellem": "M", "lav": "L", "skjult": ""})
    assert points["symbol"].tolist() == expected.tolist()


def test_a_rule_set_stored_without_presentation_gets_it_from_the_bundled_ones(store):
    rs = store.rule_set("trappetrin")
    bare = rs.model_copy(
        update={"outcomes": [o.model_copy(update=dict.fromkeys(Outcome.PRESENTATION)) for o in rs.outcomes]}
    )
    assert bare.symbol("red") == "" and bare.to_toml().count("symbol") == 0
    with store.transaction() as cur:
        cur.execute("UPDATE rule_sets SET toml = ? WHERE name = 'trappetrin'", [bare.to_toml()])
    assert store.rule_set("trappetrin").symbol("red") == "▲"
    assert store.rule_set("trappetrin").severity_order() == ["red", "yellow", "green", "grey"]
    assert bare.with_presentation(bundled_presentation()) == rs


def test_the_formatting_helpers_load_no_map_or_database():
    """ui/fmt is a formatter: importing it must not pull in pydeck or duckdb (it used to, via ui/mapview)."""
    code = "import sys, ui.fmt; print('pydeck' in sys.modules, 'duckdb' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
