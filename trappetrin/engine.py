"""The rule engine: one release (or a set of areas) plus a rule set gives outcomes with reasons.

The engine works on a *wide* frame: one row per department (or area), indexed by its id, one
column per indicator. Everything is vectorised over numpy arrays, so classifying 10,000 rows is a
few milliseconds; the long per-criterion explanation is built only when asked for.

A copy of this engine runs in the browser for the Scenarie page's live movers list
(``ui/static/movers.js``); ``tests/unit/test_movers_parity.py`` keeps the two equal, so a change
here must be made there too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import UserError
from .rules import Condition, RuleSet

# Margins are rounded to this many decimals before comparing, so that a value exactly at a
# relative threshold (3 × 0.78 = 2.3400000000000003 in binary) counts as "at" the threshold.
_DECIMALS = 9

#: rule id recorded for rows decided by the discretion limit or by no rule.
DISCRETION_RULE = "diskretion"
DEFAULT_RULE = ""


@dataclass(frozen=True)
class ConditionResult:
    """Per-row evaluation of one gate or criterion."""

    kind: str  # "criterion" or "gate"
    owner: str  # criteria-set id for criteria, rule id for gates
    condition: Condition
    value: np.ndarray
    threshold: np.ndarray
    met: np.ndarray
    margin: np.ndarray  # positive or zero on the met side; in the indicator's unit

    @property
    def key(self) -> str:
        prefix = "c" if self.kind == "criterion" else "g"
        return f"{prefix}.{self.owner}.{self.condition.id}"


@dataclass(frozen=True)
class Classification:
    """The outcome of every row and the evaluation of every condition behind it."""

    rules: RuleSet
    ids: pd.Index
    outcome: np.ndarray
    rule: np.ndarray
    masked: np.ndarray
    counts: dict[str, np.ndarray]
    conditions: list[ConditionResult] = field(repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def outcomes(self) -> pd.Series:
        """Outcome code per id."""
        return pd.Series(self.outcome, index=self.ids, name="outcome")

    def table(self) -> pd.DataFrame:
        """One row per id: outcome, deciding rule, masked flag and criteria met per set.

        Counts are missing (``<NA>``) for masked rows: how many criteria a department under the
        discretion limit meets is itself a value and must not leave the engine.
        """
        out = pd.DataFrame({"outcome": self.outcome, "rule": self.rule, "masked": self.masked}, index=self.ids)
        for set_id, counts in self.counts.items():
            out[f"met_{set_id}"] = pd.array(np.where(self.masked, 0, counts), dtype="Int64")
            out.loc[self.masked, f"met_{set_id}"] = pd.NA
        return out

    def details(self, ids=None) -> pd.DataFrame:
        """Long table of every condition for every unmasked row: value, threshold, met, margin."""
        keep = ~self.masked
        if ids is not None:
            keep &= self.ids.isin(list(ids))
        frames = []
        for res in self.conditions:
            frames.append(
                pd.DataFrame(
                    {
                        "id": self.ids[keep],
                        "kind": res.kind,
                        "owner": res.owner,
                        "condition": res.condition.id,
                        "key": res.key,
                        "indicator": res.condition.indicator,
                        "op": res.condition.op,
                        "value": res.value[keep],
                        "threshold": res.threshold[keep],
                        "met": res.met[keep],
                        "margin": res.margin[keep],
                    }
                )
            )
        if not frames:
            return pd.DataFrame(
                columns=[
                    "id",
                    "kind",
                    "owner",
                    "condition",
                    "key",
                    "indicator",
                    "op",
                    "value",
                    "threshold",
                    "met",
                    "margin",
                ]
            )
        return pd.concat(frames, ignore_index=True)

    def met_criteria(self) -> pd.Series:
        """Per id, the ids of the criteria met (deduplicated across sets), masked rows empty."""
        crits = [r for r in self.conditions if r.kind == "criterion"]
        labels = np.empty(len(self.ids), dtype=object)
        for i in range(len(self.ids)):
            if self.masked[i]:
                labels[i] = ()
                continue
            seen: dict[str, None] = {}
            for r in crits:
                if r.met[i]:
                    seen[r.condition.id] = None
            labels[i] = tuple(seen)
        return pd.Series(labels, index=self.ids, name="met_criteria")


def indicator_array(frame: pd.DataFrame, column: str) -> np.ndarray:
    """An indicator column as floats, NaN where missing or not a number (as the engine reads it)."""
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def compare(value: np.ndarray, op: str, threshold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (met, margin) for ``value op threshold``; a missing value is never met."""
    if op in (">", ">="):
        margin = value - threshold
    else:
        margin = threshold - value
    margin = np.round(margin, _DECIMALS)
    with np.errstate(invalid="ignore"):
        met = margin > 0 if op in (">", "<") else margin >= 0
    return met & ~np.isnan(margin), margin


def classify(frame: pd.DataFrame, rules: RuleSet, refs: Mapping[str, float] | None = None) -> Classification:
    """Classify every row of ``frame`` under ``rules``.

    Parameters
    ----------
    frame
        One row per department or area, indexed by id, one column per indicator. A column named
        like a reference value (e.g. ``national_pct_convicted``) overrides ``refs`` row by row.
    rules
        The rule set to apply.
    refs
        Reference values for relative thresholds, e.g. ``{"national_pct_convicted": 0.78}``.

    Returns
    -------
    Classification
        Outcome, deciding rule and per-condition evaluation for every row.

    Raises
    ------
    UserError
        When the frame lacks an indicator the rule set needs or a reference value is unknown.
    """
    refs = dict(refs or {})
    missing = [c for c in rules.indicators if c not in frame.columns]
    missing_refs = [r for r in rules.references if r not in frame.columns and r not in refs]
    if missing or missing_refs:
        problems = [f"indikatoren '{c}' findes ikke i data" for c in missing]
        problems += [f"referenceværdien '{r}' er ukendt" for r in missing_refs]
        raise UserError(f"Regelsættet '{rules.name}' kan ikke anvendes på disse data.", problems=problems)

    n = len(frame)
    columns: dict[str, np.ndarray] = {}

    def column(name: str) -> np.ndarray:
        if name not in columns:
            columns[name] = indicator_array(frame, name)
        return columns[name]

    def evaluate(kind: str, owner: str, cond: Condition) -> ConditionResult:
        value = column(cond.indicator)
        if cond.is_relative:
            base = column(cond.reference) if cond.reference in frame.columns else np.full(n, refs[cond.reference])
            # Rounded so "3 × (2.03 / 3)" is exactly the published 2.03, not 2.0300000000000002.
            threshold = np.round(cond.factor * base, 9)
        else:
            threshold = np.full(n, cond.value)
        met, margin = compare(value, cond.op, threshold)
        return ConditionResult(kind, owner, cond, value, threshold, met, margin)

    masked = np.zeros(n, dtype=bool)
    if rules.discretion is not None:
        d = column(rules.discretion.indicator)
        with np.errstate(invalid="ignore"):
            masked = ~(d >= rules.discretion.minimum)

    results: list[ConditionResult] = []
    counts: dict[str, np.ndarray] = {}
    for cset in rules.criteria_sets:
        set_results = [evaluate("criterion", cset.id, c) for c in cset.criteria]
        results += set_results
        counts[cset.id] = np.sum([r.met for r in set_results], axis=0, dtype=int) if set_results else np.zeros(n, int)

    outcome = np.full(n, rules.default_outcome, dtype=object)
    rule_ids = np.full(n, DEFAULT_RULE, dtype=object)
    decided = masked.copy()
    for rule in rules.rules:
        ok = ~decided
        for gate in rule.gates:
            res = evaluate("gate", rule.id, gate)
            results.append(res)
            ok &= res.met
        if rule.criteria is not None:
            ok &= counts[rule.criteria] >= rule.min_met
        outcome[ok] = rule.outcome
        rule_ids[ok] = rule.id
        decided |= ok
    if rules.discretion is not None:
        outcome[masked] = rules.discretion.outcome
        rule_ids[masked] = DISCRETION_RULE
    return Classification(rules, frame.index, outcome, rule_ids, masked, counts, results)
