"""Why a department (or area) has its colour: the one reasons text every list and export shows.

:func:`reasons` names the rule that decided each row, with every gate and every criterion met in
that rule's criteria set, each with its value and threshold, for example::

    Over 30 % ikke-vestlige og mindst 1 forebyggelseskriterie – Indvandrere og efterkommere fra
    ikke-vestlige lande (34,2 % > 30 %); 1 kriterie: Dømte for overtrædelse af straffeloven m.fl.
    (1,9 % ≥ 1,57 %)

The rule's label, a dash, then its gates and the criteria met, separated by semicolons.

The Oversigt list, the Eksport files (CSV and XLSX), the Afdeling page and ``python -m trappetrin
classify`` all take their text from here, so they say exactly the same. A row under the discretion
limit gets the limit only, never a value of its own. Numbers are formatted by
:mod:`trappetrin.formatting`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from . import catalogue, formatting
from .engine import DEFAULT_RULE, DISCRETION_RULE, Classification
from .rules import OP_LABELS, Condition, RuleSet

#: The ministry list statuses in Danish (``area_list_status.status``).
LIST_STATUS_LABELS = {
    "forebyggelse": "Forebyggelsesområde",
    "udsat": "Udsat boligområde",
    "parallelsamfund": "Parallelsamfund",
    "omdannelse": "Omdannelsesområde",
}
#: The flag indicator of the ministry list gate (derived by the store from the list in force).
LIST_FLAG = "on_ministry_list"
#: Text of a department in the register without data in a release (colour "Ingen data").
NO_DATA_LABEL = "Ingen data"


def no_data_text(release: str) -> str:
    """The reason of a department the register has but the release has no data for."""
    return f"Ingen data i udgivelse {release}"


def discretion_text(rules: RuleSet) -> str:
    """The reason of a row under the discretion limit: the limit only, never the row's value."""
    d = rules.discretion
    if d is None:
        return "Under diskretionsgrænsen; ingen værdier vises"
    return (
        f"Under diskretionsgrænsen (færre end {formatting.number(d.minimum, 2, trim=True)} "
        f"{catalogue.label(d.indicator).lower()}); ingen værdier vises"
    )


def condition_label(cond: Condition) -> str:
    return cond.label or catalogue.label(cond.indicator)


def _round(x: float, decimals: int) -> float:
    return float(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _holds(value: float, op: str, threshold: float) -> bool:
    """``value op threshold`` as the engine compares (margins rounded, see engine.compare), for one pair."""
    margin = round(value - threshold if op in (">", ">=") else threshold - value, 9)
    return margin > 0 if op in (">", "<") else margin >= 0


@lru_cache(maxsize=65536)
def _format(x: float, unit: str, decimals: int, *, trim: bool) -> str:
    if unit == "%":
        return formatting.percent(x, decimals, trim=trim)
    if unit == "antal" and float(x).is_integer():
        return formatting.integer(x)
    return formatting.number(x, decimals, trim=trim)


@lru_cache(maxsize=65536)
def comparison_text(value: float, op: str, threshold: float, unit: str) -> str:
    """``34,2 % > 30 %``: a value, the operator and the threshold, in the indicator's unit.

    The value gets one decimal (counts none), more when one decimal would hide why it meets the
    threshold (30,04 % shows as "30,04 % > 30 %", not "30,0 % > 30 %"). The threshold is shown
    with up to two decimals, trailing zeros dropped.
    """
    base = 0 if unit == "antal" else 1
    decimals = base
    met = _holds(value, op, threshold)
    while met and decimals < base + 4 and not _holds(_round(value, decimals), op, threshold):
        decimals += 1
    return f"{_format(value, unit, decimals, trim=False)} {OP_LABELS[op]} {_format(threshold, unit, 2, trim=True)}"


def condition_text(
    cond: Condition,
    value: float,
    threshold: float,
    *,
    list_status: str | None = None,
    area: str | None = None,
    list_year: int | None = None,
) -> str:
    """One gate or criterion with its value and threshold, e.g. ``Beboere (1.234 ≥ 1.000)``.

    The ministry list gate names the area and its status instead of a 0/1 flag.
    """
    if cond.indicator == LIST_FLAG:
        where = area or "Området"
        facts = [LIST_STATUS_LABELS.get(list_status, list_status).lower()] if list_status else []
        facts += [f"liste {list_year}"] if list_year is not None else []
        return f"{where} ({', '.join(facts)})" if facts else f"{where} er på ministeriets liste"
    unit = catalogue.unit(cond.indicator)
    return f"{condition_label(cond)} ({comparison_text(float(value), cond.op, float(threshold), unit)})"


def _criteria_word(n: int) -> str:
    return "1 kriterie" if n == 1 else f"{n} kriterier"


def _text_or_none(x) -> str | None:
    return None if x is None or pd.isna(x) or str(x) == "" else str(x)


def reasons(
    result: Classification,
    frame: pd.DataFrame | None = None,
    *,
    list_year: int | None = None,
    ids: Iterable[str] | None = None,
) -> pd.Series:
    """Per id, the Danish reason for its outcome: the deciding rule, its gates and criteria, with values.

    Parameters
    ----------
    result
        A classification (:func:`trappetrin.engine.classify`).
    frame
        The classified frame, for the ministry list gate's ``list_status`` and ``area_name``
        (optional: without it the gate says only that the area is on the list).
    list_year
        The ministry list year in force, named in the ministry list gate's text.
    ids
        Only these ids (default: every row), e.g. the one department a page shows.

    Returns
    -------
    pandas.Series
        Text per id (index ``result.ids``, or ``ids`` in their order). Rows under the discretion limit get
        :func:`discretion_text`; rows no rule decided get the criteria counts per set.
    """
    rules = result.rules
    rows = np.arange(len(result.ids)) if ids is None else result.ids.get_indexer(list(ids))
    if (rows < 0).any():
        raise KeyError(f"unknown ids: {list(pd.Index(list(ids))[rows < 0])}")
    out = np.empty(len(rows), dtype=object)
    by_rule = {r.id: r for r in rules.rules}
    gates = {(c.owner, c.condition.id): c for c in result.conditions if c.kind == "gate"}
    criteria = {}
    for c in result.conditions:
        if c.kind == "criterion":
            criteria.setdefault(c.owner, []).append(c)
    status = area = None
    if frame is not None:
        if "list_status" in frame:
            status = frame["list_status"].to_numpy(dtype=object)
        if "area_name" in frame:
            area = frame["area_name"].to_numpy(dtype=object)
    totals = {s.id: len(s.criteria) for s in rules.criteria_sets}
    set_labels = {s.id: s.label for s in rules.criteria_sets}
    discretion = discretion_text(rules)
    for k, i in enumerate(rows):
        rule_id = result.rule[i]
        if rule_id == DISCRETION_RULE or result.masked[i]:
            out[k] = discretion
            continue
        if rule_id == DEFAULT_RULE:
            counts = [f"{set_labels[s]}: {int(result.counts[s][i])} af {totals[s]} opfyldt" for s in result.counts]
            out[k] = "Ingen regel opfyldt" + (f" ({'; '.join(counts)})" if counts else "")
            continue
        rule = by_rule[rule_id]
        parts = []
        for gate in rule.gates:
            res = gates[(rule.id, gate.id)]
            parts.append(
                condition_text(
                    res.condition,
                    res.value[i],
                    res.threshold[i],
                    list_status=_text_or_none(status[i]) if status is not None else None,
                    area=_text_or_none(area[i]) if area is not None else None,
                    list_year=list_year,
                )
            )
        if rule.criteria is not None and rule.min_met > 0:
            met = [c for c in criteria.get(rule.criteria, []) if c.met[i]]
            texts = [condition_text(c.condition, c.value[i], c.threshold[i]) for c in met]
            parts.append(f"{_criteria_word(len(met))}: {', '.join(texts)}")
        label = rule.label or rules.outcome(rule.outcome).label
        out[k] = f"{label} – {'; '.join(parts)}" if parts else label
    return pd.Series(out, index=result.ids[rows], name="reason", dtype=object)


__all__ = [
    "LIST_STATUS_LABELS",
    "NO_DATA_LABEL",
    "comparison_text",
    "condition_text",
    "discretion_text",
    "no_data_text",
    "reasons",
]
