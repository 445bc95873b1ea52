"""The agreement's follow-up data as imports (``fleksibel``, ``indmeldt``, ``anvist``,
``fogedsag``; see :mod:`trappetrin.followup_spec`): check a file row by row (:class:`Checker`,
also used by the page's table editor in :mod:`trappetrin.followup`), preview, commit.

A count row (flexible lettings, evictions) covers a period; a dwelling row (offered or used) has a
date and counts 1. A row that repeats another row of the file, or overlaps a stored one, is a problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from .. import formatting as fmt
from ..auth import Actor, require
from ..errors import UserError
from ..export import to_csv_danish
from ..followup_spec import DWELLING_KINDS, FOLLOWUP_FIELDS, FOLLOWUP_KINDS, KIND_NAMES, PERIOD_KINDS, TEMPLATE_HEADERS
from ..numbers import parse_number
from ..store import Store
from .base import KindPreview, TableKind, TablePlan
from .checks import MISSING_MARKERS, Cells, checksum, parse_date, require_columns, start, whole_rows
from .problems import Collector, file_problem, raise_problems

#: Plausible ranges of the values a row may hold (inclusive).
RENT_RANGE = (500.0, 25_000.0)  # kr. a month
ROOMS_RANGE = (1, 10)
AREA_RANGE = (10.0, 400.0)  # m²
COUNT_MAX = 10_000
EARLIEST = date(2000, 1, 1)
FUTURE_DAYS = 31


@dataclass(frozen=True)
class FollowupPlan(TablePlan):
    """Checked follow-up rows of one kind: frame ``rows`` (the columns of ``followup_rows``)."""


class Checker:
    """The register and today's date, to check rows of one kind (from a file or the editor)."""

    def __init__(self, store: Store, kind: str, today: date | None = None):
        self.kind = kind
        self.today = today or date.today()
        reg = store.query("SELECT dept_id, org_no, dept_no FROM departments")
        self.org_of = dict(zip(reg["dept_id"], reg["org_no"].astype(int)))
        self.by_number = {(int(o), int(d)): i for i, o, d in zip(reg["dept_id"], reg["org_no"], reg["dept_no"])}
        orgs = store.organisations()
        self.orgs = {int(o): str(n) for o, n in zip(orgs["org_no"], orgs["name"])}

    def _int(self, text: str, what: str, lo: float, hi: float, out: list) -> int | None:
        value = self._float(text, what, lo, hi, out, integer=True)
        return None if value is None else int(value)

    def _float(self, text: str, what: str, lo: float, hi: float, out: list, *, integer: bool = False) -> float | None:
        try:
            value = parse_number(text, ",")
        except ValueError:
            out.append(("", text, "er ikke et tal", what))
            return None
        if value is None:
            return None
        if integer and not float(value).is_integer():
            out.append(("", text, "er ikke et helt tal", what))
            return None
        if not lo <= value <= hi:
            out.append(("", text, "ligger uden for det mulige", what))
            return None
        return float(value)

    def _date(self, text: str, out: list) -> date | None:
        day = parse_date(text)
        latest = self.today + timedelta(days=FUTURE_DAYS)
        if day is None:
            out.append(("", text, "er ikke en dato", "fx 2026-03-31 eller 31-03-2026"))
            return None
        if not EARLIEST <= day <= latest:
            expected = f"en dato fra {fmt.date(EARLIEST)} til {fmt.date(latest)}"
            out.append(("", text, "ligger uden for det mulige", expected))
            return None
        return day

    def check(self, raw: dict[str, str]) -> tuple[dict, list[tuple[str, str, str, str]]]:
        """One row's fields (text) → (record, problems as (field, text, problem, expected))."""
        kind, problems = self.kind, []
        rec: dict = {"kind": kind}

        def field_problems(fld: str, found: list) -> None:
            problems.extend((fld, text, problem, expected) for _, text, problem, expected in found)

        text = {f: str(raw.get(f, "") if raw.get(f) is not None else "").strip() for f in FOLLOWUP_FIELDS[kind]}
        for f in text:
            if text[f] in MISSING_MARKERS:
                text[f] = ""
        # organisation and department
        org = dept = None
        if text.get("org_no"):
            found: list = []
            org = self._int(text["org_no"], "et organisationsnummer (helt tal)", 1, 10**9, found)
            field_problems("org_no", found)
            if org is not None and org not in self.orgs:
                problems.append(
                    (
                        "org_no",
                        text["org_no"],
                        "er ikke en kendt boligorganisation",
                        "et organisationsnummer "
                        f"fra afdelingsregistret ({', '.join(str(o) for o in sorted(self.orgs)) or 'ingen'})",
                    )
                )
                org = None
        if text.get("dept_id"):
            dept = text["dept_id"]
            if dept not in self.org_of:
                problems.append(
                    ("dept_id", dept, "findes ikke i afdelingsregistret", "en kendt afdeling, fx '101-003'")
                )
                dept = None
        elif text.get("dept_no"):
            found = []
            number = self._int(text["dept_no"], "et afdelingsnummer (helt tal)", 0, 10**9, found)
            field_problems("dept_no", found)
            if number is not None:
                if org is None:
                    if not text.get("org_no"):
                        problems.append(
                            (
                                "dept_no",
                                text["dept_no"],
                                "kan ikke slås op uden organisationsnummer",
                                "også et organisationsnummer (eller et afdelings-id)",
                            )
                        )
                else:
                    dept = self.by_number.get((org, number))
                    if dept is None:
                        problems.append(
                            (
                                "dept_no",
                                text["dept_no"],
                                f"findes ikke under organisation {org} i afdelingsregistret",
                                "en kendt afdeling",
                            )
                        )
        if dept is not None:
            owner = int(self.org_of[dept])
            if org is not None and org != owner:
                problems.append(
                    (
                        "org_no",
                        text["org_no"],
                        f"passer ikke med afdelingen '{dept}', som hører til organisation {owner}",
                        str(owner),
                    )
                )
            org = owner
        needs_dept = kind in DWELLING_KINDS
        if needs_dept and not (text.get("dept_id") or text.get("dept_no")):
            problems.append(("dept_id", "", "mangler", "afdelingen, boligen ligger i (afdelings-id)"))
        if not needs_dept and org is None and not (text.get("org_no") or text.get("dept_id") or text.get("dept_no")):
            problems.append(("org_no", "", "mangler", "et organisationsnummer eller et afdelings-id"))
        rec["org_no"], rec["dept_id"] = org, dept
        # dates
        if kind in PERIOD_KINDS:
            for f in ("period_start", "period_end"):
                found = []
                if not text[f]:
                    found.append(("", "", "mangler", "en dato, fx 2026-01-01"))
                    rec[f] = None
                else:
                    rec[f] = self._date(text[f], found)
                field_problems(f, found)
            if rec["period_start"] and rec["period_end"] and rec["period_end"] < rec["period_start"]:
                problems.append(
                    (
                        "period_end",
                        text["period_end"],
                        f"ligger før periodens start ({fmt.date(rec['period_start'])})",
                        "en slutdato på eller efter startdatoen",
                    )
                )
                rec["period_end"] = None
            rec["criterion"] = text.get("criterion") or None
            found = []
            if not text["count"]:
                found.append(("", "", "mangler", "et antal (helt tal, 0 eller derover)"))
                rec["count"] = None
            else:
                rec["count"] = self._int(text["count"], "et antal (helt tal, 0 eller derover)", 0, COUNT_MAX, found)
            field_problems("count", found)
        else:
            found = []
            if not text["date"]:
                found.append(("", "", "mangler", "en dato, fx 2026-03-31"))
                day = None
            else:
                day = self._date(text["date"], found)
            field_problems("date", found)
            rec["period_start"] = rec["period_end"] = day
            rec["count"] = 1
            found = []
            if not text["rent"]:
                found.append(("", "", "mangler", "en månedlig husleje i kr"))
                rec["rent"] = None
            else:
                rec["rent"] = self._float(
                    text["rent"],
                    f"en månedlig husleje fra {fmt.integer(RENT_RANGE[0])} til {fmt.integer(RENT_RANGE[1])} kr.",
                    *RENT_RANGE,
                    found,
                )
            field_problems("rent", found)
            found = []
            rec["rooms"] = (
                self._int(
                    text["rooms"], f"et antal værelser fra {ROOMS_RANGE[0]} til {ROOMS_RANGE[1]}", *ROOMS_RANGE, found
                )
                if text.get("rooms")
                else None
            )
            field_problems("rooms", found)
            found = []
            rec["area_m2"] = (
                self._float(
                    text["area_m2"],
                    f"et areal fra {fmt.integer(AREA_RANGE[0])} til {fmt.integer(AREA_RANGE[1])} m²",
                    *AREA_RANGE,
                    found,
                )
                if text.get("area_m2")
                else None
            )
            field_problems("area_m2", found)
        return rec, problems


def row_key(rec: dict) -> tuple:
    """What makes two rows the same: for counts the organisation, department, criterion (and an
    overlapping period, see :func:`_overlaps`); for dwellings also date, rooms and rent."""
    base = (rec["kind"], rec.get("org_no"), rec.get("dept_id") or "", rec.get("criterion") or "")
    if rec["kind"] in DWELLING_KINDS:
        return (*base, rec.get("period_start"), rec.get("rooms"), rec.get("rent"))
    return base


def overlaps(a: dict, b: dict) -> bool:
    if a["kind"] in DWELLING_KINDS:
        return True  # the key holds the date
    return a["period_start"] <= b["period_end"] and b["period_start"] <= a["period_end"]


def span(rec: dict) -> str:
    if rec["kind"] in DWELLING_KINDS:
        return fmt.date(rec["period_start"])
    return f"{fmt.date(rec['period_start'])}–{fmt.date(rec['period_end'])}"


def stored_records(store: Store, kind: str, exclude: set[int] | None = None) -> dict[tuple, list[dict]]:
    rows = store.query(
        "SELECT row_id, kind, org_no, dept_id, period_start, period_end, criterion, rooms, rent "
        "FROM followup_rows WHERE kind = ?",
        [kind],
    )
    out: dict[tuple, list[dict]] = {}
    for r in rows.to_dict("records"):
        if exclude and int(r["row_id"]) in exclude:
            continue
        r["period_start"] = pd.Timestamp(r["period_start"]).date()
        r["period_end"] = pd.Timestamp(r["period_end"]).date()
        r["rooms"] = None if pd.isna(r["rooms"]) else int(r["rooms"])
        r["rent"] = None if pd.isna(r["rent"]) else float(r["rent"])
        r["dept_id"] = None if pd.isna(r["dept_id"]) else r["dept_id"]
        r["criterion"] = None if pd.isna(r["criterion"]) else r["criterion"]
        out.setdefault(row_key(r), []).append(r)
    return out


def complete(rec: dict) -> bool:
    need = ["org_no", "period_start", "period_end", "count"]
    if rec["kind"] in DWELLING_KINDS:
        need += ["dept_id", "rent"]
    return all(rec.get(f) is not None for f in need)


# --- importing a file ----------------------------------------------------------------------------


def validate_followup(
    store: Store, kind: str, table: pd.DataFrame, *, mapping=None, today: date | None = None
) -> FollowupPlan:
    """Check a follow-up file of ``kind``; a plan, or a :class:`UserError` listing every problem."""
    if kind not in FOLLOWUP_KINDS:
        raise UserError(f"Ukendt slags opfølgningsdata '{kind}' – forventet en af: {', '.join(FOLLOWUP_KINDS)}.")
    name = table.attrs.get("file_name") or "filen"
    fields = FOLLOWUP_FIELDS[kind]
    used, ignored, problems = start(table, fields, mapping, name)
    ok = require_columns(kind, fields, used, table, name, problems)
    has_dept = "dept_id" in used or "dept_no" in used
    if kind in DWELLING_KINDS and not has_dept:
        problems.append(
            file_problem(
                name,
                "filen mangler en kolonne med afdelingen (fx 'Afdelings-id')",
                "én række pr. bolig med afdelingen, den ligger i. "
                f"Fundne kolonner: {', '.join(map(str, table.columns))}",
            )
        )
        ok = False
    if kind in PERIOD_KINDS and not (has_dept or "org_no" in used):
        problems.append(
            file_problem(
                name,
                "filen mangler en kolonne med organisationsnummer eller afdelings-id",
                f"'Organisationsnummer'. Fundne kolonner: {', '.join(map(str, table.columns))}",
            )
        )
        ok = False
    if "dept_no" in used and "dept_id" not in used and "org_no" not in used:
        problems.append(
            file_problem(
                name,
                "filen har afdelingsnummer uden organisationsnummer",
                "også kolonnen 'Organisationsnummer' (eller et afdelings-id)",
            )
        )
        ok = False
    if not ok or len(table) == 0:
        raise_problems(name, problems)
    table = whole_rows(table)
    file_checksum = checksum(table)
    done = store.query(_IMPORTED_BEFORE, [file_checksum, f'%"kind": "{kind}"%'])
    if not done.empty:
        problems.append(
            file_problem(name, f"filen er allerede indlæst ({fmt.datetime(done.iloc[0]['logged_at'])})", _NEW_FILE)
        )
    checker = Checker(store, kind, today)
    found_in = Collector(table, name)
    cell = Cells(table)
    stored = stored_records(store, kind)
    seen: dict[tuple, list[dict]] = {}
    records = []
    for row in table.index:
        raw = {f: str(cell[row, c]) for f, c in used.items()}
        rec, found = checker.check(raw)
        for fld, text, problem, expected in found:
            column = used.get(fld) or used.get("dept_id") or used.get("dept_no") or used.get("org_no") or ""
            found_in.add(row, column, text, problem, expected)
        if found or not complete(rec):
            continue
        rec["row"] = row
        key = row_key(rec)
        first_col = used.get("period_start") or used.get("date") or ""
        for other in seen.get(key, []):
            if overlaps(rec, other):
                found_in.add(
                    row,
                    first_col,
                    span(rec),
                    f"gentager række {other['row']} (samme organisation, afdeling og "
                    f"{'periode' if kind in PERIOD_KINDS else 'bolig'})",
                    f"hver {'periode' if kind in PERIOD_KINDS else 'bolig'} én gang",
                )
                break
        else:
            for other in stored.get(key, []):
                if overlaps(rec, other):
                    found_in.add(
                        row,
                        first_col,
                        span(rec),
                        f"overlapper en række, der allerede er gemt ({span(other)})",
                        "en ny periode (ret den gemte række på siden Opfølgning i stedet)",
                    )
                    break
            else:
                seen.setdefault(key, []).append(rec)
                records.append(rec)
    problems += found_in.problems()
    if problems:
        raise_problems(name, problems)
    frame = pd.DataFrame(records).drop(columns=["row"])
    for col in ("criterion", "rooms", "area_m2", "rent"):
        if col not in frame:
            frame[col] = None
    return FollowupPlan(
        kind=kind,
        file_name=name,
        checksum=file_checksum,
        rows=len(frame),
        frames={"rows": frame},
        columns=used,
        ignored_columns=ignored,
    )


def preview_followup(store: Store, plan: FollowupPlan) -> KindPreview:
    """What the commit adds: counts per organisation (no department values are shown)."""
    rows = plan.frames["rows"]
    orgs = store.organisations().set_index("org_no")["name"]
    per_org = rows.groupby("org_no").agg(rows=("count", "size"), total=("count", "sum")).reset_index()
    table = pd.DataFrame(
        {
            "Boligorganisation": per_org["org_no"].map(orgs).fillna(per_org["org_no"].astype(str)),
            "Rækker": [fmt.integer(x) for x in per_org["rows"]],
            "I alt": [fmt.integer(x) for x in per_org["total"]],
        }
    )
    first, last = min(rows["period_start"]), max(rows["period_end"])
    summary = [
        f"{KIND_NAMES[plan.kind]}: {fmt.integer(len(rows))} rækker, i alt {fmt.integer(rows['count'].sum())}, "
        f"fra {fmt.date(first)} til {fmt.date(last)}.",
        f"{fmt.integer(rows['dept_id'].notna().sum())} rækker med afdeling, "
        f"{fmt.integer(rows['org_no'].nunique())} boligorganisationer.",
    ]
    if plan.ignored_columns:
        summary.append("Ignorerede kolonner: " + ", ".join(plan.ignored_columns) + ".")
    return KindPreview(plan=plan, summary=summary, tables={"Pr. boligorganisation": table})


_STORED = ["kind", "org_no", "dept_id", "period_start", "period_end", "criterion", "count", "rooms", "area_m2", "rent"]


def typed_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Checked rows with the column types of the ``followup_rows`` table."""
    out = frame[_STORED].copy().astype(object)
    for col in ("org_no", "count", "rooms"):
        out[col] = pd.array(out[col], dtype="Int64")
    for col in ("area_m2", "rent"):
        out[col] = pd.to_numeric(out[col]).astype(float)
    out["period_start"] = pd.to_datetime(out["period_start"])
    out["period_end"] = pd.to_datetime(out["period_end"])
    for col in ("dept_id", "criterion"):
        out[col] = out[col].astype("string")
    return out


#: The newest import of a file with this checksum, of this kind (the audit trail records both).
_IMPORTED_BEFORE = (
    "SELECT logged_at FROM audit_log WHERE action = 'import' AND checksum = ? AND details LIKE ? "
    "ORDER BY logged_at DESC LIMIT 1"
)
_NEW_FILE = "en ny fil (ret enkelte rækker på siden Opfølgning)"


def commit_followup(store: Store, plan: FollowupPlan, actor: Actor) -> str:
    """Store a follow-up plan in one transaction with its audit record."""
    require(actor, "import")
    frame = typed_rows(plan.frames["rows"])
    frame["file_name"] = plan.file_name
    frame["imported_at"] = datetime.now()
    frame["imported_by"] = actor.label
    with store.transaction() as cur:
        # Checked again here: another import of the same file may have committed since the plan.
        done = cur.execute(_IMPORTED_BEFORE, [plan.checksum, f'%"kind": "{plan.kind}"%']).fetchone()
        if plan.checksum and done is not None:
            raise UserError(
                f"{plan.file_name}: filen er allerede indlæst ({fmt.datetime(done[0])}) – forventet {_NEW_FILE}. "
                "Intet er gemt."
            )
        cur.insert_frame("followup_rows", frame)
        store.log_event(
            actor.label,
            "import",
            KIND_NAMES[plan.kind],
            file_name=plan.file_name,
            checksum=plan.checksum,
            n_rows=plan.rows,
            details={"kind": plan.kind, "total": int(frame["count"].sum())},
            cur=cur,
        )
    return f"{KIND_NAMES[plan.kind]}: {fmt.integer(plan.rows)} rækker er gemt."


# --- templates ---------------------------------------------------------------------------------------------------

_EXAMPLES = {
    "fleksibel": [["104", "104-010", "2026-01-01", "2026-06-30", "Beskæftigelse eller uddannelse", "7"]],
    "indmeldt": [["104", "104-012", "2026-03-02", "2", "61,5", "3.450"]],
    "anvist": [["104", "104-012", "2026-03-20", "2", "61,5", "3.450"]],
    "fogedsag": [["147", "147-007", "2026-01-01", "2026-06-30", "3"]],
}


def template_csv(kind: str) -> bytes:
    """The import template of ``kind`` with one example row (CSV for Danish Excel)."""
    return to_csv_danish(pd.DataFrame(_EXAMPLES[kind], columns=TEMPLATE_HEADERS[kind]))


class FollowupKind(TableKind):
    """One kind of follow-up data (§7.2 of the agreement)."""

    def __init__(self, name: str, label: str):
        self.name = name
        self.label = label
        self.field_table = FOLLOWUP_FIELDS[name]

    def check(self, store, table, *, options, mapping=None, today=None, progress=None) -> FollowupPlan:
        return validate_followup(store, self.name, table, mapping=mapping, today=today)

    def preview(self, store, plan, rules) -> KindPreview:
        return preview_followup(store, plan)

    def store(self, store, plan, actor) -> str:
        return commit_followup(store, plan, actor)

    def missing_required(self, store, headers, mapping=None) -> list[str]:
        need = super().missing_required(store, headers, mapping)
        used = self.columns_used(headers, mapping)
        if not ({"dept_id", "dept_no", "org_no"} & set(used)):
            need.append("dept_id" if self.name in ("indmeldt", "anvist") else "org_no")
        return need
