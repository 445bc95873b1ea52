"""The department register (``stamdata``): one row per department with its organisation, numbers,
name, dwellings, master data for the twin search, place (latitude/longitude or UTM32) and areas.

Known departments are updated (columns the file lacks keep their stored values), new ones added;
departments the file leaves out are kept. The register export (:func:`export_register_template`)
writes the same layout, so it re-imports unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from .. import denmark, formatting
from ..auth import Actor
from ..export import to_csv_danish
from ..store import DEPARTMENT_COLUMNS, LOCATION_TYPES, MASTER_DATA_COLUMNS, Store
from .base import KindPreview, TableKind, TablePlan
from .checks import MISSING_MARKERS, checksum, column_numbers, require_columns, start, texts, whole_rows
from .columns import DEPT_ALIASES, FieldTable, normalise_header
from .problems import Collector, file_problem, raise_problems

#: field → (Danish label, required?, accepted headers); see :mod:`.columns`.
FIELDS: FieldTable = {
    "dept_id": ("afdelings-id", False, DEPT_ALIASES["dept_id"]),
    "org_no": ("organisationsnummer", True, DEPT_ALIASES["org_no"]),
    "dept_no": ("afdelingsnummer", True, DEPT_ALIASES["dept_no"]),
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
}


@dataclass(frozen=True)
class RegisterPlan(TablePlan):
    """A checked register: frames ``departments`` (the register's columns), ``organisations``
    (names given), ``memberships`` (dept_id, area_id) and ``local_areas``; ``options``
    ``areas_given`` (whether the file names areas, so memberships are replaced)."""


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
REGISTER_COLUMNS = [*DEPARTMENT_COLUMNS, *MASTER_DATA_COLUMNS]


@cache
def _utm32_transformer():
    """Building a pyproj Transformer costs ~4 ms; one per process, not one per row."""
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


def utm32_to_wgs84(x, y) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:25832 (ETRS89 / UTM 32N) easting/northing → (lat, lon) in EPSG:4326 (arrays in, arrays out)."""
    lon, lat = _utm32_transformer().transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lat), np.asarray(lon)


def _coordinates(found: Collector, frame: pd.DataFrame, text: dict, used: dict, numbers, blank) -> None:
    """Latitude/longitude (or UTM32 x/y, converted) into ``frame``, each pair complete or blank, on Danish land."""
    pair = ("lat", "lon") if "lat" in used else ("utm_x", "utm_y") if "utm_x" in used else None
    if pair is None:
        return
    rows = frame.index
    empty = [blank(f) for f in pair]
    for side, other in ((0, 1), (1, 0)):
        # Half a coordinate would replace a stored place with nonsense (or wipe it): refuse.
        for row in rows[empty[side] & ~empty[other]]:
            found.add(
                row,
                used[pair[side]],
                text[pair[side]][row],
                f"er tom, men '{used[pair[other]]}' er udfyldt",
                "begge koordinater i rækken, eller ingen (så bevares den gemte placering)",
            )
    utm = pair[0] == "utm_x"
    if utm:
        x = numbers("utm_x", minimum=0, what="en UTM32-koordinat i meter")
        y = numbers("utm_y", minimum=0, what="en UTM32-koordinat i meter")
        both = ~(np.isnan(x) | np.isnan(y))
        lat, lon = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
        if both.any():
            lat[both], lon[both] = utm32_to_wgs84(x[both], y[both])
    else:
        lat = numbers("lat", minimum=-90, maximum=90, what="en breddegrad")
        lon = numbers("lon", minimum=-180, maximum=180, what="en længdegrad")
        both = ~(np.isnan(lat) | np.isnan(lon))
        lat, lon = np.where(both, lat, np.nan), np.where(both, lon, np.nan)
    outside = both.copy()
    outside[both] = ~denmark.contains_all(lat[both], lon[both])
    column = used[pair[0]]
    hint = " (er x og y byttet om, eller er det ikke UTM32/EPSG:25832?)" if utm else " (er bredde og længde byttet om?)"
    for i in np.flatnonzero(outside):
        found.add(
            rows[i],
            column,
            text[pair[0]].iat[i],
            f"giver et sted uden for Danmark ({formatting.number(lat[i], 4)}, {formatting.number(lon[i], 4)}){hint}",
            "en placering på dansk land",
        )
    frame["lat"], frame["lon"] = lat, lon


def validate_register(store: Store, table: pd.DataFrame, *, mapping=None, today: date | None = None) -> RegisterPlan:
    """Check a department register file (one row per department).

    Numbers and coordinates are checked a column at a time (:func:`~.checks.column_numbers`; UTM
    converted in one call), so an 8,000-row register takes well under a second
    (``bench/utm_register.py``); what needs the other cells of a row is checked row by row.
    """
    name = table.attrs.get("file_name") or "filen"
    today = today or date.today()
    decimal = table.attrs.get("decimal", ",")
    used, ignored, problems = start(table, FIELDS, mapping, name)
    ok = require_columns("stamdata", FIELDS, used, table, name, problems)
    for a, b, what in (("lat", "lon", "bredde- og længdegrad"), ("utm_x", "utm_y", "UTM32 x og y")):
        if (a in used) != (b in used):
            problems.append(file_problem(name, f"filen har kun den ene af {what}", "begge kolonner (eller ingen)"))
            ok = False
    if not ok or len(table) == 0:
        raise_problems(name, problems)
    table = whole_rows(table)
    found = Collector(table, name)
    text = {fld: texts(table[column]) for fld, column in used.items()}
    rows = table.index
    register = store.query("SELECT * FROM departments").set_index("dept_id")
    by_number = {(int(o), int(d)): i for i, o, d in zip(register.index, register["org_no"], register["dept_no"])}
    orgs = set(store.organisations()["org_no"].astype(int))
    areas = store.areas()
    known_areas = set(areas["area_id"])
    kinds = dict(areas[["area_id", "kind"]].itertuples(index=False))

    def numbers(fld: str, **limits) -> np.ndarray:
        return column_numbers(found, text[fld], used[fld], decimal, **limits)

    def blank(fld: str) -> np.ndarray:
        return text[fld].isin(MISSING_MARKERS).to_numpy()

    # Column by column: the numbers, and what a column's cells need alone.
    org = numbers("org_no", integer=True, minimum=1, what="et organisationsnummer (helt tal)")
    dept = numbers("dept_no", integer=True, minimum=0, what="et afdelingsnummer (helt tal)")
    for fld in ("org_no", "dept_no"):
        for row in rows[blank(fld)]:
            found.add(row, used[fld], text[fld][row], "mangler", "et helt tal")
    for row in rows[(text["name"] == "").to_numpy()]:
        found.add(row, used["name"], "", "er tom", "afdelingens navn")
    frame = pd.DataFrame({"name": text["name"].to_numpy(dtype=object)}, index=rows)
    for fld in ("neighbourhood", "municipality"):
        if fld in used:
            frame[fld] = text[fld].where(text[fld] != "", None).to_numpy(dtype=object)
    for fld in _REGISTER_INTS:
        if fld in used:
            what = "et antal boliger (helt tal, 0 eller derover)"
            missing = blank(fld) if FIELDS[fld][1] else np.zeros(len(rows), dtype=bool)
            for row in rows[missing]:
                found.add(row, used[fld], text[fld][row], "mangler", what)
            frame[fld] = numbers(fld, integer=True, minimum=0, what=what)
    if "year_built" in used:
        frame["year_built"] = numbers(
            "year_built",
            integer=True,
            minimum=1800,
            maximum=today.year + 5,
            what=f"et årstal fra 1800 til {today.year + 5}",
        )
    for fld, (low, high, what) in _REGISTER_MEASURES.items():
        if fld in used:
            frame[fld] = numbers(fld, minimum=low, maximum=high, what=what)
    if "location_type" in used:
        raw = text["location_type"]
        words = {t: None if t in MISSING_MARKERS else LOCATION_WORDS.get(normalise_header(t)) for t in set(raw)}
        code = raw.map(words)
        for row in rows[(code.isna() & ~raw.isin(MISSING_MARKERS)).to_numpy()]:
            found.add(
                row,
                used["location_type"],
                raw[row],
                "er ikke en kendt beliggenhed",
                f"{', '.join(LOCATION_TYPES)} (eller tom)",
            )
        frame["location_type"] = code.to_numpy(dtype=object)
    bands = ["dwellings_le_3500", "dwellings_3500_5000", "dwellings_gt_5000"]
    if all(f in frame for f in [*bands, "family_dwellings"]):
        given = frame[bands].notna().all(axis=1) & frame["family_dwellings"].notna()
        total = frame["family_dwellings"] + frame.get("bab_dwellings", pd.Series(0.0, index=rows)).fillna(0)
        summed = frame[bands].sum(axis=1)
        for row in rows[(given & (summed != total)).to_numpy()]:
            b = [int(frame.at[row, f]) for f in bands]
            found.add(
                row,
                used["dwellings_le_3500"],
                f"{b[0]} + {b[1]} + {b[2]} = {sum(b)}",
                "passer ikke",
                f"at boligerne pr. huslejegruppe summer til familieboliger + BAB-boliger ({int(total[row])})",
            )
    _coordinates(found, frame, text, used, numbers, blank)

    # Row by row: what needs several cells of a row, or the rows before it.
    dept_ids = np.full(len(rows), None, dtype=object)
    org_names: dict[int, str] = {}  # organisation → the first name the file gives it
    local_names: dict[str, str] = {}  # local area id → name given in the file
    memberships: list[dict] = []
    in_register = set(register.index)
    given_ids = text["dept_id"].tolist() if "dept_id" in used else [""] * len(rows)
    org_texts = text["organisation"].tolist() if "organisation" in used else [""] * len(rows)
    org_cells = text["org_no"].tolist()
    area_cells = text["areas"].tolist() if "areas" in used else []
    local_raw = table[used["local_areas"]].tolist() if "local_areas" in used else []
    for i, row in enumerate(rows):
        o, d = org[i], dept[i]
        valid = not (np.isnan(o) or np.isnan(d))
        if valid:
            o, d = int(o), int(d)
            given = given_ids[i]
            existing = by_number.get((o, d))
            dept_ids[i] = given or existing or f"{o}-{d:03d}"
            if given and existing and given != existing:
                found.add(
                    row,
                    used["dept_id"],
                    given,
                    f"passer ikke med organisation {o} afdeling {d}, som har id '{existing}' i registret",
                    f"'{existing}'",
                )
            elif given and given in in_register and existing != given:
                found.add(row, used["dept_id"], given, "bruges allerede af en anden afdeling i registret", "et nyt id")
        if not np.isnan(org[i]):
            number = int(org[i])
            if org_texts[i]:
                org_names.setdefault(number, org_texts[i])
            if number not in orgs and number not in org_names:
                found.add(
                    row,
                    used["org_no"],
                    org_cells[i],
                    "er en ny boligorganisation uden navn",
                    "organisationens navn i kolonnen 'Boligorganisation'",
                )
        if "areas" in used:
            for area in re.split(r"[;,]", area_cells[i]):
                area = area.strip()
                if not area:
                    continue
                if area not in known_areas:
                    found.add(
                        row,
                        used["areas"],
                        area,
                        "er et ukendt område",
                        f"et område-id, der findes ({', '.join(sorted(known_areas)) or 'ingen'}); nye "
                        "ministerielle områder kommer med ministerlisten",
                    )
                elif valid:
                    memberships.append({"dept_id": dept_ids[i], "area_id": area})
        if "local_areas" in used:
            rec = {"dept_id": dept_ids[i]} if valid else {}
            _local_areas(found, local_raw[i], row, used["local_areas"], rec, kinds, local_names, memberships)
    frame["dept_id"] = dept_ids
    frame["org_no"], frame["dept_no"] = org, dept
    ids = frame["dept_id"].dropna()
    counts = ids.value_counts()
    for dept_id in sorted(counts.index[counts > 1]):
        where = ", ".join(f"række {r}" for r in ids.index[ids == dept_id])
        found.add_file(f"afdelingen '{dept_id}' optræder flere gange ({where})", "én række pr. afdeling")
    problems += found.problems()
    if problems:
        raise_problems(name, problems)
    # Columns the file lacks keep the register's values for known departments.
    frame = frame.set_index("dept_id")
    columns = REGISTER_COLUMNS + [c for c in register.columns if c not in REGISTER_COLUMNS]  # e.g. municipality
    present = [c for c in columns[1:] if c in frame.columns]
    stored = register.reindex(frame.index)
    out = stored[columns[1:]].astype(object)
    for col in present:  # same rows in the same order: no alignment needed
        out[col] = pd.Series(frame[col].to_numpy(dtype=object), index=out.index, dtype=object)
    for col in ("lat", "lon"):
        if col in present:  # blank coordinates keep the stored place (never wipe half of it)
            out[col] = out[col].where(frame[col].notna(), stored[col])
    out["bab_dwellings"] = out["bab_dwellings"].fillna(0)
    out = out.reset_index()[columns]
    for col in ("org_no", "dept_no", *_REGISTER_INTS, "year_built"):
        out[col] = pd.array(pd.to_numeric(out[col]), dtype="Int64")
    for col in ("lat", "lon", *_REGISTER_MEASURES):
        out[col] = out[col].astype(float)
    organisations = pd.DataFrame({"org_no": list(org_names), "name": list(org_names.values())}, dtype=object)
    return RegisterPlan(
        kind="stamdata",
        file_name=name,
        checksum=checksum(table),
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


def preview_register(store: Store, plan: RegisterPlan) -> KindPreview:
    """New departments, new names, and departments the file leaves out (kept)."""
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


def commit_register(store: Store, plan: RegisterPlan, actor: Actor) -> str:
    """Update organisations, departments and local areas in one transaction."""
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


def _local_areas(cells, raw, row, column, rec, kinds: dict, local_names: dict, memberships: list) -> None:
    """One cell of the "lokale områder" column: ``id=navn`` (create or rename) or ``id``, by ";"."""
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


class RegisterKind(TableKind):
    """``stamdata``: the department register."""

    name = "stamdata"
    label = "Afdelingsregister (stamdata)"
    field_table = FIELDS

    def check(self, store, table, *, options, mapping=None, today=None, progress=None) -> RegisterPlan:
        return validate_register(store, table, mapping=mapping, today=today)

    def preview(self, store, plan, rules) -> KindPreview:
        return preview_register(store, plan)

    def store(self, store, plan, actor) -> str:
        return commit_register(store, plan, actor)
