"""The pydeck map of departments: coloured and numbered by step, readable without a basemap.

Points carry only what the tooltip shows. A department under the discretion limit carries no
indicator value at all (not even hidden), so nothing can leak through the browser's data.

Every layer has a fixed id and the text layers carry only position and text, so the same map
gives byte-identical JSON on every rerun: Streamlit then sends only a reference to the message
the browser already has (its forward-message cache) instead of the whole map again.
"""

from __future__ import annotations

import hashlib
import json
import math
import urllib.parse

import numpy as np
import pandas as pd
import pydeck as pdk

from trappetrin import catalogue, formatting, geo
from trappetrin.colours import ReleaseResult
from trappetrin.rules import OP_LABELS
from trappetrin.staticmap import BOUNDARY_LINE, LAND, PARISH_LINE, PLACE_TEXT, WATER

_WATER_HEX = "#" + "".join(f"{c:02x}" for c in WATER)
AALBORG_VIEW = pdk.ViewState(latitude=57.035, longitude=9.96, zoom=10.6, pitch=0)
#: The "no basemap" map style: a plain background (the water) as a data URL. Without a style
#: Streamlit falls back to Carto's, which the browser then tries (and offline fails) to fetch.
BLANK_STYLE = "data:application/json," + json.dumps(
    {
        "version": 8,
        "sources": {},
        "layers": [{"id": "bg", "type": "background", "paint": {"background-color": _WATER_HEX}}],
    },
    separators=(",", ":"),
).replace("#", "%23")
#: What the departments layer carries per point: the tooltip's fields, position, colour and size.
POINT_COLUMNS = ["dept_id", "name", "organisation", "colour_label", "why", "outcome", "lon", "lat", "color", "radius"]
#: The map's size the opening view is fitted to: the narrowest map Oversigt draws (the left column
#: at 1280 px with the sidebar open) and its height. A wider map shows more around the same view.
FIT_WIDTH_PX = 420
FIT_HEIGHT_PX = 540
#: deck.gl's world is 512 px wide at zoom 0.
_TILE = 512.0


def _mercator_y(lat: float) -> float:
    phi = math.radians(max(min(lat, 85.0), -85.0))
    return (1 - math.log(math.tan(math.pi / 4 + phi / 2)) / math.pi) / 2 * _TILE


def _lat_of(y: float) -> float:
    n = math.pi * (1 - 2 * y / _TILE)
    return math.degrees(math.atan(math.sinh(n)))


def fit_view(
    lon0: float,
    lon1: float,
    lat0: float,
    lat1: float,
    *,
    width_px: float = FIT_WIDTH_PX,
    height_px: float = FIT_HEIGHT_PX,
    margin: float = 0.08,
    max_zoom: float = 13.0,
    nudge: float = 0.0,
) -> pdk.ViewState:
    """The view (Web Mercator, as deck.gl draws) that shows the box [lon0, lon1] × [lat0, lat1]
    inside a map of ``width_px`` × ``height_px`` with ``margin`` (a share) free on every side.

    ``nudge`` moves centre and zoom by a hair (< 1e-6): a map whose view is to be reset although
    its box is the same (the "Hele kommunen" button) must get a view that differs in every key, or
    Streamlit keeps the user's pan and zoom for the keys that did not change.
    """
    x0, x1 = (lon0 + 180) / 360 * _TILE, (lon1 + 180) / 360 * _TILE
    y0, y1 = _mercator_y(lat1), _mercator_y(lat0)  # y grows southwards
    dx, dy = max(x1 - x0, 1e-6), max(y1 - y0, 1e-6)
    usable = 1 - 2 * margin
    zoom = math.log2(min(width_px * usable / dx, height_px * usable / dy))
    zoom = min(zoom, max_zoom)
    lon = (x0 + x1) / 2 / _TILE * 360 - 180
    lat = _lat_of((y0 + y1) / 2)
    # Rounded down a little (4 decimals of zoom, 5 of degrees): stable JSON, never tighter than the fit.
    return pdk.ViewState(
        latitude=round(lat, 5) + nudge,
        longitude=round(lon, 5) + nudge,
        zoom=math.floor(zoom * 1e4) / 1e4 - nudge,
        pitch=0,
        bearing=0,
    )


def view_for(points: pd.DataFrame, *, nudge: float = 0.0) -> pdk.ViewState:
    """A view that fits every point (with a margin); Aalborg's usual view when there are none."""
    if points.empty:
        return AALBORG_VIEW
    return fit_view(
        float(points["lon"].min()),
        float(points["lon"].max()),
        float(points["lat"].min()),
        float(points["lat"].max()),
        nudge=nudge,
    )


def hex_to_rgb(color: str) -> list[int]:
    color = color.lstrip("#")
    return [int(color[i : i + 2], 16) for i in (0, 2, 4)]


def decisive_text(res: ReleaseResult) -> pd.Series:
    """Per department, the values that decided its colour (met criteria and gates), in Danish.

    One criterion per line ("\\n"): the tooltip keeps line breaks (``white-space: pre-line``), so
    the text itself carries no HTML (Streamlit escapes the values it puts into a tooltip).
    """
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
    texts = pd.Series(["\n".join(dict.fromkeys(parts)) for parts in rows], index=result.ids, dtype=object)
    status = data.frame["list_status"].fillna("")
    listed = status != ""
    texts[listed] = ("Område på ministeriets liste: " + status[listed] + "\n" + texts[listed]).str.rstrip("\n")
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


# --- the geography under the departments (trappetrin.geo) ------------------------------------------


def boundary_file_key() -> tuple[str, float] | None:
    """The boundary file named by ``TRAPPETRIN_BOUNDARY`` and its modification time (a cache key)."""
    return geo.user_boundary_key()


def _rgba(rgb, alpha: int) -> list[int]:
    return [*rgb, alpha]


def boundary_layer(geography: geo.Geography | None = None, *, basemap: bool = False) -> pdk.Layer | None:
    """The municipality's land in a light fill with its outline (water is where there is none).

    The boundary is ``TRAPPETRIN_BOUNDARY``'s file, else one imported on the Data page, else
    ``geo/kommune.geojson`` (see :func:`trappetrin.geo.geography`); None when there is none.
    Over a basemap the fill is faint, so the tiles show through.
    """
    if geography is None:
        from ui.loaders import stored_boundary  # only here: the rest of the module needs no store

        geography = geo.geography(stored_boundary())
    if geography.boundary is None:
        return None
    return pdk.Layer(
        "GeoJsonLayer",
        geography.boundary,
        id="boundary",
        stroked=True,
        filled=True,
        get_fill_color=_rgba(LAND, 60 if basemap else 255),
        get_line_color=_rgba(BOUNDARY_LINE, 220),
        line_width_min_pixels=1.2,
        pickable=False,
    )


def _geo_layers(frames: dict, geography: geo.Geography, *, basemap: bool) -> list[pdk.Layer]:
    """Land, parish lines: drawn under the departments."""
    layers = []
    land = boundary_layer(geography, basemap=basemap)
    if land is not None:
        layers.append(land)
    if geography.parishes is not None:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                geography.parishes,
                id="parishes",
                stroked=True,
                filled=False,
                get_line_color=_rgba(PARISH_LINE, 150),
                line_width_min_pixels=0.7,
                pickable=False,
            )
        )
    return layers


#: Place names: pixel size at the opening view, and the size in metres of the names that only
#: show when zoomed in (they grow with the map and are specks when zoomed out).
LABEL_PX = 14
LABEL_METRES = 260


def _pixels_per_metre(lat: float, zoom: float) -> float:
    return _TILE * 2**zoom / (40_075_016 * math.cos(math.radians(lat)))


def place_labels(points: pd.DataFrame, places: pd.DataFrame, view: pdk.ViewState) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(names drawn at the opening view, the others) so that no name covers a department or another name.

    Greedy, most important name first (``min_zoom``): a name's box (about 7.5 px a letter, 16 px
    high, above its place) at the opening view's zoom must not overlap a department's point or a
    name already placed. The rest are drawn in metres, so they appear as the user zooms in.
    """
    if places.empty:
        return places, places
    lat0, zoom = float(view.latitude), float(view.zoom)
    scale = _TILE * 2**zoom

    def px(lon, lat):
        x = (np.asarray(lon, dtype=float) + 180) / 360 * scale
        phi = np.radians(np.clip(np.asarray(lat, dtype=float), -85, 85))
        y = (1 - np.log(np.tan(np.pi / 4 + phi / 2)) / np.pi) / 2 * scale
        return x, y

    px_x, px_y = px(points["lon"], points["lat"])
    radius = np.clip(points["radius"].to_numpy(float) * _pixels_per_metre(lat0, zoom), 4, 30) + 2
    placed: list[tuple[float, float, float, float]] = []
    keep, where = [], []
    for row in places.itertuples():
        if row.min_zoom > zoom + 1.5:
            continue
        (x,), (y,) = px([row.lon], [row.lat])
        w, h = 0.55 * LABEL_PX * len(row.name) + 6, LABEL_PX + 4
        for i, (ax, ay) in enumerate(_LABEL_SPOTS):
            # The box's left/top from the place and the spot's anchor (0 = start/top, 0.5 = middle, 1 = end/bottom).
            ox, oy = _LABEL_OFFSETS[i]
            left, top = x + ox - ax * w, y + oy - ay * h
            box = (left, top, left + w, top + h)
            dx = np.maximum(np.maximum(box[0] - px_x, 0), px_x - box[2])
            dy = np.maximum(np.maximum(box[1] - px_y, 0), px_y - box[3])
            if np.any(dx * dx + dy * dy < radius * radius):
                continue  # it would cover a department
            if any(not (box[2] < b[0] or b[2] < box[0] or box[3] < b[1] or b[3] < box[1]) for b in placed):
                continue  # or another name
            placed.append(box)
            keep.append(row.Index)
            where.append(i)
            break
    shown = places.loc[keep].assign(
        anchor=[_ANCHORS[_LABEL_SPOTS[i][0]] for i in where],
        baseline=[_BASELINES[_LABEL_SPOTS[i][1]] for i in where],
        offset=[list(_LABEL_OFFSETS[i]) for i in where],
    )
    return shown, places.drop(index=keep)


#: Where a name may sit around its place, in order of preference: (horizontal, vertical) anchor of
#: the text (0 start/top, 0.5 middle, 1 end/bottom) and its offset in pixels from the place.
_LABEL_SPOTS = [(0.5, 1.0), (0.5, 0.0), (0.0, 0.5), (1.0, 0.5), (0.0, 1.0), (1.0, 1.0), (0.0, 0.0), (1.0, 0.0)]
_LABEL_OFFSETS = [(0, -4), (0, 4), (7, 0), (-7, 0), (5, -4), (-5, -4), (5, 4), (-5, 4)]
_ANCHORS = {0.0: "start", 0.5: "middle", 1.0: "end"}
_BASELINES = {0.0: "top", 0.5: "center", 1.0: "bottom"}


def _label_layers(frames: dict, points: pd.DataFrame, geography: geo.Geography, view: pdk.ViewState) -> list[pdk.Layer]:
    """Place names that keep clear of the departments: some at the opening view, more when zoomed in."""
    if geography.places.empty:
        return []
    shown, later = place_labels(points, geography.places, view)
    common = dict(
        get_position=["lon", "lat"],
        get_text="name",
        get_color=_rgba(PLACE_TEXT, 255),
        pickable=False,
        # Quoted strings: pydeck passes them literally instead of as JS expressions.
        character_set='"auto"',
        font_family="'Source Sans, Arial, sans-serif'",
        font_weight=600,
        outline_width=3,
        outline_color=[255, 255, 255],
        font_settings={"sdf": True},
    )
    layers = [
        pdk.Layer(
            "TextLayer",
            _data(frames, "places", shown[["name", "lon", "lat", "anchor", "baseline", "offset"]]),
            id="places",
            get_size=LABEL_PX,
            get_text_anchor="anchor",
            get_alignment_baseline="baseline",
            get_pixel_offset="offset",
            **common,
        )
    ]
    if not later.empty:
        layers.append(
            pdk.Layer(
                "TextLayer",
                _data(frames, "places-near", later[["name", "lon", "lat"]]),
                id="places-near",
                get_size=LABEL_METRES,
                size_units="'meters'",
                size_max_pixels=LABEL_PX - 1,
                get_alignment_baseline="'bottom'",
                **common,
            )
        )
    return layers


def footprint_geojson(footprints: pd.DataFrame, points: pd.DataFrame) -> dict | None:
    """Imported department polygons joined to their points' colour and tooltip fields.

    ``footprints``: ``dept_id`` and ``geojson`` (text, EPSG:4326) as the store keeps them.
    """
    if footprints is None or footprints.empty:
        return None
    by_id = points.set_index("dept_id")
    features = []
    for row in footprints.itertuples():
        if row.dept_id not in by_id.index:
            continue
        p = by_id.loc[row.dept_id]
        props = {c: p[c] for c in ("name", "organisation", "colour_label", "why", "outcome")}
        props["dept_id"] = row.dept_id
        props["fill"] = [*p["color"], 190]
        features.append({"type": "Feature", "properties": props, "geometry": json.loads(row.geojson)})
    return {"type": "FeatureCollection", "features": features} if features else None


#: Above this many departments the Scenarie map is lean (see :func:`deck`).
LEAN_ABOVE = 2000
#: What a lean map's points carry: position, colour and size, nothing to show on hover.
LEAN_COLUMNS = ["lon", "lat", "color", "radius"]
#: The tooltip: proper HTML with the values as plain text (Streamlit escapes them); ``why`` keeps
#: its line breaks. Kept inside the map by ``ui/static/maptooltip.js`` where that is loaded.
TOOLTIP = {
    "html": "<b>{name}</b><br/>{organisation}<br/><b>{colour_label}</b><br/><span>{why}</span>",
    "style": {
        "backgroundColor": "white",
        "color": "#222",
        "fontSize": "13px",
        "maxWidth": "300px",
        "whiteSpace": "pre-line",
        "border": "1px solid #c8ccd4",
        "boxShadow": "0 2px 6px rgba(0,0,0,.15)",
    },
}


def deck(
    res: ReleaseResult,
    *,
    basemap: bool = False,
    highlight: set[str] | None = None,
    only: set[str] | None = None,
    lean: bool = False,
    geography: geo.Geography | None = None,
    footprints: pd.DataFrame | None = None,
    refit: int = 0,
) -> pdk.Deck:
    """The map: the municipality's land and parishes, departments by step (coloured and numbered),
    place names that keep clear of them, imported department polygons filled by step.

    ``geography`` defaults to :func:`trappetrin.geo.geography` for the departments' municipality;
    a national view (several municipalities) draws one mark per municipality instead of the
    departments (:func:`municipality_marks`). ``refit`` (a counter) makes a new opening view that
    fits the departments even if the last one was the same, so the map returns to it.

    ``lean`` (for thousands of departments redrawn on every threshold change): every point is a
    plain coloured dot, and only the highlighted departments carry a tooltip and a step number.
    The national Scenarie map drops from ~2.6 MB to a fraction per change.
    """
    points = map_points(res, highlight=highlight)
    if only is not None:
        points = points[points["dept_id"].isin(only)]
    place = geo.municipality_of(res.data.frame.loc[res.data.frame.index.isin(points["dept_id"])])
    if geography is None:
        geography = geo.geography(None, municipality=place)
    # A hair's difference per view (filter, refit): Streamlit then applies every key of it.
    key = f"{refit}|{len(points)}|{points['dept_id'].iloc[0] if len(points) else ''}"
    nudge = int(hashlib.sha1(key.encode()).hexdigest()[:6], 16) % 997 * 1e-9
    layers, frames = [], {}
    layers += _geo_layers(frames, geography, basemap=basemap)
    shapes = footprint_geojson(footprints, points) if not lean else None
    if shapes is not None:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                shapes,
                id="footprints",
                stroked=True,
                filled=True,
                get_fill_color="properties.fill",
                get_line_color=[40, 40, 40, 200],
                line_width_min_pixels=0.8,
                pickable=True,
            )
        )
        # Where a polygon is drawn the point shrinks to a dot on it: a point when zoomed out, the
        # polygon (filled by step) when zoomed in.
        has_shape = points["dept_id"].isin({f["properties"]["dept_id"] for f in shapes["features"]})
        points = points.assign(radius=points["radius"].where(~has_shape, 12.0))
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
            _data(frames, "step-symbols", labelled[["lon", "lat", "symbol", "radius"]]),
            id="step-symbols",
            get_position=["lon", "lat"],
            get_text="symbol",
            # In metres, like the points: a number inside each point when zoomed in, a speck when out.
            get_size="radius * 1.5",
            size_units="'meters'",
            size_max_pixels=13,
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
    view = view_for(points, nudge=nudge)
    if not lean:
        layers += _label_layers(frames, points, geography, view)
    return _deck(layers, view, frames, basemap=basemap)


# --- the national view: one mark per municipality ---------------------------------------------------


def _pie_svg(shares: list[tuple[float, str]], size: int = 48) -> str:
    """A pie of colour shares as an SVG data URL (for an IconLayer)."""
    r, c = size / 2 - 1.5, size / 2
    parts, angle = [], -math.pi / 2
    total = sum(s for s, _ in shares) or 1
    live = [(s, col) for s, col in shares if s > 0]
    if len(live) == 1:
        parts.append(f'<circle cx="{c}" cy="{c}" r="{r}" fill="{live[0][1]}"/>')
    else:
        for share, colour in live:
            sweep = 2 * math.pi * share / total
            x0, y0 = c + r * math.cos(angle), c + r * math.sin(angle)
            angle += sweep
            x1, y1 = c + r * math.cos(angle), c + r * math.sin(angle)
            large = 1 if sweep > math.pi else 0
            parts.append(
                f'<path d="M{c},{c} L{x0:.2f},{y0:.2f} A{r},{r} 0 {large} 1 {x1:.2f},{y1:.2f} Z" fill="{colour}"/>'
            )
    parts.append(f'<circle cx="{c}" cy="{c}" r="{r}" fill="none" stroke="#282828" stroke-width="1.5"/>')
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">{"".join(parts)}</svg>'
    return "data:image/svg+xml;charset=utf-8," + urllib.parse.quote(svg)


def municipality_marks(res: ReleaseResult, only: set[str] | None = None) -> pd.DataFrame:
    """One row per municipality: centre, departments per colour (as a pie icon) and tooltip text.

    Counts of departments by colour only: no indicator value, so nothing under the discretion
    limit can show (a grey department counts as grey, as in the colour list).
    """
    frame, rules = res.data.frame, res.rules
    data = pd.DataFrame(
        {
            "municipality": frame["municipality"].fillna(geo.GEO_MUNICIPALITY).to_numpy(),
            "lon": frame["lon"].to_numpy(dtype=float),
            "lat": frame["lat"].to_numpy(dtype=float),
            "outcome": np.asarray(res.result.outcome),
        },
        index=frame.index,
    )
    if only is not None:
        data = data[data.index.isin(only)]
    data = data.dropna(subset=["lon", "lat"])
    counts = data.groupby(["municipality", "outcome"]).size().unstack(fill_value=0)
    centres = data.groupby("municipality")[["lon", "lat"]].median().round(5)
    order = rules.severity_order()
    colour = {o.code: o.color for o in rules.outcomes}
    rows = []
    for name, row in counts.iterrows():
        n = int(row.sum())
        mix = [(int(row.get(c, 0)), colour.get(c, "#787878")) for c in order]
        text = " · ".join(
            f"{rules.outcome(c).label}: {formatting.integer(int(row.get(c, 0)))}" for c in order if row.get(c, 0)
        )
        rows.append(
            {
                "municipality": name,
                "name": f"{name} Kommune",
                "organisation": f"{formatting.integer(n)} afdelinger",
                "colour_label": text,
                "why": "Klik for at se kommunens afdelinger",
                "lon": float(centres.loc[name, "lon"]),
                "lat": float(centres.loc[name, "lat"]),
                "icon": {"url": _pie_svg(mix), "width": 48, "height": 48, "id": f"pie-{name}-{n}"},
                "size": round(float(np.clip(8 + 2 * math.sqrt(n), 12, 40)), 1),  # area ~ departments
            }
        )
    return pd.DataFrame(rows)


def national_deck(res: ReleaseResult, *, only: set[str] | None = None, basemap: bool = False) -> pdk.Deck:
    """The whole country: a pie per municipality (departments per colour), clickable, named on hover."""
    marks = municipality_marks(res, only)
    frames: dict[str, pd.DataFrame] = {}
    layers = [
        pdk.Layer(
            "IconLayer",
            _data(frames, "municipalities", marks),
            id="municipalities",
            get_position=["lon", "lat"],
            get_icon="icon",
            get_size="size",
            size_units="'pixels'",
            pickable=True,
        )
    ]
    view = view_for(marks) if len(marks) else AALBORG_VIEW
    return _deck(layers, view, frames, basemap=basemap)


def _data(frames: dict[str, pd.DataFrame], layer_id: str, frame: pd.DataFrame) -> str:
    """A placeholder for ``frame`` as a layer's data; :func:`compact` puts the records in its place."""
    frames[layer_id] = frame
    return f"@@data:{layer_id}"


def _deck(layers: list[pdk.Layer], view, frames: dict[str, pd.DataFrame], *, basemap: bool) -> pdk.Deck:
    """The map of ``layers`` opening on ``view``, with CARTO's light basemap or none, made :func:`compact`."""
    chart = pdk.Deck(
        layers=layers,
        initial_view_state=view,
        tooltip=TOOLTIP,
        map_provider="carto" if basemap else None,
        map_style="light" if basemap else None,
    )
    return compact(chart, frames)


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
