"""The pydeck map of departments: coloured and numbered by step, readable without a basemap.

Points carry only what the tooltip shows. A department under the discretion limit carries no
indicator value at all (not even hidden), so nothing can leak through the browser's data.

Every layer has a fixed id and the text layers carry only position and text, so the same map
gives byte-identical JSON on every rerun: Streamlit then sends only a reference to the message
the browser already has (its forward-message cache) instead of the whole map again.
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd
import pydeck as pdk

from trappetrin import catalogue, formatting
from trappetrin.colours import ReleaseResult
from trappetrin.config import boundary_path
from trappetrin.rules import OP_LABELS

AALBORG_VIEW = pdk.ViewState(latitude=57.035, longitude=9.96, zoom=10.6, pitch=0)
#: The "no basemap" map style: a plain background as a data URL. Without a style Streamlit falls
#: back to Carto's, which the browser then tries (and offline fails) to fetch.
BLANK_STYLE = "data:application/json," + json.dumps(
    {
        "version": 8,
        "sources": {},
        "layers": [{"id": "bg", "type": "background", "paint": {"background-color": "#f7f8fa"}}],
    },
    separators=(",", ":"),
).replace("#", "%23")
#: What the departments layer carries per point: the tooltip's fields, position, colour and size.
POINT_COLUMNS = ["dept_id", "name", "organisation", "colour_label", "why", "outcome", "lon", "lat", "color", "radius"]


def view_for(points: pd.DataFrame) -> pdk.ViewState:
    """Aalborg's view for Aalborg's departments, else a view that fits the points' extent."""
    if points.empty:
        return AALBORG_VIEW
    lat0, lat1 = float(points["lat"].min()), float(points["lat"].max())
    lon0, lon1 = float(points["lon"].min()), float(points["lon"].max())
    if 56.8 <= lat0 and lat1 <= 57.25 and 9.5 <= lon0 and lon1 <= 10.4:  # inside Aalborg Kommune
        return AALBORG_VIEW
    # deck.gl: zoom z shows about 360 / 2**z degrees of longitude across ~512 px.
    span = max(lon1 - lon0, (lat1 - lat0) * 1.8, 0.02)
    zoom = float(np.clip(np.log2(360 / span) - 0.6, 5.5, 12.5))
    return pdk.ViewState(
        latitude=round((lat0 + lat1) / 2, 4), longitude=round((lon0 + lon1) / 2, 4), zoom=round(zoom, 2), pitch=0
    )


def hex_to_rgb(color: str) -> list[int]:
    color = color.lstrip("#")
    return [int(color[i : i + 2], 16) for i in (0, 2, 4)]


def decisive_text(res: ReleaseResult) -> pd.Series:
    """Per department, the values that decided its colour (met criteria and gates), in Danish."""
    result, data = res.result, res.data
    rows: list[list[str]] = [[] for _ in range(len(result.ids))]
    for cond in result.conditions:
        ind = cond.condition.indicator
        if ind == "on_ministry_list":
            continue
        unit = " %" if catalogue.unit(ind) == "%" else ""
        head, op = catalogue.label(ind), OP_LABELS[cond.condition.op]
        hits = np.flatnonzero(cond.met & ~result.masked)
        limits: dict[float, str] = {}  # a threshold is mostly the same for every department
        for i, value, threshold in zip(hits, cond.value[hits], cond.threshold[hits]):
            limit = limits.get(threshold) or limits.setdefault(threshold, formatting.short(threshold))
            rows[i].append(f"{head}: {formatting.short(value, 1)}{unit} ({op} {limit})")
    texts = pd.Series(["<br/>".join(dict.fromkeys(parts)) for parts in rows], index=result.ids, dtype=object)
    status = data.frame["list_status"].fillna("")
    listed = status != ""
    texts[listed] = ("Område på ministeriets liste: " + status[listed] + "<br/>" + texts[listed]).str.rstrip("<br/>")
    texts[result.masked] = "Under diskretionsgrænsen: ingen værdier vises"
    texts[(texts == "")] = "Ingen kriterier opfyldt"
    return texts


def map_points(res: ReleaseResult, *, highlight: set[str] | None = None) -> pd.DataFrame:
    """One row per department with position, colour, radius and tooltip text (no raw values)."""
    frame, rules = res.data.frame, res.rules
    outcome = pd.Series(res.result.outcome, index=frame.index)
    colors = {o.code: hex_to_rgb(o.color) for o in rules.outcomes}
    labels = {o.code: f"{o.label} ({o.step})" if o.step else o.label for o in rules.outcomes}
    points = pd.DataFrame(
        {
            "dept_id": frame.index,
            "name": frame["name"].to_numpy(),
            "organisation": frame["organisation"].to_numpy(),
            "lon": frame["lon"].to_numpy(dtype=float),
            "lat": frame["lat"].to_numpy(dtype=float),
            "dwellings": frame["dwellings"].to_numpy(dtype=float),
            "outcome": outcome.to_numpy(),
            "colour_label": outcome.map(labels).to_numpy(),
            "symbol": outcome.map(rules.map_symbol).to_numpy(),  # the step never depends on colour alone
            "why": decisive_text(res).to_numpy(),
        }
    )
    points["color"] = outcome.map(lambda c: colors.get(c, [120, 120, 120])).to_numpy()
    points["radius"] = (40 + 9 * np.sqrt(points["dwellings"].clip(lower=1))).round(0)
    points["lon"] = points["lon"].round(5)  # ~1 m: smaller JSON, same map
    points["lat"] = points["lat"].round(5)
    points["highlight"] = points["dept_id"].isin(highlight or set())
    return points.dropna(subset=["lon", "lat"])


def neighbourhood_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Label positions: the mean position of each neighbourhood's departments."""
    g = frame.dropna(subset=["lon", "lat"]).groupby("neighbourhood")[["lon", "lat"]].mean().reset_index()
    return g.rename(columns={"neighbourhood": "label"}).round({"lon": 5, "lat": 5})


@lru_cache(maxsize=4)
def _boundary_geojson(path: str, mtime: float) -> dict | None:
    import geopandas as gpd

    frame = gpd.read_file(path)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return frame[["geometry"]].__geo_interface__


def boundary_file_key() -> tuple[str, float] | None:
    """The boundary file named by ``TRAPPETRIN_BOUNDARY`` and its modification time (a cache key)."""
    path = boundary_path()
    return (str(path), path.stat().st_mtime) if path is not None and path.exists() else None


def boundary_layer() -> pdk.Layer | None:
    """The municipality boundary: the file named by ``TRAPPETRIN_BOUNDARY`` if set, else the one
    imported on the Data page (kind geometri); None when there is neither (none is bundled)."""
    path = boundary_path()
    if path is not None and path.exists():
        geojson = _boundary_geojson(str(path), path.stat().st_mtime)
    else:
        from ui.state import stored_boundary  # lazy: ui.state imports this module

        geojson = stored_boundary()
    if geojson is None:
        return None
    return pdk.Layer(
        "GeoJsonLayer",
        geojson,
        id="boundary",
        stroked=True,
        filled=True,
        get_fill_color=[235, 238, 242, 120],
        get_line_color=[90, 100, 120, 200],
        line_width_min_pixels=1.5,
    )


#: Above this many departments the Scenarie map is lean (see :func:`deck`).
LEAN_ABOVE = 2000
#: What a lean map's points carry: position, colour and size, nothing to show on hover.
LEAN_COLUMNS = ["lon", "lat", "color", "radius"]


def deck(
    res: ReleaseResult,
    *,
    basemap: bool = False,
    highlight: set[str] | None = None,
    only: set[str] | None = None,
    lean: bool = False,
) -> pdk.Deck:
    """The map: points by step (coloured and numbered), neighbourhood labels, optional boundary.

    ``lean`` (for thousands of departments redrawn on every threshold change): every point is a
    plain coloured dot, and only the highlighted departments carry a tooltip and a step number.
    The national Scenarie map drops from ~2.6 MB to a fraction per change.
    """
    points = map_points(res, highlight=highlight)
    if only is not None:
        points = points[points["dept_id"].isin(only)]
    layers, frames = [], {}
    if not basemap:
        layer = boundary_layer()
        if layer is not None:
            layers.append(layer)
    # In a lean map the tooltip fields and step numbers are the highlighted departments' only.
    labelled = points[points["highlight"]] if lean else points
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            _data(frames, "departments", points[LEAN_COLUMNS if lean else POINT_COLUMNS]),
            id="departments",
            pickable=not lean,
            get_position=["lon", "lat"],
            get_fill_color="color",
            get_radius="radius",
            radius_min_pixels=4,
            radius_max_pixels=30,
            stroked=True,
            get_line_color=[40, 40, 40],
            line_width_min_pixels=0.8,
            opacity=0.9,
        )
    )
    layers.append(
        pdk.Layer(
            "TextLayer",
            _data(frames, "step-symbols", labelled[["lon", "lat", "symbol"]]),
            id="step-symbols",
            get_position=["lon", "lat"],
            get_text="symbol",
            get_size=12,
            get_color=[255, 255, 255],
            font_weight=700,
            pickable=False,
            font_family="'Arial, sans-serif'",
            outline_width=2,
            outline_color=[0, 0, 0],
            font_settings={"sdf": True},
        )
    )
    hl = points[points["highlight"]]
    if not hl.empty:
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                _data(frames, "highlight", hl[POINT_COLUMNS]),
                id="highlight",
                get_position=["lon", "lat"],
                get_radius="radius",
                radius_min_pixels=9,
                radius_max_pixels=40,
                stroked=True,
                filled=False,
                get_line_color=[0, 60, 160],
                line_width_min_pixels=3,
                pickable=lean,
            )
        )
    if not basemap:
        layers.append(
            pdk.Layer(
                "TextLayer",
                _data(frames, "neighbourhoods", neighbourhood_labels(res.data.frame)),
                id="neighbourhoods",
                get_position=["lon", "lat"],
                get_text="label",
                get_size=15,
                get_color=[30, 40, 60],
                get_pixel_offset=[0, -22],
                pickable=False,
                # Quoted strings: pydeck passes them literally instead of as JS expressions.
                character_set='"auto"',
                font_family="'Source Sans, Arial, sans-serif'",
                font_weight=600,
                outline_width=3,
                outline_color=[255, 255, 255],
                font_settings={"sdf": True},
            )
        )
    tooltip = {
        "html": "<b>{name}</b><br/>{organisation}<br/><b>{colour_label}</b><br/>{why}",
        "style": {"backgroundColor": "white", "color": "#222", "fontSize": "13px", "maxWidth": "320px"},
    }
    chart = pdk.Deck(
        layers=layers,
        initial_view_state=view_for(points),
        tooltip=tooltip,
        map_provider="carto" if basemap else None,
        map_style="light" if basemap else None,
    )
    return compact(chart, frames)


def _data(frames: dict[str, pd.DataFrame], layer_id: str, frame: pd.DataFrame) -> str:
    """A placeholder for ``frame`` as a layer's data; :func:`compact` puts the records in its place."""
    frames[layer_id] = frame
    return f"@@data:{layer_id}"


def compact(chart: pdk.Deck, frames: dict[str, pd.DataFrame]) -> pdk.Deck:
    """Give ``chart`` a ``to_json`` that returns its spec once, compact and with the data inlined.

    pydeck would indent the JSON and convert every row through Python objects; pandas writes the
    records in C, rounded to 5 decimals. The result is the same spec, about 40 % smaller, and
    identical for identical input (stable layer ids), so Streamlit can send a reference to a map
    the browser already has instead of the map again.
    """
    obj = json.loads(chart.to_json())
    if not obj.get("mapStyle"):  # no basemap: an empty style inline, so the browser fetches none (offline-safe)
        obj["mapStyle"] = BLANK_STYLE
    spec = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    for layer_id, frame in frames.items():
        records = frame.to_json(orient="records", double_precision=5, force_ascii=False)
        spec = spec.replace(json.dumps(f"@@data:{layer_id}"), records, 1)
    chart.to_json = lambda: spec
    return chart
