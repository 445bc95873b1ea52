"""Write ``data/denmark_land.geojson``: a small, simplified outline of Denmark's land.

Run: ``.venv/bin/python scripts/make_denmark_land.py``.

Why hand-drawn: the project's reference geography (``/work/shared/geo``) covers Aalborg only, and
the one national outline on the machine (Natural Earth 1:110m, a test fixture of pyogrio) leaves out
Funen, Bornholm, Lolland-Falster and Skagen. So the outline below is drawn from known coastal
points (towns, capes, straits; each about ±2 km), then widened by :data:`BUFFER_M` metres so a
department on the coast is inside, and cut at the land border with Germany so Flensburg stays out.

What counts as "Denmark": the land of Jutland and the Danish islands (Funen, Zealand, Lolland,
Falster, Møn, Bornholm, Als, Langeland, Ærø, Samsø, Læsø, Anholt, Fanø, Rømø, the small inhabited
islands in ``SMALL_ISLANDS`` and the islands inside these outlines). The Faroe Islands and Greenland
are left out: the agreement and the ministry's lists concern social housing under the Danish
Almenboliglov in Denmark's 98 municipalities. The outline is for plausibility checks of imported
coordinates and boundaries (Malmö, Gothenburg, Helsingborg and Flensburg are outside); it is not a
map layer.
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, mapping
from shapely.ops import unary_union

OUT = Path(__file__).resolve().parents[1] / "data" / "denmark_land.geojson"
BUFFER_M = 2500
SIMPLIFY_M = 300

# The land border with Germany, west to east, then the middle of Flensborg Fjord (lon, lat).
BORDER = [
    (8.66, 54.91),
    (8.70, 54.93),
    (8.86, 54.91),
    (9.00, 54.87),
    (9.20, 54.85),
    (9.32, 54.81),
    (9.36, 54.805),
    (9.40, 54.825),
    (9.45, 54.835),
    (9.55, 54.845),
    (9.65, 54.84),
    (9.80, 54.80),
    (10.0, 54.75),
]
# (lon, lat), clockwise.
JUTLAND = [
    (8.66, 54.91),
    (8.60, 55.05),
    (8.66, 55.20),
    (8.68, 55.30),
    (8.62, 55.42),
    (8.42, 55.47),
    (8.30, 55.55),
    (8.08, 55.56),
    (8.13, 55.70),
    (8.18, 55.85),
    (8.12, 56.00),
    (8.12, 56.20),
    (8.15, 56.45),
    (8.22, 56.70),
    (8.40, 56.90),
    (8.60, 57.11),
    (9.00, 57.15),
    (9.40, 57.17),
    (9.58, 57.26),
    (9.75, 57.42),
    (9.96, 57.59),
    (10.20, 57.62),
    (10.45, 57.70),
    (10.64, 57.745),
    (10.55, 57.70),
    (10.55, 57.55),
    (10.55, 57.44),
    (10.53, 57.33),
    (10.45, 57.17),
    (10.36, 57.05),
    (10.33, 56.99),
    (10.30, 56.85),
    (10.32, 56.70),
    (10.31, 56.61),
    (10.50, 56.55),
    (10.75, 56.52),
    (10.96, 56.45),
    (10.90, 56.35),
    (10.75, 56.22),
    (10.68, 56.15),
    (10.55, 56.08),
    (10.40, 56.18),
    (10.25, 56.20),
    (10.22, 56.15),
    (10.25, 56.05),
    (10.25, 55.91),
    (10.05, 55.80),
    (10.02, 55.71),
    (9.80, 55.68),
    (9.75, 55.56),
    (9.65, 55.48),
    (9.55, 55.49),
    (9.60, 55.40),
    (9.60, 55.30),
    (9.55, 55.25),
    (9.65, 55.20),
    (9.55, 55.05),
    (9.43, 55.04),
    (9.50, 54.95),
    (9.60, 54.88),
    (9.60, 54.86),
    *reversed(BORDER[1:9]),  # the land border, east to west
]
FUNEN = [
    (9.73, 55.50),
    (9.85, 55.55),
    (10.10, 55.58),
    (10.35, 55.60),
    (10.50, 55.55),
    (10.62, 55.62),
    (10.68, 55.50),
    (10.66, 55.45),
    (10.80, 55.35),
    (10.80, 55.31),
    (10.75, 55.20),
    (10.70, 55.10),
    (10.61, 55.06),
    (10.45, 55.05),
    (10.24, 55.09),
    (10.10, 55.12),
    (9.98, 55.13),
    (9.90, 55.25),
    (9.78, 55.40),
    (9.70, 55.45),
]
ZEALAND = [
    (12.62, 56.04),
    (12.56, 55.96),
    (12.58, 55.87),
    (12.60, 55.77),
    (12.62, 55.70),
    (12.66, 55.64),
    (12.68, 55.59),
    (12.58, 55.56),
    (12.40, 55.60),
    (12.25, 55.55),
    (12.20, 55.45),
    (12.25, 55.35),
    (12.45, 55.30),
    (12.40, 55.22),
    (12.20, 55.15),
    (12.05, 55.12),
    (11.91, 55.01),
    (11.75, 55.05),
    (11.60, 55.10),
    (11.65, 55.18),
    (11.40, 55.20),
    (11.29, 55.25),
    (11.13, 55.33),
    (11.10, 55.45),
    (11.15, 55.55),
    (11.08, 55.68),
    (10.87, 55.74),
    (11.10, 55.72),
    (11.25, 55.80),
    (11.40, 55.88),
    (11.28, 55.98),
    (11.50, 55.93),
    (11.70, 55.95),
    (11.85, 55.97),
    (12.00, 56.05),
    (12.31, 56.13),
    (12.46, 56.09),
]
ISLANDS = {
    "Als": [(9.78, 54.90), (9.90, 54.86), (10.05, 54.93), (10.05, 55.02), (9.95, 55.10), (9.80, 55.05), (9.75, 54.95)],
    "Langeland": [
        (10.65, 54.95),
        (10.75, 55.08),
        (10.82, 55.06),
        (10.78, 54.92),
        (10.75, 54.73),
        (10.68, 54.73),
        (10.65, 54.85),
    ],
    "Tåsinge": [(10.55, 55.00), (10.70, 55.00), (10.65, 54.92), (10.55, 54.95)],
    "Ærø": [(10.20, 54.88), (10.30, 54.93), (10.50, 54.87), (10.45, 54.83), (10.25, 54.83)],
    "Lolland": [
        (10.95, 54.87),
        (11.15, 54.97),
        (11.45, 54.90),
        (11.75, 54.87),
        (11.88, 54.78),
        (11.85, 54.66),
        (11.60, 54.63),
        (11.35, 54.63),
        (11.10, 54.68),
        (11.00, 54.78),
    ],
    "Falster": [
        (11.88, 54.95),
        (12.10, 54.90),
        (12.15, 54.80),
        (12.05, 54.68),
        (11.95, 54.56),
        (11.88, 54.62),
        (11.85, 54.78),
    ],
    "Møn": [(12.10, 55.00), (12.30, 55.05), (12.55, 54.99), (12.50, 54.95), (12.25, 54.93), (12.10, 54.95)],
    "Bornholm": [
        (14.68, 55.10),
        (14.70, 55.23),
        (14.77, 55.30),
        (15.00, 55.22),
        (15.15, 55.13),
        (15.13, 55.06),
        (15.08, 54.99),
        (14.80, 55.00),
        (14.70, 55.05),
    ],
    "Samsø": [(10.55, 55.82), (10.62, 55.80), (10.68, 55.92), (10.60, 55.99), (10.55, 55.90)],
    "Læsø": [(10.85, 57.25), (11.00, 57.32), (11.20, 57.30), (11.15, 57.23), (10.95, 57.20)],
    "Anholt": [(11.50, 56.70), (11.65, 56.72), (11.60, 56.74), (11.50, 56.72)],
    "Rømø": [(8.48, 55.05), (8.60, 55.08), (8.58, 55.18), (8.48, 55.17)],
    "Fanø": [(8.35, 55.35), (8.45, 55.40), (8.45, 55.48), (8.38, 55.45)],
}
# Small inhabited islands, as a point each (lon, lat): a square of about 3 × 3 km around it, then
# widened like the rest.
SMALL_ISLANDS = {
    "Endelave": (10.25, 55.76),
    "Tunø": (10.44, 55.95),
    "Hjarnø": (10.08, 55.82),
    "Aarø": (9.75, 55.27),
    "Sejerø": (11.15, 55.88),
    "Nekselø": (11.30, 55.78),
    "Orø": (11.83, 55.78),
    "Omø": (11.14, 55.16),
    "Agersø": (11.20, 55.21),
    "Femø": (11.53, 54.97),
    "Fejø": (11.40, 54.95),
    "Askø": (11.50, 54.89),
    "Avernakø": (10.29, 55.03),
    "Lyø": (10.16, 55.05),
    "Strynø": (10.62, 54.90),
    "Mandø": (8.56, 55.28),
    "Venø": (8.62, 56.55),
    "Fur": (9.02, 56.83),
    "Livø": (9.08, 56.88),
    "Egholm": (9.82, 57.08),
    "Bogø": (12.05, 54.93),
    "Christiansø": (15.19, 55.32),
}
# South of the land border (and the middle of Flensborg Fjord): Germany, cut off after buffering.
GERMANY = [(7.0, 54.91), *BORDER, (10.0, 53.5), (7.0, 53.5)]


def build():
    utm = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    wgs = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)

    def to_utm(geom):
        return shapely.transform(geom, lambda x, y: utm.transform(x, y), interleaved=False)

    def to_wgs(geom):
        return shapely.transform(geom, lambda x, y: wgs.transform(x, y), interleaved=False)

    dots = [
        Polygon([(x - 0.025, y - 0.015), (x + 0.025, y - 0.015), (x + 0.025, y + 0.015), (x - 0.025, y + 0.015)])
        for x, y in SMALL_ISLANDS.values()
    ]
    land = unary_union([Polygon(p) for p in (JUTLAND, FUNEN, ZEALAND, *ISLANDS.values())] + dots)
    widened = to_utm(land).buffer(BUFFER_M).simplify(SIMPLIFY_M)
    germany = to_utm(Polygon(GERMANY))
    shape = to_wgs(widened.difference(germany))
    return shape


def main() -> None:
    shape = build()
    rounded = json.loads(json.dumps(mapping(shape)), parse_float=lambda x: round(float(x), 4))
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": "Danmark (land, forenklet)",
                    "note": f"hand-drawn outline ±2 km, widened {BUFFER_M} m; see scripts/make_denmark_land.py",
                },
                "geometry": rounded,
            }
        ],
    }
    OUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
