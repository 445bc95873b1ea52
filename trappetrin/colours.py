"""Classify a stored release and turn the result into the colour list the parties receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from . import catalogue, formatting
from .engine import Classification, classify
from .explain import NO_DATA_LABEL, no_data_text, reasons
from .rules import RuleSet
from .store import ReleaseData, Store

DEMO_SOURCE_TEXT = "Demodata – fiktive afdelinger"


@dataclass(frozen=True)
class ReleaseResult:
    """One release classified under one rule set."""

    data: ReleaseData
    result: Classification

    @property
    def rules(self) -> RuleSet:
        return self.result.rules

    def summary(self) -> pd.DataFrame:
        """Departments, dwellings and cheap dwellings (≤ 3,500 kr) per outcome, severest first."""
        frame = self.data.frame.assign(outcome=self.result.outcome)
        grouped = frame.groupby("outcome").agg(
            departments=("name", "size"),
            dwellings=("dwellings", "sum"),
            cheap_dwellings=("dwellings_le_3500", "sum"),
        )
        order = [o.code for o in self.rules.outcomes]
        out = grouped.reindex(order, fill_value=0)
        out.index.name = "outcome"
        return out.astype(int)


def classify_release(store: Store, label: str, rules: RuleSet, municipality: str | None = None) -> ReleaseResult:
    """Classify one stored release under ``rules`` (``municipality``: only its departments)."""
    data = store.release_data(label, municipality)
    return ReleaseResult(data, classify(data.frame, rules, data.refs))


def criterion_labels(rules: RuleSet) -> dict[str, str]:
    """Criterion id → a short Danish label (its own, or its indicator's)."""
    out: dict[str, str] = {}
    for cset in rules.criteria_sets:
        for c in cset.criteria:
            out.setdefault(c.id, c.label or catalogue.label(c.indicator))
    return out


def colour_list(res: ReleaseResult, *, generated_at: datetime, is_demo: bool) -> pd.DataFrame:
    """The colour list with Danish headers: one row per department, values empty under discretion.

    "Begrundelse" is :func:`trappetrin.explain.reasons`: the deciding rule with its gates and
    criteria and their values, the same text the Oversigt list and the Afdeling page show.
    "Opfyldte kriterier" lists every criterion met (in any criteria set), also for departments
    no rule decided. Departments in the register without data in the release come last, with
    colour "Ingen data", the reason "Ingen data i udgivelse …" and no values.
    """
    rules, data, result = res.rules, res.data, res.result
    frame = data.frame
    outcome = pd.Series(result.outcome, index=frame.index)
    labels = {o.code: o.label for o in rules.outcomes}
    steps = {o.code: o.step for o in rules.outcomes}
    crit_labels = criterion_labels(rules)
    met = result.met_criteria()
    met_text = met.map(lambda ids: "; ".join(crit_labels.get(i, i) for i in ids)).to_numpy(dtype=object)
    area = frame["area_name"].fillna(frame["local_area_name"]).fillna("")
    out = pd.DataFrame(
        {
            "Afdelings-id": frame.index,
            "Afdeling": frame["name"].to_numpy(),
            "Boligorganisation": frame["organisation"].to_numpy(),
            "Område": area.to_numpy(),
            "Bydel": frame["neighbourhood"].fillna("").to_numpy(),
            "Farve": outcome.map(labels).to_numpy(),
            "Trin": outcome.map(steps).to_numpy(),
            "Begrundelse": reasons(result, frame, list_year=data.list_year).to_numpy(),
            "Opfyldte kriterier": np.where(result.masked, "", met_text),
            "Antal opfyldte kriterier": pd.array(np.where(result.masked, 0, [len(m) for m in met]), dtype="Int64"),
        }
    )
    out.loc[result.masked, "Antal opfyldte kriterier"] = pd.NA
    order = rules.severity_rank()  # most severe first, as [[outcome]] severity says
    for code, ind in catalogue.indicators().items():
        column = f"{ind.label} ({ind.unit})"
        values = frame[code].to_numpy(dtype=float, na_value=np.nan).copy()
        values[result.masked] = np.nan  # discretion: no value of a grey department leaves here
        out[column] = pd.array(np.round(values), dtype="Int64") if ind.unit == "antal" else np.round(values, 2)
    out["_order"] = outcome.map(lambda c: order.get(c, len(order))).to_numpy()
    absent = data.absent
    if len(absent):  # in the register, no data in this release: listed last, colour "Ingen data"
        missing = pd.DataFrame(
            {
                "Afdelings-id": absent.index,
                "Afdeling": absent["name"].to_numpy(),
                "Boligorganisation": absent["organisation"].to_numpy(),
                "Område": absent["area_name"].fillna(absent["local_area_name"]).fillna("").to_numpy(),
                "Bydel": absent["neighbourhood"].fillna("").to_numpy(),
                "Farve": NO_DATA_LABEL,
                "Trin": "",
                "Begrundelse": no_data_text(data.label),
                "Opfyldte kriterier": "",
                "_order": len(order) + 1,
            }
        )
        out = pd.concat([out, missing], ignore_index=True)
        out["Antal opfyldte kriterier"] = out["Antal opfyldte kriterier"].astype("Int64")
        for ind in catalogue.indicators().values():
            if ind.unit == "antal":
                out[f"{ind.label} ({ind.unit})"] = out[f"{ind.label} ({ind.unit})"].astype("Int64")
    out["Udgivelse"] = data.label
    out["Regelsæt"] = rules.name
    out["Regelsætversion"] = rules.version
    out["Datagrundlag"] = DEMO_SOURCE_TEXT if is_demo else data.source
    out["Dannet"] = formatting.datetime(generated_at)
    return out.sort_values(["_order", "Afdelings-id"]).drop(columns="_order").reset_index(drop=True)


def colour_fills(rules: RuleSet) -> dict[str, dict[str, str]]:
    """XLSX fills for the "Farve" column: each outcome's label in its rule-set colour."""
    return {"Farve": {o.label: o.color for o in rules.outcomes}}


def red_and_yellow(colour_table: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """The agreement's "samlet oversigt": only the red and yellow departments.

    That is the outcomes more severe than the default one (:meth:`RuleSet.flagged_codes`).
    """
    flagged = set(rules.flagged_codes())
    wanted = {o.label for o in rules.outcomes if o.code in flagged}
    return colour_table[colour_table["Farve"].isin(wanted)].reset_index(drop=True)
