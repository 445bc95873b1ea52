"""The two engines kept honest (issue 16.5): ``ui/static/movers.js`` equals ``trappetrin.engine``.

The Scenarie page recomputes movers in the browser with a JavaScript copy of the rule engine.
Here that copy runs under Node (one process for the whole module, JSON lines over a pipe) on
hypothesis-generated rule sets and data: every operator (``>``, ``>=``, ``<``, ``<=``), absolute
and relative thresholds (a national reference and a per-row reference column), gates with
relative thresholds, several criteria sets, k-of-n counts from 0 to the set's size,
discretion on or off, missing values and values exactly on a threshold. For each case the
outcome, the discretion mask, every condition's threshold and verdict (for rows with values)
and the movers list (id, from, to and the Danish cause text) must be the same.

A second test locks the pair: the hash of ``engine.py`` + ``scenario.py`` and the hash of
``movers.js`` are recorded together in ``tests/unit/engine_lock.toml``; changing one side
without the other (and without re-recording the lock) fails.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import subprocess
import tomllib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trappetrin import catalogue
from trappetrin.engine import classify
from trappetrin.preview import engine_payload
from trappetrin.rules import parse_rule_set
from trappetrin.scenario import movers
from trappetrin.store import ReleaseData

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "ui" / "static" / "movers.js"
DRIVER = ROOT / "tests" / "support" / "movers_node.mjs"
LOCK = Path(__file__).with_name("engine_lock.toml")
LOCKED = {"python": ["trappetrin/engine.py", "trappetrin/scenario.py"], "javascript": ["ui/static/movers.js"]}

DISCRETION = "residents_18_64"
REFERENCE = "national_pct_convicted"
INDICATORS = [name for name in catalogue.indicators() if name != DISCRETION][:5]
OPS = [">", ">=", "<", "<="]
OUTCOMES = ["red", "yellow", "green"]
#: A coarse grid, so values often sit exactly on a threshold (the ties the engines must agree on).
GRID = [x / 2 for x in range(0, 121)]


# --- the Node side ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def node():
    """``node(request) -> answer``: one long-running Node process evaluating movers.js."""
    exe = shutil.which("node") or shutil.which("nodejs")
    assert exe, "Node.js is needed for the movers.js parity test (./test.sh installs Debian's nodejs)"
    proc = subprocess.Popen(
        [exe, str(DRIVER), str(JS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )

    def ask(request: dict) -> dict:
        proc.stdin.write(json.dumps(request, allow_nan=False) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        assert line, f"node stopped: {proc.stderr.read()}"
        answer = json.loads(line)
        assert "error" not in answer, answer["error"]
        return answer

    yield ask
    proc.stdin.close()
    proc.wait(timeout=10)


# --- hypothesis strategies -----------------------------------------------------------------


@st.composite
def conditions(draw, prefix: str, *, n_min: int, n_max: int) -> list[dict]:
    out = []
    for i in range(draw(st.integers(n_min, n_max))):
        cond = {"id": f"{prefix}{i}", "indicator": draw(st.sampled_from(INDICATORS)), "op": draw(st.sampled_from(OPS))}
        if draw(st.booleans()):
            cond["value"] = draw(st.sampled_from(GRID))
        else:
            cond["reference"] = REFERENCE
            cond["factor"] = draw(st.sampled_from([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 10.0, 40.0]))
        out.append(cond)
    return out


@st.composite
def rule_sets(draw) -> dict:
    sets = [
        {"id": f"s{i}", "label": f"Sæt {i}", "criterion": draw(conditions(f"c{i}_", n_min=1, n_max=4))}
        for i in range(draw(st.integers(1, 3)))
    ]
    rules = []
    for i in range(draw(st.integers(1, 4))):
        rule = {"id": f"r{i}", "outcome": draw(st.sampled_from(OUTCOMES)), "label": f"Regel {i}"}
        criteria = draw(st.none() | st.sampled_from([s["id"] for s in sets]))
        if criteria is not None:
            size = len(next(s for s in sets if s["id"] == criteria)["criterion"])
            rule["criteria"] = criteria
            rule["min_met"] = draw(st.integers(0, size))
        else:
            rule["min_met"] = 0
        rule["gate"] = draw(conditions(f"g{i}_", n_min=0 if criteria else 1, n_max=2))
        rules.append(rule)
    data = {
        "name": "parity",
        "version": 1,
        "title": "Paritet",
        "scope": "afdeling",
        "default_outcome": "green",
        "outcome": [
            {"code": code, "label": code, "color": "#000000", "severity": i + 1}
            for i, code in enumerate([*OUTCOMES, "grey"])
        ],
        "criteria_set": sets,
        "rule": rules,
    }
    if draw(st.booleans()):
        data["discretion"] = {
            "indicator": DISCRETION,
            "minimum": draw(st.sampled_from([0, 10, 20, 25])),
            "outcome": "grey",
        }
    return data


@st.composite
def cases(draw):
    rules = parse_rule_set(draw(rule_sets()), source="hypothesis")
    n = draw(st.integers(1, 25))
    value = st.none() | st.sampled_from(GRID)
    frame = pd.DataFrame(
        {name: draw(st.lists(value, min_size=n, max_size=n)) for name in [*INDICATORS, DISCRETION]},
        index=pd.Index([f"A{i:03d}" for i in range(n)], name="dept_id"),
        dtype=float,
    )
    if draw(st.booleans()):  # the reference row by row (areas), else one national number
        frame[REFERENCE] = draw(st.lists(st.none() | st.sampled_from([0.5, 0.78, 1.0, 2.03]), min_size=n, max_size=n))
        frame[REFERENCE] = frame[REFERENCE].astype(float)
    frame["name"] = [f"Afdeling {i}" for i in range(n)]
    frame["organisation"] = "Org"
    params = {}
    for p in draw(st.lists(st.sampled_from(rules.parameters()), max_size=4, unique_by=lambda p: p.key)):
        if p.kind == "min_met":
            rule = next(r for r in rules.rules if p.key == f"k.{r.id}")
            size = len(next(c for c in rules.criteria_sets if c.id == rule.criteria).criteria)
            params[p.key] = float(draw(st.integers(0, size)))
        elif p.kind == "discretion":  # a scenario can only raise the limit (scenario.bounds)
            params[p.key] = p.value + draw(st.sampled_from([0, 5, 15]))
        elif p.kind == "factor":
            params[p.key] = draw(st.sampled_from([0.5, 1.0, 2.0, 3.0]))
        else:
            params[p.key] = draw(st.sampled_from(GRID))
    return rules, frame, draw(st.sampled_from([0.5, 0.78, 1.0, 2.03])), params


def _js_request(rules, frame, refs, params):
    data = ReleaseData("parity", "test", date(2026, 1, 1), "parity", None, refs, {}, frame)
    base = classify(frame, rules, refs)
    payload = engine_payload(data, base, {o.code: o.code for o in rules.outcomes})
    base_params = rules.parameter_values()
    return payload, base, {"engine": payload, "base": base_params, "params": {**base_params, **params}}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_movers_js_classifies_and_explains_like_python(node, case):
    rules, frame, national, params = case
    refs = {REFERENCE: national}
    _, base, request = _js_request(rules, frame, refs, params)
    after = classify(frame, rules.with_overrides(params), refs)
    got = node(request)

    assert got["outcome"] == after.outcome.tolist()
    assert got["masked"] == after.masked.tolist()
    shown = ~after.masked
    by_key = {c["key"]: c for c in got["conditions"]}
    assert set(by_key) == {r.key for r in after.conditions}
    for r in after.conditions:
        js = by_key[r.key]
        assert np.array(js["met"])[shown].tolist() == r.met[shown].tolist(), r.key
        theirs = np.array([math.nan if t is None else t for t in js["threshold"]], dtype=float)
        np.testing.assert_array_equal(theirs[shown], r.threshold[shown], err_msg=r.key)

    expected = {
        str(row["id"]): (row["from"], row["to"], row["cause_text"]) for _, row in movers(base, after).iterrows()
    }
    mine = {row[0]: (row[3], row[4], row[5]) for row in got["movers"]}
    assert mine == expected


@pytest.mark.parametrize(
    "x",
    [0.0, 30.0, 1.5666666, 34.1, 0.125, 0.375, 1234.5, -2.005, 1e6, 61.625, 2.675, 0.005, 99.995, -0.004, None],
)
def test_number_format_matches_python(node, x):
    """Cause texts: movers.js formatNumber writes numbers as the server's cause text does (formatting.short)."""
    from trappetrin.formatting import short

    assert node({"format": [x]})["formatted"] == [short(x)]


@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False))
@settings(max_examples=300, deadline=None)
def test_number_format_matches_python_for_any_number(node, x):
    """Ties away from zero on the shortest decimal form, U+2212, grouping: the same in both languages."""
    from trappetrin.formatting import short

    assert node({"format": [x]})["formatted"] == [short(x)]


def test_the_generator_reaches_every_operator_and_kind():
    """The strategies are not vacuous: a sample covers each operator, both threshold kinds and movers."""
    seen_ops, relative, gated_relative, moved = set(), False, False, False

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(cases())
    def sample(case):
        nonlocal relative, gated_relative, moved
        rules, frame, national, params = case
        for s in rules.criteria_sets:
            for c in s.criteria:
                seen_ops.add(c.op)
                relative |= c.is_relative
        for r in rules.rules:
            gated_relative |= any(g.is_relative for g in r.gates)
        refs = {REFERENCE: national}
        moved |= bool(
            (classify(frame, rules, refs).outcome != classify(frame, rules.with_overrides(params), refs).outcome).any()
        )

    sample()
    assert seen_ops == set(OPS) and relative and gated_relative and moved


# --- the lock ------------------------------------------------------------------------------


def _digest(paths: list[str]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update((ROOT / p).read_bytes())
    return h.hexdigest()


def current_lock() -> dict[str, str]:
    return {side: _digest(paths) for side, paths in LOCKED.items()}


def test_engine_and_movers_js_change_together():
    """Edit engine.py/scenario.py and movers.js together, run the parity test, then re-record:

    .venv/bin/python -c "from tests.unit.test_movers_parity import write_lock; write_lock()"
    """
    recorded = tomllib.loads(LOCK.read_text(encoding="utf-8"))
    now = current_lock()
    changed = [side for side in LOCKED if recorded[side] != now[side]]
    assert changed != ["python"], "engine.py/scenario.py changed but movers.js did not: change both, then re-record"
    assert changed != ["javascript"], "movers.js changed but engine.py/scenario.py did not: change both, then re-record"
    assert not changed, "both engines changed: run this module's parity test, then re-record the lock (see docstring)"


def write_lock() -> None:
    lock = current_lock()
    LOCK.write_text(
        "# Hashes of the two rule engines, recorded together (tests/unit/test_movers_parity.py).\n"
        + "".join(f'{side} = "{digest}"\n' for side, digest in lock.items()),
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("base_value", "value", "text"),
    [
        (1.0, 2.0, "Del af område på ministeriets liste: ja (tæller ikke længere med)"),
        (2.0, 1.0, "Del af område på ministeriets liste: ja (tæller nu med)"),
    ],
)
def test_the_list_flag_cause_is_yes_no_in_both_engines(node, base_value, value, text):
    """Issue 14.2: the ministry-list gate is Ja/Nej, so a mover's cause says ja/nej, not "1: ≥ 1 → ≥ 2"."""
    from trappetrin.rules import bundled_rule_sets

    trappetrin = next(rs for rs in bundled_rule_sets() if rs.name == "trappetrin")
    rules = trappetrin.with_overrides({"g.ministerial_list.on_list": base_value})
    n = 4
    frame = pd.DataFrame({name: [10.0] * n for name in rules.indicators}, index=pd.Index(list("ABCD"), name="dept_id"))
    frame["on_ministry_list"] = [1.0, 0.0, 1.0, 0.0]
    frame["residents_18_64"] = 100.0
    frame["name"] = [f"Afdeling {i}" for i in range(n)]
    frame["organisation"] = "Org"
    refs = {REFERENCE: 0.78}
    _, base, request = _js_request(rules, frame, refs, {"g.ministerial_list.on_list": value})
    got = node(request)
    expected = movers(base, classify(frame, rules.with_overrides({"g.ministerial_list.on_list": value}), refs))
    assert set(expected["id"]) == {"A", "C"}
    assert set(expected["cause_text"]) == {text}
    assert {row[0]: row[5] for row in got["movers"]} == dict(zip(expected["id"], expected["cause_text"]))
