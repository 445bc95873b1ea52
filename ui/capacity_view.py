"""Streamlit glue for the allocation capacity model (``trappetrin.capacity``).

The Anvisning page's parameter inputs persist for the session under :data:`KEYS`, so other pages
(the Scenarie line) compute with the same parameters as the user last chose; without them the
parameters of ``data/capacity.toml`` apply.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from trappetrin import capacity as cap_model
from trappetrin import formatting
from trappetrin.capacity import CapacityChange, CapacityParams
from trappetrin.colours import ReleaseResult

from . import fmt, state

#: Session-state keys of the Anvisning page's parameter inputs.
KEYS = {
    "need_min": "cap_need_min",
    "need_max": "cap_need_max",
    "cheap_limit": "cap_cheap_limit",
    "actual_use": "cap_actual_use",
}


@st.cache_data(show_spinner=False)
def default_params() -> CapacityParams:
    return cap_model.load_params()


def params_from_session() -> CapacityParams:
    """The model parameters: the file's, with the user's choices on the Anvisning page on top."""
    base = default_params()
    changes = {}
    for name, key in KEYS.items():
        value = st.session_state.get(key)
        if value is not None:
            changes[name] = float(value)
    if "need_min" in changes or "need_max" in changes:
        lo = changes.get("need_min", base.need_min)
        hi = changes.get("need_max", base.need_max)
        changes["need_min"], changes["need_max"] = min(lo, hi), max(lo, hi)
    if changes.get("cheap_limit") not in (None, *base.cheap_limits):
        changes.pop("cheap_limit")
    return base.replace(**changes) if changes else base


def _result_key(res: ReleaseResult) -> tuple:
    """What a classified release's capacity depends on: release, rule-set content and the rows."""
    return res.data.label, res.rules.fingerprint(), tuple(res.data.frame.index)


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs={ReleaseResult: _result_key, CapacityParams: repr})
def _capacity(db: str, version: str, res: ReleaseResult, params: CapacityParams) -> pd.DataFrame:
    return cap_model.capacity(res.data.frame, res.result, params)


def capacity_of(res: ReleaseResult, params: CapacityParams) -> pd.DataFrame:
    """The capacity frame of one classified release (cached: the Scenarie page asks on every change).

    Shared between reruns: callers read it and never change it in place.
    """
    return _capacity(str(state.store().path), state.data_version(), res, params)


def movers_table(change: CapacityChange, rules, params: CapacityParams) -> pd.DataFrame:
    """The departments behind a change, with Danish headers, largest effect first."""
    m = change.movers
    return pd.DataFrame(
        {
            "Afdeling": m["name"],
            "Boligorganisation": m["organisation"],
            "Før": fmt.outcome_labels(rules, m["from"]),
            "Efter": fmt.outcome_labels(rules, m["to"]),
            "Boliger": [formatting.integer(v) for v in m["dwellings"]],
            f"Billige boliger ({params.cheap_label})": [formatting.integer(v) for v in m["cheap_dwellings"]],
            "Ændring, billige boliger om året": [formatting.number(v, 1, sign=True) for v in m["delta_cheap"]],
            "Ændring, alle boliger om året": [formatting.number(v, 1, sign=True) for v in m["delta_available"]],
        }
    )


def scenario_line(
    before_label: str, before_res: ReleaseResult, after_res: ReleaseResult, params: CapacityParams | None = None
) -> CapacityChange:
    """One line with the scenario's effect on allocation, and an expander with the movers.

    The line is an ``st.warning`` when the scenario removes cheap dwellings from allocation,
    ``st.success`` when it adds some and ``st.info`` when the rounded change is zero.

    ``before_res`` is the release under the rule set named ``before_label`` (e.g. "trappetrin v1"),
    ``after_res`` under the scenario.
    Returns the :class:`~trappetrin.capacity.CapacityChange` so a caller can reuse the numbers.
    """
    params = params or params_from_session()
    change = cap_model.compare(capacity_of(before_res, params), capacity_of(after_res, params))
    line = (
        f"**{change.text}** i forhold til {before_label} "
        f"({formatting.integer(change.before_cheap)} → {formatting.integer(change.after_cheap)} "
        f"billige boliger ({params.cheap_label}) om året; behov "
        f"{formatting.integer(params.need_min)}–{formatting.integer(params.need_max)})."
    )
    if change.shown_delta < 0:
        st.warning(line, icon=":material/trending_down:")
    elif change.shown_delta > 0:
        st.success(line, icon=":material/trending_up:")
    else:
        st.info(line, icon=":material/trending_flat:")
    moved = change.movers[change.movers["from"] != change.movers["to"]]
    with st.expander(f"Afdelinger der giver ændringen ({formatting.integer(len(moved))})"):
        if change.movers.empty:
            st.write("Ingen afdelinger skifter farve eller anvisningstal.")
        else:
            st.dataframe(movers_table(change, after_res.rules, params), hide_index=True, width="stretch")
            st.caption(
                "Ændringerne er forventede boliger om året til anvisning (efter − før). "
                "Største effekt på billige boliger først."
            )
    return change
