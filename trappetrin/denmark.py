"""Is a place in Denmark? Tested against a simplified land outline, not a bounding box.

``data/denmark_land.geojson`` (made by ``scripts/make_denmark_land.py``, which documents how and
what counts as Denmark) is Jutland and the Danish islands, widened 2,5 km so coastal departments
are inside, cut at the German border. Malmö, Helsingborg, Gothenburg and Flensburg are outside,
although a bounding box of Denmark holds them.
"""

from __future__ import annotations

import json
from functools import cache

from .config import DATA_DIR

LAND_FILE = DATA_DIR / "denmark_land.geojson"


@cache
def land():
    """Denmark's land as one prepared shapely geometry in EPSG:4326 (lon, lat)."""
    import shapely
    from shapely.geometry import shape

    features = json.loads(LAND_FILE.read_text(encoding="utf-8"))["features"]
    geom = shapely.union_all([shape(f["geometry"]) for f in features])
    shapely.prepare(geom)
    return geom


def contains(lat: float, lon: float) -> bool:
    """True when the point (EPSG:4326) lies on Danish land (or within 2,5 km of its coast)."""
    import shapely

    return bool(shapely.contains_xy(land(), float(lon), float(lat)))


def contains_all(lat, lon):
    """:func:`contains` for arrays of points (a boolean array)."""
    import numpy as np
    import shapely

    return np.asarray(shapely.contains_xy(land(), np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)))


def share_inside(geom) -> float:
    """The share (0–1) of a polygon's area (EPSG:4326) that lies in Denmark."""
    if geom is None or geom.is_empty or geom.area == 0:
        return 0.0
    return float(geom.intersection(land()).area / geom.area)
