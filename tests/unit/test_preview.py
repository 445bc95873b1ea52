"""The browser engine's payload (trappetrin.preview): everything needed, nothing under discretion."""

from __future__ import annotations

import json
import math

import pytest

from tests.support.demo import demo_copy
from trappetrin.colours import classify_release
from trappetrin.engine import indicator_array
from trappetrin.preview import engine_payload
from trappetrin.store import open_store

LABELS = {"red": "▲ Rød", "yellow": "◆ Gul", "green": "● Grøn", "grey": "○ Grå"}


@pytest.fixture(scope="module")
def classified(tmp_path_factory):
    store = open_store(demo_copy(tmp_path_factory.mktemp("preview") / "demo.duckdb"))
    try:
        rules = store.adopted_rule_set()
        yield [classify_release(store, label, rules) for label in store.release_labels()]
    finally:
        store.close()


def test_no_value_of_a_department_under_the_discretion_limit_leaves(classified):
    """Masked rows carry no number at all, not even the one the limit is measured on."""
    seen_masked = 0
    for res in classified:
        payload = engine_payload(res.data, res.result, LABELS)
        masked = res.result.masked
        assert payload["masked"] == masked.tolist()
        assert res.result.rules.discretion.indicator in payload["values"]
        for name, column in payload["values"].items():
            for i, v in enumerate(column):
                if masked[i]:
                    assert v is None, f"{name} of masked {payload['ids'][i]} in release {res.data.label}"
        for ref in payload["refs"].values():
            if isinstance(ref, list):
                assert all(v is None for v, m in zip(ref, masked) if m)
        seen_masked += int(masked.sum())
    assert seen_masked > 0, "the demo has departments under the discretion limit"


def test_unmasked_values_are_the_engines_own(classified):
    """Every indicator the rule set reads, exactly as the engine reads it (NaN as null), per id."""
    res = classified[-1]
    payload = engine_payload(res.data, res.result, LABELS)
    assert payload["ids"] == [str(i) for i in res.data.frame.index]
    assert set(payload["values"]) == set(res.result.rules.indicators)
    for name, column in payload["values"].items():
        engine = indicator_array(res.data.frame, name)
        for i, v in enumerate(column):
            if not res.result.masked[i]:
                assert (v is None and math.isnan(engine[i])) or v == engine[i]
    assert payload["refs"] == {"national_pct_convicted": res.data.refs["national_pct_convicted"]}
    assert payload["rules"]["name"] == res.result.rules.name
    assert payload["outcomes"]["labels"] == LABELS
    assert payload["outcomes"]["severity"] == ["red", "yellow", "green", "grey"]
    json.dumps(payload, allow_nan=False)  # plain JSON: no NaN reaches the browser
