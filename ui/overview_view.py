"""Oversigt's map and red/yellow list, built once per data, filter and map choice (cached)."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from trappetrin import geo
from trappetrin.colours import ReleaseResult, colour_list, red_and_yellow
from trappetrin.rules import RuleSet
from ui.cache import HASH_FUNCS
from ui.loaders import data_version, stored_boundary, stored_footprints, write_key
from ui.mapview import boundary_file_key, deck, national_deck


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=HASH_FUNCS)
def _overview(
    db: str,
    generation: int,
    version: str,
    boundary_file: tuple | None,
    label: str,
    rules: RuleSet,
    basemap: bool,
    only: frozenset | None,
    refit: int,
    _res: ReleaseResult,
):
    only_set = None if only is None else set(only)
    frame = _res.data.frame
    place = geo.municipality_of(frame if only_set is None else frame.loc[frame.index.isin(only_set)])
    if place is None:  # the whole country: a mark per municipality, not 8,000 points
        chart = national_deck(_res, only=only_set, basemap=basemap)
    else:
        geography = geo.geography(stored_boundary(), municipality=place)
        chart = deck(
            _res,
            basemap=basemap,
            only=only_set,
            geography=geography,
            footprints=stored_footprints(),
            refit=refit,
        )
    spec = chart.to_json()
    chart.to_json = lambda: spec  # the cached map never changes: st.pydeck_chart need not serialise it again
    # "Dannet" (the time made) is not shown on Oversigt, so one table serves every run.
    table = colour_list(_res, generated_at=datetime(2000, 1, 1), is_demo=False)
    return chart, red_and_yellow(table, _res.rules)


def overview(
    res: ReleaseResult, label: str, *, basemap: bool, only: set[str], refit: int = 0, version: str | None = None
):
    """Oversigt's map of the departments in ``only`` and the red/yellow list (all departments).

    Cached per release, rule set, municipality, basemap, filter and ``refit`` (the "Hele kommunen"
    button's count: a new opening view of the same map), and renewed after any write to the
    database (an imported boundary, say) or a change of the boundary file: building the map and
    the colour list cost ~100 ms per run, now only when one of those changes. ``version``: the
    data version ``res`` is for, when it is not the municipality in view (the server's warm-up).
    """
    key = None if len(only) == len(res.data.frame) else frozenset(only)
    return _overview(
        *write_key(),
        version or data_version(),
        boundary_file_key(),
        label,
        res.rules,
        basemap,
        key,
        refit,
        _res=res,
    )
