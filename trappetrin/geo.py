"""The geography the maps draw: Aalborg's boundary, parish lines and place names from ``geo/``.

``geo/`` holds files derived from public reference data (``scripts/derive_geo.py``; sources and
licences in ``geo/README.md``). A deployment can replace them with its own files (any CRS
geopandas reads; they are re-projected to EPSG:4326 here). The boundary drawn is, first, the file
named by ``TRAPPETRIN_BOUNDARY``, then a boundary imported on the Data page (the caller passes
it), then ``geo/kommune.geojson``.

Everything here is plain data (GeoJSON dicts, DataFrames): both the interactive map
(``ui/mapview.py``) and the static renderer (:mod:`trappetrin.staticmap`) use it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .config import ROOT, boundary_path

GEO_DIR = ROOT / "geo"
BOUNDARY_FILE = GEO_DIR / "kommune.geojson"
PARISH_FILE = GEO_DIR / "sogne.geojson"
PLACES_FILE = GEO_DIR / "places.csv"
#: The municipality whose geography ``geo/`` holds.
GEO_MUNICIPALITY = "Aalborg"

#: The attribution the licences require (DAGI; GeoNames CC BY 4.0), shown with every map.
ATTRIBUTION = (
    "Kortgrundlag: Indeholder data fra Styrelsen for Dataforsyning og Infrastruktur, DAGI. "
    "Stednavne: GeoNames (CC BY 4.0)."
)
ATTRIBUTION_SHORT = "Indeholder data fra Styrelsen for Dataforsyning og Infrastruktur, DAGI · GeoNames (CC BY 4.0)"


@lru_cache(maxsize=8)
def _read(path: str, mtime: float) -> dict:
    import geopandas as gpd

    frame = gpd.read_file(path)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return frame[["geometry"]].__geo_interface__


def read_geojson(path: Path | str) -> dict:
    """A geometry file (GeoJSON, GeoPackage, zipped Shapefile; any CRS) as GeoJSON in EPSG:4326.

    Only the geometry is kept. Cached on the file's path and modification time.
    """
    path = Path(path)
    return _read(str(path), path.stat().st_mtime)


def _optional(path: Path) -> dict | None:
    return read_geojson(path) if path.exists() else None


def user_boundary() -> dict | None:
    """The boundary file named by ``TRAPPETRIN_BOUNDARY``, if it is set and exists."""
    path = boundary_path()
    return read_geojson(path) if path is not None and path.exists() else None


def user_boundary_key() -> tuple[str, float] | None:
    """``TRAPPETRIN_BOUNDARY``'s file and modification time (a cache key), if set and present."""
    path = boundary_path()
    return (str(path), path.stat().st_mtime) if path is not None and path.exists() else None


def default_boundary() -> dict | None:
    """Aalborg Kommune's boundary from ``geo/`` (land only: the Limfjord is a gap)."""
    return _optional(BOUNDARY_FILE)


def parish_lines() -> dict | None:
    """The parishes' inner edges (lines) from ``geo/``, for orientation."""
    return _optional(PARISH_FILE)


@lru_cache(maxsize=4)
def _places(path: str, mtime: float) -> pd.DataFrame:
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    frame = pd.DataFrame(
        {
            "name": [r["name"].strip() for r in rows],
            "lon": [round(float(r["lon"]), 5) for r in rows],
            "lat": [round(float(r["lat"]), 5) for r in rows],
            "min_zoom": [float(r.get("min_zoom") or 11) for r in rows],
        }
    )
    return frame.sort_values("min_zoom", kind="stable").reset_index(drop=True)


def places() -> pd.DataFrame:
    """Place names (name, lon, lat, min_zoom: shown from that zoom on), biggest first; empty if none."""
    if not PLACES_FILE.exists():
        return pd.DataFrame({"name": [], "lon": [], "lat": [], "min_zoom": []})
    return _places(str(PLACES_FILE), PLACES_FILE.stat().st_mtime)


@dataclass(frozen=True)
class Geography:
    """What a map of one municipality draws under its departments."""

    boundary: dict | None  # GeoJSON FeatureCollection, EPSG:4326
    boundary_source: str  # "fil" (TRAPPETRIN_BOUNDARY), "importeret", "standard" or "ingen"
    parishes: dict | None
    places: pd.DataFrame

    @property
    def has_layers(self) -> bool:
        return self.boundary is not None or self.parishes is not None or not self.places.empty


def municipality_of(frame: pd.DataFrame) -> str | None:
    """The one municipality the departments lie in (a missing name counts as Aalborg); None for several."""
    if "municipality" not in frame.columns:
        return GEO_MUNICIPALITY
    names = set(frame["municipality"].fillna(GEO_MUNICIPALITY).unique())
    return names.pop() if len(names) == 1 else (GEO_MUNICIPALITY if not names else None)


def geography(imported: dict | None = None, *, municipality: str | None = GEO_MUNICIPALITY) -> Geography:
    """The boundary (``TRAPPETRIN_BOUNDARY`` > ``imported`` > ``geo/``), parish lines and places.

    ``municipality`` is the one in view (:func:`municipality_of`; None for several): ``geo/``'s
    defaults are Aalborg's and are drawn for Aalborg only. An override is drawn for one municipality.
    """
    empty = pd.DataFrame({"name": [], "lon": [], "lat": [], "min_zoom": []})
    if municipality is None:
        return Geography(boundary=None, boundary_source="ingen", parishes=None, places=empty)
    own = municipality == GEO_MUNICIPALITY
    user = user_boundary()
    if user is not None:
        boundary, source = user, "fil"
    elif imported is not None:
        boundary, source = imported, "importeret"
    elif own and (default := default_boundary()) is not None:
        boundary, source = default, "standard"
    else:
        boundary, source = None, "ingen"
    return Geography(
        boundary=boundary,
        boundary_source=source,
        parishes=parish_lines() if own else None,
        places=places() if own else empty,
    )
