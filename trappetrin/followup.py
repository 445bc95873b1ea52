"""Follow-up data (agreement §7.2): flexible lettings, dwellings made available to and used by the
municipal allocation, and evictions (fogedsager), per organisation and where given per department.

They come in through the same path as releases (:mod:`trappetrin.imports`: plan → preview →
commit, every problem listed in Danish with file, row and column, nothing written on error, one
transaction with its audit record). An admin can correct rows in the app (:func:`edit_rows`):
the same checks, one transaction, one audit record per changed row with before and after.

Periods: a count row (flexible lettings, evictions) covers ``[period_start, period_end]``; a
dwelling row has both dates equal to its date and count 1. A row counts in a report period when
its whole period lies inside it (:func:`in_period`); rows that only overlap are reported apart.

No Streamlit here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from . import formatting as fmt
from .auth import Actor, require
from .errors import UserError
from .followup_spec import (
    DWELLING_KINDS,
    FOLLOWUP_FIELDS,
    FOLLOWUP_KINDS,
    KIND_NAMES,
    PERIOD_KINDS,
    TEMPLATE_HEADERS,
)
from .importer import MISSING_MARKERS, _parse_date, _raise
from .imports import KindPreview, RegisterPlan, _Cells, _checksum, _require_columns, _start
from .numbers import parse_number
from .store import Store, _insert_frame

__all__ = [
    "DWELLING_KINDS",
    "FOLLOWUP_KINDS",
    "KIND_NAMES",
    "PERIOD_KINDS",
    "Period",
    "commit_followup",
    "edit_rows",
    "followup_rows",
    "in_period",
    "preview_followup",
    "template_csv",
    "validate_followup",
]

#: Plausible ranges of the values a row may hold (inclusive).
RENT_RANGE = (500.0, 25_000.0)  # kr. a month
ROOMS_RANGE = (1, 10)
AREA_RANGE = (10.0, 400.0)  # m²
COUNT_MAX = 10_000
EARLIEST = date(2000, 1, 1)
FUTURE_DAYS = 31

#: Columns of :func:`followup_rows`.
ROW_COLUMNS = [
    "row_id",
    "kind",
    "org_no",
    "organisation",
    "dept_id",
    "department",
    "period_start",
    "period_end",
    "criterion",
    "count",
    "rooms",
    "area_m2",
    "rent",
    "file_name",
    "imported_at",
    "imported_by",
]

#: Editable fields per kind, in the order the editor shows them (Danish header → field).
EDITABLE = {kind: [f for f in FOLLOWUP_FIELDS[kind] if f != "dept_no"] for kind in FOLLOWUP_KINDS}


# --- periods -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A report period ``[start, end]`` (both days included)."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise UserError(
                f"Perioden slutter ({fmt.date(self.end)}) før den begynder ({fmt.date(self.start)}) – "
                "forventet en slutdato på eller efter startdatoen."
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def years(self) -> float:
        """The period's length in years (365.25 days), to scale yearly figures to it."""
        return self.days / 365.25

    def previous(self) -> Period:
        """The period of the same length just before: the year before a calendar year, the half
        or quarter before a half or quarter, else the same number of days."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            y, m = divmod(self.start.year * 12 + self.start.month - 1 - months, 12)
            start = date(y, m + 1, 1)
            return Period(start, self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def label(self) -> str:
        """Danish: ``2026``, ``1. halvår 2026``, ``3. kvartal 2026`` or ``01.01.2026–15.03.2026``."""
        s, e = self.start, self.end
        whole = s.day == 1 and (e + timedelta(days=1)).day == 1
        if whole and s.year == e.year:
            months = e.month - s.month + 1
            if months == 12:
                return str(s.year)
            if months == 6 and s.month in (1, 7):
                return f"{1 if s.month == 1 else 2}. halvår {s.year}"
            if months == 3 and s.month in (1, 4, 7, 10):
                return f"{(s.month - 1) // 3 + 1}. kvartal {s.year}"
        if whole and (s.month, e.month) == (1, 12):
            return f"{s.year}–{e.year}"
        return f"{fmt.date(s)}–{fmt.date(e)}"

    @classmethod
    def parse(cls, start: object, end: object) -> Period:
        """A period from two dates typed by a user (ISO or Danish day-month-year)."""
        a, b = _parse_date(start), _parse_date(end)
        problems = []
        if a is None:
            problems.append(f"Startdatoen '{start}' er ikke en dato – forventet fx 2026-01-01.")
        if b is None:
            problems.append(f"Slutdatoen '{end}' er ikke en dato – forventet fx 2026-12-31.")
        if problems:
            raise UserError("Perioden kan ikke læses.", problems=problems)
        return cls(a, b)


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def in_period(rows: pd.DataFrame, period: Period) -> pd.Series:
    """Rows whose whole period lies inside ``period``."""
    start = pd.to_datetime(rows["period_start"]).dt.date
    end = pd.to_datetime(rows["period_end"]).dt.date
    return (start >= period.start) & (end <= period.end)


def overlapping_only(rows: pd.DataFrame, period: Period) -> pd.Series:
    """Rows that overlap ``period`` without lying inside it (not counted; reported apart)."""
    start = pd.to_datetime(rows["period_start"]).dt.date
    end = pd.to_datetime(rows["period_end"]).dt.date
    return (start <= period.end) & (end >= period.start) & ~in_period(rows, period)


# --- reading -------------------------------------------------------------------------------------


def followup_rows(store: Store, kind: str | None = None) -> pd.DataFrame:
    """Stored follow-up rows with organisation and department names (oldest period first)."""
    if kind is not None and kind not in FOLLOWUP_KINDS:
        raise ValueError(f"unknown follow-up kind {kind!r}")
    out = store.query(
        """
        SELECT f.row_id, f.kind, f.org_no, o.name AS organisation, f.dept_id, d.name AS department,
               f.period_start, f.period_end, f.criterion, f.count, f.rooms, f.area_m2, f.rent,
               f.file_name, f.imported_at, f.imported_by
        FROM followup_rows f
        LEFT JOIN organisations o USING (org_no)
        LEFT JOIN departments d USING (dept_id)
        WHERE $kind IS NULL OR f.kind = $kind
        ORDER BY f.period_start, f.org_no, f.dept_id, f.row_id
        """,
        {"kind": kind},
    )
    for col in ("period_start", "period_end"):
        out[col] = pd.to_datetime(out[col]).dt.date
    return out[ROW_COLUMNS]


def has_followup(store: Store) -> bool:
    return bool(store.scalar("SELECT count(*) FROM followup_rows"))


def data_span(store: Store) -> tuple[date, date] | None:
    """First and last day any follow-up row covers, or None without follow-up data."""
    row = store.query("SELECT min(period_start) AS a, max(period_end) AS b FROM followup_rows").iloc[0]
    if pd.isna(row["a"]):
        return None
    return pd.Timestamp(row["a"]).date(), pd.Timestamp(row["b"]).date()


# --- checking one row ----------------------------------------------------------------------------


class _Checker:
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
            out.append(("", text, f"er ikke et tal – forventet {what}."))
            return None
        if value is None:
            return None
        if integer and not float(value).is_integer():
            out.append(("", text, f"er ikke et helt tal – forventet {what}."))
            return None
        if not lo <= value <= hi:
            out.append(("", text, f"ligger uden for det mulige – forventet {what}."))
            return None
        return float(value)

    def _date(self, text: str, out: list) -> date | None:
        day = _parse_date(text)
        latest = self.today + timedelta(days=FUTURE_DAYS)
        if day is None:
            out.append(("", text, "er ikke en dato – forventet fx 2026-03-31 eller 31-03-2026."))
            return None
        if not EARLIEST <= day <= latest:
            expected = f"en dato fra {fmt.date(EARLIEST)} til {fmt.date(latest)}"
            out.append(("", text, f"ligger uden for det mulige – forventet {expected}."))
            return None
        return day

    def check(self, raw: dict[str, str]) -> tuple[dict, list[tuple[str, str, str]]]:
        """One row's fields (text) → (record, problems as (field, text, problem))."""
        kind, problems = self.kind, []
        rec: dict = {"kind": kind}

        def field_problems(fld: str, found: list) -> None:
            problems.extend((fld, text, problem) for _, text, problem in found)

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
                        "er ikke en kendt boligorganisation – forventet et organisationsnummer "
                        f"fra afdelingsregistret ({', '.join(str(o) for o in sorted(self.orgs)) or 'ingen'}).",
                    )
                )
                org = None
        if text.get("dept_id"):
            dept = text["dept_id"]
            if dept not in self.org_of:
                problems.append(
                    ("dept_id", dept, "findes ikke i afdelingsregistret – forventet en kendt afdeling, fx '101-003'.")
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
                                "kan ikke slås op uden organisationsnummer – forventet "
                                "også et organisationsnummer (eller et afdelings-id).",
                            )
                        )
                else:
                    dept = self.by_number.get((org, number))
                    if dept is None:
                        problems.append(
                            (
                                "dept_no",
                                text["dept_no"],
                                f"findes ikke under organisation {org} i afdelingsregistret "
                                "– forventet en kendt afdeling.",
                            )
                        )
        if dept is not None:
            owner = int(self.org_of[dept])
            if org is not None and org != owner:
                problems.append(
                    (
                        "org_no",
                        text["org_no"],
                        f"passer ikke med afdelingen '{dept}', som hører til organisation {owner} – forventet {owner}.",
                    )
                )
            org = owner
        needs_dept = kind in DWELLING_KINDS
        if needs_dept and not (text.get("dept_id") or text.get("dept_no")):
            problems.append(("dept_id", "", "mangler – forventet afdelingen, boligen ligger i (afdelings-id)."))
        if not needs_dept and org is None and not (text.get("org_no") or text.get("dept_id") or text.get("dept_no")):
            problems.append(("org_no", "", "mangler – forventet et organisationsnummer eller et afdelings-id."))
        rec["org_no"], rec["dept_id"] = org, dept
        # dates
        if kind in PERIOD_KINDS:
            for f in ("period_start", "period_end"):
                found = []
                if not text[f]:
                    found.append(("", "", "mangler – forventet en dato, fx 2026-01-01."))
                    rec[f] = None
                else:
                    rec[f] = self._date(text[f], found)
                field_problems(f, found)
            if rec["period_start"] and rec["period_end"] and rec["period_end"] < rec["period_start"]:
                problems.append(
                    (
                        "period_end",
                        text["period_end"],
                        f"ligger før periodens start ({fmt.date(rec['period_start'])}) "
                        "– forventet en slutdato på eller efter startdatoen.",
                    )
                )
                rec["period_end"] = None
            rec["criterion"] = text.get("criterion") or None
            found = []
            if not text["count"]:
                found.append(("", "", "mangler – forventet et antal (helt tal, 0 eller derover)."))
                rec["count"] = None
            else:
                rec["count"] = self._int(text["count"], "et antal (helt tal, 0 eller derover)", 0, COUNT_MAX, found)
            field_problems("count", found)
        else:
            found = []
            if not text["date"]:
                found.append(("", "", "mangler – forventet en dato, fx 2026-03-31."))
                day = None
            else:
                day = self._date(text["date"], found)
            field_problems("date", found)
            rec["period_start"] = rec["period_end"] = day
            rec["count"] = 1
            found = []
            if not text["rent"]:
                found.append(("", "", "mangler – forventet en månedlig husleje i kr."))
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


def _key(rec: dict) -> tuple:
    """What makes two rows the same: for counts the organisation, department, criterion (and an
    overlapping period, see :func:`_overlaps`); for dwellings also date, rooms and rent."""
    base = (rec["kind"], rec.get("org_no"), rec.get("dept_id") or "", rec.get("criterion") or "")
    if rec["kind"] in DWELLING_KINDS:
        return (*base, rec.get("period_start"), rec.get("rooms"), rec.get("rent"))
    return base


def _overlaps(a: dict, b: dict) -> bool:
    if a["kind"] in DWELLING_KINDS:
        return True  # the key holds the date
    return a["period_start"] <= b["period_end"] and b["period_start"] <= a["period_end"]


def _span(rec: dict) -> str:
    if rec["kind"] in DWELLING_KINDS:
        return fmt.date(rec["period_start"])
    return f"{fmt.date(rec['period_start'])}–{fmt.date(rec['period_end'])}"


def _stored_records(store: Store, kind: str, exclude: set[int] | None = None) -> dict[tuple, list[dict]]:
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
        out.setdefault(_key(r), []).append(r)
    return out


def _complete(rec: dict) -> bool:
    need = ["org_no", "period_start", "period_end", "count"]
    if rec["kind"] in DWELLING_KINDS:
        need += ["dept_id", "rent"]
    return all(rec.get(f) is not None for f in need)


# --- importing a file ----------------------------------------------------------------------------


def validate_followup(
    store: Store, kind: str, table: pd.DataFrame, *, mapping=None, today: date | None = None
) -> RegisterPlan:
    """Check a follow-up file of ``kind``; a plan, or a :class:`UserError` listing every problem."""
    if kind not in FOLLOWUP_KINDS:
        raise UserError(f"Ukendt slags opfølgningsdata '{kind}' – forventet en af: {', '.join(FOLLOWUP_KINDS)}.")
    name = table.attrs.get("file_name") or "filen"
    used, ignored, problems = _start(table, kind, mapping, name)
    ok = _require_columns(kind, used, table, name, problems)
    has_dept = "dept_id" in used or "dept_no" in used
    if kind in DWELLING_KINDS and not has_dept:
        problems.append(
            f"{name}: filen mangler en kolonne med afdelingen (fx 'Afdelings-id') – forventet én række pr. bolig "
            f"med afdelingen, den ligger i. Fundne kolonner: {', '.join(map(str, table.columns))}."
        )
        ok = False
    if kind in PERIOD_KINDS and not (has_dept or "org_no" in used):
        problems.append(
            f"{name}: filen mangler en kolonne med organisationsnummer eller afdelings-id – forventet "
            f"'Organisationsnummer'. Fundne kolonner: {', '.join(map(str, table.columns))}."
        )
        ok = False
    if "dept_no" in used and "dept_id" not in used and "org_no" not in used:
        problems.append(
            f"{name}: filen har afdelingsnummer uden organisationsnummer – forventet også kolonnen "
            "'Organisationsnummer' (eller et afdelings-id)."
        )
        ok = False
    if not ok or len(table) == 0:
        _raise(name, problems)
    table = table.drop(index=[r for r in table.attrs.get("ragged_rows", []) if r in table.index])
    checksum = _checksum(table)
    done = store.query(
        "SELECT logged_at FROM audit_log WHERE action = 'import' AND checksum = ? AND details LIKE ? "
        "ORDER BY logged_at DESC LIMIT 1",
        [checksum, f'%"kind": "{kind}"%'],
    )
    if not done.empty:
        problems.append(
            f"{name}: filen er allerede indlæst ({fmt.datetime(done.iloc[0]['logged_at'])}) – forventet en ny fil "
            "(ret enkelte rækker på siden Opfølgning)."
        )
    checker = _Checker(store, kind, today)
    cells = _Cells(table, name)
    stored = _stored_records(store, kind)
    seen: dict[tuple, list[dict]] = {}
    records = []
    for row in table.index:
        raw = {f: str(table.at[row, c]) for f, c in used.items()}
        rec, found = checker.check(raw)
        for fld, text, problem in found:
            column = used.get(fld) or used.get("dept_id") or used.get("dept_no") or used.get("org_no") or ""
            cells.add(row, column, text, problem)
        if found or not _complete(rec):
            continue
        rec["row"] = row
        key = _key(rec)
        first_col = used.get("period_start") or used.get("date") or ""
        for other in seen.get(key, []):
            if _overlaps(rec, other):
                cells.add(
                    row,
                    first_col,
                    _span(rec),
                    f"gentager række {other['row']} (samme organisation, afdeling og "
                    f"{'periode' if kind in PERIOD_KINDS else 'bolig'}) – forventet hver "
                    f"{'periode' if kind in PERIOD_KINDS else 'bolig'} én gang.",
                )
                break
        else:
            for other in stored.get(key, []):
                if _overlaps(rec, other):
                    cells.add(
                        row,
                        first_col,
                        _span(rec),
                        f"overlapper en række, der allerede er gemt ({_span(other)}) – forventet en ny "
                        "periode (ret den gemte række på siden Opfølgning i stedet).",
                    )
                    break
            else:
                seen.setdefault(key, []).append(rec)
                records.append(rec)
    problems += cells.messages()
    if problems:
        _raise(name, problems)
    frame = pd.DataFrame(records).drop(columns=["row"])
    for col in ("criterion", "rooms", "area_m2", "rent"):
        if col not in frame:
            frame[col] = None
    return RegisterPlan(
        kind=kind,
        file_name=name,
        checksum=checksum,
        rows=len(frame),
        frames={"rows": frame},
        columns=used,
        ignored_columns=ignored,
    )


def preview_followup(store: Store, plan: RegisterPlan) -> KindPreview:
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


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
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


def commit_followup(store: Store, plan: RegisterPlan, actor: Actor) -> str:
    """Store a follow-up plan in one transaction with its audit record."""
    require(actor, "import")
    frame = _typed(plan.frames["rows"])
    frame["file_name"] = plan.file_name
    frame["imported_at"] = datetime.now()
    frame["imported_by"] = actor.label
    with store.transaction() as cur:
        _insert_frame(cur, "followup_rows", frame)
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


def insert_rows(store: Store, frame: pd.DataFrame, *, who: str, file_name: str | None = None) -> None:
    """Bulk insert already checked rows (the demo generator); not for user files."""
    out = _typed(frame)
    out["file_name"] = file_name
    out["imported_at"] = datetime.now()
    out["imported_by"] = who
    with store.transaction() as cur:
        _insert_frame(cur, "followup_rows", out)


# --- the table editor ----------------------------------------------------------------------------

#: Field → Danish column header in the editor.
EDITOR_HEADERS = {
    "org_no": "Organisationsnummer",
    "dept_id": "Afdelings-id",
    "period_start": "Fra",
    "period_end": "Til",
    "date": "Dato",
    "criterion": "Kriterium",
    "count": "Antal",
    "rooms": "Værelser",
    "area_m2": "Areal (m²)",
    "rent": "Husleje (kr.)",
}


def _cell(value: object, decimals: int = 0) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, date | pd.Timestamp):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, float | np.floating):
        return fmt.number(value, decimals, trim=True).replace(".", "")  # no thousands mark: it is typed back
    return str(value)


def _as_text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def editor_frame(rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Rows of one kind as text cells for the editor: Danish headers, decimal comma, ISO dates."""
    out = pd.DataFrame({"Række-id": rows["row_id"].astype(int).to_numpy()})
    for fld in EDITABLE[kind]:
        source = "period_start" if fld == "date" else fld
        digits = 2 if fld in ("area_m2", "rent") else 0
        out[EDITOR_HEADERS[fld]] = [_cell(v, digits) for v in rows[source]]
    return out


def edit_rows(store: Store, kind: str, edited: pd.DataFrame, *, actor: Actor, today: date | None = None) -> list[int]:
    """Apply the editor's changed rows of ``kind`` (text cells, :func:`editor_frame` layout).

    Every changed row is checked as an imported row would be (register, ranges, dates, overlap
    with the other stored rows); any problem refuses the whole change with every problem listed
    and nothing written. The updates and one audit record per row (before and after) are one
    transaction. Returns the ids of the rows that changed.
    """
    require(actor, "import")
    current = followup_rows(store, kind).set_index("row_id")
    before = editor_frame(current.reset_index(), kind).set_index("Række-id")
    edited = edited.copy()
    edited["Række-id"] = pd.to_numeric(edited["Række-id"], errors="coerce")
    edited = edited.dropna(subset=["Række-id"]).astype({"Række-id": int}).set_index("Række-id")
    unknown = sorted(set(edited.index) - set(before.index))
    if unknown:
        raise UserError(f"Række-id {', '.join(map(str, unknown))} findes ikke blandt de gemte rækker. Intet er gemt.")
    changed = [
        i
        for i in edited.index
        if any(str(edited.at[i, c] or "").strip() != str(before.at[i, c] or "").strip() for c in before.columns)
    ]
    if not changed:
        return []
    checker = _Checker(store, kind, today)
    stored = _stored_records(store, kind, exclude=set(changed))
    problems, records = [], {}
    header_of = {f: EDITOR_HEADERS[f] for f in EDITABLE[kind]}
    for i in changed:
        raw = {f: edited.at[i, h] for f, h in header_of.items()}
        rec, found = checker.check({k: _as_text(v) for k, v in raw.items()})
        for fld, text, problem in found:
            problems.append(f"Opfølgning, række-id {i}, kolonne '{header_of.get(fld, fld)}': '{text}' {problem}")
        if found or not _complete(rec):
            continue
        for other in stored.get(_key(rec), []) + [r for j, r in records.items() if _key(r) == _key(rec)]:
            if _overlaps(rec, other):
                problems.append(
                    f"Opfølgning, række-id {i}, kolonne '{header_of.get('period_start', header_of.get('date'))}': "
                    f"'{_span(rec)}' overlapper en anden gemt række ({_span(other)}) – forventet hver "
                    "periode eller bolig én gang."
                )
                break
        else:
            records[i] = rec
    if problems:
        raise UserError(f"Rettelserne kan ikke gemmes ({len(problems)} fejl). Intet er gemt.", problems=problems)
    with store.transaction() as cur:
        for i, rec in records.items():
            cur.execute(
                "UPDATE followup_rows SET org_no = ?, dept_id = ?, period_start = ?, period_end = ?, criterion = ?, "
                "count = ?, rooms = ?, area_m2 = ?, rent = ? WHERE row_id = ? AND kind = ?",
                [
                    rec["org_no"],
                    rec["dept_id"],
                    rec["period_start"],
                    rec["period_end"],
                    rec.get("criterion"),
                    rec["count"],
                    rec.get("rooms"),
                    rec.get("area_m2"),
                    rec.get("rent"),
                    int(i),
                    kind,
                ],
            )
            store.log_event(
                actor.label,
                "edit_followup",
                f"{KIND_NAMES[kind]}, række {i}",
                n_rows=1,
                details={
                    "kind": kind,
                    "row_id": int(i),
                    "before": {h: before.at[i, h] for h in header_of.values()},
                    "after": {h: _as_text(edited.at[i, h]) for h in header_of.values()},
                },
                cur=cur,
            )
    return list(records)


# --- templates -----------------------------------------------------------------------------------

_EXAMPLES = {
    "fleksibel": [["104", "104-010", "2026-01-01", "2026-06-30", "Beskæftigelse eller uddannelse", "7"]],
    "indmeldt": [["104", "104-012", "2026-03-02", "2", "61,5", "3.450"]],
    "anvist": [["104", "104-012", "2026-03-20", "2", "61,5", "3.450"]],
    "fogedsag": [["147", "147-007", "2026-01-01", "2026-06-30", "3"]],
}


def template_csv(kind: str) -> bytes:
    """The import template of ``kind`` with one example row (CSV for Danish Excel)."""
    frame = pd.DataFrame(_EXAMPLES[kind], columns=TEMPLATE_HEADERS[kind])
    return frame.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8-sig")


def checksum_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the five items for a period (page and report) -----------------------------------------------


def release_in_force(store: Store, day: date) -> str | None:
    """The newest classifiable release at or before ``day`` (else the first one; None without any)."""
    labels = store.release_labels()
    if not labels:
        return None
    rel = store.releases().set_index("label")
    before = [lb for lb in labels if pd.Timestamp(rel.at[lb, "reference_date"]).date() <= day]
    return before[-1] if before else labels[0]


def release_a_year_before(store: Store, label: str) -> str | None:
    """The release of the same source about a year before ``label`` (within 60 days), else the
    newest classifiable release at or before that day; None when there is none."""
    rel = store.releases().set_index("label")
    labels = store.release_labels()
    day = pd.Timestamp(rel.at[label, "reference_date"]).date()
    target = date(day.year - 1, day.month, min(day.day, 28))
    same = [
        lb
        for lb in labels
        if rel.at[lb, "source"] == rel.at[label, "source"]
        and abs((pd.Timestamp(rel.at[lb, "reference_date"]).date() - target).days) <= 60
    ]
    if same:
        return same[-1]
    before = [lb for lb in labels if pd.Timestamp(rel.at[lb, "reference_date"]).date() <= target]
    return before[-1] if before else None


@dataclass(frozen=True)
class Summary:
    """The agreement's follow-up items for a period, its previous period and the model."""

    period: Period
    previous: Period
    release: str | None  # the release in force at the period's end (colours, model)
    figures: dict[str, float]  # see :func:`summarise`
    per_org: pd.DataFrame  # organisation → offered, used, flex, evictions (+ *_prev)
    criteria: pd.DataFrame  # criterion → flex, flex_prev
    allocated: pd.DataFrame  # per department with used dwellings: position, outcome, used, offered
    by_step: pd.DataFrame  # outcome → offered, used (dwellings in departments of that colour)
    partial: dict[str, int]  # kind → rows overlapping the period without lying inside it

    def __getitem__(self, key: str) -> float:
        return self.figures[key]


def summarise(store: Store, rules, period: Period, params=None, *, result=None) -> Summary:
    """Offered, used, flexible lettings and evictions in ``period`` and the period before, with
    the step model's expectation (Anvisning capacity of the release in force, scaled to the
    period's length) and the need (``need_min``–``need_max`` a year, scaled likewise).

    ``figures`` keys: ``offered``, ``offered_prev``, ``offered_cheap``, ``offered_cheap_prev``,
    ``used``, ``used_prev``, ``used_cheap``, ``used_cheap_prev``, ``model_available``,
    ``model_cheap``, ``need_min``, ``need_max``, ``flex``, ``flex_prev``, ``evictions``,
    ``evictions_prev``, ``mean_rent_offered``, ``mean_rent_used``, ``years``.
    ``result`` may pass the classified release in force (a ``ReleaseResult``) to reuse it.
    """
    from . import capacity as cm
    from .colours import classify_release

    params = params or cm.load_params()
    previous = period.previous()
    rows = followup_rows(store)
    now, before = rows[in_period(rows, period)], rows[in_period(rows, previous)]
    cheap = params.cheap_limit

    def total(frame, kind, only_cheap=False):
        sel = frame[frame["kind"] == kind]
        if only_cheap:
            sel = sel[sel["rent"] <= cheap]
        return float(sel["count"].sum())

    label = release_in_force(store, period.end)
    model_available = model_cheap = float("nan")
    outcome = pd.Series(dtype=object)
    positions = pd.DataFrame(columns=["name", "organisation", "lat", "lon"])
    if label is not None:
        res = result if result is not None and result.data.label == label else classify_release(store, label, rules)
        cap = cm.capacity(res.data.frame, res.result, params)
        model_available = float(cap["available"].sum()) * period.years
        model_cheap = float(cap["available_cheap"].sum()) * period.years
        outcome = pd.Series(res.result.outcome, index=res.data.frame.index)
        positions = res.data.frame[["name", "organisation", "lat", "lon"]]
    figures = {
        "offered": total(now, "indmeldt"),
        "offered_prev": total(before, "indmeldt"),
        "offered_cheap": total(now, "indmeldt", True),
        "offered_cheap_prev": total(before, "indmeldt", True),
        "used": total(now, "anvist"),
        "used_prev": total(before, "anvist"),
        "used_cheap": total(now, "anvist", True),
        "used_cheap_prev": total(before, "anvist", True),
        "model_available": model_available,
        "model_cheap": model_cheap,
        "need_min": params.need_min * period.years,
        "need_max": params.need_max * period.years,
        "flex": total(now, "fleksibel"),
        "flex_prev": total(before, "fleksibel"),
        "evictions": total(now, "fogedsag"),
        "evictions_prev": total(before, "fogedsag"),
        "mean_rent_offered": float(now.loc[now["kind"] == "indmeldt", "rent"].mean()),
        "mean_rent_used": float(now.loc[now["kind"] == "anvist", "rent"].mean()),
        "years": period.years,
    }
    orgs = store.organisations()["name"].tolist()
    per_org = pd.DataFrame(index=pd.Index(sorted(orgs), name="organisation"))
    for kind, col in (("indmeldt", "offered"), ("anvist", "used"), ("fleksibel", "flex"), ("fogedsag", "evictions")):
        for frame, suffix in ((now, ""), (before, "_prev")):
            sel = frame[frame["kind"] == kind]
            per_org[col + suffix] = sel.groupby("organisation")["count"].sum().reindex(per_org.index).fillna(0)
    per_org = per_org.astype(float)
    flex_now = now[now["kind"] == "fleksibel"].fillna({"criterion": "Ikke oplyst"})
    flex_before = before[before["kind"] == "fleksibel"].fillna({"criterion": "Ikke oplyst"})
    criteria = pd.DataFrame(
        {
            "flex": flex_now.groupby("criterion")["count"].sum(),
            "flex_prev": flex_before.groupby("criterion")["count"].sum(),
        }
    ).fillna(0.0)
    criteria.index.name = "criterion"
    dwell = now[now["kind"].isin(DWELLING_KINDS) & now["dept_id"].notna()]
    counts = dwell.pivot_table(index="dept_id", columns="kind", values="count", aggfunc="sum", fill_value=0)
    counts = counts.reindex(columns=["indmeldt", "anvist"], fill_value=0).rename(
        columns={"indmeldt": "offered", "anvist": "used"}
    )
    allocated = counts.join(positions, how="left")
    allocated["outcome"] = outcome.reindex(allocated.index).fillna("").to_numpy()
    allocated.index.name = "dept_id"
    order = [o.code for o in rules.outcomes]
    by_step = (
        allocated[allocated["outcome"] != ""]
        .groupby("outcome")[["offered", "used"]]
        .sum()
        .reindex(order, fill_value=0)
        .astype(float)
    )
    partial = {kind: int((overlapping_only(rows, period) & (rows["kind"] == kind)).sum()) for kind in FOLLOWUP_KINDS}
    return Summary(period, previous, label, figures, per_org, criteria, allocated, by_step, partial)
