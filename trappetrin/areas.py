"""Areas: aggregating departments to an area, and checking areas against the ministry's lists."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import catalogue
from .engine import classify
from .errors import UserError
from .numbers import parse_number
from .rules import RuleSet, bundled_rule_sets


def aggregate(frame: pd.DataFrame, groups: pd.Series, masked: np.ndarray | None = None) -> pd.DataFrame:
    """Aggregate department indicators to groups, each share weighted by its own denominator.

    Counts are summed; a share is ``Σ(share × denominator) / Σ denominator`` over the departments
    where both are known (docs/domain.md §4: outside labour by residents 18–64, convictions by residents
    18+, education by residents 30–59, income by taxpayers 15–64, non-Western share by residents).
    Departments under the discretion limit (``masked``) are left out entirely, so no aggregate can
    reveal their values.

    Parameters
    ----------
    frame
        Wide department frame (one row per department, indicator columns, a ``dwellings`` column).
    groups
        Group key per department (same index as ``frame``); departments with no key are left out.
    masked
        Boolean array aligned with ``frame``: departments under the discretion limit.

    Returns
    -------
    pandas.DataFrame
        One row per group with every catalogue indicator and ``departments`` (how many counted).
    """
    keep = groups.reindex(frame.index).notna().to_numpy().copy()
    if masked is not None:
        keep &= ~np.asarray(masked, dtype=bool)
    sub = frame.loc[keep]
    key = groups.reindex(sub.index)
    out = pd.DataFrame(index=pd.Index(sorted(key.unique()), name=groups.name or "group"))
    out["departments"] = key.value_counts().reindex(out.index).fillna(0).astype(int)
    for code, ind in catalogue.indicators().items():
        values = pd.to_numeric(sub[code], errors="coerce")
        if not ind.denominator:
            out[code] = values.groupby(key).sum(min_count=1).reindex(out.index)
            continue
        weights = pd.to_numeric(sub[ind.denominator], errors="coerce")
        ok = values.notna() & weights.notna() & (weights > 0)
        num = (values[ok] * weights[ok]).groupby(key[ok]).sum()
        den = weights[ok].groupby(key[ok]).sum()
        out[code] = (num / den).reindex(out.index)
    return out


# --- checking areas against the legal lists ------------------------------------------------

AREA_COLUMNS = [
    "area",
    "year",
    "residents",
    "pct_outside_labour",
    "pct_convicted",
    "national_pct_convicted",
    "pct_basic_education",
    "income_pct_of_region",
    "pct_nonwestern",
]
OPTIONAL_COLUMNS = ["years_parallelsamfund_before"]
_SHARES = {"pct_outside_labour", "pct_convicted", "national_pct_convicted", "pct_basic_education", "pct_nonwestern"}
#: criteria sets whose met-counts the area check reports, and the output column for each.
REPORTED_SETS = {"udsat": "criteria_met_udsat", "forebyggelse": "criteria_met_forebyggelse"}


def read_area_file(path: Path) -> pd.DataFrame:
    """Read and validate an area CSV; raise :class:`UserError` listing every problem at once.

    The file is read like an import (:func:`trappetrin.imports.files.read_table`): UTF-8, UTF-16 or
    Windows-1252 text, any separator, XLSX, size limits; rows are numbered as the spreadsheet
    numbers them.
    """
    from .imports.files import read_table  # late: the imports package loads the store, areas need not

    name = Path(path).name
    try:
        raw = read_table(path)
    except UserError as exc:
        raise UserError(f"{name}: filen kan ikke læses som CSV – {exc.message}") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in AREA_COLUMNS if c not in raw.columns]
    if missing:
        raise UserError(
            f"{name}: mangler kolonnerne {', '.join(missing)}. Forventede kolonner: {', '.join(AREA_COLUMNS)}."
        )
    if raw.empty:
        raise UserError(f"{name}: filen har ingen rækker med områder.")
    problems: list[str] = []
    out = pd.DataFrame({"area": raw["area"].str.strip()})
    for row, value in out["area"].items():
        if not value:
            problems.append(f"{name}, række {row}, kolonne area: områdets navn mangler")
    numeric = [c for c in AREA_COLUMNS[1:] + OPTIONAL_COLUMNS if c in raw.columns]
    for column in numeric:
        parsed = []
        for row, text in raw[column].items():
            where = f"{name}, række {row}, kolonne {column}"
            try:
                number = parse_number(text)
            except ValueError:
                problems.append(f"{where}: '{text}' er ikke et tal")
                parsed.append(np.nan)
                continue
            if number is None:
                if column not in OPTIONAL_COLUMNS:
                    problems.append(f"{where}: værdien mangler")
                parsed.append(np.nan)
                continue
            if column in _SHARES and not 0 <= number <= 100:
                problems.append(f"{where}: {text} skal være en procent mellem 0 og 100")
            elif column in ("residents", "years_parallelsamfund_before", "year") and (
                number < 0 or number != int(number)
            ):
                problems.append(f"{where}: {text} skal være et helt tal, ikke negativt")
            elif column == "income_pct_of_region" and number < 0:
                problems.append(f"{where}: {text} må ikke være negativ")
            parsed.append(number)
        out[column] = parsed
    if "years_parallelsamfund_before" not in out:
        out["years_parallelsamfund_before"] = 0.0
    out["years_parallelsamfund_before"] = out["years_parallelsamfund_before"].fillna(0.0)
    if problems:
        raise UserError(f"{name}: {len(problems)} fejl; intet er beregnet.", problems=problems)
    for column in ("year", "residents", "years_parallelsamfund_before"):  # counts stay whole numbers
        out[column] = out[column].astype(int)
    return out


def check_areas(areas: pd.DataFrame, rule_sets: list[RuleSet] | None = None) -> pd.DataFrame:
    """Apply the ministry rule set in force for each row's list year.

    Returns the input with ``status`` and, per reported criteria set, how many of its criteria
    are met (empty where that list did not exist in the row's year).
    """
    candidates = [rs for rs in (rule_sets or bundled_rule_sets()) if rs.scope == "område"]
    out = areas.copy()
    out["status"] = pd.Series(pd.NA, index=out.index, dtype="string")
    for column in REPORTED_SETS.values():
        out[column] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    unmatched = []
    for year, rows in out.groupby("year"):
        rs = next((r for r in candidates if r.applies_to_list_year(int(year))), None)
        if rs is None:
            unmatched.append(str(year))
            continue
        result = classify(rows, rs)
        out.loc[rows.index, "status"] = result.outcome
        for set_id, column in REPORTED_SETS.items():
            if set_id in result.counts:
                out.loc[rows.index, column] = result.counts[set_id]
    if unmatched:
        raise UserError(f"Intet af ministeriets regelsæt gælder for listeåret {', '.join(unmatched)}.")
    return out
