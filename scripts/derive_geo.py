"""Derive the app's default geography (``geo/``) from public reference files.

Run from the repository root::

    .venv/bin/python scripts/derive_geo.py                      # from ../shared/geo (the reference copy)
    .venv/bin/python scripts/derive_geo.py --source DIR         # from a folder of fresh downloads

The source folder holds ``aalborg_kommune.geojson`` (the municipality, land only),
``aalborg_sogne.geojson`` (parishes) and ``places.csv`` (name, lat, lon). Any CRS geopandas reads
will do (DAGI ships EPSG:25832); a parish file that covers more than the municipality is clipped
to it. Writes into ``geo/`` (or ``--out``):

- ``kommune.geojson``: the boundary, EPSG:4326, simplified to ~25 m, islets under 5,000 m² dropped;
- ``sogne.geojson``: the parishes clipped to the boundary, as *lines* (shared edges once), ~25 m;
- ``places.csv``: name, lat, lon and ``min_zoom`` (the map shows a name from that zoom level on,
  so the big towns show first and the city's districts only when zoomed in).

Coordinates are rounded to 5 decimals (~1 m). The result is a few tens of KB; see geo/README.md
for the sources, the licences and how to download fresh DAGI data.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import mapping
from shapely.ops import unary_union

REPO_ROOT = Path(__file__).resolve().parent.parent
#: ../shared/geo beside the checkout (or beside the folder of worktrees).
DEFAULT_SOURCE = next(
    (p / "shared" / "geo" for p in (REPO_ROOT.parent, REPO_ROOT.parent.parent) if (p / "shared" / "geo").is_dir()),
    REPO_ROOT.parent / "shared" / "geo",
)
TOLERANCE_M = 25.0  # simplification in metres (done in UTM 32N)
MIN_ISLET_M2 = 5_000.0
#: From which zoom level a place name shows. Towns outside the city first (they are where the
#: map's far departments are), then the city's districts. Names not listed get 11.
MIN_ZOOM = {
    "Aalborg C": 8.0,
    "Nørresundby": 9.5,
    "Nibe": 8.5,
    "Hals": 8.5,
    "Svenstrup": 9.0,
    "Vodskov": 9.0,
    "Storvorde": 9.5,
    "Kongerslev": 9.0,
    "Vadum": 9.5,
    "Sulsted": 9.5,
    "Vestbjerg": 10.0,
    "Sønderholm": 10.0,
    "Gandrup": 9.5,
    "Aalborg Øst": 10.5,
    "Hasseris": 10.5,
    "Vejgaard": 11.0,
    "Skalborg": 11.0,
    "Lindholm": 11.0,
    "Klarup": 10.5,
    "Gistrup": 10.5,
    "Frejlev": 10.5,
    "Vester Hassing": 10.0,
}


def _to_utm(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        frame = frame.set_crs(4326)
    return frame.to_crs(25832)


def _round(geom, digits: int = 5):
    return shapely.set_precision(geom, 10**-digits)


def _feature_collection(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))


def boundary(source: Path) -> tuple[str, object]:
    """(GeoJSON text, UTM geometry) of the municipality: dissolved, islets dropped, simplified."""
    frame = _to_utm(gpd.read_file(source / "aalborg_kommune.geojson"))
    land = unary_union(frame.geometry.to_list())
    parts = [p for p in getattr(land, "geoms", [land]) if p.area >= MIN_ISLET_M2]
    land = shapely.MultiPolygon(parts).simplify(TOLERANCE_M, preserve_topology=True)
    lonlat = _round(gpd.GeoSeries([land], crs=25832).to_crs(4326).iloc[0])
    name = str(frame.iloc[0].get("navn") or "Aalborg")
    feature = {"type": "Feature", "properties": {"navn": name}, "geometry": mapping(lonlat)}
    return _feature_collection([feature]), land


def parish_lines(source: Path, land) -> str:
    """The parishes' inner edges as lines (each shared edge once), clipped to the land."""
    frame = _to_utm(gpd.read_file(source / "aalborg_sogne.geojson"))
    edges = unary_union([g.boundary for g in frame.geometry])  # shared edges merged
    outline = unary_union(frame.geometry.to_list()).boundary  # the parishes' own coast and outer edge
    inner = edges.difference(outline.buffer(50)).intersection(land)  # the land fill draws the coast
    inner = shapely.line_merge(inner) if inner.geom_type == "MultiLineString" else inner
    inner = inner.simplify(TOLERANCE_M)
    lonlat = _round(gpd.GeoSeries([inner], crs=25832).to_crs(4326).iloc[0])
    feature = {"type": "Feature", "properties": {}, "geometry": mapping(lonlat)}
    return _feature_collection([feature])


def places(source: Path) -> list[dict]:
    with (source / "places.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        {
            "name": r["name"].strip(),
            "lat": round(float(r["lat"]), 5),
            "lon": round(float(r["lon"]), 5),
            "min_zoom": MIN_ZOOM.get(r["name"].strip(), 11.0),
        }
        for r in rows
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder with the reference files")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "geo", help="where to write (default geo/)")
    args = parser.parse_args(argv)
    if not (args.source / "aalborg_kommune.geojson").exists():
        print(f"Ingen aalborg_kommune.geojson i {args.source}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    text, land = boundary(args.source)
    (args.out / "kommune.geojson").write_text(text + "\n", encoding="utf-8")
    (args.out / "sogne.geojson").write_text(parish_lines(args.source, land) + "\n", encoding="utf-8")
    with (args.out / "places.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["name", "lat", "lon", "min_zoom"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(places(args.source))
    for name in ("kommune.geojson", "sogne.geojson", "places.csv"):
        print(f"{name}: {(args.out / name).stat().st_size / 1024:.1f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
