"""Every kind of import behind one interface: plan → preview → commit.

Kinds (``KINDS``): department indicators (``afdelingsdata``, see :mod:`trappetrin.importer`),
the ministry's lists (``ministerliste``), the department register (``stamdata``) and geometry
(``geometri``: the municipality boundary or department polygons). The Data page and the command
line both call :func:`plan_import`, :func:`preview_import` and :func:`commit_import`.

As for indicators, every problem of a file is listed at once (file, row, column, value, what is
expected) in one :class:`UserError`, nothing is written before the commit, and the commit is one
transaction that also writes its audit record. No Streamlit here.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import denmark, formatting, importer
from .auth import Actor, require
from .engine import classify
from .errors import UserError
from .export import to_csv_danish
from .followup_spec import FOLLOWUP_FIELDS, FOLLOWUP_KINDS
from .getting_started import require_register
from .importer import (
    EXTRA_ALIASES,
    MISSING_MARKERS,
    Plan,
    Progress,
    _department_ids,
    _no_progress,
    _parse_date,
    _raise,
    normalise_header,
    read_table,
)
from .numbers import parse_number
from .rules import RuleSet
from .store import LIST_STATUSES, LOCATION_TYPES, MASTER_DATA_COLUMNS, Store

#: Kind → Danish label, in the order the Data page offers them.
KINDS = {
    "afdelingsdata": "Afdelingsdata (indikatorer for en udgivelse)",
    "ministerliste": "Ministeriets lister (områder og status for et listeår)",
    "stamdata": "Afdelingsregister (stamdata)",
    "geometri": "Geometri (kommunegrænse eller afdelingspolygoner)",
}

#: The file types each kind accepts (for the upload widget).
KIND_SUFFIXES = {
    "afdelingsdata": ["csv", "txt", "tsv", "xlsx", "xlsm"],
    "ministerliste": ["csv", "txt", "tsv", "xlsx", "xlsm"],
    "stamdata": ["csv", "txt", "tsv", "xlsx", "xlsm"],
    "geometri": ["geojson", "json", "gpkg", "zip"],
}

# The agreement's follow-up data (trappetrin.followup): same path, own kinds.
KINDS.update(FOLLOWUP_KINDS)
KIND_SUFFIXES.update({kind: ["csv", "txt", "tsv", "xlsx", "xlsm"] for kind in FOLLOWUP_KINDS})

#: Danish spellings of the ministry's categories → status code ("" = area not listed that year).
STATUS_WORDS = {
    "forebyggelse": "forebyggelse",
    "forebyggelsesomraade": "forebyggelse",
    "forebyggelsesomraader": "forebyggelse",
    "prevention": "forebyggelse",
    "udsat": "udsat",
    "udsatboligomraade": "udsat",
    "udsatomraade": "udsat",
    "vulnerable": "udsat",
    "parallelsamfund": "parallelsamfund",
    "parallelsamfundsomraade": "parallelsamfund",
    "parallelsociety": "parallelsamfund",
    "omdannelse": "omdannelse",
    "omdannelsesomraade": "omdannelse",
    "transformation": "omdannelse",
    "ingen": "",
    "ikkelistet": "",
    "none": "",
}

_DEPT_ALIASES = {f: (f, *EXTRA_ALIASES[f]) for f in ("dept_id", "org_no", "dept_no")}

#: Per kind: field → (Danish label, required?, accepted headers). Headers compare after
#: :func:`trappetrin.importer.normalise_header`; the field name itself is always accepted.
FIELDS: dict[str, dict[str, tuple[str, bool, tuple[str, ...]]]] = {
    "ministerliste": {
        "area_id": (
            "område-id",
            False,
            ("område_id", "Område-id", "omraade_id", "områdekode", "area_id", "area id", "area code"),
        ),
        "area_name": (
            "område",
            True,
            ("område", "Område", "områdenavn", "boligområde", "area", "area_name", "area name"),
        ),
        "status": ("status", True, ("status", "kategori", "liste", "listestatus", "category", "list")),
        "dept_id": ("afdelings-id", False, _DEPT_ALIASES["dept_id"]),
        "org_no": ("organisationsnummer", False, _DEPT_ALIASES["org_no"]),
        "dept_no": ("afdelingsnummer", False, _DEPT_ALIASES["dept_no"]),
    },
    "stamdata": {
        "dept_id": ("afdelings-id", False, _DEPT_ALIASES["dept_id"]),
        "org_no": ("organisationsnummer", True, _DEPT_ALIASES["org_no"]),
        "dept_no": ("afdelingsnummer", True, _DEPT_ALIASES["dept_no"]),
        "name": (
            "afdelingens navn",
            True,
            (
                "afdeling",
                "Afdeling",
                "afdelingsnavn",
                "afdelingens navn",
                "navn",
                "name",
                "department",
                "department name",
            ),
        ),
        "organisation": (
            "boligorganisation",
            False,
            (
                "boligorganisation",
                "organisation",
                "organisationsnavn",
                "boligselskab",
                "organisation name",
                "organization",
            ),
        ),
        "neighbourhood": (
            "bydel",
            False,
            ("bydel", "kvarter", "by", "lokalområde", "neighbourhood", "neighborhood", "district"),
        ),
        "family_dwellings": (
            "familieboliger",
            True,
            ("familieboliger", "antal familieboliger", "boliger", "antal boliger", "family dwellings", "dwellings"),
        ),
        "bab_dwellings": ("BAB-boliger", False, ("bab_boliger", "bab-boliger", "bab boliger", "bab", "bab dwellings")),
        "dwellings_le_3500": (
            "boliger med husleje ≤ 3.500 kr",
            False,
            (
                "husleje_under_3500",
                "husleje ≤ 3500",
                "husleje under 3500",
                "boliger under 3500",
                "leje 0-3500",
                "rent le 3500",
                "dwellings_le_3500",
            ),
        ),
        "dwellings_3500_5000": (
            "boliger med husleje 3.500–5.000 kr",
            False,
            (
                "husleje_3500_5000",
                "husleje 3500-5000",
                "boliger 3500-5000",
                "leje 3500-5000",
                "rent 3500-5000",
                "dwellings_3500_5000",
            ),
        ),
        "dwellings_gt_5000": (
            "boliger med husleje > 5.000 kr",
            False,
            (
                "husleje_over_5000",
                "husleje > 5000",
                "husleje over 5000",
                "boliger over 5000",
                "leje over 5000",
                "rent gt 5000",
                "dwellings_gt_5000",
            ),
        ),
        "municipality": ("kommune", False, ("kommune", "kommunenavn", "municipality")),
        "year_built": (
            "opførelsesår",
            False,
            ("opførelsesår", "opfoerelsesaar", "byggeår", "year built", "year_built"),
        ),
        "mean_m2": (
            "gennemsnitligt boligareal (m²)",
            False,
            (
                "gennemsnitligt boligareal",
                "gns. boligareal",
                "boligareal",
                "gennemsnitsareal",
                "areal pr. bolig",
                "m2 pr. bolig",
                "m² pr. bolig",
                "mean m2",
                "mean_m2",
                "mean dwelling size",
            ),
        ),
        "rent_per_m2": (
            "husleje pr. m² (kr. om året)",
            False,
            (
                "husleje pr. m²",
                "husleje pr m2",
                "husleje_pr_m2",
                "leje pr. m²",
                "leje pr m2",
                "årlig leje pr. m²",
                "kr. pr. m²",
                "rent per m2",
                "rent_per_m2",
            ),
        ),
        "pct_family_dwellings": (
            "andel familieboliger (%)",
            False,
            (
                "andel familieboliger",
                "andel_familieboliger",
                "familieboligandel",
                "pct familieboliger",
                "pct_family_dwellings",
                "share of family dwellings",
            ),
        ),
        "location_type": (
            "beliggenhed",
            False,
            ("beliggenhed", "beliggenhedstype", "bytype", "by/land", "location", "location type", "location_type"),
        ),
        "areas": ("områder", False, ("område_id", "Område-id", "områder", "omraader", "område", "areas", "area_id")),
        # Local areas (the municipality's own groupings): "id=navn" creates or renames one, a bare
        # "id" names an existing one; several separated by ";". The register export writes this.
        "local_areas": (
            "lokale områder",
            False,
            ("lokale områder", "lokale omraader", "lokalområder", "lokale_områder", "local areas", "local_areas"),
        ),
        "lat": ("breddegrad", False, ("lat", "latitude", "breddegrad", "bredde")),
        "lon": ("længdegrad", False, ("lon", "lng", "longitude", "længdegrad", "laengde")),
        "utm_x": ("UTM32 x (EPSG:25832)", False, ("x", "utm_x", "utm x", "utm32 x", "easting", "øst", "koordinat x")),
        "utm_y": ("UTM32 y (EPSG:25832)", False, ("y", "utm_y", "utm y", "utm32 y", "northing", "nord", "koordinat y")),
    },
}
FIELDS.update(FOLLOWUP_FIELDS)

#: Least share of a boundary's or polygon's area that must lie on Danish land (see :mod:`trappetrin.denmark`).
MIN_SHARE_IN_DENMARK = 0.5

#: Problems with the list year (a field on the page, not the file) start with the field's name.
YEAR_FIELD = "Feltet 'Listeår': "

GEOMETRY_KINDS = {"kommunegraense": "kommunegrænse", "afdeling": "afdelingspolygoner"}


# --- plans --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterPlan:
    """A validated ministry list, register or geometry file, ready to preview and commit."""

    kind: str
    file_name: str
    checksum: str
    rows: int
    frames: dict[str, pd.DataFrame]
    label: str | None = None  # ministry lists only: the release label
    options: dict = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class KindPreview:
    """What committing a :class:`RegisterPlan` would change (ids, names and colours; no values)."""

    plan: RegisterPlan
    summary: list[str]
    tables: dict[str, pd.DataFrame]  # Danish title → table
    changes: pd.DataFrame | None = None  # dept_id, name, before_label, after_label


def plan_import(
    store: Store,
    kind: str,
    source,
    *,
    file_name: str | None = None,
    options: dict | None = None,
    mapping: dict[str, str] | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> Plan | RegisterPlan:
    """Read and validate a file of ``kind``; a plan, or a :class:`UserError` listing every problem.

    ``options`` per kind: afdelingsdata ``label``, ``source``, ``reference_date`` (and ``rules``,
    the rule set in use, default the adopted one; ``allow_missing``, indicators it reads that a
    deliberately partial release leaves out); ministerliste
    ``list_year`` (and optionally ``label``, ``reference_date``); geometri ``geometry_kind``
    (``kommunegraense`` or ``afdeling``; default from the columns). Tables also take ``sheet``
    and ``header_row``.
    """
    options = dict(options or {})
    if kind not in KINDS:
        raise UserError(f"Ukendt slags import '{kind}' – forventet en af: {', '.join(KINDS)}.")
    # Before reading the file: values or a list before the register would give one "unknown
    # department" per row (271 of them); one message naming the order is what helps.
    require_register(store, kind, file_name or (Path(source).name if isinstance(source, str | Path) else None))
    if kind == "geometri":
        return validate_geometry(store, source, file_name=file_name, options=options, mapping=mapping)
    table = read_table(
        source, file_name, sheet=options.get("sheet") or None, header_row=options.get("header_row") or None
    )
    if kind in FOLLOWUP_KINDS:
        from .followup import validate_followup

        return validate_followup(store, kind, table, mapping=mapping, today=today)
    if kind == "afdelingsdata":
        return importer.validate_indicator_release(
            store,
            table,
            label=options.get("label", ""),
            source=options.get("source", ""),
            reference_date=options.get("reference_date", ""),
            mapping=mapping,
            today=today,
            progress=progress,
            rules=options.get("rules"),
            allow_missing=options.get("allow_missing") or (),
        )
    if kind == "ministerliste":
        return validate_ministry_list(store, table, options=options, mapping=mapping, today=today)
    return validate_register(store, table, mapping=mapping, today=today)


def preview_import(store: Store, plan: Plan | RegisterPlan, rules: RuleSet) -> importer.Preview | KindPreview:
    """What the commit would change; for indicators :func:`trappetrin.importer.preview`."""
    if isinstance(plan, Plan):
        return importer.preview(store, plan, rules)
    if plan.kind in FOLLOWUP_KINDS:
        from .followup import preview_followup

        return preview_followup(store, plan)
    if plan.kind == "ministerliste":
        return _preview_ministry_list(store, plan, rules)
    if plan.kind == "stamdata":
        return _preview_register(store, plan)
    return _preview_geometry(store, plan)


def commit_import(store: Store, plan: Plan | RegisterPlan, *, actor: Actor, progress: Progress | None = None) -> str:
    """Store a plan in one transaction with its audit record; return what was stored (Danish)."""
    if isinstance(plan, Plan):
        label = importer.commit(store, plan, actor=actor, progress=progress)
        return f"Udgivelsen '{label}' er gemt."
    require(actor, "import")
    progress = progress or _no_progress
    progress(0.05, "Gemmer")
    if plan.kind in FOLLOWUP_KINDS:
        from .followup import commit_followup

        text = commit_followup(store, plan, actor)
    elif plan.kind == "ministerliste":
        text = _commit_ministry_list(store, plan, actor)
    elif plan.kind == "stamdata":
        text = _commit_register(store, plan, actor)
    else:
        text = _commit_geometry(store, plan, actor)
    progress(1.0, text)
    return text


def fields_for(kind: str) -> dict[str, tuple[str, bool]]:
    """Field → (Danish label, required?) for the mapping step."""
    if kind == "afdelingsdata":
        out = {f: (importer.field_label(f), f == "dept_id") for f in importer.field_names()}
        return out
    if kind == "geometri":
        return {"dept_id": ("afdelings-id", False), "name": ("navn", False)}
    return {f: (label, req) for f, (label, req, _) in FIELDS[kind].items()}


def missing_required(store: Store, kind: str, headers: list[str], mapping: dict[str, str] | None = None) -> list[str]:
    """Required fields no header names (after the mapping): the page asks for these."""
    headers = [str(h) for h in headers]
    if kind == "afdelingsdata":
        frame = pd.DataFrame(columns=headers)
        used, _, _ = importer.resolve_columns(frame, mapping)
        need = [] if ("dept_id" in used or {"org_no", "dept_no"} <= set(used)) else ["dept_id"]
        if not any(c in used for c in importer.catalogue.indicators()):
            need.append("residents_18_64")
        return need
    if kind == "geometri":
        return []
    used, _, _ = _resolve(pd.DataFrame(columns=headers), kind, mapping, "filen")
    need = [f for f, (_, req, _) in FIELDS[kind].items() if req and f not in used]
    if kind == "ministerliste" and "dept_id" not in used and not {"org_no", "dept_no"} <= set(used):
        need.append("dept_id")
    if kind in FOLLOWUP_KINDS and not ({"dept_id", "dept_no", "org_no"} & set(used)):
        need.append("dept_id" if kind in ("indmeldt", "anvist") else "org_no")
    return need


# --- columns ------------------------------------------------------------------------------------


def _alias_index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for fld, (label, _, names) in FIELDS[kind].items():
        for alias in (fld, label, *names):
            index.setdefault(normalise_header(alias), fld)
    return index


def _resolve(
    table: pd.DataFrame, kind: str, mapping: dict[str, str] | None, name: str
) -> tuple[dict[str, str], list[str], list[str]]:
    """field → column, ignored columns, problems, with the fields of ``kind``."""
    known, index = FIELDS[kind], _alias_index(kind)
    return importer.resolve_columns(
        table,
        mapping,
        name,
        known=list(known),
        match=lambda column: index.get(normalise_header(column)),
        label=lambda fld: known[fld][0],
    )


def _require_columns(kind: str, used: dict[str, str], table: pd.DataFrame, name: str, problems: list[str]) -> bool:
    missing = [FIELDS[kind][f][0] for f, (_, req, _) in FIELDS[kind].items() if req and f not in used]
    if missing:
        problems.append(
            f"{name}: filen mangler kolonnen/kolonnerne {', '.join(repr(m) for m in missing)} – "
            f"forventet skabelonens kolonner (se skabelonen for {kind}), eller kortlæg dem. "
            f"Fundne kolonner: {', '.join(map(str, table.columns))}."
        )
    return not missing


def _start(table: pd.DataFrame, kind: str, mapping, name: str) -> tuple[dict, list, list[str]]:
    problems: list[str] = list(table.attrs.get("row_problems", []))
    if len(table.columns) == 0:
        problems.append(f"{name}: filen har ingen overskriftsrække – forventet en række med kolonnenavne øverst.")
        _raise(name, problems)
    if len(table) == 0:
        problems.append(f"{name}: filen har overskrifter, men ingen datarækker – forventet mindst én datarække.")
    used, ignored, column_problems = _resolve(table, kind, mapping, name)
    return used, ignored, problems + column_problems


class _Rows:
    """A read-only view of a file's cells for row-by-row validation: ``rows.at[row, column]``.

    pandas' ``DataFrame.at`` builds a column Series (deep-copying ``attrs``) for every cell read:
    ~0.5 ms a cell, 25 s for an 8,000-row register (bench/utm_register.py). This view reads plain
    dicts instead; everything else is the frame's.
    """

    def __init__(self, table: pd.DataFrame):
        self.frame = table
        self._cells = {c: dict(zip(table.index, table.iloc[:, i].tolist())) for i, c in enumerate(table.columns)}
        self.at = _RowsAt(self._cells)

    def __getitem__(self, key):
        return self.frame[key]

    def __getattr__(self, name):  # index, columns, attrs, loc, … from the frame
        return getattr(self.frame, name)

    def __len__(self) -> int:
        return len(self.frame)


class _RowsAt:
    def __init__(self, cells: dict):
        self._cells = cells

    def __getitem__(self, key):
        row, column = key
        return self._cells[column][row]


def _rows_only(table: pd.DataFrame) -> _Rows:
    """The table without its ragged rows, as a fast cell reader (:class:`_Rows`); attrs kept."""
    out = table.drop(index=[r for r in table.attrs.get("ragged_rows", []) if r in table.index])
    out.attrs = {**table.attrs, "checksum": _checksum(table)}
    return _Rows(out)


def _checksum(table: pd.DataFrame) -> str:
    return table.attrs.get("checksum") or hashlib.sha256(table.to_csv().encode()).hexdigest()


class _Cells:
    """Problem collector in sheet order: (row, column position, message)."""

    def __init__(self, table: pd.DataFrame, name: str):
        self.name = name
        self.position = {c: i for i, c in enumerate(table.columns)}
        self.found: list[tuple[float, int, str]] = []

    def add(self, row, column: str, text: str, problem: str) -> None:
        self.found.append(
            (
                int(row),
                self.position.get(column, 0),
                f"{self.name}, række {row}, kolonne '{column}': '{text}' {problem}",
            )
        )

    def messages(self) -> list[str]:
        return [m for _, _, m in sorted(self.found, key=lambda item: item[:2])]


def _number(
    cells: _Cells,
    table,
    row,
    column: str,
    decimal: str,
    *,
    integer: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    what: str = "et tal",
) -> float | None:
    text = str(table.at[row, column]).strip()
    if text in MISSING_MARKERS:
        return None
    try:
        value = parse_number(text, decimal)
    except ValueError:
        cells.add(row, column, text, f"er ikke et tal – forventet {what}.")
        return None
    if value is None:
        return None
    if integer and not float(value).is_integer():
        cells.add(row, column, text, f"er ikke et helt tal – forventet {what}.")
        return None
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        cells.add(row, column, text, f"ligger uden for det mulige – forventet {what}.")
        return None
    return float(value)


# --- ministry lists -----------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(
        r"[^a-z0-9]+", "-", str(text).lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))
    ).strip("-")


def validate_ministry_list(
    store: Store, table: pd.DataFrame, *, options: dict, mapping=None, today: date | None = None
) -> RegisterPlan:
    """Check a ministry list: one row per department in a listed area (area, status, department)."""
    name = table.attrs.get("file_name") or "filen"
    today = today or date.today()
    used, ignored, problems = _start(table, "ministerliste", mapping, name)
    has_cols = _require_columns("ministerliste", used, table, name, problems)
    has_id = "dept_id" in used or ("org_no" in used and "dept_no" in used)
    if not has_id:
        problems.append(
            f"{name}: filen mangler en kolonne med afdelings-id (fx 'Afdelings-id') eller både "
            f"organisationsnummer og afdelingsnummer – forventet én række pr. afdeling i et område. "
            f"Fundne kolonner: {', '.join(map(str, table.columns))}."
        )
    # the list year and release
    raw_year = options.get("list_year")
    try:
        year = int(str(raw_year).strip())
    except (TypeError, ValueError):
        year = None
        problems.append(f"{YEAR_FIELD}Listeåret '{raw_year or ''}' er ikke et årstal – forventet fx {today.year - 1}.")
    if year is not None:
        if not 2000 <= year <= today.year:
            problems.append(f"{YEAR_FIELD}Listeåret {year} er ikke muligt – forventet et år fra 2000 til {today.year}.")
        elif year in store.list_years():
            problems.append(
                f"{YEAR_FIELD}Listeåret {year} findes allerede – forventet et nyt listeår (slet den gamle "
                "ministerliste først, hvis den skal erstattes)."
            )
    label = str(options.get("label") or (f"{year}-12" if year else "")).strip()
    if label and store.scalar("SELECT count(*) FROM releases WHERE label = ?", [label]):
        problems.append(
            f"{importer.LABEL_FIELD}Udgivelsen '{label}' findes allerede, og en gemt udgivelse kan ikke ændres – "
            "forventet et nyt mærke."
        )
    day = _parse_date(options.get("reference_date") or (date(year, 12, 1) if year else ""))
    if day is None:
        problems.append(
            f"{importer.DATE_FIELD}Datoen '{options.get('reference_date')}' er ikke en gyldig dato – "
            "forventet fx 2025-12-01."
        )
    elif year is not None and day.year != year:
        problems.append(
            f"{importer.DATE_FIELD}Datoen {formatting.date(day)} ligger ikke i listeåret {year} – "
            f"forventet fx 01.12.{year}."
        )
    if not has_cols or not has_id or len(table) == 0:
        _raise(name, problems)
    table = _rows_only(table)

    cells = _Cells(table, name)
    ids = _department_ids(store, table, used, name, cells.found)
    known_areas = store.areas()
    by_name = {normalise_header(n): a for a, n in zip(known_areas["area_id"], known_areas["name"])}
    rows = []
    for row in table.index:
        area_name = str(table.at[row, used["area_name"]]).strip()
        area_id = str(table.at[row, used["area_id"]]).strip() if "area_id" in used else ""
        if not area_name:
            cells.add(row, used["area_name"], "", "er tom – forventet områdets navn.")
            continue
        area_id = area_id or by_name.get(normalise_header(area_name)) or _slug(area_name)
        raw = str(table.at[row, used["status"]]).strip()
        status = STATUS_WORDS.get(normalise_header(raw)) if raw else ""
        if status is None:
            cells.add(
                row,
                used["status"],
                raw,
                f"er ikke en kendt listestatus – forventet "
                f"{', '.join(LIST_STATUSES)} (eller tom, hvis området ikke er listet).",
            )
            continue
        rows.append({"row": row, "area_id": area_id, "area_name": area_name, "status": status, "dept_id": ids[row]})
    frame = pd.DataFrame(rows, columns=["row", "area_id", "area_name", "status", "dept_id"])
    for area_id, group in frame.groupby("area_id"):
        if group["status"].nunique() > 1:
            where = ", ".join(f"række {r}" for r in group["row"])
            cells.found.append(
                (
                    float("inf"),
                    0,
                    f"{name}: området '{group['area_name'].iloc[0]}' har flere "
                    f"statusser ({', '.join(sorted(set(group['status']) - {''}) or 'ingen')}; {where}) – "
                    "forventet én status pr. område.",
                )
            )
        known = known_areas[known_areas["area_id"] == area_id]
        if not known.empty and known["kind"].iloc[0] != "ministeriel":
            cells.found.append(
                (
                    float("inf"),
                    0,
                    f"{name}: området '{area_id}' er et lokalt område – forventet et "
                    "ministerielt boligområde (giv det et andet område-id).",
                )
            )
    problems += cells.messages()
    if problems:
        _raise(name, problems)
    areas = frame.drop_duplicates("area_id")[["area_id", "area_name", "status"]].reset_index(drop=True)
    members = frame[frame["dept_id"] != ""][["dept_id", "area_id"]].drop_duplicates().reset_index(drop=True)
    return RegisterPlan(
        kind="ministerliste",
        file_name=name,
        checksum=table.attrs.get("checksum") or _checksum(table),
        rows=len(table),
        frames={"areas": areas, "members": members},
        label=label,
        options={"list_year": year, "reference_date": day},
        columns=used,
        ignored_columns=ignored,
    )


def _ministry_outcomes(store: Store, plan: RegisterPlan, rules: RuleSet) -> tuple[pd.Series, pd.Series, str | None]:
    """Outcomes of the newest classifiable release at the list's date, before and after the list."""
    day = plan.options["reference_date"]
    rel = store.releases()
    labels = [
        lbl
        for lbl in store.release_labels()
        if pd.Timestamp(rel.loc[rel["label"] == lbl, "reference_date"].iloc[0]).date() <= day
    ]
    if not labels:
        return pd.Series(dtype=object), pd.Series(dtype=object), None
    data = store.release_data(labels[-1])
    before = pd.Series(classify(data.frame, rules, data.refs).outcome, index=data.frame.index)
    frame = data.frame.copy()
    members = plan.frames["members"].set_index("dept_id")["area_id"]
    status = plan.frames["areas"].set_index("area_id")["status"].replace("", np.nan)
    area = frame["area_id"].astype(object).where(~frame.index.isin(members.index), frame.index.map(members))
    frame["area_id"] = area
    frame["list_status"] = area.map(status).astype("string")
    frame["on_ministry_list"] = frame["list_status"].notna().astype(float)
    after = pd.Series(classify(frame, rules, data.refs).outcome, index=frame.index)
    return before, after, labels[-1]


def _named_changes(store: Store, before: pd.Series, after: pd.Series, rules: RuleSet) -> pd.DataFrame:
    names = store.query("SELECT dept_id, name FROM departments").set_index("dept_id")["name"]
    common = after.index.intersection(before.index)
    changed = sorted(common[before[common].to_numpy() != after[common].to_numpy()])
    labels = {o.code: o.label for o in rules.outcomes}
    return pd.DataFrame(
        {
            "dept_id": changed,
            "name": [names.get(i, "") for i in changed],
            "before_label": [labels.get(before[i], before[i]) for i in changed],
            "after_label": [labels.get(after[i], after[i]) for i in changed],
        }
    )


def _preview_ministry_list(store: Store, plan: RegisterPlan, rules: RuleSet) -> KindPreview:
    areas = plan.frames["areas"]
    previous = store.list_status()
    prev_year = max([y for y in store.list_years() if y < plan.options["list_year"]], default=None)
    prev = previous[previous["list_year"] == prev_year].set_index("area_id")["status"]
    table = pd.DataFrame(
        {
            "Område": areas["area_name"],
            "Område-id": areas["area_id"],
            f"Status {prev_year or '(før)'}": areas["area_id"].map(prev).astype(object).fillna("ikke listet"),
            f"Status {plan.options['list_year']}": areas["status"].replace("", "ikke listet"),
        }
    )
    left = sorted(set(prev.index) - set(areas.loc[areas["status"] != "", "area_id"]))
    before, after, on = _ministry_outcomes(store, plan, rules)
    changes = _named_changes(store, before, after, rules)
    summary = [
        f"Listeår {plan.options['list_year']}: {int((areas['status'] != '').sum())} listede områder, "
        f"{len(plan.frames['members'])} afdelinger i områderne.",
        f"Gemmes som udgivelsen '{plan.label}' (Ministerliste, {formatting.date(plan.options['reference_date'])}).",
    ]
    if left:
        summary.append(f"Forlader listen i forhold til {prev_year}: {', '.join(left)}.")
    if on:
        summary.append(f"Farveskift beregnet på udgivelsen {on} under regelsættet '{rules.name}': {len(changes)}.")
    return KindPreview(plan=plan, summary=summary, tables={"Områder": table}, changes=changes)


def _commit_ministry_list(store: Store, plan: RegisterPlan, actor: Actor) -> str:
    year, day = plan.options["list_year"], plan.options["reference_date"]
    areas, members = plan.frames["areas"], plan.frames["members"]
    with store.transaction() as cur:
        if (
            cur.execute("SELECT count(*) FROM releases WHERE label = ?", [plan.label]).fetchone()[0]
            or cur.execute("SELECT count(*) FROM list_years WHERE list_year = ?", [year]).fetchone()[0]
        ):
            raise UserError(f"Udgivelsen '{plan.label}' eller listeåret {year} findes allerede. Intet er gemt.")
        release_id = cur.execute(
            "INSERT INTO releases (label, source, reference_date, list_year, n_values, imported_at, imported_by, "
            "file_name, checksum) VALUES (?, 'Ministerliste', ?, ?, 0, ?, ?, ?, ?) RETURNING release_id",
            [plan.label, day, year, datetime.now(), actor.label, plan.file_name, plan.checksum],
        ).fetchone()[0]
        known = set(r[0] for r in cur.execute("SELECT area_id FROM areas").fetchall())
        new = areas[~areas["area_id"].isin(known)]
        if not new.empty:
            cur.insert_frame(
                "areas", pd.DataFrame({"area_id": new["area_id"], "name": new["area_name"], "kind": "ministeriel"})
            )
        # Membership of ministry areas: the file's departments belong to the file's areas.
        cur.execute(
            "DELETE FROM department_areas WHERE list_contains(?, dept_id) AND area_id IN "
            "(SELECT area_id FROM areas WHERE kind = 'ministeriel')",
            [list(members["dept_id"])],
        )
        cur.execute("DELETE FROM department_areas WHERE list_contains(?, area_id)", [list(areas["area_id"])])
        if not members.empty:
            cur.insert_frame("department_areas", members[["dept_id", "area_id"]])
        cur.execute("INSERT INTO list_years VALUES (?, ?)", [year, int(release_id)])
        listed = areas[areas["status"] != ""]
        if not listed.empty:
            cur.insert_frame(
                "area_list_status",
                pd.DataFrame(
                    {
                        "list_year": year,
                        "area_id": listed["area_id"],
                        "status": listed["status"],
                        "release_id": int(release_id),
                    }
                ),
            )
        store.log_event(
            actor.label,
            "import",
            plan.label,
            file_name=plan.file_name,
            checksum=plan.checksum,
            n_rows=plan.rows,
            details={"kind": "ministerliste", "list_year": year},
            cur=cur,
        )
    return f"Ministerlisten for {year} er gemt som udgivelsen '{plan.label}'."


# --- the department register -------------------------------------------------------------------

_REGISTER_INTS = ("family_dwellings", "bab_dwellings", "dwellings_le_3500", "dwellings_3500_5000", "dwellings_gt_5000")
#: Master data for twin search: field → (lowest, highest, what is expected). Rent is per m² a year.
_REGISTER_MEASURES = {
    "mean_m2": (15.0, 300.0, "et gennemsnitligt boligareal i m² (15–300)"),
    "rent_per_m2": (100.0, 5_000.0, "en årlig husleje pr. m² i kr. (100–5.000)"),
    "pct_family_dwellings": (0.0, 100.0, "en andel i procent (0–100)"),
}
#: Words accepted for the location type (after normalise_header) → code.
LOCATION_WORDS = {
    "by": "by",
    "bymaessig": "by",
    "storby": "by",
    "urban": "by",
    "city": "by",
    "forstad": "forstad",
    "forstaed": "forstad",
    "forby": "forstad",
    "suburban": "forstad",
    "suburb": "forstad",
    "land": "land",
    "landdistrikt": "land",
    "landomraade": "land",
    "landsby": "land",
    "rural": "land",
}
REGISTER_COLUMNS = [
    "dept_id",
    "org_no",
    "dept_no",
    "name",
    "neighbourhood",
    "lat",
    "lon",
    "family_dwellings",
    "bab_dwellings",
    "dwellings_le_3500",
    "dwellings_3500_5000",
    "dwellings_gt_5000",
    "year_built",
    *MASTER_DATA_COLUMNS,
]


@cache
def _utm32_transformer():
    """Building a pyproj Transformer costs ~4 ms; one per process, not one per row."""
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


def utm32_to_wgs84(x, y) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:25832 (ETRS89 / UTM 32N) easting/northing → (lat, lon) in EPSG:4326 (arrays in, arrays out)."""
    lon, lat = _utm32_transformer().transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lat), np.asarray(lon)


def validate_register(store: Store, table: pd.DataFrame, *, mapping=None, today: date | None = None) -> RegisterPlan:
    """Check a department register file (one row per department)."""
    name = table.attrs.get("file_name") or "filen"
    today = today or date.today()
    decimal = table.attrs.get("decimal", ",")
    used, ignored, problems = _start(table, "stamdata", mapping, name)
    ok = _require_columns("stamdata", used, table, name, problems)
    for a, b, what in (("lat", "lon", "bredde- og længdegrad"), ("utm_x", "utm_y", "UTM32 x og y")):
        if (a in used) != (b in used):
            problems.append(f"{name}: filen har kun den ene af {what} – forventet begge kolonner (eller ingen).")
            ok = False
    if not ok or len(table) == 0:
        _raise(name, problems)
    table = _rows_only(table)
    cells = _Cells(table, name)
    register = store.query("SELECT * FROM departments").set_index("dept_id")
    by_number = {(int(o), int(d)): i for i, o, d in zip(register.index, register["org_no"], register["dept_no"])}
    orgs = store.organisations().set_index("org_no")["name"]
    known_areas = set(store.areas()["area_id"])
    kinds = dict(store.areas()[["area_id", "kind"]].itertuples(index=False))
    local_names: dict[str, str] = {}  # local area id → name given in the file
    records, org_names, memberships = [], {}, []
    for row in table.index:
        org = _number(
            cells,
            table,
            row,
            used["org_no"],
            decimal,
            integer=True,
            minimum=1,
            what="et organisationsnummer (helt tal)",
        )
        dept = _number(
            cells, table, row, used["dept_no"], decimal, integer=True, minimum=0, what="et afdelingsnummer (helt tal)"
        )
        for column in (used["org_no"], used["dept_no"]):
            if str(table.at[row, column]).strip() in MISSING_MARKERS:
                cells.add(row, column, str(table.at[row, column]).strip(), "mangler – forventet et helt tal.")
        rec: dict = {"row": row}
        if org is not None and dept is not None:
            rec["org_no"], rec["dept_no"] = int(org), int(dept)
            given = str(table.at[row, used["dept_id"]]).strip() if "dept_id" in used else ""
            existing = by_number.get((int(org), int(dept)))
            dept_id = given or existing or f"{int(org)}-{int(dept):03d}"
            if given and existing and given != existing:
                cells.add(
                    row,
                    used["dept_id"],
                    given,
                    f"passer ikke med organisation {int(org)} afdeling {int(dept)}, "
                    f"som har id '{existing}' i registret – forventet '{existing}'.",
                )
            elif given and given in register.index and by_number.get((int(org), int(dept))) != given:
                cells.add(
                    row,
                    used["dept_id"],
                    given,
                    "bruges allerede af en anden afdeling i registret – forventet et nyt id.",
                )
            rec["dept_id"] = dept_id
        text = str(table.at[row, used["name"]]).strip()
        if not text:
            cells.add(row, used["name"], text, "er tom – forventet afdelingens navn.")
        rec["name"] = text
        if "organisation" in used:
            org_name = str(table.at[row, used["organisation"]]).strip()
            if org_name and org is not None:
                org_names.setdefault(int(org), org_name)
        if org is not None and int(org) not in orgs.index and int(org) not in org_names:
            cells.add(
                row,
                used["org_no"],
                str(table.at[row, used["org_no"]]).strip(),
                "er en ny boligorganisation uden navn – forventet organisationens navn i kolonnen 'Boligorganisation'.",
            )
        for fld in ("neighbourhood", "municipality"):
            if fld in used:
                rec[fld] = str(table.at[row, used[fld]]).strip() or None
        for fld in _REGISTER_INTS:
            if fld in used:
                required = FIELDS["stamdata"][fld][1]
                raw = str(table.at[row, used[fld]]).strip()
                if required and raw in MISSING_MARKERS:
                    cells.add(row, used[fld], raw, "mangler – forventet et antal boliger (helt tal, 0 eller derover).")
                    continue
                value = _number(
                    cells,
                    table,
                    row,
                    used[fld],
                    decimal,
                    integer=True,
                    minimum=0,
                    what="et antal boliger (helt tal, 0 eller derover)",
                )
                rec[fld] = None if value is None else int(value)
        if "year_built" in used:
            value = _number(
                cells,
                table,
                row,
                used["year_built"],
                decimal,
                integer=True,
                minimum=1800,
                maximum=today.year + 5,
                what=f"et årstal fra 1800 til {today.year + 5}",
            )
            rec["year_built"] = None if value is None else int(value)
        for fld, (low, high, what) in _REGISTER_MEASURES.items():
            if fld in used:
                rec[fld] = _number(cells, table, row, used[fld], decimal, minimum=low, maximum=high, what=what)
        if "location_type" in used:
            raw = str(table.at[row, used["location_type"]]).strip()
            code = LOCATION_WORDS.get(normalise_header(raw)) if raw not in MISSING_MARKERS else None
            if raw not in MISSING_MARKERS and code is None:
                cells.add(
                    row,
                    used["location_type"],
                    raw,
                    f"er ikke en kendt beliggenhed – forventet {', '.join(LOCATION_TYPES)} (eller tom).",
                )
            rec["location_type"] = code
        bands = [rec.get(f) for f in ("dwellings_le_3500", "dwellings_3500_5000", "dwellings_gt_5000")]
        if all(b is not None for b in bands) and rec.get("family_dwellings") is not None:
            total = rec["family_dwellings"] + (rec.get("bab_dwellings") or 0)
            if sum(bands) != total:
                cells.add(
                    row,
                    used["dwellings_le_3500"],
                    f"{bands[0]} + {bands[1]} + {bands[2]} = {sum(bands)}",
                    f"passer ikke – forventet at boligerne pr. huslejegruppe summer til familieboliger + "
                    f"BAB-boliger ({total}).",
                )
        pair = ("lat", "lon") if "lat" in used else ("utm_x", "utm_y") if "utm_x" in used else None
        if pair is not None:
            texts = [str(table.at[row, used[f]]).strip() for f in pair]
            blank = [t in MISSING_MARKERS for t in texts]
            if blank[0] != blank[1]:
                # Half a coordinate would replace a stored place with nonsense (or wipe it): refuse.
                empty, given = (pair[0], pair[1]) if blank[0] else (pair[1], pair[0])
                cells.add(
                    row,
                    used[empty],
                    texts[pair.index(empty)],
                    f"er tom, men '{used[given]}' er udfyldt – forventet begge koordinater i rækken, "
                    "eller ingen (så bevares den gemte placering).",
                )
        if "lat" in used:
            lat = _number(cells, table, row, used["lat"], decimal, minimum=-90, maximum=90, what="en breddegrad")
            lon = _number(cells, table, row, used["lon"], decimal, minimum=-180, maximum=180, what="en længdegrad")
            if lat is not None and lon is not None:
                rec["lat"], rec["lon"] = lat, lon
        elif "utm_x" in used:
            x = _number(cells, table, row, used["utm_x"], decimal, minimum=0, what="en UTM32-koordinat i meter")
            y = _number(cells, table, row, used["utm_y"], decimal, minimum=0, what="en UTM32-koordinat i meter")
            if x is not None and y is not None:
                lat, lon = utm32_to_wgs84([x], [y])
                rec["lat"], rec["lon"] = float(lat[0]), float(lon[0])
                rec["_utm"] = True
        if rec.get("lat") is not None and rec.get("lon") is not None:
            if not denmark.contains(rec["lat"], rec["lon"]):
                column = used.get("utm_x") if rec.get("_utm") else used.get("lat")
                raw = str(table.at[row, column]).strip()
                hint = (
                    " (er x og y byttet om, eller er det ikke UTM32/EPSG:25832?)"
                    if rec.get("_utm")
                    else " (er bredde og længde byttet om?)"
                )
                cells.add(
                    row,
                    column,
                    raw,
                    f"giver et sted uden for Danmark ({formatting.number(rec['lat'], 4)}, "
                    f"{formatting.number(rec['lon'], 4)}){hint} – "
                    "forventet en placering på dansk land.",
                )
        if "areas" in used:
            for area in re.split(r"[;,]", str(table.at[row, used["areas"]])):
                area = area.strip()
                if area:
                    if area not in known_areas:
                        cells.add(
                            row,
                            used["areas"],
                            area,
                            "er et ukendt område – forventet et område-id, der "
                            f"findes ({', '.join(sorted(known_areas)) or 'ingen'}); nye ministerielle områder "
                            "kommer med ministerlisten.",
                        )
                    elif "dept_id" in rec:
                        memberships.append({"dept_id": rec["dept_id"], "area_id": area})
        if "local_areas" in used:
            _local_areas(cells, table, row, used["local_areas"], rec, kinds, local_names, memberships)
        records.append(rec)
    frame = pd.DataFrame(records)
    if "dept_id" in frame:
        for dept_id, group in frame.dropna(subset=["dept_id"]).groupby("dept_id"):
            if len(group) > 1:
                where = ", ".join(f"række {r}" for r in group["row"])
                cells.found.append(
                    (
                        float("inf"),
                        0,
                        f"{name}: afdelingen '{dept_id}' optræder flere gange ({where}) "
                        "– forventet én række pr. afdeling.",
                    )
                )
    problems += cells.messages()
    if problems:
        _raise(name, problems)
    # Columns the file lacks keep the register's values for known departments.
    frame = frame.drop(columns=[c for c in ("row", "_utm") if c in frame]).set_index("dept_id")
    columns = REGISTER_COLUMNS + [c for c in register.columns if c not in REGISTER_COLUMNS]  # e.g. municipality
    present = [c for c in columns[1:] if c in frame.columns]
    out = register.reindex(frame.index)[columns[1:]].astype(object)
    out.loc[:, present] = frame[present]
    for col in ("lat", "lon"):
        if col in present:  # blank coordinates keep the stored place (never wipe half of it)
            out[col] = out[col].where(frame[col].notna(), register.reindex(frame.index)[col])
    out["bab_dwellings"] = out["bab_dwellings"].fillna(0)
    out = out.reset_index()[columns]
    for col in ("org_no", "dept_no", *_REGISTER_INTS, "year_built"):
        out[col] = pd.array(out[col], dtype="Int64")
    for col in ("lat", "lon", *_REGISTER_MEASURES):
        out[col] = out[col].astype(float)
    organisations = pd.DataFrame({"org_no": list(org_names), "name": list(org_names.values())}, dtype=object)
    return RegisterPlan(
        kind="stamdata",
        file_name=name,
        checksum=table.attrs.get("checksum") or _checksum(table),
        rows=len(out),
        frames={
            "departments": out,
            "organisations": organisations,
            "memberships": pd.DataFrame(memberships, columns=["dept_id", "area_id"]).drop_duplicates(),
            "local_areas": pd.DataFrame(
                {"area_id": list(local_names), "name": list(local_names.values()), "kind": "lokal"}, dtype=object
            ),
        },
        options={"areas_given": "areas" in used or "local_areas" in used},
        columns=used,
        ignored_columns=ignored,
    )


def _preview_register(store: Store, plan: RegisterPlan) -> KindPreview:
    new = plan.frames["departments"]
    old = store.query("SELECT dept_id, name FROM departments").set_index("dept_id")["name"]
    added = new[~new["dept_id"].isin(old.index)][["dept_id", "name"]]
    renamed = new[new["dept_id"].isin(old.index)]
    renamed = renamed[renamed["name"].to_numpy() != old.reindex(renamed["dept_id"]).to_numpy()][["dept_id", "name"]]
    absent = sorted(set(old.index) - set(new["dept_id"]))
    summary = [
        f"{len(new)} afdelinger i filen: {len(added)} nye, {len(new) - len(added)} opdateres.",
        f"{len(absent)} afdelinger i registret er ikke i filen (de bevares uændret).",
    ]
    if len(plan.frames["organisations"]):
        summary.append(f"Boligorganisationernes navne sættes for {len(plan.frames['organisations'])} organisationer.")
    tables = {
        "Nye afdelinger": added.rename(columns={"dept_id": "Afdelings-id", "name": "Afdeling"}),
        "Nyt navn": renamed.rename(columns={"dept_id": "Afdelings-id", "name": "Nyt navn"}),
        "Ikke i filen": pd.DataFrame({"Afdelings-id": absent, "Afdeling": [old[i] for i in absent]}),
    }
    return KindPreview(plan=plan, summary=summary, tables=tables)


def _commit_register(store: Store, plan: RegisterPlan, actor: Actor) -> str:
    depts = plan.frames["departments"]
    with store.transaction() as cur:
        orgs = plan.frames["organisations"]
        if len(orgs):
            _upsert(cur, "organisations", orgs.astype({"org_no": int, "name": str}), "org_no")
        _upsert(cur, "departments", depts, "dept_id")
        local = plan.frames.get("local_areas")
        if local is not None and len(local):
            _upsert(cur, "areas", local, "area_id")  # new local areas, and new names for known ones
        if plan.options.get("areas_given"):
            ids = list(depts["dept_id"])
            cur.execute(
                "DELETE FROM department_areas WHERE list_contains(?, dept_id) AND area_id IN "
                "(SELECT area_id FROM areas WHERE kind = 'lokal')",
                [ids],
            )
            members = plan.frames["memberships"]
            if not members.empty:
                cur.execute(
                    "DELETE FROM department_areas WHERE list_contains(?, dept_id) AND list_contains(?, area_id)",
                    [list(members["dept_id"]), list(members["area_id"])],
                )
                cur.insert_frame("department_areas", members.drop_duplicates())
        store.log_event(
            actor.label,
            "import",
            "stamdata",
            file_name=plan.file_name,
            checksum=plan.checksum,
            n_rows=plan.rows,
            details={"kind": "stamdata"},
            cur=cur,
        )
    return f"Afdelingsregistret er opdateret ({plan.rows} afdelinger)."


def _local_areas(cells, table, row, column, rec, kinds: dict, local_names: dict, memberships: list) -> None:
    """One cell of the "lokale områder" column: ``id=navn`` (create or rename) or ``id``, by ";"."""
    raw = table.at[row, column]
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return
    for item in str(raw).split(";"):
        item = item.strip()
        if not item:
            continue
        area, sep, name = (part.strip() for part in item.partition("="))
        if not area or (sep and not name):
            cells.add(row, column, item, "forventet 'id=navn' (opretter eller omdøber et lokalt område) eller et id")
            continue
        if kinds.get(area) == "ministeriel":
            cells.add(
                row, column, item, "er et ministerielt område – de kommer med ministerlisten, ikke som lokale områder"
            )
            continue
        if sep:
            if local_names.get(area, name) != name:
                cells.add(row, column, item, f"giver området '{area}' et andet navn end en tidligere række")
                continue
            local_names[area] = name
        elif area not in kinds and area not in local_names:
            cells.add(
                row,
                column,
                item,
                "er et ukendt lokalt område – skriv 'id=navn' for at oprette det (fx 'aalborg-syd=Aalborg Syd')",
            )
            continue
        if "dept_id" in rec:
            memberships.append({"dept_id": rec["dept_id"], "area_id": area})


def _upsert(cur, table: str, frame: pd.DataFrame, key: str) -> None:
    """Replace the rows of ``frame``'s keys and insert the new ones."""
    cur.execute(f"DELETE FROM {table} WHERE list_contains(?, {key})", [list(frame[key])])
    cur.insert_frame(table, frame)


def export_register_template(store: Store) -> bytes:
    """The department register in the stamdata template layout (CSV for Danish Excel)."""
    d = store.query(
        "SELECT d.*, o.name AS organisation FROM departments d JOIN organisations o USING (org_no) ORDER BY dept_id"
    )
    # Local areas as "id=navn", so the file re-creates them in a new database; ministerial areas and
    # their departments come with the ministry list (export_list_template), not with the register.
    areas = store.query(
        "SELECT da.dept_id, string_agg(a.area_id || '=' || a.name, '; ' ORDER BY a.area_id) AS areas "
        "FROM department_areas da JOIN areas a USING (area_id) WHERE a.kind = 'lokal' GROUP BY da.dept_id"
    ).set_index("dept_id")["areas"]
    out = pd.DataFrame(
        {
            "Afdelings-id": d["dept_id"],
            "Organisationsnummer": d["org_no"],
            "Afdelingsnummer": d["dept_no"],
            "Afdeling": d["name"],
            "Boligorganisation": d["organisation"],
            "Bydel": d["neighbourhood"],
            "Familieboliger": d["family_dwellings"],
            "BAB-boliger": d["bab_dwellings"],
            "Husleje under 3500": d["dwellings_le_3500"],
            "Husleje 3500-5000": d["dwellings_3500_5000"],
            "Husleje over 5000": d["dwellings_gt_5000"],
            "Opførelsesår": d["year_built"],
            "Gennemsnitligt boligareal (m²)": d["mean_m2"],
            "Husleje pr. m² (kr. om året)": d["rent_per_m2"],
            "Andel familieboliger (%)": d["pct_family_dwellings"],
            "Beliggenhed": d["location_type"],
            "Lokale områder": d["dept_id"].map(areas).fillna(""),
            "Breddegrad": d["lat"],
            "Længdegrad": d["lon"],
        }
    )
    for col in ("Husleje under 3500", "Husleje 3500-5000", "Husleje over 5000", "Opførelsesår"):
        out[col] = pd.array(out[col], dtype="Int64")
    return to_csv_danish(out, float_format="%.6f")


def export_list_template(store: Store, list_year: int) -> bytes:
    """A stored list year in the ministerliste template layout (CSV for Danish Excel)."""
    status = store.list_status()
    status = status[status["list_year"] == list_year].set_index("area_id")["status"]
    members = store.query(
        "SELECT da.dept_id, a.area_id, a.name FROM department_areas da JOIN areas a USING (area_id) "
        "WHERE a.kind = 'ministeriel' ORDER BY a.area_id, da.dept_id"
    )
    out = pd.DataFrame(
        {
            "Område-id": members["area_id"],
            "Område": members["name"],
            "Status": members["area_id"].map(status).fillna(""),
            "Afdelings-id": members["dept_id"],
        }
    )
    return to_csv_danish(out)


# --- geometry -----------------------------------------------------------------------------------

_GEO_SUFFIXES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".zip": "zippet Shapefile"}


def validate_geometry(
    store: Store,
    source,
    *,
    file_name: str | None = None,
    options: dict | None = None,
    mapping: dict[str, str] | None = None,
) -> RegisterPlan:
    """Read a boundary or department polygons (GeoJSON, GeoPackage, zipped Shapefile; any CRS),
    reprojected to EPSG:4326."""
    import geopandas as gpd

    options = options or {}
    data, name = importer.read_source(source, file_name)
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
    problems: list[str] = []
    if frame.empty:
        raise UserError(f"Filen '{name}' indeholder ingen geometrier – forventet mindst ét polygon.")
    if frame.crs is None:
        raise UserError(
            f"Filen '{name}' har intet koordinatsystem (CRS) – forventet en fil med CRS "
            "(for en Shapefile: .prj-filen skal med i zip-filen)."
        )
    source_crs = frame.crs.to_string()
    columns = [c for c in frame.columns if c != frame.geometry.name]
    index = {normalise_header(a): "dept_id" for a in _DEPT_ALIASES["dept_id"]}
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
            f"{name}: afdelingspolygoner skal have en kolonne med afdelings-id – forventet fx "
            f"'afdelings_id'. Fundne kolonner: {', '.join(map(str, columns)) or 'ingen'}."
        )
        _raise(name, problems)
    if kind == "afdeling":
        require_register(store, "afdelingspolygoner", name)  # one message, not one per polygon
    known = set(store.query("SELECT dept_id FROM departments")["dept_id"])
    seen: dict[str, int] = {}
    for i, geom in enumerate(frame.geometry, start=1):
        where = f"{name}, række {i}, kolonne 'geometry'"
        if geom is None or geom.is_empty:
            problems.append(f"{where}: '' er tom – forventet et polygon.")
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(f"{where}: '{geom.geom_type}' er ikke en flade – forventet Polygon eller MultiPolygon.")
        elif not geom.is_valid:
            problems.append(
                f"{where}: 'ugyldigt polygon' krydser sig selv – forventet et gyldigt polygon "
                "(ret det fx med QGIS' 'Ret geometrier')."
            )
        if kind == "afdeling":
            dept = str(frame.iloc[i - 1][used["dept_id"]]).strip()
            if dept not in known:
                problems.append(
                    f"{name}, række {i}, kolonne '{used['dept_id']}': '{dept}' er en ukendt afdeling – "
                    "forventet en afdeling fra afdelingsregistret."
                )
            elif dept in seen:
                problems.append(
                    f"{name}, række {i}, kolonne '{used['dept_id']}': '{dept}' optræder også i række "
                    f"{seen[dept]} – forventet ét polygon pr. afdeling."
                )
            seen.setdefault(dept, i)
    if problems:
        _raise(name, problems)
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
                f"{name}, række {i}, kolonne 'geometry': 'polygon ved {formatting.number(c.y, 3)} N, "
                f"{formatting.number(c.x, 3)} Ø' ligger "
                f"{'helt' if share == 0 else 'mest'} uden for Danmark efter omregning fra {source_crs} "
                f"(på dansk land: {formatting.share(share, 0)}) – forventet et område på dansk land "
                "(har filen det rigtige koordinatsystem?)."
            )
    if outside:
        _raise(name, outside)
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
    return RegisterPlan(
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


def _preview_geometry(store: Store, plan: RegisterPlan) -> KindPreview:
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


def _commit_geometry(store: Store, plan: RegisterPlan, actor: Actor) -> str:
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


# --- problems as a table ------------------------------------------------------------------------

_PROBLEM = re.compile(
    r"^(?P<file>.+?)(?:, række (?P<row>\d+))?(?:, kolonne '(?P<col>[^']*)'(?:/'[^']*')?)?: "
    r"(?:'(?P<value>[^']*)' )?(?P<rest>.*)$",
    re.S,
)


def problem_table(error: UserError) -> pd.DataFrame:
    """The problems of an import error as (Fil, Række, Kolonne, Værdi, Forventet) rows."""
    rows = []
    for text in error.problems or [error.message]:
        m = None if text.startswith("Feltet '") else _PROBLEM.match(text)  # a field, not the file
        what, _, expected = (m.group("rest") if m else text).partition("– forventet")
        rows.append(
            {
                "Fil": m.group("file") if m and (m.group("row") or m.group("col") or "." in m.group("file")) else "",
                "Række": int(m.group("row")) if m and m.group("row") else None,
                "Kolonne": (m.group("col") or "") if m else "",
                "Værdi": (m.group("value") or "") if m else "",
                "Problem": what.strip() if m else text,
                "Forventet": expected.strip().rstrip(".") if expected else "",
            }
        )
    frame = pd.DataFrame(rows, columns=["Fil", "Række", "Kolonne", "Værdi", "Problem", "Forventet"])
    frame["Række"] = pd.array(frame["Række"], dtype="Int64")
    return frame


#: Identical problems in at least this many rows become one line ("257 rækker: …").
COLLAPSE_FROM = 3
#: Row numbers named in a collapsed line before "…".
ROWS_NAMED = 5


def collapse_problems(table: pd.DataFrame, least: int = COLLAPSE_FROM) -> pd.DataFrame:
    """The problem table with repeated identical problems (same file, column, problem and
    expectation; any row and value) as one line whose ``Række`` says how many rows and which,
    e.g. "2, 3, 4, 5, 6 … (257 rækker)". ``Række`` becomes text ("" where there is none); the
    order of first appearance is kept."""
    key = ["Fil", "Kolonne", "Problem", "Forventet"]
    out = []
    groups = table.groupby(key, sort=False, dropna=False)
    for _, group in groups:
        if len(group) >= least:
            rows = [str(r) for r in group["Række"] if pd.notna(r)]
            named = ", ".join(rows[:ROWS_NAMED]) + (" …" if len(rows) > ROWS_NAMED else "")
            values = list(dict.fromkeys(group["Værdi"]))
            first = group.iloc[0].to_dict()
            first["Række"] = f"{named} ({len(group)} rækker)" if rows else f"{len(group)} gange"
            first["Værdi"] = values[0] if len(values) == 1 else f"{values[0]} m.fl."
            out.append((group.index[0], first))
        else:
            for index, record in group.iterrows():
                record = record.to_dict()
                record["Række"] = "" if pd.isna(record["Række"]) else str(record["Række"])
                out.append((index, record))
    out.sort(key=lambda item: item[0])
    return pd.DataFrame([r for _, r in out], columns=list(table.columns))
