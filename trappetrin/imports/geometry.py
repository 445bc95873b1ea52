"""Geometry (``geometri``): the municipality boundary or department polygons, from GeoJSON,
GeoPackage or a zipped Shapefile in any coordinate system, stored reprojected to EPSG:4326 after
checking that the shapes are valid polygons lying on Danish land."""

from __future__ import annotations

import hashlib
import json
import tempfile
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from .. import denmark, formatting
from ..auth import Actor
from ..errors import UserError
from ..getting_started import require_register
from ..store import Store
from .base import Kind, KindPreview, TablePlan
from .columns import DEPT_ALIASES, normalise_header
from .files import read_source
from .problems import Problem, file_problem, raise_problems

#: Least share of a boundary's or polygon's area that must lie on Danish land (see :mod:`trappetrin.denmark`).
MIN_SHARE_IN_DENMARK = 0.5

GEOMETRY_KINDS = {"kommunegraense": "kommunegrænse", "afdeling": "afdelingspolygoner"}


@dataclass(frozen=True)
class GeometryPlan(TablePlan):
    """Checked shapes: frame ``geometries`` (geom_id, kind, dept_id, name, geojson); ``options``
    ``geometry_kind``, ``source_crs`` and ``bounds`` (WGS84)."""


_GEO_SUFFIXES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".zip": "zippet Shapefile"}


def validate_geometry(
    store: Store,
    source,
    *,
    file_name: str | None = None,
    options: dict | None = None,
    mapping: dict[str, str] | None = None,
) -> GeometryPlan:
    """Read a boundary or department polygons (GeoJSON, GeoPackage, zipped Shapefile; any CRS),
    reprojected to EPSG:4326."""
    import geopandas as gpd

    options = options or {}
    data, name = read_source(source, file_name)
    suffix = Path(name).suffix.lower()
    if suffix not in _GEO_SUFFIXES:
        raise UserError(
            f"Filen '{name}' har en filtype ({suffix or 'ingen'}), der ikke kan indlæses som geometri. "
            "Brug GeoJSON (.geojson), GeoPackage (.gpkg) eller en zippet Shapefile (.zip)."
        )
    is_zip, is_sqlite = data.startswith(b"PK\x03\x04"), data.startswith(b"SQLite format 3")
    if (
        suffix == ".zip"
        and not is_zip
        or suffix == ".gpkg"
        and not is_sqlite
        or suffix in (".geojson", ".json")
        and (is_zip or is_sqlite or not data.lstrip().startswith(b"{"))
    ):
        raise UserError(
            f"Filen '{name}' hedder {suffix}, men er ikke en {_GEO_SUFFIXES[suffix]} – "
            "forventet en fil af den type, navnet siger."
        )
    checksum = hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        target = f"zip://{path}" if suffix == ".zip" else str(path)
        try:
            with warnings.catch_warnings():  # GDAL's warnings are English; problems are reported below
                warnings.simplefilter("ignore")
                frame = gpd.read_file(target)
        except Exception:  # noqa: BLE001 - any reader error is the file's fault; its English text is not shown
            raise UserError(
                f"Filen '{name}' kan ikke læses som {_GEO_SUFFIXES[suffix]}: indholdet er beskadiget eller ikke "
                "gyldig geometri – forventet en gyldig geometrifil (fx gemt fra QGIS)."
            ) from None
    problems: list[Problem] = []
    if frame.empty:
        raise UserError(f"Filen '{name}' indeholder ingen geometrier – forventet mindst ét polygon.")
    if frame.crs is None:
        raise UserError(
            f"Filen '{name}' har intet koordinatsystem (CRS) – forventet en fil med CRS "
            "(for en Shapefile: .prj-filen skal med i zip-filen)."
        )
    source_crs = frame.crs.to_string()
    columns = [c for c in frame.columns if c != frame.geometry.name]
    index = {normalise_header(a): "dept_id" for a in DEPT_ALIASES["dept_id"]}
    index.update({normalise_header(a): "name" for a in ("name", "navn", "afdeling", "kommune", "kommunenavn")})
    used = {f: c for f, c in (mapping or {}).items() if c in columns}
    for column in columns:
        fld = index.get(normalise_header(column))
        if fld and fld not in used:
            used[fld] = column
    kind = options.get("geometry_kind") or ("afdeling" if "dept_id" in used else "kommunegraense")
    if kind not in GEOMETRY_KINDS:
        raise UserError(f"Ukendt slags geometri '{kind}' – forventet {' eller '.join(GEOMETRY_KINDS)}.")
    if kind == "afdeling" and "dept_id" not in used:
        problems.append(
            file_problem(
                name,
                "afdelingspolygoner skal have en kolonne med afdelings-id",
                f"fx 'afdelings_id'. Fundne kolonner: {', '.join(map(str, columns)) or 'ingen'}",
            )
        )
        raise_problems(name, problems)
    if kind == "afdeling":
        require_register(store, "afdelingspolygoner", name)  # one message, not one per polygon
    known = set(store.query("SELECT dept_id FROM departments")["dept_id"])
    seen: dict[str, int] = {}
    for i, geom in enumerate(frame.geometry, start=1):
        if geom is None or geom.is_empty:
            problems.append(Problem(name, i, "geometry", "", "er tom", "et polygon"))
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(
                Problem(name, i, "geometry", geom.geom_type, "er ikke en flade", "Polygon eller MultiPolygon")
            )
        elif not geom.is_valid:
            problems.append(
                Problem(
                    name,
                    i,
                    "geometry",
                    "ugyldigt polygon",
                    "krydser sig selv",
                    "et gyldigt polygon (ret det fx med QGIS' 'Ret geometrier')",
                )
            )
        if kind == "afdeling":
            dept = str(frame.iloc[i - 1][used["dept_id"]]).strip()
            if dept not in known:
                problems.append(
                    Problem(
                        name, i, used["dept_id"], dept, "er en ukendt afdeling", "en afdeling fra afdelingsregistret"
                    )
                )
            elif dept in seen:
                problems.append(
                    Problem(
                        name,
                        i,
                        used["dept_id"],
                        dept,
                        f"optræder også i række {seen[dept]}",
                        "ét polygon pr. afdeling",
                    )
                )
            seen.setdefault(dept, i)
    if problems:
        raise_problems(name, problems)
    try:
        wgs = frame.to_crs("EPSG:4326")
    except Exception:  # noqa: BLE001 - projection errors come in English; the Danish message says what to do
        raise UserError(
            f"Filen '{name}' kan ikke omregnes fra {source_crs} til EPSG:4326 – forventet et kendt "
            "koordinatsystem, fx EPSG:25832 eller EPSG:4326."
        ) from None
    minx, miny, maxx, maxy = wgs.total_bounds
    outside = []
    for i, geom in enumerate(wgs.geometry, start=1):
        share = denmark.share_inside(geom)
        if share < MIN_SHARE_IN_DENMARK:
            c = geom.representative_point()
            outside.append(
                Problem(
                    name,
                    i,
                    "geometry",
                    f"polygon ved {formatting.number(c.y, 3)} N, {formatting.number(c.x, 3)} Ø",
                    f"ligger {'helt' if share == 0 else 'mest'} uden for Danmark efter omregning fra {source_crs} "
                    f"(på dansk land: {formatting.share(share, 0)})",
                    "et område på dansk land (har filen det rigtige koordinatsystem?)",
                )
            )
    if outside:
        raise_problems(name, outside)
    rows = []
    for i, (_, rec) in enumerate(wgs.iterrows(), start=1):
        dept = str(rec[used["dept_id"]]).strip() if kind == "afdeling" else None
        label = str(rec[used["name"]]).strip() if "name" in used else None
        rows.append(
            {
                "geom_id": f"afdeling-{dept}" if dept else f"kommunegraense-{i}",
                "kind": kind,
                "dept_id": dept,
                "name": label,
                "geojson": json.dumps(rec.geometry.__geo_interface__, separators=(",", ":")),
            }
        )
    return GeometryPlan(
        kind="geometri",
        file_name=name,
        checksum=checksum,
        rows=len(rows),
        frames={"geometries": pd.DataFrame(rows)},
        options={
            "geometry_kind": kind,
            "source_crs": source_crs,
            "bounds": [float(minx), float(miny), float(maxx), float(maxy)],
        },
        columns=used,
        ignored_columns=[c for c in columns if c not in used.values()],
    )


def preview_geometry(store: Store, plan: GeometryPlan) -> KindPreview:
    """How many shapes, from which CRS, where; what they replace."""
    o = plan.options
    kind = o["geometry_kind"]
    before = len(store.geometries(kind))
    minx, miny, maxx, maxy = o["bounds"]
    summary = [
        f"{plan.rows} {GEOMETRY_KINDS[kind]} fra {o['source_crs']}, omregnet til EPSG:4326 "
        f"({miny:.3f}–{maxy:.3f} N, {minx:.3f}–{maxx:.3f} Ø).",
        ("Erstatter den gemte kommunegrænse." if before else "Der er ingen kommunegrænse i forvejen.")
        if kind == "kommunegraense"
        else f"{before} afdelingspolygoner er gemt i forvejen; afdelingerne i filen får deres nye polygon.",
    ]
    table = plan.frames["geometries"][["geom_id", "dept_id", "name"]].rename(
        columns={"geom_id": "Id", "dept_id": "Afdelings-id", "name": "Navn"}
    )
    return KindPreview(plan=plan, summary=summary, tables={"Geometrier": table})


def commit_geometry(store: Store, plan: GeometryPlan, actor: Actor) -> str:
    """Replace the boundary, or the polygons of the file's departments, in one transaction."""
    frame = plan.frames["geometries"].copy()
    kind = plan.options["geometry_kind"]
    frame["source_crs"] = plan.options["source_crs"]
    frame["file_name"] = plan.file_name
    frame["checksum"] = plan.checksum
    frame["imported_at"] = datetime.now()
    frame["imported_by"] = actor.label
    with store.transaction() as cur:
        if kind == "kommunegraense":
            cur.execute("DELETE FROM geometries WHERE kind = 'kommunegraense'")
        else:
            cur.execute("DELETE FROM geometries WHERE list_contains(?, geom_id)", [list(frame["geom_id"])])
        cur.insert_frame("geometries", frame)
        store.log_event(
            actor.label,
            "import",
            f"geometri: {GEOMETRY_KINDS[kind]}",
            file_name=plan.file_name,
            checksum=plan.checksum,
            n_rows=plan.rows,
            details={"kind": "geometri", "source_crs": plan.options["source_crs"]},
            cur=cur,
        )
    return f"{plan.rows} geometrier ({GEOMETRY_KINDS[kind]}) er gemt."


class GeometryKind(Kind):
    """``geometri``: the municipality boundary or department polygons."""

    name = "geometri"
    label = "Geometri (kommunegrænse eller afdelingspolygoner)"
    suffixes = ("geojson", "json", "gpkg", "zip")

    def plan(self, store, source, *, file_name=None, options, mapping=None, today=None, progress=None):
        """``options``: ``geometry_kind`` (``kommunegraense`` or ``afdeling``; default from the columns)."""
        return validate_geometry(store, source, file_name=file_name, options=options, mapping=mapping)

    def preview(self, store, plan, rules) -> KindPreview:
        return preview_geometry(store, plan)

    def store(self, store, plan, actor) -> str:
        return commit_geometry(store, plan, actor)

    def fields(self) -> dict[str, tuple[str, bool]]:
        return {"dept_id": ("afdelings-id", False), "name": ("navn", False)}
