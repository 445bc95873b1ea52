"""The static map (PNG) and the geography under it (geo/)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.support.demo import demo_copy
from trappetrin import geo
from trappetrin.colours import classify_release
from trappetrin.staticmap import LAND, departments_frame, render_map_png
from trappetrin.store import open_store

SHARED_GEO = Path(__file__).resolve().parents[3] / "shared" / "geo"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    store = open_store(demo_copy(tmp_path_factory.mktemp("staticmap") / "demo.duckdb"))
    try:
        yield classify_release(store, store.release_labels()[-1], store.adopted_rule_set())
    finally:
        store.close()


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _near(pixels: np.ndarray, rgb, tol: int = 6) -> int:
    return int((np.abs(pixels - np.asarray(rgb)).max(axis=2) <= tol).sum())


def test_geo_files_are_small_lon_lat_and_cover_aalborg():
    """geo/ holds the land-only boundary, parish lines and ranked places, a few tens of KB in all."""
    total = sum(p.stat().st_size for p in geo.GEO_DIR.iterdir() if p.is_file())
    assert total < 300_000, total
    boundary = geo.default_boundary()
    assert boundary is not None
    from shapely.geometry import shape

    land = shape(boundary["features"][0]["geometry"])
    x0, y0, x1, y1 = land.bounds
    assert (9.35 < x0 < 9.45) and (10.35 < x1 < 10.45) and (56.78 < y0 < 56.85) and (57.2 < y1 < 57.26)
    # Land only: a point in the Limfjord between Aalborg and Nørresundby is not in it; the centre is.
    from shapely.geometry import Point

    assert land.contains(Point(9.9187, 57.048))  # Aalborg C
    assert not land.contains(Point(9.925, 57.0535))  # the Limfjord at the bridges
    assert geo.parish_lines()["features"][0]["geometry"]["type"] in ("MultiLineString", "LineString")
    places = geo.places()
    assert {"Aalborg C", "Nørresundby", "Hals", "Nibe"} <= set(places["name"])
    assert places["min_zoom"].is_monotonic_increasing
    assert "DAGI" in (geo.GEO_DIR / "README.md").read_text(encoding="utf-8")


@pytest.mark.skipif(not SHARED_GEO.exists(), reason="../shared/geo is not present")
def test_geo_boundary_agrees_with_the_reference_file():
    """The simplified boundary stays within ~100 m of the reference and keeps its area to 1 %."""
    from shapely.geometry import shape

    ref = json.loads((SHARED_GEO / "aalborg_kommune.geojson").read_text(encoding="utf-8"))
    a = shape(ref["features"][0]["geometry"])
    b = shape(geo.default_boundary()["features"][0]["geometry"])
    assert b.area == pytest.approx(a.area, rel=0.01)
    assert a.hausdorff_distance(b) < 0.005  # degrees (~300 m): islets under 5,000 m² are dropped


def test_a_boundary_file_overrides_the_default(tmp_path, monkeypatch):
    square = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [[[9, 57], [10, 57], [10, 58], [9, 58], [9, 57]]]},
            }
        ],
    }
    imported = {"type": "FeatureCollection", "features": square["features"][:]}
    monkeypatch.delenv("TRAPPETRIN_BOUNDARY", raising=False)
    assert geo.geography().boundary_source == "standard"
    assert geo.geography(imported).boundary_source == "importeret"
    assert geo.geography(municipality="Odense").boundary is None  # geo/ is Aalborg's
    assert geo.geography(municipality=None).boundary is None  # several municipalities: none
    path = tmp_path / "graense.geojson"
    path.write_text(json.dumps(square), encoding="utf-8")
    monkeypatch.setenv("TRAPPETRIN_BOUNDARY", str(path))
    chosen = geo.geography(imported)
    assert chosen.boundary_source == "fil"
    assert chosen.boundary["features"][0]["geometry"]["coordinates"][0][1] == (10.0, 57.0)


def test_static_map_png_has_its_size_land_and_every_colour(result, monkeypatch):
    """A PNG of the requested size with the land fill and each step's colour in it, not blank."""
    monkeypatch.delenv("TRAPPETRIN_BOUNDARY", raising=False)
    png = render_map_png(departments_frame(result), result.rules, title="Farver", width_px=1200, height_px=800)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = _pixels(png)
    assert pixels.shape[:2] == (800, 1200)
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 200  # not blank
    assert _near(pixels, LAND, tol=2) > 100_000  # the municipality's land, a large share of the map
    counts = departments_frame(result)["outcome"].value_counts()
    for outcome in result.rules.outcomes:
        if counts.get(outcome.code, 0):
            rgb = [int(outcome.color[i : i + 2], 16) for i in (1, 3, 5)]
            assert _near(pixels, rgb, tol=12) > 30, outcome.code


def test_static_map_without_boundary_and_for_several_municipalities(result):
    """boundary=None draws no land; several municipalities draw plain points and no Aalborg geography."""
    frame = departments_frame(result)
    png = render_map_png(frame, result.rules, boundary=None, width_px=800, height_px=600)
    assert _near(_pixels(png), LAND, tol=2) == 0
    other = frame.copy()
    other.loc[other.index[:100], "municipality"] = "Rebild"
    png = render_map_png(other, result.rules, width_px=800, height_px=600)
    pixels = _pixels(png)
    assert pixels.shape[:2] == (600, 800) and _near(pixels, LAND, tol=2) == 0
    inside = pixels[int(0.13 * 600) : int(0.91 * 600), int(0.03 * 800) : int(0.71 * 800)]  # the map, no legend
    for outcome in result.rules.outcomes:  # pies in every step's colour
        rgb = [int(outcome.color[i : i + 2], 16) for i in (1, 3, 5)]
        assert _near(inside, rgb, tol=12) > 0, outcome.code
