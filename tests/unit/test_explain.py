"""The reasons text (trappetrin.explain.reasons): every rule of every bundled rule set, gates included.

The cases are generated from the rule-set objects: for every indicator a rule set reads, values
at, between and around its thresholds; many random rows of those values are classified, and for
every rule some rows it decided are explained and checked against the rule's own gates and
criteria (label, value and threshold read back from the text). A rule no generated row reaches
fails the test, so a new rule cannot go unchecked.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from trappetrin import catalogue, formatting
from trappetrin.engine import DEFAULT_RULE, DISCRETION_RULE, classify
from trappetrin.explain import LIST_FLAG, comparison_text, condition_label, discretion_text, reasons
from trappetrin.numbers import parse_number
from trappetrin.rules import OP_LABELS, RuleSet, bundled_rule_sets

RULE_SETS = bundled_rule_sets()
REF = 0.785  # a national conviction share; 2 × 0.785 = 1.57 as in the agreement's example
AREA = "Testområdet"
LIST_STATUS = "forebyggelse"
ROWS = 20_000
PER_RULE = 25
NBSP = "\u00a0"


def _thresholds(rules: RuleSet) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for s in rules.criteria_sets:
        for c in s.criteria:
            out.setdefault(c.indicator, []).append(c.factor * REF if c.is_relative else c.value)
    for r in rules.rules:
        for g in r.gates:
            out.setdefault(g.indicator, []).append(g.factor * REF if g.is_relative else g.value)
    if rules.discretion:
        out.setdefault(rules.discretion.indicator, []).append(rules.discretion.minimum)
    return out


def _candidates(thresholds: list[float]) -> list[float]:
    """Values below, at, between and above the thresholds of one indicator."""
    ts = sorted(set(thresholds))
    step = max(1.0, 0.1 * max(abs(t) for t in ts))
    mids = [round((a + b) / 2, 2) for a, b in zip(ts, ts[1:])]
    return sorted({max(ts[0] - step, 0.0), *ts, *mids, ts[-1] + step, round(ts[-1] + step / 3, 2)})


def _frame(rules: RuleSet, n: int = ROWS, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns = {}
    for indicator, ts in _thresholds(rules).items():
        if indicator == LIST_FLAG:
            columns[indicator] = rng.choice([0.0, 1.0], n, p=[0.8, 0.2])
        else:
            columns[indicator] = rng.choice(_candidates(ts), n)
    frame = pd.DataFrame(columns, index=pd.Index([f"r{i:05d}" for i in range(n)], name="id"))
    for ref in rules.references:
        frame[ref] = REF
    if LIST_FLAG in frame:
        frame["list_status"] = np.where(frame[LIST_FLAG] >= 1, LIST_STATUS, None)
        frame["area_name"] = AREA
    return frame


_NUMBER = r"[−\-]?\d[\d.]*(?:,\d+)?"
_COMPARISON = re.compile(rf"\(({_NUMBER})(?:{NBSP}%)? (>|≥|<|≤) ({_NUMBER})(?:{NBSP}%)?\)")


def _read_back(text: str, label: str) -> tuple[float, str, float]:
    """The value, operator and threshold written right after ``label`` in ``text``."""
    start = text.index(label + " (") + len(label) + 1
    match = _COMPARISON.match(text, start)
    assert match, f"no comparison after {label!r} in {text!r}"
    value, op, threshold = match.groups()
    return float(parse_number(value, ",")), op, float(parse_number(threshold, ","))


def _check_condition(text: str, cond, value: float, threshold: float) -> None:
    if cond.indicator == LIST_FLAG:
        assert f"{AREA} (forebyggelsesområde" in text, text
        return
    label = condition_label(cond)
    assert label in text, f"{label!r} missing from {text!r}"
    shown, op, limit = _read_back(text, label)
    assert op == OP_LABELS[cond.op]
    assert limit == pytest.approx(threshold, abs=0.005)
    tolerance = 0.5 if catalogue.unit(cond.indicator) == "antal" else 0.05  # counts are shown whole
    assert shown == pytest.approx(value, abs=tolerance + 1e-9)
    holds = {">": shown > limit, "≥": shown >= limit, "<": shown < limit, "≤": shown <= limit}[op]
    assert holds, f"the text shows a comparison that does not hold: {text!r}"


@pytest.mark.parametrize("rules", RULE_SETS, ids=[r.name for r in RULE_SETS])
def test_every_rule_is_explained_with_its_gates_and_criteria(rules: RuleSet):
    frame = _frame(rules)
    result = classify(frame, rules)
    decided = pd.Series(result.rule, index=frame.index)
    wanted = [r.id for r in rules.rules] + [DEFAULT_RULE] + ([DISCRETION_RULE] if rules.discretion else [])
    reached = set(decided)
    assert set(wanted) <= reached, f"no generated row reaches {sorted(set(wanted) - reached)}"
    sample = pd.concat([decided[decided == rule_id].head(PER_RULE) for rule_id in wanted])
    texts = reasons(result, frame, list_year=2025, ids=sample.index)
    assert list(texts.index) == list(sample.index)
    gates = {(c.owner, c.condition.id): c for c in result.conditions if c.kind == "gate"}
    crits = [c for c in result.conditions if c.kind == "criterion"]
    set_labels = {s.id: s.label for s in rules.criteria_sets}
    for dept, rule_id in sample.items():
        i = frame.index.get_loc(dept)
        text = texts[dept]
        assert text and "nan" not in text and "None" not in text
        if rule_id == DISCRETION_RULE:
            assert text == discretion_text(rules)
            assert formatting.integer(rules.discretion.minimum) in text
            continue
        if rule_id == DEFAULT_RULE:
            assert text.startswith("Ingen regel opfyldt")
            for set_id, counts in result.counts.items():
                total = len(rules.criteria_set(set_id).criteria)
                assert f"{set_labels[set_id]}: {counts[i]} af {total} opfyldt" in text
            continue
        rule = next(r for r in rules.rules if r.id == rule_id)
        assert text.startswith(rule.label + " – "), text
        for gate in rule.gates:
            res = gates[(rule.id, gate.id)]
            assert res.met[i]
            _check_condition(text, gate, res.value[i], res.threshold[i])
        if rule.criteria is not None and rule.min_met > 0:
            met = [c for c in crits if c.owner == rule.criteria and c.met[i]]
            unmet = [c for c in crits if c.owner == rule.criteria and not c.met[i]]
            assert len(met) >= rule.min_met
            word = "1 kriterie: " if len(met) == 1 else f"{len(met)} kriterier: "
            assert word in text, text
            criteria_part = text[text.index(word) :]
            for c in met:
                _check_condition(criteria_part, c.condition, c.value[i], c.threshold[i])
            for c in unmet:
                assert condition_label(c.condition) not in criteria_part, (c.condition.id, text)


def test_the_issues_example_reads_exactly():
    """Yellow under "over 30 % ikke-vestlige + 1 kriterie": the non-Western gate is named, with its value."""
    rules = next(r for r in RULE_SETS if r.name == "trappetrin")
    frame = pd.DataFrame(
        {
            "residents_18_64": [120.0],
            "on_ministry_list": [0.0],
            "pct_outside_labour": [22.0],
            "pct_convicted": [1.9],
            "pct_basic_education": [40.0],
            "income_pct_of_region": [80.0],
            "pct_nonwestern": [34.2],
        },
        index=pd.Index(["101-001"], name="dept_id"),
    )
    result = classify(frame, rules, {"national_pct_convicted": 0.785})
    assert result.rule[0] == "nonwestern_and_one"
    text = reasons(result, frame).iloc[0].replace(NBSP, " ")
    assert text == (
        "Over 30 % ikke-vestlige og mindst 1 forebyggelseskriterie – "
        "Indvandrere og efterkommere fra ikke-vestlige lande (34,2 % > 30 %); "
        "1 kriterie: Dømte for overtrædelse af straffeloven m.fl. (1,9 % ≥ 1,57 %)"
    )


def test_ministry_list_gate_names_the_area_status_and_year():
    rules = next(r for r in RULE_SETS if r.name == "trappetrin")
    frame = _frame(rules, n=400)
    frame[LIST_FLAG] = 1.0
    frame["list_status"] = "udsat"
    frame["area_name"] = "Demo-område Øst"
    frame[rules.discretion.indicator] = 500.0
    result = classify(frame, rules, {"national_pct_convicted": REF})
    text = reasons(result, frame, list_year=2026).iloc[0]
    assert text == (
        "Del af et boligområde på ministeriets seneste liste – Demo-område Øst (udsat boligområde, liste 2026)"
    )


def test_discretion_text_carries_no_value_of_the_row():
    """Two departments under the limit with different values get the very same text."""
    rules = next(r for r in RULE_SETS if r.name == "trappetrin")
    frame = _frame(rules, n=50)
    frame[rules.discretion.indicator] = [3.0, 17.0] * 25
    result = classify(frame, rules, {"national_pct_convicted": REF})
    texts = reasons(result, frame)
    assert set(texts) == {discretion_text(rules)}
    assert "17" not in texts.iloc[1] and "3 " not in texts.iloc[0]


@pytest.mark.parametrize(
    ("value", "op", "threshold", "unit", "expected"),
    [
        (34.2, ">", 30.0, "%", "34,2 % > 30 %"),
        (1.9, ">=", 1.57, "%", "1,9 % ≥ 1,57 %"),
        (30.04, ">", 30.0, "%", "30,04 % > 30 %"),  # one decimal would read "30,0 % > 30 %"
        (64.96, "<", 65.0, "%", "64,96 % < 65 %"),
        (1234.0, ">=", 1000.0, "antal", "1.234 ≥ 1.000"),
        (4.0, ">=", 4.0, "", "4,0 ≥ 4"),
    ],
)
def test_comparison_text(value, op, threshold, unit, expected):
    assert comparison_text(value, op, threshold, unit).replace(NBSP, " ") == expected


def test_every_indicator_a_rule_reads_has_a_danish_label():
    """No internal key in a reason: every condition's indicator has a label in the catalogue."""
    for rules in RULE_SETS:
        for indicator in rules.indicators:
            if indicator != LIST_FLAG:
                assert catalogue.label(indicator) != indicator, (rules.name, indicator)
