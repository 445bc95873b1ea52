"""The map as a picture (PNG), for reports and exports: the interactive map's colours and symbols.

Drawn with matplotlib (its object API, no pyplot: safe in a server thread) on the same geography
as the interactive map (:mod:`trappetrin.geo`): the municipality's land in a light fill (water is
where there is none), faint parish lines, place names, the departments as points coloured and
numbered by step (the rule set's map symbols: 3 red, 2 yellow, 1 green, - grey), a legend of
the steps with counts beside the map and the data attribution beneath it.

Example::

    from trappetrin.colours import classify_release
    from trappetrin.staticmap import departments_frame, render_map_png

    res = classify_release(store, "2026-11", rules)
    png = render_map_png(departments_frame(res), res.rules, title="Farver, udgivelse 2026-11")

Discretion: the picture shows only position and colour, never an indicator value.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import formatting
from .geo import ATTRIBUTION, geography, municipality_of
from .rules import RuleSet

if TYPE_CHECKING:
    from .colours import ReleaseResult

#: The offline map's palette, shared with ui/mapview.py (RGB 0-255).
WATER = (247, 248, 250)  # background: the Limfjord and the sea are where no land is
LAND = (233, 236, 226)
BOUNDARY_LINE = (110, 118, 130)
PARISH_LINE = (170, 176, 186)
PLACE_TEXT = (45, 55, 75)
FALLBACK_COLOUR = "#787878"
_USE_DEFAULT = object()


def departments_frame(res: ReleaseResult) -> pd.DataFrame:
    """What :func:`render_map_png` needs from a classified release: lon, lat, outcome, dwellings."""
    frame = res.data.frame
    return pd.DataFrame(
        {
            "lon": frame["lon"].to_numpy(dtype=float),
            "lat": frame["lat"].to_numpy(dtype=float),
            "outcome": np.asarray(res.result.outcome),
            "dwellings": frame["dwellings"].to_numpy(dtype=float),
            "municipality": frame["municipality"].to_numpy() if "municipality" in frame else None,
        },
        index=frame.index,
    )


def _rgb(colour) -> tuple[float, float, float]:
    return tuple(c / 255 for c in colour)


def _polygons(geojson: dict):
    """Shapely geometries of a FeatureCollection (or a single geometry/feature)."""
    from shapely.geometry import shape

    if geojson.get("type") == "FeatureCollection":
        return [shape(f["geometry"]) for f in geojson["features"] if f.get("geometry")]
    if geojson.get("type") == "Feature":
        return [shape(geojson["geometry"])]
    return [shape(geojson)]


def _draw_geometries(ax, geoms, *, face, edge, width: float, zorder: int) -> None:
    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    patches, lines = [], []
    for geom in geoms:
        for part in getattr(geom, "geoms", [geom]):
            if part.geom_type == "Polygon":
                rings = [np.asarray(part.exterior.coords)] + [np.asarray(r.coords) for r in part.interiors]
                verts = np.concatenate(rings)
                codes = np.concatenate(
                    [[MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 2) + [MplPath.CLOSEPOLY] for r in rings]
                )
                patches.append(PathPatch(MplPath(verts, codes)))
            elif part.geom_type == "LineString":
                lines.append(np.asarray(part.coords))
    if patches:
        ax.add_collection(
            PatchCollection(patches, facecolor=face or "none", edgecolor=edge, linewidth=width, zorder=zorder)
        )
    if lines:
        ax.add_collection(LineCollection(lines, colors=[edge], linewidths=width, zorder=zorder))


#: Where a name may sit around its place, in order of preference: offset (points) and alignment.
_SPOTS = [
    ((0, 6), "center", "bottom"),
    ((0, -6), "center", "top"),
    ((7, 0), "left", "center"),
    ((-7, 0), "right", "center"),
    ((5, 5), "left", "bottom"),
    ((-5, 5), "right", "bottom"),
    ((5, -5), "left", "top"),
    ((-5, -5), "right", "top"),
]
_NAME_PT = 7.5


def _point_sizes(pts: pd.DataFrame, many: bool) -> np.ndarray:
    """Marker sizes (points²) of the departments, as drawn."""
    if many:
        return np.full(len(pts), 6.0)
    if "dwellings" in pts.columns:
        return (14 + 3.2 * np.sqrt(pts["dwellings"].fillna(1).clip(lower=1))).clip(upper=160).to_numpy()
    return np.full(len(pts), 40.0)


def _place_names(ax, places: pd.DataFrame, pts: pd.DataFrame, x0, x1, y0, y1, *, dpi: int, many: bool) -> None:
    """Place names, most important first, each where it covers no department and no other name
    (the interactive map's rule, ui/mapview.place_labels); a name with no free spot is left out."""
    from matplotlib.patheffects import withStroke

    ax.apply_aspect()
    to_pt = 72 / dpi
    xy = ax.transData.transform(pts[["lon", "lat"]].to_numpy(float)) * to_pt if len(pts) else np.empty((0, 2))
    radius = np.sqrt(_point_sizes(pts, many)) / 2 + 1.5
    placed: list[tuple[float, float, float, float]] = []
    halo = [withStroke(linewidth=2.5, foreground="white")]
    span = x1 - x0  # fewer names on a wider view
    limit = 9.5 if span > 0.6 else (10.5 if span > 0.25 else 12)
    for row in places[places["min_zoom"] <= limit].itertuples():
        if not (x0 <= row.lon <= x1 and y0 <= row.lat <= y1):
            continue
        px, py = ax.transData.transform((row.lon, row.lat)) * to_pt
        w, h = 0.6 * _NAME_PT * len(row.name) + 3, _NAME_PT + 3
        for (ox, oy), ha, va in _SPOTS:
            left = px + ox - {"center": w / 2, "left": 0, "right": w}[ha]
            bottom = py + oy - {"bottom": 0, "top": h, "center": h / 2}[va]
            box = (left, bottom, left + w, bottom + h)
            dx = np.maximum(np.maximum(box[0] - xy[:, 0], 0), xy[:, 0] - box[2])
            dy = np.maximum(np.maximum(box[1] - xy[:, 1], 0), xy[:, 1] - box[3])
            if np.any(dx * dx + dy * dy < radius * radius):
                continue
            if any(not (box[2] < b[0] or b[2] < box[0] or box[3] < b[1] or b[3] < box[1]) for b in placed):
                continue
            placed.append(box)
            ax.annotate(
                row.name,
                (row.lon, row.lat),
                xytext=(ox, oy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=_NAME_PT,
                color=_rgb(PLACE_TEXT),
                fontweight="bold",
                path_effects=halo,
                zorder=3,
            )
            break


def _draw_pies(ax, pts: pd.DataFrame, rules: RuleSet, *, aspect: float, span: float) -> None:
    """One pie per municipality at its departments' median position, area ~ its departments."""
    from matplotlib.patches import Wedge
    from matplotlib.transforms import Affine2D

    colour = {o.code: o.color for o in rules.outcomes}
    order = rules.severity_order()
    counts = pts.groupby(["municipality", "outcome"]).size().unstack(fill_value=0)
    centres = pts.groupby("municipality")[["lon", "lat"]].median()
    unit = span / 260  # radius of a one-department pie, in degrees of latitude
    z = 10
    for name, row in counts.loc[counts.sum(axis=1).sort_values(ascending=False).index].iterrows():
        z += 2  # the big ones first: a small pie on top of a big neighbour stays visible
        n = int(row.sum())
        radius = unit * (1.5 + 0.3 * np.sqrt(n))
        # A circle on screen: degrees of longitude are shorter, so x is stretched by the aspect.
        place = Affine2D().scale(aspect, 1).translate(centres.loc[name, "lon"], centres.loc[name, "lat"])
        angle = 90.0
        for code in order:
            k = int(row.get(code, 0))
            if not k:
                continue
            sweep = 360.0 * k / n
            wedge = Wedge((0, 0), radius, angle - sweep, angle, facecolor=colour.get(code, FALLBACK_COLOUR))
            wedge.set_transform(place + ax.transData)
            wedge.set_zorder(z)
            ax.add_patch(wedge)
            angle -= sweep
        ring = Wedge((0, 0), radius, 0, 360, facecolor="none", edgecolor="#282828", linewidth=0.6)
        ring.set_transform(place + ax.transData)
        ring.set_zorder(z + 1)
        ax.add_patch(ring)


def render_map_png(
    departments: pd.DataFrame,
    rules: RuleSet,
    *,
    boundary: dict | None = _USE_DEFAULT,  # type: ignore[assignment]
    title: str | None = None,
    subtitle: str | None = None,
    width_px: int = 1600,
    height_px: int = 1100,
    dpi: int = 160,
    places: bool = True,
    is_demo: bool = False,
) -> bytes:
    """The departments on the map as a PNG (bytes).

    Parameters
    ----------
    departments : pandas.DataFrame
        One row per department with ``lon``, ``lat`` (EPSG:4326) and ``outcome`` (an outcome code of
        ``rules``: red/yellow/green/grey); optional ``dwellings`` (point size) and ``municipality``.
        Rows without a position are left out. See :func:`departments_frame`.
    rules : RuleSet
        Gives each outcome's colour, label and step (the legend).
    boundary : dict or None, optional
        A GeoJSON boundary (EPSG:4326) to draw; by default the interactive map's
        (``TRAPPETRIN_BOUNDARY``, else ``geo/kommune.geojson`` for Aalborg); None draws none.
    title, subtitle : str, optional
        Printed above the map (Danish). ``is_demo`` adds "Demodata" to the subtitle.
    width_px, height_px, dpi : int
        Size of the picture in pixels and its resolution.
    places : bool, default True
        Print the place names (``geo/places.csv``) for Aalborg.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patheffects import withStroke

    pts = departments.dropna(subset=["lon", "lat"])
    place = municipality_of(pts) if "municipality" in pts.columns and pts["municipality"].notna().any() else "Aalborg"
    geo = geography(municipality=place)
    drawn_boundary = geo.boundary if boundary is _USE_DEFAULT else boundary

    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor="white")
    # The map on the left, the legend in a column on its right.
    ax = fig.add_axes((0.02, 0.08, 0.70, 0.80))
    ax.set_facecolor(_rgb(WATER))
    for side in ax.spines.values():
        side.set_edgecolor("#c8ccd4")
    ax.set_xticks([]), ax.set_yticks([])

    if drawn_boundary is not None:
        _draw_geometries(ax, _polygons(drawn_boundary), face=_rgb(LAND), edge=_rgb(BOUNDARY_LINE), width=0.8, zorder=1)
    if geo.parishes is not None and boundary is _USE_DEFAULT:
        _draw_geometries(ax, _polygons(geo.parishes), face=None, edge=_rgb(PARISH_LINE), width=0.35, zorder=2)

    # The view: the departments, and the whole boundary when it is drawn, with a margin.
    xs, ys = pts["lon"].to_numpy(float), pts["lat"].to_numpy(float)
    if drawn_boundary is not None:
        from shapely.ops import unary_union

        bx0, by0, bx1, by1 = unary_union(_polygons(drawn_boundary)).bounds
        x0, x1 = min([bx0, *xs]), max([bx1, *xs])
        y0, y1 = min([by0, *ys]), max([by1, *ys])
    elif len(pts):
        x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    else:
        x0, x1, y0, y1 = 9.39, 10.39, 56.81, 57.23
    mid_lat = (y0 + y1) / 2
    aspect = 1 / np.cos(np.radians(mid_lat))  # degrees of latitude are longer than of longitude
    pad_x, pad_y = max((x1 - x0) * 0.04, 0.01), max((y1 - y0) * 0.04, 0.01)
    x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y
    # Fill the axes: widen the shorter side so the aspect stays true.
    box_w, box_h = 0.70 * width_px, 0.80 * height_px
    want = box_w / box_h  # width / height on screen
    have = (x1 - x0) / ((y1 - y0) * aspect)
    if have < want:
        grow = ((y1 - y0) * aspect * want - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) / want / aspect - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    ax.set_xlim(x0, x1), ax.set_ylim(y0, y1)
    ax.set_aspect(aspect)

    several = "municipality" in pts.columns and pts["municipality"].nunique() > 1
    many = len(pts) > 1500
    if places and not geo.places.empty:
        _place_names(ax, geo.places, pts, x0, x1, y0, y1, dpi=dpi, many=many)

    by_code = {o.code: o for o in rules.outcomes}
    counts = pts["outcome"].value_counts()
    severity = rules.severity_order()  # most severe first
    order = severity[::-1]  # drawn last, on top
    if several:  # the whole country: a pie per municipality, as on the interactive map
        _draw_pies(ax, pts, rules, aspect=aspect, span=y1 - y0)
        order = []
    for z, code in enumerate(order):
        sub = pts[pts["outcome"] == code]
        if sub.empty:
            continue
        colour = by_code[code].color if code in by_code else FALLBACK_COLOUR
        sizes = _point_sizes(sub, many)
        ax.scatter(
            sub["lon"],
            sub["lat"],
            s=sizes,
            c=colour,
            edgecolors="#282828",
            linewidths=0.2 if many else 0.5,
            alpha=0.92,
            zorder=10 + z,
        )
        if not many and rules.map_symbol(code):
            for x, y in zip(sub["lon"], sub["lat"]):
                ax.text(
                    x,
                    y,
                    rules.map_symbol(code),
                    ha="center",
                    va="center",
                    fontsize=4.5,
                    color="white",
                    fontweight="bold",
                    path_effects=[withStroke(linewidth=1.0, foreground="black")],
                    zorder=20 + z,
                )

    handles = []
    for code in severity:
        o = by_code[code]
        label = f"{o.label} ({o.step})" if o.step else o.label
        symbol = rules.map_symbol(code)
        text = f"{symbol}  {label}: {formatting.integer(int(counts.get(code, 0)))}"
        handles.append(
            Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor=o.color, markeredgecolor="#282828")
        )
        handles[-1].set_label(text)
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.735, 0.88),
        frameon=False,
        title="Trin (antal afdelinger)",
        title_fontsize=9,
        fontsize=8.5,
        alignment="left",
    )
    fig.text(0.74, 0.68, f"I alt: {formatting.integer(len(pts))} afdelinger", fontsize=8.5, va="top")
    if several:
        fig.text(0.74, 0.64, "Én cirkel pr. kommune, delt efter\nafdelingernes farver.", fontsize=7.5, va="top")
    elif not many:
        fig.text(0.74, 0.64, "Tal i punktet: trinnet.\nPunktets størrelse: antal boliger.", fontsize=7.5, va="top")

    if title:
        fig.text(0.02, 0.955, title, fontsize=13, fontweight="bold", va="center")
    sub_text = " · ".join(t for t in ("Demodata (fiktive afdelinger)" if is_demo else "", subtitle or "") if t)
    if sub_text:
        fig.text(0.02, 0.915, sub_text, fontsize=9, va="center", color="#444")
    fig.text(0.02, 0.035, ATTRIBUTION, fontsize=6.5, color="#555", va="center")

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()
