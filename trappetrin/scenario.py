"""Scenarios: a rule set with changed parameters, compared with another to find the movers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import catalogue
from .engine import Classification
from .errors import UserError
from .numbers import parse_number
from .rules import OP_LABELS, RuleSet, format_number

#: Query-parameter prefix for scenario values in a shareable URL (``?p.c.forebyggelse.income=60``).
URL_PREFIX = "p."


def to_query(base: RuleSet, scenario: RuleSet) -> dict[str, str]:
    """The parameters where ``scenario`` differs from ``base``, as URL query parameters."""
    return {URL_PREFIX + k: _plain(new) for k, (_old, new) in base.diff(scenario).items()}


def from_query(base: RuleSet, query: dict[str, str]) -> dict[str, float]:
    """Scenario overrides read back from URL query parameters; ignores unrelated parameters.

    A value that is not a number, or a key the rule set does not have, is a :class:`UserError`
    (a colleague's link for another rule set should say so rather than silently do nothing).
    """
    known = base.parameter_values()
    overrides, problems = {}, []
    for raw_key, raw_value in query.items():
        if not raw_key.startswith(URL_PREFIX):
            continue
        key = raw_key[len(URL_PREFIX):]
        if key not in known:
            problems.append(f"ukendt parameter '{key}'")
            continue
        try:
            value = parse_number(raw_value)
        except ValueError:
            value = None
        if value is None:
            problems.append(f"'{raw_value}' er ikke et tal ({key})")
            continue
        overrides[key] = value
    if problems:
        raise UserError(f"Linket passer ikke til regelsættet '{base.name}'.", problems=problems)
    return overrides


def _plain(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def transition_matrix(before: Classification, after: Classification) -> pd.DataFrame:
    """Counts of departments from each outcome (rows) to each outcome (columns)."""
    order = [o.code for o in after.rules.outcomes]
    b = pd.Categorical(before.outcome, categories=order)
    a = pd.Categorical(after.outcome, categories=order)
    return pd.crosstab(b, a, rownames=["før"], colnames=["efter"], dropna=False)


def counts(result: Classification) -> pd.Series:
    order = [o.code for o in result.rules.outcomes]
    return pd.Series(result.outcome).value_counts().reindex(order, fill_value=0)


def movers(before: Classification, after: Classification) -> pd.DataFrame:
    """Departments whose outcome differs, with the conditions that changed verdict for them.

    Both classifications must cover the same rows in the same order (the same release). For
    each mover, ``causes`` lists the gates/criteria whose met-status flipped between the two
    rule sets, with the department's value and the old and new threshold; when no condition
    flipped, the cause is a changed "at least k" count or discretion limit, said in words.
    Departments masked in either classification are listed without values.
    """
    if not before.ids.equals(after.ids):
        raise ValueError("movers() needs two classifications of the same rows")
    moved = np.flatnonzero(before.outcome != after.outcome)
    old = {r.key: r for r in before.conditions}
    rows = []
    changed_params = before.rules.diff(after.rules)
    for i in moved:
        causes = []
        masked = bool(before.masked[i] or after.masked[i])
        if not masked:
            for new in after.conditions:
                prev = old.get(new.key)
                if prev is None or prev.met[i] == new.met[i]:
                    continue
                causes.append({
                    "key": new.key,
                    "indicator": new.condition.indicator,
                    "label": catalogue.label(new.condition.indicator),
                    "op": new.condition.op,
                    "value": float(new.value[i]),
                    "old_threshold": float(prev.threshold[i]),
                    "new_threshold": float(new.threshold[i]),
                    "met_before": bool(prev.met[i]),
                    "met_after": bool(new.met[i]),
                })
        rows.append({
            "id": before.ids[i],
            "from": before.outcome[i],
            "to": after.outcome[i],
            "causes": causes,
            "cause_text": describe_causes(causes, changed_params, masked),
        })
    return pd.DataFrame(rows, columns=["id", "from", "to", "causes", "cause_text"])


def describe_causes(causes: list[dict], changed: dict[str, tuple[float, float]], masked: bool) -> str:
    """Danish text for a mover's causes, e.g. ``Kun grundskole 61,2 %: > 62 → > 60 (nu opfyldt)``."""
    if masked:
        return "Diskretionsgrænsen er ændret" if "d.minimum" in changed else "Under diskretionsgrænsen"
    parts = []
    for c in causes:
        unit = " %" if catalogue.unit(c["indicator"]) == "%" else ""
        op = OP_LABELS[c["op"]]
        state = "nu opfyldt" if c["met_after"] else "ikke længere opfyldt"
        parts.append(
            f"{c['label']} {format_number(c['value'])}{unit}: {op} {format_number(c['old_threshold'])}"
            f" → {op} {format_number(c['new_threshold'])} ({state})"
        )
    counts_changed = [k for k in changed if k.startswith("k.")]
    if not parts and counts_changed:
        parts.append("Krav til antal opfyldte kriterier er ændret")
    return "; ".join(parts) if parts else "Regelrækkefølgen giver et andet udfald"
