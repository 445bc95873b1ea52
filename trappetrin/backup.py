"""Backup and restore of the whole database: one Parquet file per table and a manifest.

``backup`` reads every table in one transaction (a consistent snapshot) and writes
``<table>.parquet`` plus ``manifest.json`` (schema version, row counts, sha256 of every file).
``restore`` checks the whole folder first (manifest, schema version, files, checksums, columns,
row counts) and then replaces the content of every table in ONE transaction, so a bad folder
changes nothing and a good one replaces everything or nothing. Both need their permission and
write an audit record in their own transaction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from .auth import Actor, require
from .errors import UserError
from .store import SCHEMA_VERSION, Store

MANIFEST = "manifest.json"
FORMAT = "trappetrin-backup/1"
#: Sequences behind generated ids: (sequence, table, id column), advanced past restored ids.
SEQUENCES = (
    ("release_ids", "releases", "release_id"),
    ("audit_ids", "audit_log", "event_id"),
    ("followup_ids", "followup_rows", "row_id"),
)
#: Tables a restore leaves as they are (the audit trail is append-only).
KEEP_ON_RESTORE = frozenset({"audit_log"})


def _tables(cur) -> list[str]:
    rows = cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def _columns(cur, table: str) -> list[str]:
    rows = cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backup(store: Store, folder: Path | str, *, actor: Actor) -> Path:
    """Write a backup into ``folder`` (a new timestamped subfolder when ``folder`` is not empty).

    Returns the folder holding the backup.
    """
    require(actor, "backup")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} er en fil – forventet en mappe til sikkerhedskopien.")
    if folder.exists() and any(folder.iterdir()):
        folder = folder / f"trappetrin-{datetime.now():%Y%m%d-%H%M%S}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Mappen {folder} kan ikke oprettes: {exc.strerror or exc}.") from None
    manifest = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "created_at": datetime.now().isoformat(),
        "created_by": actor.label,
        "source": str(store.path),
        "tables": {},
    }
    with store.transaction() as cur:
        tables = _tables(cur)
        # The record goes in first, so the backup holds its own entry in the audit trail.
        counts = {t: int(cur.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}
        store.log_event(
            actor.label,
            "backup",
            str(folder),
            n_rows=sum(counts.values()) + 1,
            details={"tables": len(tables)},
            cur=cur,
        )
        for table in tables:
            path = folder / f"{table}.parquet"
            cur.write_parquet(f'SELECT * FROM "{table}"', path)
            rows = cur.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            manifest["tables"][table] = {"rows": int(rows), "columns": _columns(cur, table), "sha256": _sha256(path)}
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return folder


def check_backup(store: Store, folder: Path | str) -> dict:
    """The manifest of a complete, intact backup that fits this database; else a UserError
    listing every problem."""
    folder = Path(folder)
    if not (folder / MANIFEST).is_file():
        raise UserError(
            f"{folder} er ikke en sikkerhedskopi fra Trappetrin (der er ingen {MANIFEST}). Intet er ændret."
        )
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        tables = manifest["tables"]
        assert manifest.get("format") == FORMAT and isinstance(tables, dict)
    except (ValueError, KeyError, AssertionError, TypeError):
        raise UserError(
            f"{folder / MANIFEST} kan ikke læses som en Trappetrin-sikkerhedskopi. Intet er ændret."
        ) from None
    problems: list[str] = []
    if manifest.get("schema_version") != SCHEMA_VERSION:
        problems.append(
            f"sikkerhedskopien har skemaversion {manifest.get('schema_version')}, databasen "
            f"{SCHEMA_VERSION} – forventet samme version (tag en ny sikkerhedskopi med denne version)."
        )
    cur = store.cursor()
    try:
        here = _tables(cur)
        for table in sorted(set(here) - set(tables)):
            problems.append(f"tabellen '{table}' mangler i sikkerhedskopien – forventet alle databasens tabeller.")
        for table in sorted(set(tables) - set(here)):
            problems.append(f"tabellen '{table}' i sikkerhedskopien findes ikke i databasen.")
        for table in sorted(set(tables) & set(here)):
            info = tables[table]
            path = folder / f"{table}.parquet"
            if not path.is_file():
                problems.append(f"filen {path.name} mangler – forventet én Parquet-fil pr. tabel.")
                continue
            if _sha256(path) != info.get("sha256"):
                problems.append(f"filen {path.name} er ændret eller beskadiget (kontrolsummen passer ikke).")
                continue
            try:
                cols = [r[0] for r in cur.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()]
                rows = cur.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]
            except Exception as exc:  # noqa: BLE001 - a broken file is the folder's fault
                problems.append(f"filen {path.name} kan ikke læses: {str(exc).splitlines()[0]}.")
                continue
            if cols != _columns(cur, table):
                problems.append(
                    f"filen {path.name} har kolonnerne {', '.join(cols)} – forventet {', '.join(_columns(cur, table))}."
                )
            if rows != info.get("rows"):
                problems.append(f"filen {path.name} har {rows} rækker – manifestet siger {info.get('rows')}.")
    finally:
        cur.close()
    if problems:
        raise UserError(
            f"Sikkerhedskopien i {folder} kan ikke gendannes ({len(problems)} fejl). Intet er ændret.",
            problems=problems,
        )
    return manifest


def restore(store: Store, folder: Path | str, *, actor: Actor) -> dict:
    """Replace every table's content with the backup in ``folder``, in one transaction.

    Returns the backup's manifest. A folder that fails :func:`check_backup` changes nothing.
    The audit trail is not restored: it is append-only, so every event, including those after
    the backup was taken, stays, and the restore adds its own.
    """
    require(actor, "restore")
    folder = Path(folder)
    manifest = check_backup(store, folder)
    with store.transaction() as cur:
        for table in manifest["tables"]:
            if table in KEEP_ON_RESTORE:
                continue
            cur.execute(f'DELETE FROM "{table}"')
            cols = ", ".join(f'"{c}"' for c in manifest["tables"][table]["columns"])
            cur.execute(
                f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM read_parquet(?)', [str(folder / f"{table}.parquet")]
            )
        for sequence, table, column in SEQUENCES:
            top = cur.execute(f'SELECT coalesce(max("{column}"), 0) FROM "{table}"').fetchone()[0]
            now = cur.execute(f"SELECT nextval('{sequence}')").fetchone()[0]  # (skips one id; harmless)
            if top > now:
                cur.execute(f"SELECT max(nextval('{sequence}')) FROM range(?)", [int(top - now)])
        total = sum(t["rows"] for t in manifest["tables"].values())
        store.log_event(
            actor.label,
            "restore",
            str(folder),
            checksum=_sha256(folder / MANIFEST),
            n_rows=total,
            details={"created_at": manifest.get("created_at"), "created_by": manifest.get("created_by")},
            cur=cur,
        )
    return manifest
