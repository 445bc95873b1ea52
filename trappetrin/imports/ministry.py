"""The ministry's lists (``ministerliste``): which areas are listed with which status in a list
year, and which departments lie in them. Stored as a release of its own (source
"Ministerliste"), so colours before and after a new list can be compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from .. import formatting
from ..auth import Actor
from ..engine import classify
from ..errors import UserError
from ..export import to_csv_danish
from ..rules import RuleSet
from ..store import LIST_STATUSES, Store
from .base import KindPreview, TableKind, TablePlan
from .checks import Cells, checksum, department_ids, parse_date, require_columns, start, whole_rows
from .columns import DEPT_ALIASES, FieldTable, normalise_header
from .problems import (
    DATE_FIELD,
    LABEL_FIELD,
    YEAR_FIELD,
    Collector,
    field_problem,
    file_problem,
    raise_problems,
)

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

#: field → (Danish label, required?, accepted headers); see :mod:`.columns`.
FIELDS: FieldTable = {
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
    "dept_id": ("afdelings-id", False, DEPT_ALIASES["dept_id"]),
    "org_no": ("organisationsnummer", False, DEPT_ALIASES["org_no"]),
    "dept_no": ("afdelingsnummer", False, DEPT_ALIASES["dept_no"]),
}


@dataclass(frozen=True)
class MinistryListPlan(TablePlan):
    """A checked ministry list: frames ``areas`` (area_id, area_name, status) and ``members``
    (dept_id, area_id); ``options`` ``list_year`` and ``reference_date``."""

    label: str | None = None  # the release the list is stored as


def _slug(text: str) -> str:
    return re.sub(
        r"[^a-z0-9]+", "-", str(text).lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))
    ).strip("-")


def validate_ministry_list(
    store: Store, table: pd.DataFrame, *, options: dict, mapping=None, today: date | None = None
) -> MinistryListPlan:
    """Check a ministry list: one row per department in a listed area (area, status, department)."""
    name = table.attrs.get("file_name") or "filen"
    today = today or date.today()
    used, ignored, problems = start(table, FIELDS, mapping, name)
    has_cols = require_columns("ministerliste", FIELDS, used, table, name, problems)
    has_id = "dept_id" in used or ("org_no" in used and "dept_no" in used)
    if not has_id:
        problems.append(
            file_problem(
                name,
                "filen mangler en kolonne med afdelings-id (fx 'Afdelings-id') eller både organisationsnummer "
                "og afdelingsnummer",
                f"én række pr. afdeling i et område. Fundne kolonner: {', '.join(map(str, table.columns))}",
            )
        )
    # the list year and release
    raw_year = options.get("list_year")
    try:
        year = int(str(raw_year).strip())
    except (TypeError, ValueError):
        year = None
        problems.append(
            field_problem(YEAR_FIELD, f"Listeåret '{raw_year or ''}' er ikke et årstal", f"fx {today.year - 1}")
        )
    if year is not None:
        if not 2000 <= year <= today.year:
            problems.append(
                field_problem(YEAR_FIELD, f"Listeåret {year} er ikke muligt", f"et år fra 2000 til {today.year}")
            )
        elif year in store.list_years():
            problems.append(
                field_problem(
                    YEAR_FIELD,
                    f"Listeåret {year} findes allerede",
                    "et nyt listeår (slet den gamle ministerliste først, hvis den skal erstattes)",
                )
            )
    label = str(options.get("label") or (f"{year}-12" if year else "")).strip()
    if label and store.scalar("SELECT count(*) FROM releases WHERE label = ?", [label]):
        problems.append(
            field_problem(
                LABEL_FIELD,
                f"Udgivelsen '{label}' findes allerede, og en gemt udgivelse kan ikke ændres",
                "et nyt mærke",
            )
        )
    day = parse_date(options.get("reference_date") or (date(year, 12, 1) if year else ""))
    if day is None:
        problems.append(
            field_problem(
                DATE_FIELD, f"Datoen '{options.get('reference_date')}' er ikke en gyldig dato", "fx 2025-12-01"
            )
        )
    elif year is not None and day.year != year:
        problems.append(
            field_problem(
                DATE_FIELD, f"Datoen {formatting.date(day)} ligger ikke i listeåret {year}", f"fx 01.12.{year}"
            )
        )
    if not has_cols or not has_id or len(table) == 0:
        raise_problems(name, problems)
    table = whole_rows(table)
    cell = Cells(table)
    found = Collector(table, name)
    ids = department_ids(store, table, used, found)
    known_areas = store.areas()
    by_name = {normalise_header(n): a for a, n in zip(known_areas["area_id"], known_areas["name"])}
    rows = []
    for row in table.index:
        area_name = str(cell[row, used["area_name"]]).strip()
        area_id = str(cell[row, used["area_id"]]).strip() if "area_id" in used else ""
        if not area_name:
            found.add(row, used["area_name"], "", "er tom", "områdets navn")
            continue
        area_id = area_id or by_name.get(normalise_header(area_name)) or _slug(area_name)
        raw = str(cell[row, used["status"]]).strip()
        status = STATUS_WORDS.get(normalise_header(raw)) if raw else ""
        if status is None:
            found.add(
                row,
                used["status"],
                raw,
                "er ikke en kendt listestatus",
                f"{', '.join(LIST_STATUSES)} (eller tom, hvis området ikke er listet)",
            )
            continue
        rows.append({"row": row, "area_id": area_id, "area_name": area_name, "status": status, "dept_id": ids[row]})
    frame = pd.DataFrame(rows, columns=["row", "area_id", "area_name", "status", "dept_id"])
    for area_id, group in frame.groupby("area_id"):
        if group["status"].nunique() > 1:
            where = ", ".join(f"række {r}" for r in group["row"])
            found.add_file(
                f"området '{group['area_name'].iloc[0]}' har flere "
                f"statusser ({', '.join(sorted(set(group['status']) - {''}) or 'ingen')}; {where})",
                "én status pr. område",
            )
        stored = known_areas[known_areas["area_id"] == area_id]
        if not stored.empty and stored["kind"].iloc[0] != "ministeriel":
            found.add_file(
                f"området '{area_id}' er et lokalt område",
                "et ministerielt boligområde (giv det et andet område-id)",
            )
    problems += found.problems()
    if problems:
        raise_problems(name, problems)
    areas = frame.drop_duplicates("area_id")[["area_id", "area_name", "status"]].reset_index(drop=True)
    members = frame[frame["dept_id"] != ""][["dept_id", "area_id"]].drop_duplicates().reset_index(drop=True)
    return MinistryListPlan(
        kind="ministerliste",
        file_name=name,
        checksum=checksum(table),
        rows=len(table),
        frames={"areas": areas, "members": members},
        label=label,
        options={"list_year": year, "reference_date": day},
        columns=used,
        ignored_columns=ignored,
    )


def _ministry_outcomes(store: Store, plan: MinistryListPlan, rules: RuleSet) -> tuple[pd.Series, pd.Series, str | None]:
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


def preview_ministry_list(store: Store, plan: MinistryListPlan, rules: RuleSet) -> KindPreview:
    """The areas and their status before and after, and the colours the new list changes."""
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


def commit_ministry_list(store: Store, plan: MinistryListPlan, actor: Actor) -> str:
    """Store the list year, its release, areas, memberships and statuses in one transaction."""
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


class MinistryListKind(TableKind):
    """``ministerliste``: the ministry's list of areas for one list year."""

    name = "ministerliste"
    label = "Ministeriets lister (områder og status for et listeår)"
    commit_label = "Gem udgivelsen"
    field_table = FIELDS

    def check(self, store, table, *, options, mapping=None, today=None, progress=None) -> MinistryListPlan:
        """``options``: ``list_year`` (and optionally ``label``, ``reference_date``)."""
        return validate_ministry_list(store, table, options=options, mapping=mapping, today=today)

    def preview(self, store, plan, rules) -> KindPreview:
        return preview_ministry_list(store, plan, rules)

    def store(self, store, plan, actor) -> str:
        return commit_ministry_list(store, plan, actor)

    def missing_required(self, store, headers, mapping=None) -> list[str]:
        need = super().missing_required(store, headers, mapping)
        used = self.columns_used(headers, mapping)
        if "dept_id" not in used and not {"org_no", "dept_no"} <= set(used):
            need.append("dept_id")
        return need
