"""Twins (tvillinger): each department against its most comparable departments.

Like Landsbyggefonden's Tvillingeværktøj, a department is benchmarked against the ``n`` departments
most like it on master data (stamdata), socio-economic data, or both; the user picks the variables.

Method
------
1. The *pool* is the departments in scope (the department's municipality, or the whole country)
   that have every chosen variable. When a socio-economic variable is chosen, departments under
   the discretion limit are left out of the pool altogether: their values may not decide anything
   (not even which departments are someone's twins), so they neither get nor are twins on those
   variables.
2. Each variable is standardised within the pool: z = (x − mean) / standard deviation. The number
   of dwellings enters as its logarithm (a department of 400 is as far from one of 200 as 100 is
   from 50), and the location type as 0 (by), 1 (forstad), 2 (land). A variable that does not vary
   in the pool is 0 for everyone.
3. The distance between two departments is the root mean square of their differences in z:
   ``sqrt(mean_j (z_aj − z_bj)²)``. 0 is an exact twin; 1 means one standard deviation apart on an
   average variable. The twins are the ``n`` nearest departments of the pool, never the department
   itself; ties are broken by department id.

Standardised values are rounded to 1/65,536 of a standard deviation before distances are taken,
so every squared distance is an exact integer multiple in floating point: one department's twins
and all departments' twins (a float32 matrix product as a filter, then exact distances for the
candidates) agree to the last bit, and ties are real ties.

Discretion
----------
A twin under the discretion limit is listed (by id, name, distance and its master data) but
never with an indicator value. An aggregate over twins (median, range, position) needs at least
:data:`MIN_TWINS_WITH_VALUES` twins with a value, else it is not given.

No Streamlit here: the Tvillinger page, the Afdeling page and the command line call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from . import catalogue
from .rules import RuleSet
from .store import LOCATION_TYPES

#: Master-data variables: code → Danish label. ``dwellings`` is family + BAB dwellings.
STAMDATA_VARIABLES: dict[str, str] = {
    "year_built": "Opførelsesår",
    "dwellings": "Antal boliger",
    "mean_m2": "Gennemsnitligt boligareal (m²)",
    "rent_per_m2": "Husleje pr. m² (kr. om året)",
    "pct_family_dwellings": "Andel familieboliger (%)",
    "location_type": "Beliggenhed (by, forstad, land)",
}
#: Socio-economic variables (indicator codes of the release in view).
SOCIO_VARIABLES: tuple[str, ...] = (
    "pct_outside_labour",
    "pct_convicted",
    "pct_basic_education",
    "income_pct_of_region",
    "pct_nonwestern",
)
#: Indicators compared against the twins.
COMPARE_INDICATORS: tuple[str, ...] = (*SOCIO_VARIABLES, "move_out_rate")
#: ``--by`` / page choice → Danish label.
BY_CHOICES = {"stamdata": "Stamdata", "socio": "Socioøkonomi", "begge": "Begge"}
#: Scope → Danish label.
SCOPES = {"kommune": "Kommunen", "land": "Hele landet"}
DEFAULT_N, MIN_N, MAX_N = 10, 5, 50
#: An aggregate over twins (median, range, position) needs at least this many twins with values.
MIN_TWINS_WITH_VALUES = 3

_LOCATION_RANK = {code: float(i) for i, code in enumerate(LOCATION_TYPES)}
_QUANTUM = 2.0**16  # standardised values are rounded to 1/65,536 (see the module docstring)
_Z_CAP = 64.0  # |z| beyond this is clipped, so squared distances stay exact in float64
_CHUNK = 1_000  # rows per matrix product when all departments are searched


def variable_label(code: str) -> str:
    """Danish label of a matching variable."""
    return STAMDATA_VARIABLES.get(code) or catalogue.label(code)


def variables_for(by: str) -> list[str]:
    """The variables of a ``--by`` choice: stamdata, socio or begge."""
    if by == "stamdata":
        return list(STAMDATA_VARIABLES)
    if by == "socio":
        return list(SOCIO_VARIABLES)
    if by == "begge":
        return [*STAMDATA_VARIABLES, *SOCIO_VARIABLES]
    raise ValueError(f"unknown twin basis {by!r}; known: {list(BY_CHOICES)}")


def check_variables(variables) -> list[str]:
    """The chosen variables in canonical order; a ValueError for unknown or none."""
    known = [*STAMDATA_VARIABLES, *SOCIO_VARIABLES]
    chosen = list(dict.fromkeys(variables))
    unknown = [v for v in chosen if v not in known]
    if unknown or not chosen:
        raise ValueError(f"unknown or no matching variables {unknown or chosen!r}; known: {known}")
    return [v for v in known if v in chosen]


def uses_socio(variables) -> bool:
    return any(v in SOCIO_VARIABLES for v in variables)


def check_n(n: int) -> int:
    if not MIN_N <= int(n) <= MAX_N:
        raise ValueError(f"n must be {MIN_N}–{MAX_N}, not {n}")
    return int(n)


def masked(frame: pd.DataFrame, rules: RuleSet) -> np.ndarray:
    """True for departments under the discretion limit of ``rules`` (as the engine decides it)."""
    d = rules.discretion
    if d is None:
        return np.zeros(len(frame), dtype=bool)
    values = frame[d.indicator].to_numpy(dtype=float) if d.indicator in frame.columns else np.full(len(frame), np.nan)
    with np.errstate(invalid="ignore"):
        return ~(values >= d.minimum)


def raw_matrix(frame: pd.DataFrame, variables: list[str]) -> np.ndarray:
    """The chosen variables as numbers (departments × variables), NaN where missing."""
    cols = []
    for v in variables:
        if v == "dwellings":
            x = frame["dwellings"].to_numpy(dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                x = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)
        elif v == "location_type":
            x = frame["location_type"].map(_LOCATION_RANK).to_numpy(dtype=float)
        elif v in frame.columns:
            x = pd.to_numeric(frame[v], errors="coerce").to_numpy(dtype=float)
        else:
            x = np.full(len(frame), np.nan)
        cols.append(x)
    return np.column_stack(cols) if cols else np.empty((len(frame), 0))


def standardise(raw: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """z-scores of every row, with mean and standard deviation taken over the ``pool`` rows."""
    sub = raw[pool]
    mean = sub.mean(axis=0) if len(sub) else np.zeros(raw.shape[1])
    sd = sub.std(axis=0) if len(sub) else np.ones(raw.shape[1])
    sd = np.where(sd > 0, sd, 1.0)
    return (raw - mean) / sd


def _quantise(z: np.ndarray) -> np.ndarray:
    """z rounded to whole multiples of 1/65,536, kept as integer-valued floats."""
    return np.round(np.clip(z, -_Z_CAP, _Z_CAP) * _QUANTUM)


def _squared(
    zq_rows: np.ndarray, zq_pool: np.ndarray, norms_pool: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Exact squared distances (in quantum units) of some rows to the pool, by a matrix product.

    ``out`` (rows × pool) is reused when given: fresh memory for every chunk costs more than the product.
    """
    norms_rows = np.einsum("ij,ij->i", zq_rows, zq_rows)
    d2 = np.matmul(zq_rows, zq_pool.T, out=out[: len(zq_rows)] if out is not None else None)
    d2 *= -2.0
    d2 += norms_rows[:, None]
    d2 += norms_pool[None, :]
    return np.maximum(d2, 0.0, out=d2)


def _kth_bound(d: np.ndarray, k: int) -> np.ndarray:
    """Per row, an upper bound on the k-th smallest entry: the k-th smallest of every step-th column.

    (The k-th smallest of a subset is at least that of the whole row.) A sample of ~64·k columns
    leaves ~width/64 candidates per row to sort.
    """
    rows, width = d.shape
    step = max(1, width // (64 * k))
    sample = d[:, ::step] if step > 1 else d
    if sample.shape[1] < k:
        return np.full(rows, np.inf)
    return np.partition(sample, k - 1, axis=1)[:, k - 1]


def _select(r: np.ndarray, c: np.ndarray, v: np.ndarray, rows: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """From candidate entries (row, column, exact value), the ``n`` smallest per row, ties by column.

    The entries come row by row with ascending columns (as ``np.nonzero`` gives them), so one
    stable sort on (row, value) keeps ties in column order. Values below 2^50 (exact squared
    distances, see :func:`_nearest_all`) and rows below 2^12 pack into one int64 key.
    """
    out_cols = np.full((rows, n), -1, dtype=np.int64)
    out_vals = np.full((rows, n), np.inf)
    keep = np.isfinite(v)
    r, c, v = r[keep], c[keep], v[keep]
    if rows < 2**12 and (len(v) == 0 or v.max() < 2.0**50):
        order = np.argsort(r.astype(np.int64) * 2**50 + v.astype(np.int64), kind="stable")
    else:
        order = np.lexsort((c, v, r))
    r, c, v = r[order], c[order], v[order]
    start = np.searchsorted(r, np.arange(rows))
    pos = np.arange(len(r)) - start[r]
    take = pos < n
    out_cols[r[take], pos[take]] = c[take]
    out_vals[r[take], pos[take]] = v[take]
    return out_cols, out_vals


def _nearest(d2: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` smallest entries per row, ties by column: (columns, values), -1/inf padded."""
    rows, width = d2.shape
    k = min(n, width)
    if k == 0 or rows == 0:
        return np.full((rows, n), -1, dtype=np.int64), np.full((rows, n), np.inf)
    r, c = np.nonzero(d2 <= _kth_bound(d2, k)[:, None])
    return _select(r, c, d2[r, c], rows, n)


#: Unit roundoff of float32.
_U32 = 2.0**-24


def _nearest_all(zq: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each pool row's ``n`` nearest other rows: exactly :func:`_nearest` of the exact distances.

    The matrix of all distances is only a filter, made in float32 (half the memory traffic of
    float64): with ``e_i`` a bound on its rounding error in row ``i`` (Higham's γ for a dot product
    of ``m`` terms, and two additions), every true twin has an approximate distance within
    ``kth_i + 2 e_i`` of the sampled bound. Those candidates get their exact squared distance from
    the integer-valued ``zq``, so ties and order are exactly those of :func:`find_twins`.
    """
    size, m = zq.shape
    k = min(n, size - 1)
    twin_idx = np.full((size, n), -1, dtype=np.int64)
    twin_d2 = np.full((size, n), np.inf)
    if k <= 0:
        return twin_idx, twin_d2
    z = (zq / _QUANTUM).astype(np.float32)  # exact: |zq| < 2^23
    norms = np.einsum("ij,ij->i", z, z)
    length = np.sqrt(np.einsum("ij,ij->i", zq, zq)) / _QUANTUM
    slack = (m + 3) * _U32 * 1.01
    buffer = np.empty((min(_CHUNK, size), size), dtype=np.float32)
    _chunks(zq, z, norms, length, slack, k, n, buffer, twin_idx, twin_d2)
    return twin_idx, twin_d2


def _chunks(zq, z, norms, length, slack, k, n, buffer, twin_idx, twin_d2) -> None:
    size = len(zq)
    for start in range(0, size, _CHUNK):
        rows = np.arange(start, min(start + _CHUNK, size))
        d = np.matmul(z[rows], z.T, out=buffer[: len(rows)])
        d *= -2.0
        d += norms[rows, None]
        d += norms[None, :]
        d[np.arange(len(rows)), rows] = np.inf  # never its own twin
        error = slack * (length[rows] + length.max()) ** 2
        bound = (_kth_bound(d, k).astype(np.float64) + 2 * error) * (1 + 1e-6) + 1e-12
        r, c = np.nonzero(d <= bound.astype(np.float32)[:, None])
        exact = ((zq[rows[r]] - zq[c]) ** 2).sum(axis=1)  # integers below 2^53: exact in any order
        idx, vals = _select(r, c, exact, len(rows), n)
        twin_idx[rows] = idx
        twin_d2[rows] = vals


def _distance(d2: np.ndarray, n_variables: int) -> np.ndarray:
    return np.sqrt(d2 / max(n_variables, 1)) / _QUANTUM


@dataclass(frozen=True)
class Twins:
    """One department's twins.

    ``twins``: dept_id (index), rank (1 = nearest), distance; empty with a Danish ``reason`` when
    the department has none. ``pool_size``: departments it was compared with (itself excluded).
    """

    dept_id: str
    variables: list[str]
    scope: str
    twins: pd.DataFrame
    reason: str | None
    pool_size: int


def _scope_rows(frame: pd.DataFrame, dept_id: str, scope: str) -> np.ndarray:
    if scope == "land":
        return np.ones(len(frame), dtype=bool)
    if scope != "kommune":
        raise ValueError(f"unknown scope {scope!r}; known: {list(SCOPES)}")
    muni = frame["municipality"].to_numpy(dtype=object)
    return muni == muni[frame.index.get_loc(dept_id)]


def _missing_reason(frame: pd.DataFrame, raw_row: np.ndarray, variables: list[str]) -> str:
    missing = [variable_label(v).split(" (")[0].lower() for v, x in zip(variables, raw_row) if np.isnan(x)]
    return (
        f"Afdelingen mangler {_join(missing)}, så den kan ikke sammenlignes på de valgte variable. "
        "Vælg andre variable, eller indlæs stamdata med felterne på siden Data."
    )


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " og " + words[-1]


DISCRETION_REASON = (
    "Afdelingen er under diskretionsgrænsen, så dens socioøkonomiske tal må ikke bruges til at finde "
    "tvillinger. Vælg tvillinger efter stamdata alene."
)


def find_twins(
    frame: pd.DataFrame,
    is_masked: np.ndarray,
    dept_id: str,
    *,
    variables: list[str],
    n: int = DEFAULT_N,
    scope: str = "kommune",
) -> Twins:
    """The ``n`` departments most like ``dept_id`` on ``variables`` (see the module docstring).

    ``frame`` is a release frame (one row per department, register columns and indicators);
    ``is_masked`` flags the departments under the discretion limit (:func:`masked`).
    """
    variables = check_variables(variables)
    n = check_n(n)
    empty = pd.DataFrame({"rank": pd.Series(dtype="int64"), "distance": pd.Series(dtype=float)})
    empty.index.name = "dept_id"
    if dept_id not in frame.index:
        raise KeyError(dept_id)
    raw = raw_matrix(frame, variables)
    complete = ~np.isnan(raw).any(axis=1)
    if uses_socio(variables):
        complete &= ~np.asarray(is_masked, dtype=bool)
    pool = complete & _scope_rows(frame, dept_id, scope)
    i = frame.index.get_loc(dept_id)
    if uses_socio(variables) and is_masked[i]:
        return Twins(dept_id, variables, scope, empty, DISCRETION_REASON, 0)
    if not complete[i]:
        return Twins(dept_id, variables, scope, empty, _missing_reason(frame, raw[i], variables), 0)
    cols = np.flatnonzero(pool)
    zq = _quantise(standardise(raw, pool))
    d2 = _squared(zq[[i]], zq[cols], np.einsum("ij,ij->i", zq[cols], zq[cols]))
    d2[0, cols == i] = np.inf  # never its own twin
    idx, vals = _nearest(d2, n)
    keep = idx[0] >= 0
    chosen = cols[idx[0][keep]]
    twins = pd.DataFrame(
        {"rank": np.arange(1, keep.sum() + 1), "distance": _distance(vals[0][keep], len(variables))},
        index=pd.Index(frame.index[chosen], name="dept_id"),
    )
    reason = None
    if twins.empty:
        where = "i kommunen" if scope == "kommune" else "i landet"
        reason = f"Der er ingen andre afdelinger {where} med de valgte variable at sammenligne med."
    return Twins(dept_id, variables, scope, twins, reason, len(cols) - 1)


def all_twins(
    frame: pd.DataFrame,
    is_masked: np.ndarray,
    *,
    variables: list[str],
    n: int = DEFAULT_N,
    scope: str = "kommune",
) -> tuple[pd.DataFrame, pd.Series]:
    """Every department's twins at once: the same twins :func:`find_twins` gives, vectorised.

    Returns ``(pairs, reasons)``: ``pairs`` in long form (dept_id, twin_id, rank, distance), and
    ``reasons`` (dept_id → Danish text) for the departments without twins.
    """
    variables = check_variables(variables)
    n = check_n(n)
    raw = raw_matrix(frame, variables)
    complete = ~np.isnan(raw).any(axis=1)
    socio = uses_socio(variables)
    if socio:
        complete &= ~np.asarray(is_masked, dtype=bool)
    if scope == "land":
        groups = [np.ones(len(frame), dtype=bool)]
    elif scope == "kommune":
        muni = frame["municipality"].to_numpy(dtype=object)
        groups = [muni == m for m in pd.unique(muni)]
    else:
        raise ValueError(f"unknown scope {scope!r}; known: {list(SCOPES)}")
    twin_idx = np.full((len(frame), n), -1, dtype=np.int64)
    twin_d2 = np.full((len(frame), n), np.inf)
    with threadpool_limits(1):  # products this thin gain nothing from more threads, and wait for them
        for group in groups:
            cols = np.flatnonzero(complete & group)
            if len(cols) == 0:
                continue
            # The pool's rows only: the same mean, deviation and z as standardise(raw, pool) gives them.
            sub = raw[cols]
            idx, vals = _nearest_all(_quantise(standardise(sub, np.ones(len(cols), dtype=bool))), n)
            twin_idx[cols] = np.where(idx >= 0, cols[np.maximum(idx, 0)], -1)
            twin_d2[cols] = vals
    ids = frame.index.to_numpy()
    r, k = np.nonzero(twin_idx >= 0)
    pairs = pd.DataFrame(
        {
            "dept_id": ids[r],
            "twin_id": ids[twin_idx[r, k]],
            "rank": k + 1,
            "distance": _distance(twin_d2[r, k], len(variables)),
        }
    )
    reasons = {}
    has = np.zeros(len(frame), dtype=bool)
    has[r] = True
    for i in np.flatnonzero(~has):
        if socio and is_masked[i]:
            reasons[ids[i]] = DISCRETION_REASON
        elif not complete[i]:
            reasons[ids[i]] = _missing_reason(frame, raw[i], variables)
        else:
            reasons[ids[i]] = "Der er ingen andre afdelinger med de valgte variable at sammenligne med."
    return pairs, pd.Series(reasons, dtype=object, name="reason")


# --- comparing indicators with the twins -------------------------------------------------------


def indicator_values(frame: pd.DataFrame, is_masked: np.ndarray, indicators=COMPARE_INDICATORS) -> pd.DataFrame:
    """The indicators of every department, blank (NaN) for those under the discretion limit."""
    values = frame.reindex(columns=list(indicators)).astype(float)
    values.loc[np.asarray(is_masked, dtype=bool), :] = np.nan
    return values


def position_text(higher: int, lower: int, n: int) -> str:
    """``højere end 8 af 10 tvillinger`` (ties count as neither)."""
    if higher == lower == 0:
        return f"samme værdi som alle {n} tvillinger"
    if higher >= lower:
        return f"højere end {higher} af {n} tvillinger"
    return f"lavere end {lower} af {n} tvillinger"


def compare(
    frame: pd.DataFrame, is_masked: np.ndarray, dept_id: str, twin_ids, indicators=COMPARE_INDICATORS
) -> pd.DataFrame:
    """One department against its twins, per indicator.

    Columns: value (NaN under the discretion limit), n_twins, n_with_values, median, low, high
    (NaN with fewer than :data:`MIN_TWINS_WITH_VALUES` twins with values), higher, lower (how many
    twins with values it is above/below; NA when its value or the aggregate is not shown), position
    (Danish text or "").
    """
    values = indicator_values(frame, is_masked, indicators)
    own = values.loc[dept_id]
    twins = values.loc[list(twin_ids)]
    rows = []
    for code in indicators:
        tv = twins[code].dropna().to_numpy()
        enough = len(tv) >= MIN_TWINS_WITH_VALUES
        x = own[code]
        row = {
            "indicator": code,
            "value": x,
            "n_twins": len(twins),
            "n_with_values": len(tv),
            "median": float(np.median(tv)) if enough else np.nan,
            "low": float(tv.min()) if enough else np.nan,
            "high": float(tv.max()) if enough else np.nan,
            "higher": pd.NA,
            "lower": pd.NA,
            "position": "",
        }
        if enough and not np.isnan(x):
            row["higher"], row["lower"] = int((x > tv).sum()), int((x < tv).sum())
            row["position"] = position_text(row["higher"], row["lower"], len(tv))
        rows.append(row)
    out = pd.DataFrame(rows).set_index("indicator")
    out["higher"] = out["higher"].astype("Int64")
    out["lower"] = out["lower"].astype("Int64")
    return out


def positions(
    frame: pd.DataFrame, is_masked: np.ndarray, pairs: pd.DataFrame, indicators=COMPARE_INDICATORS
) -> pd.DataFrame:
    """Every department against its twins (from :func:`all_twins`), in long form.

    One row per department with twins and indicator: dept_id, indicator, value, n_with_values,
    median, low, high, higher, lower, deviation (value − twin median in standard deviations of the
    indicator over the departments with values in ``frame``). Aggregates follow :func:`compare`:
    NaN with fewer than :data:`MIN_TWINS_WITH_VALUES` twins with values; and nothing at all for a
    department under the discretion limit.
    """
    values = indicator_values(frame, is_masked, indicators)
    ids = frame.index
    if pairs.empty:
        return pd.DataFrame(
            columns=[
                "dept_id",
                "indicator",
                "value",
                "n_with_values",
                "median",
                "low",
                "high",
                "higher",
                "lower",
                "deviation",
            ]
        )
    subjects = pd.unique(pairs["dept_id"])
    width = int(pairs["rank"].max())
    grid = np.full((len(subjects), width), -1, dtype=np.int64)
    row_of = pd.Series(np.arange(len(subjects)), index=subjects)
    grid[row_of[pairs["dept_id"]].to_numpy(), pairs["rank"].to_numpy() - 1] = ids.get_indexer(pairs["twin_id"])
    own_rows = ids.get_indexer(subjects)
    out = []
    with np.errstate(invalid="ignore"):
        for code in indicators:
            v = values[code].to_numpy(dtype=float)
            tv = np.where(grid >= 0, v[np.maximum(grid, 0)], np.nan)
            n_valid = (~np.isnan(tv)).sum(axis=1)
            enough = n_valid >= MIN_TWINS_WITH_VALUES
            safe = np.where(enough[:, None], tv, 0.0)  # rows without enough values give no aggregate
            med = np.where(enough, np.nanmedian(np.where(enough[:, None], tv, 0.0), axis=1), np.nan)
            low = np.where(enough, np.nanmin(safe, axis=1), np.nan)
            high = np.where(enough, np.nanmax(safe, axis=1), np.nan)
            x = v[own_rows]
            shown = enough & ~np.isnan(x)
            higher = np.where(shown, np.nansum(x[:, None] > tv, axis=1), -1)
            lower = np.where(shown, np.nansum(x[:, None] < tv, axis=1), -1)
            sd = np.nanstd(v)
            deviation = np.where(shown, (x - med) / (sd if sd > 0 else 1.0), np.nan)
            out.append(
                pd.DataFrame(
                    {
                        "dept_id": subjects,
                        "indicator": code,
                        "value": x,
                        "n_with_values": n_valid,
                        "median": med,
                        "low": low,
                        "high": high,
                        "higher": pd.array(np.where(shown, higher, 0), dtype="Int64"),
                        "lower": pd.array(np.where(shown, lower, 0), dtype="Int64"),
                        "deviation": deviation,
                    }
                )
            )
    result = pd.concat(out, ignore_index=True)
    hide = ~result["deviation"].notna()
    result.loc[hide, ["higher", "lower"]] = pd.NA
    return result


def standouts(pos: pd.DataFrame, indicator: str, top: int = 15) -> pd.DataFrame:
    """The departments that stand out most from their twins on one indicator (largest |deviation|).

    ``pos`` from :func:`positions`. Adds ``worse`` (True when the deviation is in the indicator's
    bad direction, None when the indicator has none).
    """
    rows = pos[(pos["indicator"] == indicator) & pos["deviation"].notna()].copy()
    rows = rows.reindex(rows["deviation"].abs().sort_values(ascending=False, kind="stable").index).head(top)
    better = catalogue.indicators()[indicator].better if indicator in catalogue.indicators() else ""
    if better == "lower":
        rows["worse"] = rows["deviation"] > 0
    elif better == "higher":
        rows["worse"] = rows["deviation"] < 0
    else:
        rows["worse"] = None
    return rows.reset_index(drop=True)


# --- tables for files (the command line and the page's downloads) -------------------------------


def _value_label(code: str) -> str:
    ind = catalogue.indicators().get(code)
    return f"{ind.label} ({ind.unit})" if ind else variable_label(code)


def _register_values(frame: pd.DataFrame, ids, variables: list[str]) -> dict[str, object]:
    """The twins' master data among ``variables``, as the file shows them."""
    out: dict[str, object] = {}
    rows = frame.loc[list(ids)]
    for v in variables:
        if v not in STAMDATA_VARIABLES:
            continue
        if v == "location_type":
            out[variable_label(v)] = rows[v].map(LOCATION_TYPES).fillna("").to_numpy()
        elif v in ("year_built", "dwellings"):
            out[variable_label(v)] = pd.array(rows[v].to_numpy(dtype=float, na_value=np.nan).round(), dtype="Int64")
        else:
            out[variable_label(v)] = rows[v].to_numpy(dtype=float, na_value=np.nan)
    return out


def source_text(is_demo: bool, source: str) -> str:
    from .colours import DEMO_SOURCE_TEXT

    return DEMO_SOURCE_TEXT if is_demo else source


def twin_table(
    frame: pd.DataFrame, is_masked: np.ndarray, res: Twins, *, release: str, source: str, is_demo: bool
) -> pd.DataFrame:
    """One row per twin: who, how near, the matching variables and the twin's indicator values.

    Indicator values are blank for twins under the discretion limit.
    """
    ids = list(res.twins.index)
    rows = frame.loc[ids]
    values = indicator_values(frame, is_masked).loc[ids]
    out = pd.DataFrame(
        {
            "Afdelings-id": ids,
            "Afdeling": rows["name"].to_numpy(),
            "Boligorganisation": rows["organisation"].to_numpy() if "organisation" in rows else "",
            "Kommune": rows["municipality"].to_numpy(),
            "Nr.": res.twins["rank"].to_numpy(),
            "Afstand": res.twins["distance"].round(3).to_numpy(),
            **_register_values(frame, ids, res.variables),
            **{_value_label(c): values[c].round(2).to_numpy() for c in COMPARE_INDICATORS},
        }
    )
    out["Tvilling til"] = res.dept_id
    out["Matchet på"] = ", ".join(variable_label(v) for v in res.variables)
    out["Område for søgningen"] = SCOPES[res.scope]
    out["Udgivelse"] = release
    out["Datagrundlag"] = source_text(is_demo, source)
    return out


def position_table(
    frame: pd.DataFrame,
    is_masked: np.ndarray,
    pairs: pd.DataFrame,
    reasons: pd.Series,
    *,
    variables: list[str],
    scope: str,
    release: str,
    source: str,
    is_demo: bool,
) -> pd.DataFrame:
    """Every department's position against its twins: one row per department and indicator.

    Departments without twins get one row saying why. Nothing of a department under the
    discretion limit is given but its twins' median and range; aggregates need
    :data:`MIN_TWINS_WITH_VALUES` twins with values.
    """
    pos = positions(frame, is_masked, pairs)
    counts = pairs.groupby("dept_id").size()
    labels = {c: _value_label(c) for c in COMPARE_INDICATORS}
    out = pd.DataFrame(
        {
            "Afdelings-id": pos["dept_id"].to_numpy(),
            "Indikator": pos["indicator"].map(labels).to_numpy(),
            "Værdi": pos["value"].round(2).to_numpy(),
            "Tvillinger": pd.array(pos["dept_id"].map(counts).to_numpy(), dtype="Int64"),
            "Tvillinger med værdi": pd.array(pos["n_with_values"].to_numpy(), dtype="Int64"),
            "Tvillingernes median": pos["median"].round(2).to_numpy(),
            "Tvillingernes laveste": pos["low"].round(2).to_numpy(),
            "Tvillingernes højeste": pos["high"].round(2).to_numpy(),
            "Højere end (antal tvillinger)": pos["higher"].to_numpy(),
            "Lavere end (antal tvillinger)": pos["lower"].to_numpy(),
            "Afvigelse fra medianen (standardafvigelser)": pos["deviation"].round(2).to_numpy(),
            "Bemærkning": "",
        }
    )
    none = pd.DataFrame({"Afdelings-id": reasons.index.to_numpy(), "Bemærkning": reasons.to_numpy()})
    out = pd.concat([out, none], ignore_index=True) if len(none) else out
    order = {code: i for i, code in enumerate(labels.values())}
    out["_o"] = out["Indikator"].map(order).fillna(-1)
    out = out.sort_values(["Afdelings-id", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    info = frame.loc[out["Afdelings-id"]]
    out.insert(1, "Afdeling", info["name"].to_numpy())
    out.insert(2, "Boligorganisation", info["organisation"].to_numpy() if "organisation" in info else "")
    out.insert(3, "Kommune", info["municipality"].to_numpy())
    out["Indikator"] = out["Indikator"].fillna("")
    for col in ("Tvillinger", "Tvillinger med værdi", "Højere end (antal tvillinger)", "Lavere end (antal tvillinger)"):
        out[col] = pd.array(out[col], dtype="Int64")
    out["Matchet på"] = ", ".join(variable_label(v) for v in variables)
    out["Område for søgningen"] = SCOPES[scope]
    out["Udgivelse"] = release
    out["Datagrundlag"] = source_text(is_demo, source)
    return out
