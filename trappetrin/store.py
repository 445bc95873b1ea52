"""The one module that owns DuckDB: schema and migrations, reads, and the single write path.

Reads take their own cursor from the shared connection (DuckDB cursors are safe per thread);
writes go through :meth:`Store.transaction`, which serialises them with a lock and commits or
rolls back as one unit. User values only ever reach SQL as bound parameters or registered frames.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from . import catalogue, handover
from .auth import Actor, require
from .config import DEFAULT_RULE_SET, db_path
from .errors import UserError
from .rules import RuleSet, bundled_presentation, bundled_rule_sets, load_rule_set_text

T = TypeVar("T")

#: Any error DuckDB raises, for callers outside the store that must not import DuckDB themselves.
DatabaseError = duckdb.Error

SOURCES = ("Tvillingeværktøj", "Beboerdata", "Ministerliste", "Stamdata")
LIST_STATUSES = ("forebyggelse", "udsat", "parallelsamfund", "omdannelse")

#: The schema migrations, one numbered SQL file each in ``trappetrin/migrations/`` (``0001_….sql``
#: migrates version 0 to 1, and so on). Never edit a shipped file: add the next one.
MIGRATION_DIR = Path(__file__).with_name("migrations")


def _load_migrations() -> list[str]:
    files = sorted(MIGRATION_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    numbers = [int(f.name[:4]) for f in files]
    if numbers != list(range(1, len(files) + 1)):
        raise RuntimeError(f"migrations must be numbered 0001, 0002, … without gaps: {[f.name for f in files]}")
    return [f.read_text(encoding="utf-8") for f in files]


MIGRATIONS: list[str] = _load_migrations()

#: The department register's own columns (``departments``), as the demo and the register import write them.
DEPARTMENT_COLUMNS = (
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
)
#: Register columns added for twin search (migration 5); demo and import data may carry them.
MASTER_DATA_COLUMNS = ("mean_m2", "rent_per_m2", "pct_family_dwellings", "location_type")
#: ``departments.location_type`` code → Danish label: urban, suburban, rural.
LOCATION_TYPES = {"by": "By", "forstad": "Forstad", "land": "Land"}

#: The municipality of departments that have none recorded (``departments.municipality`` NULL).
DEFAULT_MUNICIPALITY = "Aalborg"

#: Actions the audit trail records (``audit_log.action``), with their Danish labels.
AUDIT_ACTIONS = {
    "import": "Indlæsning",
    "delete_release": "Sletning af udgivelse",
    "backup": "Sikkerhedskopi",
    "restore": "Gendannelse",
    "save_rule_set": "Regelsæt gemt",
    "adopt_rule_set": "Regelsæt vedtaget",
    "export": "Eksport",
    "edit_followup": "Opfølgningsdata rettet",
}

SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class ReleaseData:
    """Everything the engine needs to classify one release, resolved "as of" its date.

    ``frame`` has one row per department: register columns, every indicator of the newest
    values release at or before this release, and the derived ``on_ministry_list`` /
    ``list_status`` from the newest ministry list in force.

    ``absent`` holds the register rows (no indicators) of the departments that values release
    has no data for: they are shown as "ingen data", never classified.
    """

    label: str
    source: str
    reference_date: date
    values_label: str | None
    list_year: int | None
    refs: dict[str, float]
    ref_years: dict[str, int]
    frame: pd.DataFrame
    absent: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def register_size(self) -> int:
        """Departments in the register (for the municipality in view): with data and without."""
        return len(self.frame) + len(self.absent)


def list_year_in_force(day: date) -> int:
    """The list year whose 1 December list is the newest one published on ``day``."""
    return day.year if day >= date(day.year, 12, 1) else day.year - 1


class Transaction:
    """One open write transaction of a :class:`Store` (see :meth:`Store.transaction`)."""

    def __init__(self, cur: duckdb.DuckDBPyConnection):
        self._cur = cur

    def execute(self, sql: str, params: list | dict | None = None) -> duckdb.DuckDBPyConnection:
        """Run one statement with bound parameters; the result can be fetched (``.fetchone()``)."""
        return self._cur.execute(sql) if params is None else self._cur.execute(sql, params)

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` to ``table`` (columns by name)."""
        _insert_frame(self._cur, table, frame)

    def write_parquet(self, sql: str, path: Path | str) -> None:
        """Write the result of ``sql`` to a Parquet file, as this transaction sees the data (backups)."""
        self._cur.sql(sql).write_parquet(str(path))

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        """A read inside the transaction (sees its own uncommitted writes)."""
        return self.execute(sql, params).df()

    def scalar(self, sql: str, params: list | dict | None = None):
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]


class Store:
    """A Trappetrin DuckDB file. Open with :meth:`open`; one instance per process."""

    # Committed write transactions per database file in this process (see :attr:`generation`).
    _generations: dict[str, int] = {}
    _generations_lock = threading.Lock()

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | str):
        self._con = con
        self.path = Path(path)
        self._file = str(self.path.resolve())
        self._write_lock = threading.Lock()
        self._gate = handover.Gate()
        self._lease_from_app = None  # the socket to the app while it has stepped aside for us
        self._pending_reopen: duckdb.DuckDBPyConnection | None = None
        self._open_error: UserError | None = None
        self._broken = False  # a read met a damaged block (see check_health)

    @property
    def generation(self) -> int:
        """How many write transactions this process has committed to this database file.

        A cheap cache key for anything read from the file: every write goes through
        :meth:`transaction`, and while this process has the file open DuckDB's lock keeps every
        other process from writing to it. A command that had the file meanwhile (see
        :mod:`trappetrin.handover`) counts as a write.
        """
        return Store._generations.get(self._file, 0)

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None, *, notice: Callable[[str], None] | None = None) -> Store:
        """Open (creating if needed) the database and migrate it to the current schema.

        When the running app holds the file, it is asked to step aside until this store is
        closed (see :mod:`trappetrin.handover`); ``notice`` is told (in Danish) if that waits.
        A damaged file raises :class:`DatabaseBroken`.
        """
        path = Path(path) if path is not None else db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        con, lease = _connect(path, notice)
        store = cls(con, path)
        store._lease_from_app = lease
        if lease is not None:  # hand the file back when this process ends without closing it
            atexit.register(store.close)
        try:
            store._migrate()
        except duckdb.Error as exc:
            store.close()
            raise _translate(exc, path) from None
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close the file (and hand it back to the app, if it stepped aside for this store)."""
        con, self._con = self._con, None
        if con is not None:
            with contextlib.suppress(duckdb.Error):
                con.close()
        lease, self._lease_from_app = self._lease_from_app, None
        if lease is not None:
            lease.close()

    # --- sharing the file with the command line (see trappetrin.handover) ---------------

    def serve_commands(self) -> None:
        """Let ``python -m trappetrin`` commands use the file while this process holds it."""
        handover.Listener.start(self.path, self._stepped_aside)

    @contextmanager
    def _stepped_aside(self) -> Iterator[None]:
        """Close the file until the block ends (no query runs meanwhile), then open it again."""
        with self._write_lock, self._gate.exclusive():
            con, self._con = self._con, None
            if con is not None:
                with contextlib.suppress(duckdb.Error):
                    con.close()
            try:
                yield
            finally:
                self._con, self._open_error = _reconnect(self.path)
                _bump_generation(self._file)  # the command may have written: every cache is stale

    def _reopen(self, broken: duckdb.DuckDBPyConnection | None) -> None:
        """Replace a connection DuckDB invalidated (e.g. a checkpoint failed on a full disk)."""
        with self._gate.exclusive():
            if self._con is not broken:  # another thread did it already
                return
            if broken is not None:
                with contextlib.suppress(duckdb.Error):
                    broken.close()
            self._con, self._open_error = _reconnect(self.path)
            _bump_generation(self._file)

    @contextmanager
    def _lease(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection, held open for the block (a command waiting for the file waits for it)."""
        while True:
            with self._gate.read(timeout=BUSY_WAIT_S, on_timeout=lambda: UserError(BUSY_MESSAGE)):
                con = self._con
                if con is not None:
                    yield con
                    return
            self._reopen(None)  # opening again failed after a pause: try once more
            if self._con is None:
                raise self._open_error or DatabaseBroken(self.path)

    def _read(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run ``work`` on a fresh cursor; reopen once if DuckDB invalidated the connection."""
        for attempt in range(2):
            with self._lease() as con:
                try:
                    cur = con.cursor()
                    try:
                        return work(cur)
                    finally:
                        cur.close()
                except duckdb.Error as exc:
                    if attempt or not _invalidated(exc):
                        if _corrupt(exc):
                            self._broken = True
                            raise DatabaseBroken(self.path) from None
                        raise
            self._reopen(con)
        raise AssertionError("unreachable")

    def check_health(self) -> None:
        """Raise the Danish UserError that keeps this store from serving pages, if any.

        A command holding the file (a pause) is healthy; a damaged block met by any read is not.
        """
        if self._broken:
            raise DatabaseBroken(self.path)
        if self._gate.paused:
            return
        self.scalar("SELECT count(*) FROM schema_version")

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for several reads (closed after the block)."""
        with self._lease() as con:
            cur = con.cursor()
            try:
                yield cur
            finally:
                cur.close()

    def _migrate(self) -> None:
        with self.transaction() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
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
                [
                    rs.name,
                    rs.version,
                    rs.title,
                    rs.to_toml(),
                    now,
                    "system",
                    adopted,
                    now if adopted else None,
                    "system" if adopted else None,
                ],
            )

    # --- the write path -----------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """The single write path: one writer at a time, all or nothing.

        Yields a :class:`Transaction`: ``tx.execute(sql, params)`` and ``tx.insert_frame(table,
        frame)``; everything done through it commits together when the ``with`` block ends, or
        not at all when it raises. A commit that fails (say, on a full disk) is rolled back and reported in Danish; when
        DuckDB invalidated the connection on the way, it is opened again for the next use.
        """
        invalid = None
        failure = None
        with self._write_lock:
            with self._lease() as con:
                cur = con.cursor()
                try:
                    cur.execute("BEGIN TRANSACTION")
                    try:
                        yield Transaction(cur)
                    except BaseException as exc:
                        with contextlib.suppress(duckdb.Error):
                            cur.execute("ROLLBACK")
                        if isinstance(exc, duckdb.Error) and _invalidated(exc):
                            invalid = con
                        raise
                    try:
                        cur.execute("COMMIT")
                    except duckdb.Error as exc:
                        with contextlib.suppress(duckdb.Error):
                            cur.execute("ROLLBACK")
                        failure = exc
                        if _invalidated(exc):
                            invalid = con
                    else:
                        _bump_generation(self._file)
                finally:
                    with contextlib.suppress(duckdb.Error):
                        cur.close()
                    if invalid is not None:
                        self._pending_reopen = invalid
        if self._pending_reopen is not None:
            broken, self._pending_reopen = self._pending_reopen, None
            self._reopen(broken)
        if failure is not None:
            if _corrupt(failure):
                raise DatabaseBroken(self.path) from None
            raise UserError(
                f"Ændringerne kunne ikke gemmes i databasen {self.path} (er disken fuld?). Intet er gemt; "
                f"databasen er som før. Frigør plads og prøv igen. ({_first_line(failure)})"
            ) from None

    # --- generic reads ------------------------------------------------------------------

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        """Run a read query with bound parameters (positional ``?`` or named ``$name``) on a fresh cursor."""
        return self._read(lambda cur: cur.execute(sql, params or []).df())

    def scalar(self, sql: str, params: list | None = None):
        def one(cur):
            row = cur.execute(sql, params or []).fetchone()
            return None if row is None else row[0]

        return self._read(one)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own for a long read (a backup's table dumps); close it when done."""
        return self._con.cursor()

    def department_count(self) -> int:
        return int(self.scalar("SELECT count(*) FROM departments"))

    def boundary_version(self) -> str:
        """The checksums of the imported municipality boundaries ('' when none): a cache key."""
        return str(
            self.scalar(
                "SELECT coalesce(string_agg(coalesce(checksum, geom_id), ',' ORDER BY geom_id), '') "
                "FROM geometries WHERE kind = 'kommunegraense'"
            )
        )

    def releases_version(self) -> str:
        """Changes whenever a release is added or deleted: a cache key for anything read from releases."""
        return str(self.scalar("SELECT count(*) || ':' || coalesce(max(release_id), 0) FROM releases"))

    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    @property
    def is_demo(self) -> bool:
        return self.meta("demo") == "true"

    # --- register -----------------------------------------------------------------------

    def organisations(self) -> pd.DataFrame:
        return self.query("SELECT org_no, name FROM organisations ORDER BY name")

    def departments(self, municipality: str | None = None) -> pd.DataFrame:
        """The department register with organisation name, dwellings and area names.

        ``municipality`` keeps only that municipality's departments (None: all of them); the
        ``municipality`` column is never NULL (see :data:`DEFAULT_MUNICIPALITY`).
        """
        return self.query(
            """
            SELECT d.* REPLACE (coalesce(d.municipality, $default) AS municipality),
                   o.name AS organisation, d.family_dwellings + d.bab_dwellings AS dwellings,
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
            WHERE $municipality IS NULL OR coalesce(d.municipality, $default) = $municipality
            ORDER BY d.dept_id
            """,
            {"default": DEFAULT_MUNICIPALITY, "municipality": municipality},
        )

    def municipalities(self) -> pd.DataFrame:
        """Municipalities with departments: name and number of departments, by name."""
        return self.query(
            "SELECT coalesce(municipality, ?) AS municipality, count(*) AS departments "
            "FROM departments GROUP BY 1 ORDER BY 1",
            [DEFAULT_MUNICIPALITY],
        )

    def department_municipality(self, dept_id: str) -> str | None:
        """The municipality a department belongs to; None when there is no such department."""
        return self.scalar(
            "SELECT coalesce(municipality, ?) FROM departments WHERE dept_id = ?", [DEFAULT_MUNICIPALITY, dept_id]
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

    def release_row(self, label: str) -> pd.Series:
        """The row of :meth:`releases` for ``label``; a Danish error naming the known labels if there is none."""
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

    def release_data(self, label: str, municipality: str | None = None) -> ReleaseData:
        """Resolve a release "as of" its date: newest values, newest list, reference values.

        ``municipality`` keeps only that municipality's departments, filtered in DuckDB.
        """
        row = self.release_row(label)
        day = pd.Timestamp(row["reference_date"]).date()
        rel = self.releases()
        with_values = rel[(rel["n_values"] > 0) & (rel["reference_date"] <= row["reference_date"])]
        values_label = None if with_values.empty else str(with_values.iloc[-1]["label"])
        long = None
        if values_label is not None:
            long = self.query(
                "SELECT v.dept_id, v.indicator, v.value FROM indicator_values v "
                "JOIN releases r USING (release_id) JOIN departments d USING (dept_id) WHERE r.label = $label "
                "AND ($municipality IS NULL OR coalesce(d.municipality, $default) = $municipality)",
                {"label": values_label, "municipality": municipality, "default": DEFAULT_MUNICIPALITY},
            )
        return self.resolve_as_of(label, str(row["source"]), day, values_label, long, municipality=municipality)

    def resolve_as_of(
        self,
        label: str,
        source: str,
        day: date,
        values_label: str | None,
        long: pd.DataFrame | None,
        *,
        municipality: str | None = None,
    ) -> ReleaseData:
        """The :class:`ReleaseData` for values in long form (dept_id, indicator, value) as of ``day``.

        Used by :meth:`release_data` for stored values and by the indicator import's preview
        (:mod:`trappetrin.imports.indicators`) for values not stored yet, so both resolve register,
        ministry list and reference values the same way.
        """
        depts = self.departments(municipality).set_index("dept_id")
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
        status = self.query("SELECT area_id, status FROM area_list_status WHERE list_year = ?", [list_year]).set_index(
            "area_id"
        )["status"]
        frame["list_status"] = frame["area_id"].map(status).astype("string")
        frame["on_ministry_list"] = frame["list_status"].notna().astype(float)
        refs, ref_years = self.refs_for_year(list_year if list_year is not None else day.year)
        frame.index.name = "dept_id"
        absent = depts.loc[~depts.index.isin(frame.index)] if long is not None else depts.iloc[0:0]
        return ReleaseData(label, source, day, values_label, list_year, refs, ref_years, frame, absent)

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
        stored = load_rule_set_text(text, source=f"databasen ({name} v{version})")
        return stored.with_presentation(bundled_presentation())  # saved before [[outcome]] had symbols

    def adopted_rule_set(self) -> RuleSet:
        row = self.query("SELECT name, version FROM rule_sets WHERE adopted ORDER BY adopted_at DESC LIMIT 1")
        if row.empty:
            return self.rule_set(DEFAULT_RULE_SET)
        return self.rule_set(str(row.iloc[0]["name"]), int(row.iloc[0]["version"]))

    def save_rule_set(
        self, rules: RuleSet, *, actor: Actor, name: str | None = None, title: str | None = None
    ) -> RuleSet:
        """Store ``rules`` as the next version of ``name`` (default: its own name); return it.

        Needs the ``save_rule_set`` permission; the save and its audit record are one transaction.
        """
        require(actor, "save_rule_set")
        name = (name or rules.name).strip()
        if not name:
            raise UserError("Giv regelsættet et navn.")
        with self.transaction() as cur:
            version = cur.execute(
                "SELECT coalesce(max(version), 0) + 1 FROM rule_sets WHERE name = ?", [name]
            ).fetchone()[0]
            saved = rules.model_copy(update={"name": name, "version": int(version), "title": title or rules.title})
            cur.execute(
                "INSERT INTO rule_sets (name, version, title, toml, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                [name, int(version), saved.title, saved.to_toml(), datetime.now(), actor.label],
            )
            self.log_event(
                actor.label, "save_rule_set", f"{name} v{int(version)}", details={"title": saved.title}, cur=cur
            )
        return saved

    def adopt_rule_set(self, name: str, version: int, *, actor: Actor) -> None:
        """Mark one stored rule set as the one in force, recording who and when (and in the audit trail).

        Needs the ``adopt_rule_set`` permission.
        """
        require(actor, "adopt_rule_set")
        self.rule_set(name, version)  # raises a UserError if unknown
        with self.transaction() as cur:
            cur.execute("UPDATE rule_sets SET adopted = false WHERE adopted")
            cur.execute(
                "UPDATE rule_sets SET adopted = true, adopted_at = ?, adopted_by = ? WHERE name = ? AND version = ?",
                [datetime.now(), actor.label, name, version],
            )
            self.log_event(actor.label, "adopt_rule_set", f"{name} v{int(version)}", cur=cur)

    # --- audit trail --------------------------------------------------------------------

    def log_event(
        self,
        actor: str,
        action: str,
        object: str | None = None,
        *,
        file_name: str | None = None,
        checksum: str | None = None,
        n_rows: int | None = None,
        details: dict | None = None,
        cur: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        """Append one event to the audit trail.

        Pass ``cur`` (from :meth:`transaction`) to log inside the transaction of the action
        itself, so the action and its record are written together or not at all.
        """
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; known: {sorted(AUDIT_ACTIONS)}")
        row = [
            datetime.now(),
            str(actor or "ukendt"),
            action,
            object,
            file_name,
            checksum,
            n_rows,
            json.dumps(details, ensure_ascii=False, default=str) if details else None,
        ]
        sql = (
            "INSERT INTO audit_log (logged_at, actor, action, object, file_name, checksum, n_rows, details) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
        if cur is not None:
            cur.execute(sql, row)
        else:
            with self.transaction() as own:
                own.execute(sql, row)

    def audit_log(
        self,
        *,
        actions: list[str] | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> pd.DataFrame:
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

    # --- deleting releases, geometry, remembered mappings -------------------------------

    def release_dependants(self, label: str) -> dict[str, list[str]]:
        """Releases that would change if ``label`` went, by what they take from it.

        ``"list"``: for a ministry-list release, the later releases that resolve their list status
        from its list year. ``"values"``: for a release with indicator values, the later releases
        without values of their own that read these (a ministry list takes the newest values
        before it; without this release it would silently take older ones).
        """
        row = self.release_row(label)
        rel = self.releases()
        out: dict[str, list[str]] = {"list": [], "values": []}
        if not pd.isna(row["list_year"]):
            year = int(row["list_year"])
            later_years = [y for y in self.list_years() if y > year]
            for other in rel.itertuples():
                if other.label == label or other.reference_date < row["reference_date"]:
                    continue
                in_force = list_year_in_force(pd.Timestamp(other.reference_date).date())
                if in_force >= year and not any(y <= in_force for y in later_years):
                    out["list"].append(str(other.label))
        if row["n_values"] > 0:
            with_values = rel[rel["n_values"] > 0]
            for other in rel[rel["n_values"] == 0].itertuples():
                source = with_values[with_values["reference_date"] <= other.reference_date]
                if not source.empty and str(source.iloc[-1]["label"]) == label:
                    out["values"].append(str(other.label))
        return out

    def delete_release(self, label: str, *, actor: Actor) -> None:
        """Delete a release with its values and list rows, in one transaction with its audit record.

        Needs the ``delete_release`` permission. Refused when other releases depend on it (see
        :meth:`release_dependants`): delete those first.
        """
        require(actor, "delete_release")
        row = self.release_row(label)
        dependants = self.release_dependants(label)
        reasons = []
        if dependants["list"]:
            reasons.append(
                f"udgivelserne {', '.join(dependants['list'])} får deres listestatus fra den "
                f"(ministerlisten for {int(row['list_year'])})"
            )
        if dependants["values"]:
            many = len(dependants["values"]) > 1
            reasons.append(
                f"{'udgivelserne' if many else 'udgivelsen'} {', '.join(dependants['values'])} "
                f"henter {'deres' if many else 'sine'} tal fra den"
            )
        if reasons:
            raise UserError(f"Udgivelsen '{label}' kan ikke slettes: {'; '.join(reasons)}. Slet dem først.")
        release_id = int(row["release_id"])
        with self.transaction() as cur:
            n_values = cur.execute(
                "SELECT count(*) FROM indicator_values WHERE release_id = ?", [release_id]
            ).fetchone()[0]
            n_list = cur.execute("SELECT count(*) FROM area_list_status WHERE release_id = ?", [release_id]).fetchone()[
                0
            ]
            cur.execute("DELETE FROM indicator_values WHERE release_id = ?", [release_id])
            cur.execute("DELETE FROM area_list_status WHERE release_id = ?", [release_id])
            cur.execute("DELETE FROM list_years WHERE release_id = ?", [release_id])
            cur.execute("DELETE FROM releases WHERE release_id = ?", [release_id])
            self.log_event(
                actor.label,
                "delete_release",
                label,
                file_name=row["file_name"],
                checksum=row["checksum"],
                n_rows=int(n_values + n_list),
                details={"source": row["source"], "values": int(n_values), "list_rows": int(n_list)},
                cur=cur,
            )

    def geometries(self, kind: str | None = None) -> pd.DataFrame:
        """Stored geometries (GeoJSON text in EPSG:4326): the boundary and department polygons."""
        sql = "SELECT geom_id, kind, dept_id, name, geojson, source_crs, file_name, imported_at FROM geometries"
        if kind is None:
            return self.query(sql + " ORDER BY geom_id")
        return self.query(sql + " WHERE kind = ? ORDER BY geom_id", [kind])

    def boundary_geojson(self) -> dict | None:
        """The municipality boundary as a GeoJSON FeatureCollection (EPSG:4326), or None."""
        rows = self.geometries("kommunegraense")
        if rows.empty:
            return None
        features = [
            {"type": "Feature", "properties": {"name": r.name or ""}, "geometry": json.loads(r.geojson)}
            for r in rows.itertuples()
        ]
        return {"type": "FeatureCollection", "features": features}

    @staticmethod
    def _headers_key(headers) -> str:
        return json.dumps(sorted(str(h).strip() for h in headers), ensure_ascii=False)

    def saved_mapping(self, kind: str, headers) -> dict[str, str] | None:
        """The mapping the user gave for a file of ``kind`` with these headers; else the newest
        mapping of that kind whose columns all exist among ``headers``; else None."""
        headers = [str(h).strip() for h in headers]
        hit = self.scalar(
            "SELECT mapping FROM saved_mappings WHERE kind = ? AND headers = ?", [kind, self._headers_key(headers)]
        )
        if hit is not None:
            return json.loads(hit)
        present = set(headers)
        for text in self.query("SELECT mapping FROM saved_mappings WHERE kind = ? ORDER BY saved_at DESC", [kind])[
            "mapping"
        ]:
            mapping = json.loads(text)
            if mapping and set(mapping.values()) <= present:
                return mapping
        return None

    def save_mapping(self, kind: str, headers, mapping: dict[str, str], *, actor: Actor) -> None:
        """Remember ``mapping`` (field → column) for files of ``kind`` with these headers.

        Needs the ``import`` permission, like the import it belongs to.
        """
        require(actor, "import")
        clean = {str(k): str(v) for k, v in mapping.items() if v}
        with self.transaction() as cur:
            cur.execute(
                "INSERT OR REPLACE INTO saved_mappings VALUES (?, ?, ?, ?)",
                [kind, self._headers_key(headers), json.dumps(clean, ensure_ascii=False), datetime.now()],
            )

    # --- bulk loading -------------------------------------------------------------------

    def load_demo(self, demo) -> None:
        """Load a :class:`trappetrin.demo.DemoData` into an empty database, in one transaction."""
        if self.scalar("SELECT count(*) FROM departments"):
            raise UserError("Databasen indeholder allerede data; demodata indlæses kun i en tom database.")
        now = datetime.now()
        with self.transaction() as cur:
            _insert_frame(cur, "organisations", demo.organisations[["org_no", "name"]])
            dept_cols = [*DEPARTMENT_COLUMNS, *(c for c in MASTER_DATA_COLUMNS if c in demo.departments.columns)]
            departments = demo.departments[dept_cols]
            municipalities = getattr(demo, "municipalities", None)  # the national demo has them
            if municipalities is not None:
                departments = departments.merge(municipalities[["dept_id", "municipality"]], on="dept_id", how="left")
            _insert_frame(cur, "departments", departments)
            _insert_frame(cur, "areas", demo.areas[["area_id", "name", "kind"]])
            _insert_frame(cur, "department_areas", demo.department_areas[["dept_id", "area_id"]])
            counts = demo.values.groupby("release").size()
            rel = demo.releases.copy()
            rel["n_values"] = rel["label"].map(counts).fillna(0).astype(int)
            rel["imported_at"] = now
            rel["imported_by"] = "demo"
            _insert_frame(
                cur,
                "releases",
                rel[["label", "source", "reference_date", "list_year", "n_values", "imported_at", "imported_by"]],
            )
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


# --- opening, damage and locks ---------------------------------------------------------

#: How long a page view waits for the database while a command has it (see trappetrin.handover).
BUSY_WAIT_S = 60.0
BUSY_MESSAGE = (
    "Databasen bruges lige nu af en kommando fra kommandolinjen (python -m trappetrin …). "
    "Prøv igen om lidt, når den er færdig."
)
#: How long a command waits when another command (not the app) holds the file.
LOCK_WAIT_S = 30.0
#: How long the app tries to open its file again after a command had it.
REOPEN_WAIT_S = 30.0


class DatabaseBroken(UserError):
    """The database file is damaged or not a DuckDB database: restore it from a backup."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        super().__init__(
            f"Databasen {self.path} er beskadiget og kan ikke læses. Gendan den fra en sikkerhedskopi med "
            f"'python -m trappetrin restore MAPPE --yes' (MAPPE er sikkerhedskopiens mappe; den beskadigede "
            f"fil gemmes ved siden af som {self.path.name}.beskadiget-…)."
        )


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _lock_error(exc: BaseException) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def _invalidated(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.FatalException) or "database has been invalidated" in str(exc)


_CORRUPT_SIGNS = (
    "not a valid DuckDB database file",
    "Corrupt database file",
    "Could not read enough bytes",
    "does not match stored checksum",
    "Failed to deserialize",
    "Serialization Error",
)


def _corrupt(exc: BaseException) -> bool:
    return any(sign in str(exc) for sign in _CORRUPT_SIGNS)


def _translate(exc: duckdb.Error, path: Path) -> UserError:
    """A Danish UserError for DuckDB's error on opening ``path`` (never the lock hint unless a lock)."""
    if _corrupt(exc):
        return DatabaseBroken(path)
    if _lock_error(exc):
        return UserError(
            f"Databasen {path} bruges af et andet program og kunne ikke åbnes inden for {LOCK_WAIT_S:.0f} "
            f"sekunder. Prøv igen, når det er færdigt ({_first_line(exc)})."
        )
    return UserError(f"Databasen {path} kan ikke åbnes: {_first_line(exc)}")


def _connect(path: Path, notice: Callable[[str], None] | None):
    """Open ``path``; when the app holds it, ask it to step aside; wait a while for another command."""
    try:
        return duckdb.connect(str(path)), None
    except duckdb.Error as exc:
        if not _lock_error(exc):
            raise _translate(exc, path) from None
    lease = handover.ask_app_to_step_aside(path, notice=notice)
    deadline = time.monotonic() + (REOPEN_WAIT_S if lease is not None else LOCK_WAIT_S)
    told = lease is not None
    while True:
        try:
            return duckdb.connect(str(path)), lease
        except duckdb.Error as exc:
            if not _lock_error(exc) or time.monotonic() > deadline:
                if lease is not None:
                    lease.close()
                raise _translate(exc, path) from None
            if not told and notice is not None:
                notice(f"Databasen {path} bruges af et andet program; venter på den …")
                told = True
            time.sleep(0.1)


def _reconnect(path: Path) -> tuple[duckdb.DuckDBPyConnection | None, UserError | None]:
    """Open the app's file again after a command or a fatal error; else None and why."""
    deadline = time.monotonic() + REOPEN_WAIT_S
    while True:
        try:
            return duckdb.connect(str(path)), None
        except duckdb.Error as exc:
            if not _lock_error(exc) or time.monotonic() > deadline:
                return None, _translate(exc, path)
            time.sleep(0.05)


def _bump_generation(file: str) -> None:
    with Store._generations_lock:
        Store._generations[file] = Store._generations.get(file, 0) + 1


def _insert_frame(cur: duckdb.DuckDBPyConnection | Transaction, table: str, frame: pd.DataFrame) -> None:
    if isinstance(cur, Transaction):
        cur = cur._cur
    """Insert a DataFrame by column name through a registered view (no values in SQL text)."""
    view = f"_incoming_{table}"
    cur.register(view, frame)
    try:
        cols = ", ".join(frame.columns)
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view}")
    finally:
        cur.unregister(view)


def demo_mark(path: Path | str) -> bool | None:
    """Whether the database file at ``path`` is marked as demo data, read without migrating it.

    None when the file cannot be read as a Trappetrin database (another kind of file, damaged,
    or held by a running app).
    """
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'demo'").fetchone()
    except duckdb.Error:
        return None
    return bool(row and row[0] == "true")


def open_store(path: Path | str | None = None, *, notice: Callable[[str], None] | None = None) -> Store:
    """Open the store (a new file gets the schema; building the demo data is :mod:`trappetrin.bootstrap`'s).

    ``notice`` hears (in Danish) when opening waits for the app or another program.
    """
    return Store.open(path, notice=notice)
