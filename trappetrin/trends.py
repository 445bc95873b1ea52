"""Trends across releases: indicator series, colour history, changes and early warnings.

Every function here works on the classifiable releases of a :class:`~trappetrin.store.Store`
(``store.release_labels()``), each resolved "as of" its date by ``store.release_data`` and
classified under one rule set. A call classifies each release at most once; pass the same
``results`` dictionary to several calls (or one filled by a cache of your own) to share the work.

Discretion (docs/domain.md §3) is enforced here rather than left to the pages: a department that is
masked in a release contributes no value for that release, is left out of every aggregate, and
is never listed with values among the changes or early warnings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping

import numpy as np
import pandas as pd

from . import catalogue, formatting
from .areas import aggregate
from .colours import ReleaseResult, classify_release
from .engine import Classification
from .explain import no_data_text
from .rules import OP_LABELS, Condition, RuleSet
from .store import Store

#: The scopes an indicator trend can be drawn for.
SCOPES = ("afdeling", "område", "organisation", "kommune")
#: Group name used for the whole municipality.
KOMMUNE = "Aalborg Kommune"

Results = MutableMapping[str, ReleaseResult]
#: Tolerance when comparing margins (the engine rounds them to 9 decimals).
_EPS = 1e-9

TREND_COLUMNS = ["release", "reference_date", "values_release", "value", "threshold", "departments", "masked"]
HISTORY_COLUMNS = ["release", "reference_date", "dept_id", "name", "organisation", "outcome", "rule", "masked"]
FLIP_COLUMNS = [
    "id",
    "key",
    "kind",
    "indicator",
    "label",
    "op",
    "value_before",
    "value_after",
    "threshold_before",
    "threshold_after",
    "met_before",
    "met_after",
]
#: ``from``/``to`` of a department in the register without data in that release (shown "Ingen data").
NO_DATA = "no_data"
CHANGE_COLUMNS = ["dept_id", "name", "organisation", "from", "to", "previous_release", "release", "causes", "why"]
WARNING_COLUMNS = [
    "dept_id",
    "name",
    "organisation",
    "outcome",
    "criterion",
    "indicator",
    "label",
    "op",
    "value",
    "threshold",
    "margin",
    "distance",
    "change",
    "approach",
    "near",
    "approaching",
]


# --- classifying releases once ---------------------------------------------------------------


def classified_releases(
    store: Store,
    rules: RuleSet,
    labels: Iterable[str] | None = None,
    results: Results | None = None,
    municipality: str | None = None,
) -> Results:
    """Classify each release under ``rules`` once, reusing whatever ``results`` already holds.

    Parameters
    ----------
    store
        The store to read releases from.
    rules
        The rule set to classify with.
    labels
        The releases wanted; default every classifiable release (``store.release_labels()``).
    results
        A dictionary label → :class:`~trappetrin.colours.ReleaseResult` to fill and reuse. Its
        entries must have been classified under the same rule set.
    municipality
        Classify only that municipality's departments (None: all of them).

    Returns
    -------
    MutableMapping
        ``results`` (or a new dictionary) holding at least every wanted label.

    Raises
    ------
    ValueError
        When ``results`` holds a release classified under another rule set.
    """
    results = {} if results is None else results
    fingerprint = rules.fingerprint()
    for label in store.release_labels() if labels is None else labels:
        if label not in results:
            results[label] = classify_release(store, label, rules, municipality)
    for label, res in results.items():
        if res.rules is not rules and res.rules.fingerprint() != fingerprint:
            raise ValueError(f"results['{label}'] was classified under another rule set")
    return results


def previous_release(store: Store, label: str) -> str | None:
    """The classifiable release just before ``label``, or ``None`` for the first one."""
    labels = store.release_labels()
    if label not in labels:
        raise ValueError(f"'{label}' is not a classifiable release")
    i = labels.index(label)
    return labels[i - 1] if i > 0 else None


def previous_values_release(store: Store, values_label: str | None) -> str | None:
    """The values release (one with indicator values) just before ``values_label``."""
    if values_label is None:
        return None
    rel = store.releases()
    with_values = rel.loc[rel["n_values"] > 0, "label"].tolist()
    if values_label not in with_values:
        return None
    i = with_values.index(values_label)
    return with_values[i - 1] if i > 0 else None


# --- thresholds --------------------------------------------------------------------------------


def threshold_condition(rules: RuleSet, indicator: str) -> Condition | None:
    """The condition that sets the threshold for ``indicator``: its first criterion, else its first gate."""
    for cset in rules.criteria_sets:
        for cond in cset.criteria:
            if cond.indicator == indicator:
                return cond
    for rule in rules.rules:
        for gate in rule.gates:
            if gate.indicator == indicator:
                return gate
    return None


def threshold_value(cond: Condition | None, refs: dict[str, float]) -> float:
    """The number a condition compares with, given a release's reference values (NaN if none)."""
    if cond is None:
        return float("nan")
    if cond.is_relative:
        base = refs.get(cond.reference)
        return float("nan") if base is None else float(cond.factor * base)
    return float(cond.value)


# --- indicator trends ----------------------------------------------------------------------------


def area_members(store: Store, area_id: str) -> set[str]:
    """The departments of one area (ministerial or local)."""
    members = store.department_areas()
    return set(members.loc[members["area_id"] == area_id, "dept_id"])


def scope_groups(frame: pd.DataFrame, scope: str, key: str | None, members: set[str] | None = None) -> pd.Series:
    """Group key per department of ``frame`` for an aggregate scope (missing where not in the group).

    Parameters
    ----------
    frame
        A release's wide department frame.
    scope
        ``"område"`` (``key`` is an ``area_id``; ``members`` its departments, see
        :func:`area_members`), ``"organisation"`` (``key`` is the organisation's name) or
        ``"kommune"`` (``key`` is ignored).
    key
        The group wanted.
    members
        For ``"område"``: the ids of the area's departments.
    """
    if scope == "kommune":
        return pd.Series(KOMMUNE, index=frame.index, name="group", dtype=object)
    if scope == "organisation":
        return frame["organisation"].where(frame["organisation"] == key).rename("group")
    if scope == "område":
        inside = frame.index.isin(list(members or ()))
        return pd.Series(np.where(inside, key, None), index=frame.index, name="group", dtype=object)
    raise ValueError(f"unknown aggregate scope '{scope}'; expected one of {', '.join(SCOPES[1:])}")


def indicator_trend(
    store: Store, rules: RuleSet, indicator: str, scope: str, key: str | None = None, *, results: Results | None = None
) -> pd.DataFrame:
    """One value of ``indicator`` per classifiable release, for a department or an aggregate.

    Parameters
    ----------
    store
        The store to read releases from.
    rules
        The rule set in view: decides which departments are masked and which threshold applies.
    indicator
        A catalogue indicator code, e.g. ``"pct_outside_labour"``.
    scope
        ``"afdeling"`` (``key`` is a ``dept_id``), ``"område"`` (an ``area_id``),
        ``"organisation"`` (an organisation name) or ``"kommune"`` (no key).
    key
        The department or group.
    results
        Shared per-release classifications (see :func:`classified_releases`).

    Returns
    -------
    pandas.DataFrame
        Columns ``release``, ``reference_date``, ``values_release``, ``value``, ``threshold``
        (the rule set's threshold for the indicator in that release; relative thresholds use the
        release's reference values), ``departments`` (how many departments the value stands on)
        and ``masked`` (for a department: under the discretion limit in that release). A masked
        department has no value; an aggregate leaves masked departments out and weights each
        share by its own denominator (:func:`trappetrin.areas.aggregate`).
    """
    if indicator not in catalogue.indicators():
        raise ValueError(f"unknown indicator '{indicator}'")
    if scope not in SCOPES:
        raise ValueError(f"unknown scope '{scope}'; expected one of {', '.join(SCOPES)}")
    labels = store.release_labels()
    results = classified_releases(store, rules, labels, results)
    cond = threshold_condition(rules, indicator)
    members = area_members(store, key) if scope == "område" else None
    rows = []
    for label in labels:
        res = results[label]
        frame, result = res.data.frame, res.result
        value, departments, masked = float("nan"), 0, False
        if scope == "afdeling":
            if key in frame.index:
                i = frame.index.get_loc(key)
                masked = bool(result.masked[i])
                if not masked:
                    raw = pd.to_numeric(pd.Series([frame[indicator].iloc[i]]), errors="coerce").iloc[0]
                    value = float(raw)
                    departments = int(not np.isnan(value))
        else:
            groups = scope_groups(frame, scope, key, members)
            agg = aggregate(frame, groups, result.masked)
            if not agg.empty:
                row = agg.iloc[0]
                value = float(row[indicator])
                departments = int(row["departments"])
        rows.append(
            {
                "release": label,
                "reference_date": pd.Timestamp(res.data.reference_date),
                "values_release": res.data.values_label,
                "value": value,
                "threshold": threshold_value(cond, res.data.refs),
                "departments": departments,
                "masked": masked,
            }
        )
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


# --- colour history ------------------------------------------------------------------------------


def colour_history(store: Store, rules: RuleSet, *, results: Results | None = None) -> pd.DataFrame:
    """The outcome of every department in every classifiable release (long format).

    Returns
    -------
    pandas.DataFrame
        One row per department × release: ``release``, ``reference_date``, ``dept_id``,
        ``name``, ``organisation``, ``outcome``, ``rule`` (the deciding rule id) and ``masked``.
        No indicator values: the colour of a masked department is its discretion outcome.
    """
    labels = store.release_labels()
    results = classified_releases(store, rules, labels, results)
    frames = []
    for label in labels:
        res = results[label]
        frame, result = res.data.frame, res.result
        frames.append(
            pd.DataFrame(
                {
                    "release": label,
                    "reference_date": pd.Timestamp(res.data.reference_date),
                    "dept_id": frame.index.to_numpy(),
                    "name": frame["name"].to_numpy(),
                    "organisation": frame["organisation"].to_numpy(),
                    "outcome": result.outcome,
                    "rule": result.rule,
                    "masked": result.masked,
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    return pd.concat(frames, ignore_index=True)[HISTORY_COLUMNS]


# --- why a colour changed --------------------------------------------------------------------------


def condition_flips(before: Classification, after: Classification, ids: Iterable[str] | None = None) -> pd.DataFrame:
    """The gates and criteria whose met-status differs between two classifications, per id.

    The two classifications may cover different rows (two releases) or the same rows (two rule
    sets, as in a scenario); rows are matched by id. Conditions are matched by their key
    (``c.<set>.<id>`` or ``g.<rule>.<id>``). An id masked in either classification gets no rows:
    its values must not be shown.

    Parameters
    ----------
    before, after
        The two classifications.
    ids
        The ids to explain; default every id present in both.

    Returns
    -------
    pandas.DataFrame
        One row per id × flipped condition: ``id``, ``key``, ``kind``, ``indicator``, ``label``,
        ``op`` (of the condition after), ``value_before``, ``value_after``, ``threshold_before``,
        ``threshold_after``, ``met_before``, ``met_after``.
    """
    wanted = after.ids.intersection(before.ids) if ids is None else pd.Index(list(ids))
    ib = before.ids.get_indexer(wanted)
    ia = after.ids.get_indexer(wanted)
    present = (ib >= 0) & (ia >= 0)
    ib, ia, wanted = ib[present], ia[present], wanted[present]
    visible = ~before.masked[ib] & ~after.masked[ia]
    ib, ia, wanted = ib[visible], ia[visible], wanted[visible]
    old = {r.key: r for r in before.conditions}
    frames = []
    for new in after.conditions:
        prev = old.get(new.key)
        if prev is None:
            continue
        flipped = prev.met[ib] != new.met[ia]
        if not flipped.any():
            continue
        b, a = ib[flipped], ia[flipped]
        frames.append(
            pd.DataFrame(
                {
                    "id": wanted[flipped],
                    "key": new.key,
                    "kind": new.kind,
                    "indicator": new.condition.indicator,
                    "label": new.condition.label or catalogue.label(new.condition.indicator),
                    "op": new.condition.op,
                    "value_before": prev.value[b],
                    "value_after": new.value[a],
                    "threshold_before": prev.threshold[b],
                    "threshold_after": new.threshold[a],
                    "met_before": prev.met[b],
                    "met_after": new.met[a],
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=FLIP_COLUMNS)
    # one line per indicator and verdict: the same criterion may sit in two criteria sets
    out = pd.concat(frames, ignore_index=True)
    return out.drop_duplicates(subset=["id", "indicator", "op", "threshold_after", "met_after"]).reset_index(drop=True)


def _unit(indicator: str) -> str:
    return " %" if catalogue.unit(indicator) == "%" else ""


def describe_flip(flip: dict, *, list_status: str | None = None) -> str:
    """Danish text for one flipped condition, e.g. ``Uden for arbejdsmarked … 29,5 % → 31,2 % (> 30 %): nu opfyldt``."""
    state = "nu opfyldt" if flip["met_after"] else "ikke længere opfyldt"
    if flip["indicator"] == "on_ministry_list":
        if flip["met_after"]:
            suffix = f" ({list_status})" if list_status else ""
            return f"Området kom på ministeriets liste{suffix}"
        return "Området er ikke længere på ministeriets liste"
    unit = _unit(flip["indicator"])
    op = OP_LABELS[flip["op"]]
    before, after = flip["threshold_before"], flip["threshold_after"]
    threshold = f"{op} {formatting.short(after)}{unit}"
    if not np.isclose(before, after):
        threshold = f"{op} {formatting.short(before)}{unit} → {op} {formatting.short(after)}{unit}"
    return (
        f"{flip['label']} {formatting.short(flip['value_before'])}{unit} → "
        f"{formatting.short(flip['value_after'])}{unit} ({threshold}): {state}"
    )


def changes_since_previous(store: Store, rules: RuleSet, label: str, *, results: Results | None = None) -> pd.DataFrame:
    """Departments whose colour differs between the previous release and ``label``, with why.

    Both releases are classified under the same ``rules``, so every change comes from the data
    (new values, a new ministry list, a new reference value). The reasons are the gates and
    criteria whose verdict flipped (:func:`condition_flips`). A department under the discretion
    limit in either release is listed with its colours and a text, never with values.

    Returns
    -------
    pandas.DataFrame
        ``dept_id``, ``name``, ``organisation``, ``from``, ``to`` (outcome codes),
        ``previous_release``, ``release``, ``causes`` (list of flip dicts) and ``why`` (Danish).
        A department of the register with data in only one of the two releases is listed with
        :data:`NO_DATA` as its ``from`` or ``to``. Empty for the first release.
    """
    return changes_between(store, rules, previous_release(store, label), label, results=results)


def changes_between(
    store: Store, rules: RuleSet, prev: str | None, label: str, *, results: Results | None = None
) -> pd.DataFrame:
    """Like :func:`changes_since_previous`, from any earlier release ``prev`` (e.g. a year before).

    Empty when ``prev`` is None. Same columns and the same discretion: a department under the
    limit in either release is listed with its colours and a text, never with values.
    """
    if prev is None:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    results = classified_releases(store, rules, [prev, label], results)
    before, after = results[prev], results[label]
    b_out = pd.Series(before.result.outcome, index=before.result.ids)
    a_out = pd.Series(after.result.outcome, index=after.result.ids)
    common = a_out.index.intersection(b_out.index)
    moved = common[(b_out[common] != a_out[common]).to_numpy()]
    # In the register but without data in one of the two releases: listed as missing, never hidden.
    lost = before.data.frame.index.intersection(after.data.absent.index)
    found = after.data.frame.index.intersection(before.data.absent.index)
    if len(moved) == 0 and len(lost) == 0 and len(found) == 0:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    flips = condition_flips(before.result, after.result, moved)
    by_id = {i: g.to_dict("records") for i, g in flips.groupby("id", sort=False)} if not flips.empty else {}
    b_masked = pd.Series(before.result.masked, index=before.result.ids)
    a_masked = pd.Series(after.result.masked, index=after.result.ids)
    frame = after.data.frame
    rows = []
    for dept in moved:
        causes = by_id.get(dept, [])
        if b_masked[dept] and a_masked[dept]:
            why = "Under diskretionsgrænsen"
        elif a_masked[dept]:
            why = "Kom under diskretionsgrænsen; værdier vises ikke"
        elif b_masked[dept]:
            why = "Var under diskretionsgrænsen i forrige udgivelse; monitoreres nu"
        elif causes:
            status = frame.at[dept, "list_status"]
            status = None if pd.isna(status) else str(status)
            why = "; ".join(dict.fromkeys(describe_flip(c, list_status=status) for c in causes))
        else:
            why = "Reglerne giver et andet udfald"
        rows.append(
            {
                "dept_id": dept,
                "name": frame.at[dept, "name"],
                "organisation": frame.at[dept, "organisation"],
                "from": b_out[dept],
                "to": a_out[dept],
                "previous_release": prev,
                "release": label,
                "causes": causes if not (b_masked[dept] or a_masked[dept]) else [],
                "why": why,
            }
        )
    for dept in lost:
        reg = after.data.absent.loc[dept]
        rows.append(
            {
                "dept_id": dept,
                "name": reg["name"],
                "organisation": reg["organisation"],
                "from": b_out[dept],
                "to": NO_DATA,
                "previous_release": prev,
                "release": label,
                "causes": [],
                "why": f"{no_data_text(label)} (afdelingen står i registret)",
            }
        )
    for dept in found:
        rows.append(
            {
                "dept_id": dept,
                "name": frame.at[dept, "name"],
                "organisation": frame.at[dept, "organisation"],
                "from": NO_DATA,
                "to": a_out[dept],
                "previous_release": prev,
                "release": label,
                "causes": [],
                "why": f"{no_data_text(prev)}; nu med data",
            }
        )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS).sort_values("dept_id", ignore_index=True)


# --- early warning -----------------------------------------------------------------------------------


def _margins(margin_pp: float | Mapping[str, float]):
    """A function indicator → margin from one number or a mapping (``"*"`` is the fallback)."""
    if isinstance(margin_pp, Mapping):
        table = {k: float(v) for k, v in margin_pp.items()}
        fallback = table.get("*", 2.0)
    else:
        table, fallback = {}, float(margin_pp)
    if fallback < 0 or any(v < 0 for v in table.values()):
        raise ValueError("margins must not be negative")
    return lambda indicator: table.get(indicator, fallback)


def early_warning(
    store: Store,
    rules: RuleSet,
    label: str,
    margin_pp: float | Mapping[str, float] = 2.0,
    *,
    any_approach: bool = False,
    results: Results | None = None,
) -> pd.DataFrame:
    """Departments close to meeting a criterion they do not meet yet, or moving towards it.

    A row is one department × criterion (or gate on a department-level indicator) that is not
    met in ``label`` and either

    - lies within ``margin_pp`` of its threshold (``near``: the distance is at most ``margin_pp``
      percentage points, or units for a non-share), or
    - has moved towards the threshold since the previous values release (``approaching``: its
      margin grew) fast enough that the same move once more would bring it within ``margin_pp``.
      With ``any_approach=True`` every move towards the threshold counts, however far away the
      department still is (in the demo data that is half of all unmet criteria, so it is off by
      default).

    Parameters
    ----------
    store
        The store to read releases from.
    rules
        The rule set in view.
    label
        The release in view.
    margin_pp
        How close counts as near, in the indicator's unit (percentage points for shares): one
        number for every indicator, or a mapping indicator → margin (indicators it leaves out
        get ``margin_pp.get("*", 2.0)``). A per-indicator margin matters for convictions, whose
        threshold is about 1.5 %: 2 percentage points would put every department "near" it.
    any_approach
        List every unmet criterion whose value moved towards its threshold, not only those
        moving fast enough to come within ``margin_pp``.
    results
        Shared per-release classifications (see :func:`classified_releases`).

    Returns
    -------
    pandas.DataFrame
        ``dept_id``, ``name``, ``organisation``, ``outcome``, ``criterion`` (condition key),
        ``indicator``, ``label``, ``op``, ``value``, ``threshold``, ``margin`` (engine margin, ≤ 0
        when not met), ``distance`` (``|margin|``), ``change`` (value change since the previous
        values release), ``approach`` (how much closer it came; > 0 is towards), ``near`` and
        ``approaching``; sorted by distance. Masked departments never appear, and ``change`` is
        missing when the department was masked in the previous values release (a change would
        give away the masked value).
    """
    margins = _margins(margin_pp)
    results = classified_releases(store, rules, [label], results)
    now = results[label]
    prev_label = previous_values_release(store, now.data.values_label)
    prev = None
    if prev_label is not None:
        prev = classified_releases(store, rules, [prev_label], results)[prev_label]
    result, frame = now.result, now.data.frame
    known = catalogue.indicators()
    visible = ~result.masked
    prev_index = None
    if prev is not None:
        prev_index = prev.result.ids.get_indexer(result.ids)
        # a change is only known where the department was visible in the previous values release
        prev_ok = (prev_index >= 0) & ~prev.result.masked[np.maximum(prev_index, 0)]
        prev_conditions = {r.key: r for r in prev.result.conditions}
    frames, seen = [], set()
    for cond in result.conditions:
        if cond.condition.indicator not in known:
            continue
        dedupe = (
            cond.condition.indicator,
            cond.condition.op,
            cond.condition.value,
            cond.condition.reference,
            cond.condition.factor,
        )
        if dedupe in seen:
            continue
        seen.add(dedupe)
        change = np.full(len(result.ids), np.nan)
        approach = np.full(len(result.ids), np.nan)
        if prev is not None and cond.key in prev_conditions:
            p = prev_conditions[cond.key]
            j = prev_index[prev_ok]
            change[prev_ok] = cond.value[prev_ok] - p.value[j]
            approach[prev_ok] = cond.margin[prev_ok] - p.margin[j]
        unmet = visible & ~cond.met & ~np.isnan(cond.value)
        distance = np.abs(cond.margin)
        margin = margins(cond.condition.indicator)
        near = unmet & (distance <= margin + _EPS)
        with np.errstate(invalid="ignore"):
            approaching = unmet & (approach > _EPS)
            if not any_approach:
                approaching &= distance - approach <= margin + _EPS
        keep = near | approaching
        if not keep.any():
            continue
        frames.append(
            pd.DataFrame(
                {
                    "dept_id": result.ids[keep],
                    "name": frame["name"].to_numpy()[keep],
                    "organisation": frame["organisation"].to_numpy()[keep],
                    "outcome": result.outcome[keep],
                    "criterion": cond.key,
                    "indicator": cond.condition.indicator,
                    "label": cond.condition.label or catalogue.label(cond.condition.indicator),
                    "op": cond.condition.op,
                    "value": cond.value[keep],
                    "threshold": cond.threshold[keep],
                    "margin": cond.margin[keep],
                    "distance": distance[keep],
                    "change": change[keep],
                    "approach": approach[keep],
                    "near": near[keep],
                    "approaching": approaching[keep],
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=WARNING_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["distance", "dept_id"], ignore_index=True)[WARNING_COLUMNS]
