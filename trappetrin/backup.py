"""Backup and restore of the whole database: one Parquet file per table and a signed manifest.

``backup`` reads every table in one transaction (a consistent snapshot) and writes
``<table>.parquet`` plus ``manifest.json`` (schema version, row counts, columns, sha256 of every
file) into a temporary folder that is renamed into place at the end, so a failed backup (a full
disk) leaves nothing behind. The folder is the owner's only (0700, files 0600): a backup holds
every confidential value, the ones under the discretion limit included.

The manifest is signed with an HMAC-SHA256 under a key kept outside the backup (see
:func:`backup_key`), so a backup changed consistently (files and checksums, or a cut column list)
is refused. ``restore`` checks the whole folder first (signature, manifest, schema version, files,
checksums, columns, row counts) and then replaces the content of every table in ONE transaction,
so a bad folder changes nothing and a good one replaces everything or nothing. Both need their
permission and write an audit record in their own transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import tempfile
import tomllib
from datetime import datetime
from pathlib import Path

import duckdb

from .auth import Actor, require
from .config import ROOT
from .errors import UserError
from .store import SCHEMA_VERSION, Store

MANIFEST = "manifest.json"
FORMAT = "trappetrin-backup/2"  # /1 had no signature
#: The backup key: this environment variable, else ``[backup] key`` in .streamlit/secrets.toml,
#: else a key file beside the database (made on the first backup, owner-only).
KEY_ENV = "TRAPPETRIN_BACKUP_KEY"
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"
KEY_SUFFIX = ".backupkey"


def key_file(db: Path | str) -> Path:
    db = Path(db)
    return db.with_name(db.name + KEY_SUFFIX)


def backup_key(db: Path | str, *, create: bool = False) -> tuple[bytes, str] | None:
    """The key that signs backups, and where it came from (for messages); None when there is none.

    Order: ``$TRAPPETRIN_BACKUP_KEY``; ``key`` in the ``[backup]`` section of
    .streamlit/secrets.toml; the file ``<database>.backupkey``. With ``create``, a missing key
    file is made (32 random bytes, hex, mode 0600). Keep a copy of the key apart from the
    backups: without it no backup can be restored.
    """
    value = os.environ.get(KEY_ENV, "").strip()
    if value:
        return value.encode("utf-8"), f"miljøvariablen {KEY_ENV}"
    if SECRETS_FILE.is_file():
        try:
            section = tomllib.loads(SECRETS_FILE.read_text(encoding="utf-8")).get("backup") or {}
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            section = {}
        value = str(section.get("key") or "").strip() if isinstance(section, dict) else ""
        if value:
            return value.encode("utf-8"), f"[backup] key i {SECRETS_FILE}"
    path = key_file(db)
    if not path.exists() and create:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_hex(32) + "\n")
    if path.is_file():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value.encode("utf-8"), f"nøglefilen {path}"
    return None


def _signature(manifest: dict, key: bytes) -> str:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _key_id(key: bytes) -> str:
    """A short fingerprint of the key (names which key signed a backup, reveals nothing of it)."""
    return hashlib.sha256(b"trappetrin-backup-key-id:" + key).hexdigest()[:12]


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

    Returns the folder holding the backup. Nothing is left behind when writing fails.
    """
    require(actor, "backup")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} er en fil – forventet en mappe til sikkerhedskopien.")
    if folder.exists() and any(folder.iterdir()):
        folder = folder / f"trappetrin-{datetime.now():%Y%m%d-%H%M%S}"
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        found = backup_key(store.path, create=True)
        if found is None:
            raise UserError(f"Nøglefilen {key_file(store.path)} er tom; slet den, så laves en ny, eller sæt {KEY_ENV}.")
        key = found[0]
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".ufærdig", dir=folder.parent))  # 0700
    except OSError as exc:
        raise UserError(f"Mappen {folder} kan ikke oprettes: {exc.strerror or exc}.") from None
    manifest = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "created_at": datetime.now().isoformat(),
        "created_by": actor.label,
        "source": str(store.path),
        "key_id": _key_id(key),
        "tables": {},
    }
    renamed = False
    try:
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
                path = work / f"{table}.parquet"
                cur.write_parquet(f'SELECT * FROM "{table}"', path)
                os.chmod(path, 0o600)
                rows = cur.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                manifest["tables"][table] = {
                    "rows": int(rows),
                    "columns": _columns(cur, table),
                    "sha256": _sha256(path),
                }
            manifest["signature"] = _signature(manifest, key)
            fd = os.open(work / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(manifest, indent=2, ensure_ascii=False))
                f.flush()
                os.fsync(f.fileno())
            # Still inside the transaction: if the rename fails, the audit record goes too.
            os.replace(work, folder)  # (an existing folder here is empty)
            renamed = True
    except BaseException as exc:
        shutil.rmtree(work, ignore_errors=True)
        if renamed:  # the commit failed after the rename: no backup without its audit record
            shutil.rmtree(folder, ignore_errors=True)
        if not isinstance(exc, OSError | duckdb.Error):
            raise
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).strip().splitlines()[0]
        raise UserError(
            f"Sikkerhedskopien kunne ikke skrives til {folder} (er disken fuld?): {reason}. "
            "Intet er gemt; databasen er uændret."
        ) from None
    return folder


def check_backup(store: Store, folder: Path | str, *, key_of: Path | str | None = None) -> dict:
    """The manifest of a complete, intact, correctly signed backup that fits this database; else a
    UserError listing every problem. ``key_of``: the database whose key file applies (default: this one)."""
    folder = Path(folder)
    if not (folder / MANIFEST).is_file():
        raise UserError(
            f"{folder} er ikke en sikkerhedskopi fra Trappetrin (der er ingen {MANIFEST}). Intet er ændret."
        )
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        tables = manifest["tables"]
        assert isinstance(tables, dict)
    except (ValueError, KeyError, AssertionError, TypeError):
        raise UserError(
            f"{folder / MANIFEST} kan ikke læses som en Trappetrin-sikkerhedskopi. Intet er ændret."
        ) from None
    if manifest.get("format") != FORMAT:
        raise UserError(
            f"{folder} er en sikkerhedskopi i formatet {manifest.get('format')!r} uden underskrift; den kan ikke "
            f"kontrolleres og gendannes ikke (forventet {FORMAT}). Intet er ændret."
        )
    problems: list[str] = []
    key_of = Path(key_of) if key_of is not None else store.path
    found = backup_key(key_of)
    if found is None:
        raise UserError(
            f"Sikkerhedskopiens underskrift kan ikke kontrolleres: der er ingen nøgle (sæt {KEY_ENV}, "
            f"[backup] key i {SECRETS_FILE} eller læg nøglefilen {key_file(key_of)} fra den database, "
            "der tog kopien). Intet er ændret."
        )
    key, source = found
    signature = manifest.get("signature")
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _signature(manifest, key)):
        other = manifest.get("key_id") not in (None, _key_id(key))
        raise UserError(
            f"Sikkerhedskopien i {folder} kan ikke gendannes: manifestets underskrift passer ikke med nøglen "
            f"fra {source}"
            + (" (kopien er underskrevet med en anden nøgle)" if other else " – kopien er ændret efter den blev taget")
            + ". Intet er ændret."
        )
    if manifest.get("schema_version") != SCHEMA_VERSION:
        problems.append(
            f"sikkerhedskopien har skemaversion {manifest.get('schema_version')}, databasen "
            f"{SCHEMA_VERSION} – forventet samme version (tag en ny sikkerhedskopi med denne version)."
        )
    with store.reading() as cur:
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
            if info.get("columns") != _columns(cur, table):
                problems.append(
                    f"manifestet giver tabellen '{table}' kolonnerne {', '.join(map(str, info.get('columns') or []))} "
                    f"– forventet {', '.join(_columns(cur, table))} (en smallere kopi ville tømme de manglende)."
                )
            if cols != _columns(cur, table):
                problems.append(
                    f"filen {path.name} har kolonnerne {', '.join(cols)} – forventet {', '.join(_columns(cur, table))}."
                )
            if rows != info.get("rows"):
                problems.append(f"filen {path.name} har {rows} rækker – manifestet siger {info.get('rows')}.")
    if problems:
        raise UserError(
            f"Sikkerhedskopien i {folder} kan ikke gendannes ({len(problems)} fejl). Intet er ændret.",
            problems=problems,
        )
    return manifest


def restore(
    store: Store,
    folder: Path | str,
    *,
    actor: Actor,
    keep: frozenset[str] = KEEP_ON_RESTORE,
    key_of: Path | str | None = None,
) -> dict:
    """Replace every table's content with the backup in ``folder``, in one transaction.

    Returns the backup's manifest. A folder that fails :func:`check_backup` changes nothing.
    The audit trail is not restored: it is append-only, so every event, including those after
    the backup was taken, stays, and the restore adds its own.
    """
    require(actor, "restore")
    folder = Path(folder)
    manifest = check_backup(store, folder, key_of=key_of)
    with store.transaction() as cur:
        for table in manifest["tables"]:
            if table in keep:
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


def restore_damaged(path: Path | str, folder: Path | str, *, actor: Actor) -> Path:
    """Replace a damaged database file by a new one restored from the backup in ``folder``.

    The backup goes into a new file beside it first (audit trail included: the damaged file's
    cannot be read); only when that succeeded is the damaged file moved aside (its name
    returned) and the new one put in its place. A bad backup changes nothing.
    """
    require(actor, "restore")
    path = Path(path)
    fresh = path.with_name(path.name + ".gendannes")
    for stale in (fresh, Path(str(fresh) + ".wal")):
        stale.unlink(missing_ok=True)
    try:
        store = Store.open(fresh)
        try:  # checked with the damaged database's key file (it belongs to its name)
            restore(store, folder, actor=actor, keep=frozenset(), key_of=path)
        finally:
            store.close()
    except BaseException:
        for stale in (fresh, Path(str(fresh) + ".wal")):
            stale.unlink(missing_ok=True)
        raise
    aside = path.with_name(f"{path.name}.beskadiget-{datetime.now():%Y%m%d-%H%M%S}")
    os.replace(path, aside)
    wal = Path(str(path) + ".wal")
    if wal.exists():
        os.replace(wal, Path(str(aside) + ".wal"))
    os.replace(fresh, path)
    return aside
