"""The user's boundary file (any CRS) is drawn on the offline map in WGS 84."""

from __future__ import annotations

import json

import pytest
from pyproj import Transformer

from ui.mapview import boundary_layer


def test_a_utm32_boundary_is_reprojected_to_lon_lat(tmp_path, monkeypatch):
    """A square drawn in EPSG:25832 around Aalborg centre comes out around 9.92 E, 57.05 N."""
    to_utm = Transformer.from_crs(4326, 25832, always_xy=True)
    x0, y0 = to_utm.transform(9.90, 57.03)
    x1, y1 = to_utm.transform(9.95, 57.07)
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    path = tmp_path / "kommune.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"navn": "Test"},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("TRAPPETRIN_BOUNDARY", str(path))
    layer = boundary_layer()
    assert layer is not None and layer.type == "GeoJsonLayer"
    coords = layer.data["features"][0]["geometry"]["coordinates"][0]
    assert coords[0] == pytest.approx([9.90, 57.03], abs=1e-7)
    assert coords[2] == pytest.approx([9.95, 57.07], abs=1e-7)
    to_lonlat = Transformer.from_crs(25832, 4326, always_xy=True)
    assert [list(c) for c in coords] == [pytest.approx(list(to_lonlat.transform(x, y)), abs=1e-7) for x, y in ring]


def test_without_a_boundary_file_the_map_draws_geo_s_land(monkeypatch):
    """No TRAPPETRIN_BOUNDARY and nothing imported: Aalborg's land from geo/kommune.geojson."""
    from trappetrin import geo

    monkeypatch.delenv("TRAPPETRIN_BOUNDARY", raising=False)
    layer = boundary_layer(geo.geography(None))
    assert layer is not None and layer.data == geo.default_boundary()
    assert boundary_layer(geo.geography(None, municipality="Odense")) is None  # geo/ is Aalborg's
