"""The one module that owns DuckDB: schema and migrations, reads, and the single write path.

Reads take their own cursor from the shared connection (DuckDB cursors are safe per thread);
writes go through :meth:`Store.transaction`, which serialises them with a lock and commits or
rolls back as one unit. User values only ever reach SQL as bound parameters or registered frames.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from . import catalogue
from .config import DEFAULT_RULE_SET, db_path
from .errors import UserError
from .rules import RuleSet, bundled_rule_sets, load_rule_set_text

SOURCES = ("Tvillingeværktøj", "Beboerdata", "Ministerliste", "Stamdata")
LIST_STATUSES = ("forebyggelse", "udsat", "parallelsamfund", "omdannelse")

# Each entry migrates the schema from version i to i + 1. Never edit a shipped entry: add one.
MIGRATIONS: list[str] = [
    f"""
    CREATE TABLE organisations (
        org_no INTEGER PRIMARY KEY,
        name VARCHAR NOT NULL
    );
    CREATE TABLE departments (
        dept_id VARCHAR PRIMARY KEY,
        org_no INTEGER NOT NULL REFERENCES organisations (org_no),
        dept_no INTEGER NOT NULL,
        name VARCHAR NOT NULL,
        neighbourhood VARCHAR,
        lat DOUBLE,
        lon DOUBLE,
        family_dwellings INTEGER NOT NULL CHECK (family_dwellings >= 0),
        bab_dwellings INTEGER NOT NULL DEFAULT 0 CHECK (bab_dwellings >= 0),
        dwellings_le_3500 INTEGER CHECK (dwellings_le_3500 >= 0),
        dwellings_3500_5000 INTEGER CHECK (dwellings_3500_5000 >= 0),
        dwellings_gt_5000 INTEGER CHECK (dwellings_gt_5000 >= 0),
        year_built INTEGER
    );
    CREATE TABLE areas (
        area_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL CHECK (kind IN ('ministeriel', 'lokal'))
    );
    CREATE TABLE department_areas (
        dept_id VARCHAR NOT NULL REFERENCES departments (dept_id),
        area_id VARCHAR NOT NULL REFERENCES areas (area_id),
        PRIMARY KEY (dept_id, area_id)
    );
    CREATE SEQUENCE release_ids START 1;
    CREATE TABLE releases (
        release_id INTEGER PRIMARY KEY DEFAULT nextval('release_ids'),
        label VARCHAR NOT NULL UNIQUE,
        source VARCHAR NOT NULL CHECK (source IN {SOURCES!r}),
        reference_date DATE NOT NULL,
        list_year INTEGER,
        n_values INTEGER NOT NULL DEFAULT 0,
        imported_at TIMESTAMP NOT NULL,
        imported_by VARCHAR NOT NULL,
        file_name VARCHAR,
        checksum VARCHAR
    );
    CREATE TABLE area_list_status (
        list_year INTEGER NOT NULL,
        area_id VARCHAR NOT NULL REFERENCES areas (area_id),
        status VARCHAR NOT NULL CHECK (status IN {LIST_STATUSES!r}),
        release_id INTEGER REFERENCES releases (release_id),
        PRIMARY KEY (list_year, area_id)
    );
    CREATE TABLE list_years (
        list_year INTEGER PRIMARY KEY,
        release_id INTEGER REFERENCES releases (release_id)
    );
    CREATE TABLE indicators (
        code VARCHAR PRIMARY KEY,
        label VARCHAR NOT NULL,
        unit VARCHAR NOT NULL,
        denominator VARCHAR NOT NULL,
        better VARCHAR NOT NULL
    );
    CREATE TABLE indicator_values (
        release_id INTEGER NOT NULL REFERENCES releases (release_id),
        dept_id VARCHAR NOT NULL REFERENCES departments (dept_id),
        indicator VARCHAR NOT NULL REFERENCES indicators (code),
        value DOUBLE,
        PRIMARY KEY (release_id, dept_id, indicator)
    );
    CREATE TABLE rule_sets (
        name VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        title VARCHAR NOT NULL,
        toml VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        created_by VARCHAR NOT NULL,
        adopted BOOLEAN NOT NULL DEFAULT false,
        adopted_at TIMESTAMP,
        adopted_by VARCHAR,
        PRIMARY KEY (name, version)
    );
    CREATE TABLE reference_values (
        name VARCHAR NOT NULL,
        year INTEGER NOT NULL,
        value DOUBLE NOT NULL,
        note VARCHAR,
        PRIMARY KEY (name, year)
    );
    CREATE TABLE meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL
    );
    """,
    # 2: the audit trail. Append-only: the application has no UPDATE or DELETE for it.
    """
    CREATE SEQUENCE audit_ids START 1;
    CREATE TABLE audit_log (
        event_id INTEGER PRIMARY KEY DEFAULT nextval('audit_ids'),
        logged_at TIMESTAMP NOT NULL,
        actor VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        object VARCHAR,
        file_name VARCHAR,
        checksum VARCHAR,
        n_rows INTEGER,
        details VARCHAR
    );
    """,
]

#: Actions the audit trail records (``audit_log.action``), with their Danish labels.
AUDIT_ACTIONS = {
    "import": "Indlæsning",
    "delete_release": "Sletning af udgivelse",
    "backup": "Sikkerhedskopi",
    "restore": "Gendannelse",
    "save_rule_set": "Regelsæt gemt",
    "adopt_rule_set": "Regelsæt vedtaget",
    "export": "Eksport",
}

SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class ReleaseData:
    """Everything the engine needs to classify one release, resolved "as of" its date.

    ``frame`` has one row per department: register columns, every indicator of the newest
    values release at or before this release, and the derived ``on_ministry_list`` /
    ``list_status`` from the newest ministry list in force.
    """

    label: str
    source: str
    reference_date: date
    values_label: str | None
    list_year: int | None
    refs: dict[str, float]
    ref_years: dict[str, int]
    frame: pd.DataFrame


def list_year_in_force(day: date) -> int:
    """The list year whose 1 December list is the newest one published on ``day``."""
    return day.year if day >= date(day.year, 12, 1) else day.year - 1


class Store:
    """A Trappetrin DuckDB file. Open with :meth:`open`; one instance per process."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | str):
        self._con = con
        self.path = Path(path)
        self._write_lock = threading.Lock()

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None) -> "Store":
        """Open (creating if needed) the database and migrate it to the current schema."""
        path = Path(path) if path is not None else db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            raise UserError(f"Databasen {path} kan ikke åbnes (bruges den af et andet program?): {exc}") from None
        store = cls(con, path)
        store._migrate()
        return store

    def close(self) -> None:
        self._con.close()

    def _migrate(self) -> None:
        with self.transaction() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)")
            current = cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
            if current > SCHEMA_VERSION:
                raise UserError(f"Databasen {self.path} er lavet af en nyere version af Trappetrin (skema {current}).")
            for version in range(current, SCHEMA_VERSION):
                cur.execute(MIGRATIONS[version])
                cur.execute("INSERT INTO schema_version VALUES (?, ?)", [version + 1, datetime.now()])
            if current == 0:
                self._seed(cur)

    def _seed(self, cur: duckdb.DuckDBPyConnection) -> None:
        """Catalogue, reference values and the bundled rule sets for a new database."""
        _insert_frame(cur, "indicators", catalogue.indicator_frame())
        _insert_frame(cur, "reference_values", catalogue.reference_frame()[["name", "year", "value", "note"]])
        now = datetime.now()
        for rs in bundled_rule_sets():
            adopted = rs.name == DEFAULT_RULE_SET
            cur.execute(
                "INSERT INTO rule_sets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [rs.name, rs.version, rs.title, rs.to_toml(), now, "system", adopted,
                 now if adopted else None, "system" if adopted else None],
            )

    # --- the write path -----------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The single write path: one writer at a time, all or nothing."""
        with self._write_lock:
            cur = self._con.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    # --- generic reads ------------------------------------------------------------------

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run a read query with bound parameters on a fresh cursor."""
        cur = self._con.cursor()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def scalar(self, sql: str, params: list | None = None):
        cur = self._con.cursor()
        try:
            row = cur.execute(sql, params or []).fetchone()
            return None if row is None else row[0]
        finally:
            cur.close()

    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    @property
    def is_demo(self) -> bool:
        return self.meta("demo") == "true"

    # --- register -----------------------------------------------------------------------

    def organisations(self) -> pd.DataFrame:
        return self.query("SELECT org_no, name FROM organisations ORDER BY name")

    def departments(self) -> pd.DataFrame:
        """The department register with organisation name, dwellings and area names."""
        return self.query(
            """
            SELECT d.*, o.name AS organisation, d.family_dwellings + d.bab_dwellings AS dwellings,
                   m.area_id, m.area_name, l.area_id AS local_area_id, l.area_name AS local_area_name
            FROM departments d
            JOIN organisations o USING (org_no)
            LEFT JOIN (SELECT da.dept_id, any_value(a.area_id) AS area_id, any_value(a.name) AS area_name
                       FROM department_areas da JOIN areas a USING (area_id)
                       WHERE a.kind = 'ministeriel' GROUP BY da.dept_id) m USING (dept_id)
            LEFT JOIN (SELECT da.dept_id, string_agg(a.area_id, ';' ORDER BY a.area_id) AS area_id,
                              string_agg(a.name, '; ' ORDER BY a.name) AS area_name
                       FROM department_areas da JOIN areas a USING (area_id)
                       WHERE a.kind = 'lokal' GROUP BY da.dept_id) l USING (dept_id)
            ORDER BY d.dept_id
            """
        )

    def areas(self) -> pd.DataFrame:
        return self.query("SELECT area_id, name, kind FROM areas ORDER BY kind, name")

    def department_areas(self) -> pd.DataFrame:
        return self.query("SELECT dept_id, area_id FROM department_areas ORDER BY dept_id, area_id")

    def list_status(self) -> pd.DataFrame:
        """Every area's ministry list status per list year (only listed areas have rows)."""
        return self.query(
            "SELECT s.list_year, s.area_id, a.name AS area_name, s.status "
            "FROM area_list_status s JOIN areas a USING (area_id) ORDER BY list_year, area_id"
        )

    def list_years(self) -> list[int]:
        rows = self.query(
            "SELECT list_year FROM list_years UNION SELECT DISTINCT list_year FROM area_list_status ORDER BY 1"
        )
        return [int(y) for y in rows["list_year"]]

    # --- releases -----------------------------------------------------------------------

    def releases(self) -> pd.DataFrame:
        """All releases, oldest first."""
        return self.query(
            "SELECT release_id, label, source, reference_date, list_year, n_values, imported_at, "
            "imported_by, file_name, checksum FROM releases ORDER BY reference_date, release_id"
        )

    def release_labels(self) -> list[str]:
        """Labels of the releases that can be classified (some values at or before them), oldest first."""
        rel = self.releases()
        if rel.empty:
            return []
        first_values = rel.loc[rel["n_values"] > 0, "reference_date"].min()
        if pd.isna(first_values):
            return []
        return rel.loc[rel["reference_date"] >= first_values, "label"].tolist()

    def latest_release(self) -> str | None:
        labels = self.release_labels()
        return labels[-1] if labels else None

    def _release_row(self, label: str) -> pd.Series:
        rel = self.releases()
        hit = rel[rel["label"] == label]
        if hit.empty:
            known = ", ".join(rel["label"]) or "ingen"
            raise UserError(f"Udgivelsen '{label}' findes ikke. Kendte udgivelser: {known}.")
        return hit.iloc[0]

    def reference_values(self) -> pd.DataFrame:
        return self.query("SELECT name, year, value, note FROM reference_values ORDER BY name, year")

    def refs_for_year(self, year: int) -> tuple[dict[str, float], dict[str, int]]:
        """Each reference value for ``year``: the newest at or before it, else the oldest."""
        ref = self.reference_values()
        values, years = {}, {}
        for name, group in ref.groupby("name"):
            before = group[group["year"] <= year]
            row = before.iloc[-1] if not before.empty else group.iloc[0]
            values[str(name)] = float(row["value"])
            years[str(name)] = int(row["year"])
        return values, years

    def release_data(self, label: str) -> ReleaseData:
        """Resolve a release "as of" its date: newest values, newest list, reference values."""
        row = self._release_row(label)
        day = pd.Timestamp(row["reference_date"]).date()
        rel = self.releases()
        with_values = rel[(rel["n_values"] > 0) & (rel["reference_date"] <= row["reference_date"])]
        values_label = None if with_values.empty else str(with_values.iloc[-1]["label"])
        long = None
        if values_label is not None:
            long = self.query(
                "SELECT v.dept_id, v.indicator, v.value FROM indicator_values v "
                "JOIN releases r USING (release_id) WHERE r.label = ?",
                [values_label],
            )
        return self.resolve_as_of(label, str(row["source"]), day, values_label, long)

    def resolve_as_of(self, label: str, source: str, day: date, values_label: str | None,
                      long: pd.DataFrame | None) -> ReleaseData:
        """The :class:`ReleaseData` for values in long form (dept_id, indicator, value) as of ``day``.

        Used by :meth:`release_data` for stored values and by the importer's preview for values
        not stored yet, so both resolve register, ministry list and reference values the same way.
        """
        depts = self.departments().set_index("dept_id")
        if long is not None:
            wide = long.pivot(index="dept_id", columns="indicator", values="value")
            wide.columns.name = None
            frame = depts.join(wide, how="inner")
        else:
            frame = depts.iloc[0:0].copy()
        for code in catalogue.indicators():
            if code not in frame.columns:
                frame[code] = float("nan")

        known_years = [y for y in self.list_years() if y <= list_year_in_force(day)]
        list_year = max(known_years) if known_years else None
        status = self.query(
            "SELECT area_id, status FROM area_list_status WHERE list_year = ?", [list_year]
        ).set_index("area_id")["status"]
        frame["list_status"] = frame["area_id"].map(status).astype("string")
        frame["on_ministry_list"] = frame["list_status"].notna().astype(float)
        refs, ref_years = self.refs_for_year(list_year if list_year is not None else day.year)
        frame.index.name = "dept_id"
        return ReleaseData(label, source, day, values_label, list_year, refs, ref_years, frame)

    def indicator_history(self, indicators: list[str] | None = None) -> pd.DataFrame:
        """Long table of indicator values across all values releases (release, date, dept, code, value)."""
        sql = (
            "SELECT r.label AS release, r.reference_date, v.dept_id, v.indicator, v.value "
            "FROM indicator_values v JOIN releases r USING (release_id)"
        )
        params: list = []
        if indicators:
            sql += " WHERE list_contains(?, v.indicator)"
            params.append(list(indicators))
        return self.query(sql + " ORDER BY r.reference_date, v.dept_id", params)

    # --- rule sets ----------------------------------------------------------------------

    def rule_set_index(self) -> pd.DataFrame:
        return self.query(
            "SELECT name, version, title, created_at, created_by, adopted, adopted_at, adopted_by "
            "FROM rule_sets ORDER BY name, version"
        )

    def rule_set(self, name: str, version: int | None = None) -> RuleSet:
        """A stored rule set; the newest version when ``version`` is None."""
        if version is None:
            version = self.scalar("SELECT max(version) FROM rule_sets WHERE name = ?", [name])
        text = self.scalar("SELECT toml FROM rule_sets WHERE name = ? AND version = ?", [name, version])
        if text is None:
            known = ", ".join(sorted(set(self.rule_set_index()["name"]))) or "ingen"
            raise UserError(f"Regelsættet '{name}' findes ikke. Kendte regelsæt: {known}.")
        return load_rule_set_text(text, source=f"databasen ({name} v{version})")

    def adopted_rule_set(self) -> RuleSet:
        row = self.query("SELECT name, version FROM rule_sets WHERE adopted ORDER BY adopted_at DESC LIMIT 1")
        if row.empty:
            return self.rule_set(DEFAULT_RULE_SET)
        return self.rule_set(str(row.iloc[0]["name"]), int(row.iloc[0]["version"]))

    def save_rule_set(self, rules: RuleSet, *, by: str, name: str | None = None, title: str | None = None) -> RuleSet:
        """Store ``rules`` as the next version of ``name`` (default: its own name); return it."""
        name = (name or rules.name).strip()
        if not name:
            raise UserError("Giv regelsættet et navn.")
        with self.transaction() as cur:
            version = cur.execute("SELECT coalesce(max(version), 0) + 1 FROM rule_sets WHERE name = ?", [name]).fetchone()[0]
            saved = rules.model_copy(update={"name": name, "version": int(version), "title": title or rules.title})
            cur.execute(
                "INSERT INTO rule_sets (name, version, title, toml, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                [name, int(version), saved.title, saved.to_toml(), datetime.now(), by],
            )
        return saved

    def adopt_rule_set(self, name: str, version: int, *, by: str) -> None:
        """Mark one stored rule set as the one in force, recording who and when."""
        self.rule_set(name, version)  # raises a UserError if unknown
        with self.transaction() as cur:
            cur.execute("UPDATE rule_sets SET adopted = false WHERE adopted")
            cur.execute(
                "UPDATE rule_sets SET adopted = true, adopted_at = ?, adopted_by = ? WHERE name = ? AND version = ?",
                [datetime.now(), by, name, version],
            )

    # --- audit trail --------------------------------------------------------------------

    def log_event(self, actor: str, action: str, object: str | None = None, *, file_name: str | None = None,
                  checksum: str | None = None, n_rows: int | None = None, details: dict | None = None,
                  cur: duckdb.DuckDBPyConnection | None = None) -> None:
        """Append one event to the audit trail.

        Pass ``cur`` (from :meth:`transaction`) to log inside the transaction of the action
        itself, so the action and its record are written together or not at all.
        """
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; known: {sorted(AUDIT_ACTIONS)}")
        row = [datetime.now(), str(actor or "ukendt"), action, object, file_name, checksum, n_rows,
               json.dumps(details, ensure_ascii=False, default=str) if details else None]
        sql = ("INSERT INTO audit_log (logged_at, actor, action, object, file_name, checksum, n_rows, details) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        if cur is not None:
            cur.execute(sql, row)
        else:
            with self.transaction() as own:
                own.execute(sql, row)

    def audit_log(self, *, actions: list[str] | None = None, actor: str | None = None,
                  since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
        """The audit trail, newest first, optionally filtered (all filters are bound parameters)."""
        where, params = ["true"], []
        if actions:
            where.append(f"action IN ({', '.join('?' for _ in actions)})")
            params += list(actions)
        if actor:
            where.append("actor = ?")
            params.append(actor)
        if since is not None:
            where.append("logged_at >= ?")
            params.append(since)
        if until is not None:
            where.append("logged_at < ?")
            params.append(until)
        return self.query(f"SELECT * FROM audit_log WHERE {' AND '.join(where)} ORDER BY event_id DESC", params)

    # --- bulk loading -------------------------------------------------------------------

    def load_demo(self, demo) -> None:
        """Load a :class:`trappetrin.demo.DemoData` into an empty database, in one transaction."""
        if self.scalar("SELECT count(*) FROM departments"):
            raise UserError("Databasen indeholder allerede data; demodata indlæses kun i en tom database.")
        now = datetime.now()
        with self.transaction() as cur:
            _insert_frame(cur, "organisations", demo.organisations[["org_no", "name"]])
            dept_cols = ["dept_id", "org_no", "dept_no", "name", "neighbourhood", "lat", "lon", "family_dwellings",
                         "bab_dwellings", "dwellings_le_3500", "dwellings_3500_5000", "dwellings_gt_5000", "year_built"]
            _insert_frame(cur, "departments", demo.departments[dept_cols])
            _insert_frame(cur, "areas", demo.areas[["area_id", "name", "kind"]])
            _insert_frame(cur, "department_areas", demo.department_areas[["dept_id", "area_id"]])
            counts = demo.values.groupby("release").size()
            rel = demo.releases.copy()
            rel["n_values"] = rel["label"].map(counts).fillna(0).astype(int)
            rel["imported_at"] = now
            rel["imported_by"] = "demo"
            _insert_frame(cur, "releases", rel[["label", "source", "reference_date", "list_year", "n_values",
                                                 "imported_at", "imported_by"]])
            ids = cur.execute("SELECT label, release_id FROM releases").df().set_index("label")["release_id"]
            status = demo.area_list_status.copy()
            list_release = rel.dropna(subset=["list_year"]).set_index("list_year")["label"].map(ids)
            status["release_id"] = status["list_year"].map(list_release).astype("Int64")
            _insert_frame(cur, "area_list_status", status[["list_year", "area_id", "status", "release_id"]])
            years = pd.DataFrame({"list_year": sorted(set(status["list_year"]) | set(list_release.index))})
            years["release_id"] = years["list_year"].map(list_release).astype("Int64")
            _insert_frame(cur, "list_years", years)
            values = demo.values.copy()
            values["release_id"] = values["release"].map(ids)
            _insert_frame(cur, "indicator_values", values[["release_id", "dept_id", "indicator", "value"]])
            cur.execute("INSERT OR REPLACE INTO meta VALUES ('demo', 'true')")


def _insert_frame(cur: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Insert a DataFrame by column name through a registered view (no values in SQL text)."""
    view = f"_incoming_{table}"
    cur.register(view, frame)
    try:
        cols = ", ".join(frame.columns)
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view}")
    finally:
        cur.unregister(view)


def open_store(path: Path | str | None = None, *, demo_if_empty: bool = False) -> Store:
    """Open the store; with ``demo_if_empty`` build the demo data into a new, empty database."""
    store = Store.open(path)
    if demo_if_empty and not store.scalar("SELECT count(*) FROM departments"):
        from .demo import build_demo

        store.load_demo(build_demo())
    return store
