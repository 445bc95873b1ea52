"""Follow-up data (agreement §7.2): flexible lettings, dwellings made available to and used by the
municipal allocation, and evictions (fogedsager), per organisation and where given per department.

They come in through the same path as releases (:mod:`trappetrin.imports.followup`: plan →
preview → commit, every problem listed in Danish with file, row and column, nothing written on
error, one transaction with its audit record). An admin can correct rows in the app
(:func:`edit_rows`): the same checks (:class:`~trappetrin.imports.followup.Checker`), one
transaction, one audit record per changed row with before and after.

Periods: a count row (flexible lettings, evictions) covers ``[period_start, period_end]``; a
dwelling row has both dates equal to its date and count 1. A row counts in a report period when
its whole period lies inside it (:func:`in_period`); rows that only overlap are reported apart.

No Streamlit here.
"""

from __future__ import annotations

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
)
from .imports.checks import parse_date
from .imports.followup import Checker, complete, overlaps, row_key, span, stored_records, typed_rows
from .imports.problems import sentence
from .store import Store

__all__ = [
    "DWELLING_KINDS",
    "FOLLOWUP_KINDS",
    "KIND_NAMES",
    "PERIOD_KINDS",
    "Period",
    "edit_rows",
    "editor_frame",
    "followup_rows",
    "in_period",
    "summarise",
]

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
        a, b = parse_date(start), parse_date(end)
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


# --- rows the app writes -------------------------------------------------------------------------


def insert_rows(store: Store, frame: pd.DataFrame, *, who: str, file_name: str | None = None) -> None:
    """Bulk insert already checked rows (the demo generator); not for user files."""
    out = typed_rows(frame)
    out["file_name"] = file_name
    out["imported_at"] = datetime.now()
    out["imported_by"] = who
    with store.transaction() as cur:
        cur.insert_frame("followup_rows", out)


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
    checker = Checker(store, kind, today)
    stored = stored_records(store, kind, exclude=set(changed))
    problems, records = [], {}
    header_of = {f: EDITOR_HEADERS[f] for f in EDITABLE[kind]}
    for i in changed:
        raw = {f: edited.at[i, h] for f, h in header_of.items()}
        rec, found = checker.check({k: _as_text(v) for k, v in raw.items()})
        for fld, text, problem, expected in found:
            problems.append(
                f"Opfølgning, række-id {i}, kolonne '{header_of.get(fld, fld)}': '{text}' {sentence(problem, expected)}"
            )
        if found or not complete(rec):
            continue
        for other in stored.get(row_key(rec), []) + [r for j, r in records.items() if row_key(r) == row_key(rec)]:
            if overlaps(rec, other):
                problems.append(
                    f"Opfølgning, række-id {i}, kolonne '{header_of.get('period_start', header_of.get('date'))}': "
                    f"'{span(rec)}' overlapper en anden gemt række ({span(other)}) – forventet hver "
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
    need_source: str = ""  # where the need comes from ("" when none is given for the departments in view)

    def __getitem__(self, key: str) -> float:
        return self.figures[key]


#: The summary's figures that come from follow-up rows (not from the model or the need).
FOLLOWUP_FIGURES = ("offered", "offered_prev", "used", "used_prev", "flex", "flex_prev", "evictions", "evictions_prev")


def rows_in(rows: pd.DataFrame, departments: pd.DataFrame) -> pd.DataFrame:
    """The follow-up rows of ``departments`` (a register extract), and the organisation-level rows
    (no department) of the organisations they belong to."""
    own = rows["dept_id"].isin(departments["dept_id"])
    org_level = rows["dept_id"].isna() & rows["org_no"].isin(departments["org_no"])
    return rows[own | org_level]


def summarise(store: Store, rules, period: Period, params=None, *, result=None, municipality=None) -> Summary:
    """Offered, used, flexible lettings and evictions in ``period`` and the period before, with
    the step model's expectation (Anvisning capacity of the release in force, scaled to the
    period's length) and the need (``need_min``–``need_max`` a year, scaled likewise).

    ``figures`` keys: ``offered``, ``offered_prev``, ``offered_cheap``, ``offered_cheap_prev``,
    ``used``, ``used_prev``, ``used_cheap``, ``used_cheap_prev``, ``model_available``,
    ``model_cheap``, ``need_min``, ``need_max``, ``flex``, ``flex_prev``, ``evictions``,
    ``evictions_prev``, ``mean_rent_offered``, ``mean_rent_used``, ``years``.
    ``result`` may pass the classified release in force (a ``ReleaseResult``) to reuse it.
    ``municipality``: only that municipality's departments, and the rows of its departments and of
    the organisations that have departments there; ``per_org`` lists those organisations (None:
    everything stored).
    """
    from . import capacity as cm
    from .colours import classify_release

    params = params or cm.load_params()
    previous = period.previous()
    rows = followup_rows(store)
    organisations = store.organisations()
    if municipality is not None:
        departments = store.departments(municipality)
        rows = rows_in(rows, departments)
        organisations = organisations[organisations["org_no"].isin(departments["org_no"])]
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
        if result is not None and result.data.label == label:
            res = result
        else:
            res = classify_release(store, label, rules, municipality)
        cap = cm.capacity(res.data.frame, res.result, params)
        model_available = float(cap["available"].sum()) * period.years
        model_cheap = float(cap["available_cheap"].sum()) * period.years
        outcome = pd.Series(res.result.outcome, index=res.data.frame.index)
        # The municipality too, so a map of them can draw the land of the one in view.
        wanted = ("name", "organisation", "lat", "lon", "municipality")
        positions = res.data.frame[[c for c in wanted if c in res.data.frame]]
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
        # No need for departments it is not given for (Aalborg's is not another municipality's).
        "need_min": params.need_min * period.years if params.need_given else float("nan"),
        "need_max": params.need_max * period.years if params.need_given else float("nan"),
        "flex": total(now, "fleksibel"),
        "flex_prev": total(before, "fleksibel"),
        "evictions": total(now, "fogedsag"),
        "evictions_prev": total(before, "fogedsag"),
        "mean_rent_offered": float(now.loc[now["kind"] == "indmeldt", "rent"].mean()),
        "mean_rent_used": float(now.loc[now["kind"] == "anvist", "rent"].mean()),
        "years": period.years,
    }
    per_org = pd.DataFrame(index=pd.Index(sorted(organisations["name"]), name="organisation"))
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
    need_source = params.need_source if params.need_given else ""
    return Summary(period, previous, label, figures, per_org, criteria, allocated, by_step, partial, need_source)
