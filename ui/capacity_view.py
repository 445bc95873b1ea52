"""Streamlit glue for the allocation capacity model (``trappetrin.capacity``).

The Anvisning page's parameter inputs persist for the session (:func:`field_key`), so other pages
(the Scenarie line) compute with the same parameters as the user last chose; without them the
parameters of ``data/capacity.toml`` apply.

Like with like: the need (250–300 cheap dwellings a year) and the actual allocation in the file are
Aalborg's. They apply when Aalborg is in view; for another municipality or the whole country the
need and the actual allocation are parameters the user types (per municipality), and until then
nothing is compared with a need.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from trappetrin import capacity as cap_model
from trappetrin import formatting
from trappetrin.capacity import CapacityChange, CapacityParams
from trappetrin.colours import ReleaseResult
from trappetrin.store import DEFAULT_MUNICIPALITY

from . import fmt, loaders, session, url
from .cache import HASH_FUNCS

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


#: The parameters that belong to one municipality (the file's are Aalborg's).
LOCAL = ("need_min", "need_max", "actual_use")
TYPED_SOURCE = "angivet på siden Anvisning"


def is_own_place(place: str | None) -> bool:
    """Whether the file's need and actual allocation (Aalborg's) are for the departments in view."""
    return place == DEFAULT_MUNICIPALITY


def field_key(name: str, place: str | None) -> str:
    """Session key of one Anvisning input; the local ones are kept per municipality (``alle`` = the country)."""
    key = KEYS[name]
    return f"{key}.{place or url.ALL_MUNICIPALITIES}" if name in LOCAL else key


def params_from_session() -> CapacityParams:
    """The model parameters: the file's, with the user's choices on the Anvisning page on top.

    The need and the actual allocation are the file's (Aalborg's) only when Aalborg is in view;
    elsewhere they are what the user typed for that municipality, or not given.
    """
    base = default_params()
    place = loaders.place_name()
    own = is_own_place(place)
    typed = {name: session.kept(field_key(name, place)) for name in LOCAL}
    changes: dict = {}
    lo, hi = typed["need_min"], typed["need_max"]
    if lo is not None or hi is not None:
        lo = lo if lo is not None else (base.need_min if own else hi)
        hi = hi if hi is not None else (base.need_max if own else lo)
        changes.update(need_min=min(lo, hi), need_max=max(lo, hi), need_source=TYPED_SOURCE)
    elif not own:
        changes["need_given"] = False
    if typed["actual_use"] is not None:
        changes.update(actual_use=float(typed["actual_use"]))
        if not own:
            changes["actual_use_period"] = TYPED_SOURCE
    elif not own:
        changes["actual_use"] = 0.0  # 0 = not given
    limit = st.session_state.get(KEYS["cheap_limit"])
    if limit is not None and float(limit) in base.cheap_limits:
        changes["cheap_limit"] = float(limit)
    return base.replace(**changes) if changes else base


def place_label(place: str | None) -> str:
    """``Odense Kommune``, ``hele landet`` (plain text: a name from the data is escaped)."""
    return f"{fmt.plain(place)} Kommune" if place else "hele landet"


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=HASH_FUNCS)
def _capacity(db: str, version: str, res: ReleaseResult, params: CapacityParams) -> pd.DataFrame:
    return cap_model.capacity(res.data.frame, res.result, params)


def capacity_of(res: ReleaseResult, params: CapacityParams) -> pd.DataFrame:
    """The capacity frame of one classified release (cached: the Scenarie page asks on every change).

    Shared between reruns: callers read it and never change it in place.
    """
    return _capacity(*loaders.page_key(), res, params)


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
    need = (
        f"behov {cap_model.need_range(params)}"
        if params.need_given
        else f"intet behov angivet for {place_label(loaders.place_name())}"
    )
    line = (
        f"**{change.text}** i forhold til {before_label} "
        f"({formatting.integer(change.before_cheap)} → {formatting.integer(change.after_cheap)} "
        f"billige boliger ({params.cheap_label}) om året; {need})."
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
