"""Regenerate the corpus files of the ministry-list, register and geometry kinds:
``.venv/bin/python tests/unit/bad_files/_generate_kinds.py`` (their cases are in ``manifest.toml``,
with ``kind = ...``). The departments and areas are those of the demo database.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ML = "Område-id;Område;Status;Afdelings-id"
SD = "Organisationsnummer;Afdelingsnummer;Afdeling;Familieboliger;BAB-boliger"


def csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def square(lon: float, lat: float, d: float = 0.001) -> list:
    return [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]


def geojson(features: list[dict], crs: str | None = None) -> bytes:
    body: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        body["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(body).encode()


def feature(geometry: dict, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def shapefile_zip_without_prj() -> bytes:
    import tempfile

    import geopandas as gpd
    from shapely.geometry import Polygon

    with tempfile.TemporaryDirectory() as tmp:
        frame = gpd.GeoDataFrame({"navn": ["Aalborg"]}, geometry=[Polygon(square(9.9, 57.0, 0.1)[0])], crs="EPSG:4326")
        frame.to_file(Path(tmp) / "graense.shp")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for part in Path(tmp).iterdir():
                if part.suffix != ".prj":
                    z.write(part, part.name)
        return buf.getvalue()


FILES: dict[str, bytes] = {
    # ministerliste
    "ml_unknown_status.csv": csv(ML, "demo-aalborg-oest;Demo-område Aalborg Øst;meget udsat;104-010"),
    "ml_unknown_department.csv": csv(
        ML,
        "demo-aalborg-oest;Demo-område Aalborg Øst;udsat;104-010",
        "demo-aalborg-oest;Demo-område Aalborg Øst;udsat;999-999",
    ),
    "ml_conflicting_status.csv": csv(
        ML,
        "demo-aalborg-oest;Demo-område Aalborg Øst;udsat;104-010",
        "demo-aalborg-oest;Demo-område Aalborg Øst;forebyggelse;104-020",
    ),
    "ml_missing_status_column.csv": csv("Område;Afdelings-id", "Demo-område Aalborg Øst;104-010"),
    "ml_existing_year.csv": csv(ML, "demo-aalborg-oest;Demo-område Aalborg Øst;udsat;104-010"),
    "ml_local_area.csv": csv(ML, "aalborg-soe;Aalborg SØ;udsat;104-010"),
    # stamdata
    "sd_negative_dwellings.csv": csv(SD, "101;3;Demo-afd. 3 Enghaven;-120;0"),
    "sd_rent_bands_dont_add_up.csv": csv(
        "Organisationsnummer;Afdelingsnummer;Afdeling;Familieboliger;BAB-boliger;Husleje under 3500;"
        "Husleje 3500-5000;Husleje over 5000",
        "101;3;Demo-afd. 3 Enghaven;120;0;7;33;70",
    ),
    "sd_duplicate.csv": csv(SD, "101;3;Demo-afd. 3 Enghaven;120;0", "101;3;Demo-afd. 3 Enghaven;121;0"),
    "sd_new_org_without_name.csv": csv(SD, "990;1;Demo-afd. 1 Nyhaven;40;0"),
    "sd_only_latitude.csv": csv(SD + ";Breddegrad", "101;3;Demo-afd. 3 Enghaven;120;0;57,0085"),
    "sd_utm_swapped.csv": csv(SD + ";UTM x;UTM y", "101;3;Demo-afd. 3 Enghaven;120;0;6320000;550000"),
    "sd_year_built_1066.csv": csv(SD + ";Opførelsesår", "101;3;Demo-afd. 3 Enghaven;120;0;1066"),
    # geometri
    "geo_text_named.geojson": csv("navn;x;y", "Aalborg;1;2"),
    "geo_not_a_zip.zip": b"dette er ikke en zip-fil\n",
    "geo_points.geojson": geojson([feature({"type": "Point", "coordinates": [9.92, 57.05]}, navn="Aalborg")]),
    "geo_unknown_department.geojson": geojson(
        [
            feature({"type": "Polygon", "coordinates": square(9.92, 57.05)}, afdelings_id="101-003"),
            feature({"type": "Polygon", "coordinates": square(9.93, 57.05)}, afdelings_id="999-999"),
        ]
    ),
    "geo_outside_denmark.geojson": geojson(
        [feature({"type": "Polygon", "coordinates": square(12.49, 41.89, 0.1)}, navn="Rom")]
    ),
    "geo_no_crs.zip": shapefile_zip_without_prj(),
}


def main() -> None:
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
