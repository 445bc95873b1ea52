"""Backups (issue 19.4, 19.9, 19.10): a signed manifest, owner-only files, no half-written folder,
and a damaged database restored from a backup."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from tests.dbdump import dump
from tests.support.demo import demo_copy
from trappetrin import backup
from trappetrin.auth import Actor
from trappetrin.cli import main
from trappetrin.errors import UserError
from trappetrin.store import DatabaseBroken, Store

ADMIN = Actor("Ida", "admin", "ida@aalborg.dk")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("backups") / "demo.duckdb"
    demo_copy(path)
    return path


@pytest.fixture(autouse=True)
def no_configured_key(monkeypatch, tmp_path):
    """Only the key file beside the database, unless a test sets another source."""
    monkeypatch.delenv(backup.KEY_ENV, raising=False)
    monkeypatch.setattr(backup, "SECRETS_FILE", tmp_path / "no-secrets.toml")


@pytest.fixture()
def store(demo_file, tmp_path):
    s = Store.open(shutil.copy(demo_file, tmp_path / "copy.duckdb"))
    yield s
    s.close()


def _rewrite(folder: Path, table: str, sql: str) -> None:
    """Change one table's Parquet file and make the manifest consistent again (checksum, rows,
    columns) – what a careful attacker without the key can do."""
    path = folder / f"{table}.parquet"
    con = duckdb.connect()
    con.execute(f"COPY ({sql.format(src=repr(str(path)))}) TO '{path}.new' (FORMAT parquet)")
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}.new')").fetchall()]
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{path}.new')").fetchone()[0]
    con.close()
    os.replace(f"{path}.new", path)
    manifest = json.loads((folder / backup.MANIFEST).read_text(encoding="utf-8"))
    manifest["tables"][table].update(rows=rows, columns=cols, sha256=backup._sha256(path))
    (folder / backup.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_a_consistently_changed_value_is_refused(store, tmp_path):
    folder = backup.backup(store, tmp_path / "kopi", actor=ADMIN)
    _rewrite(folder, "indicator_values", "SELECT * REPLACE (value * 2 AS value) FROM read_parquet({src})")
    before = dump(store)
    with pytest.raises(UserError, match="underskrift passer ikke.*ændret efter.*Intet er ændret"):
        backup.restore(store, folder, actor=ADMIN)
    assert dump(store) == before


def test_a_cut_column_list_is_refused(store, tmp_path):
    folder = backup.backup(store, tmp_path / "kopi", actor=ADMIN)
    _rewrite(folder, "departments", "SELECT * EXCLUDE (lat, lon) FROM read_parquet({src})")
    with pytest.raises(UserError, match="underskrift passer ikke"):
        backup.restore(store, folder, actor=ADMIN)


def test_a_narrower_schema_is_refused_even_when_signed(store, tmp_path):
    """A manifest signed with the right key but listing fewer columns than the database has."""
    folder = backup.backup(store, tmp_path / "kopi", actor=ADMIN)
    manifest = json.loads((folder / backup.MANIFEST).read_text(encoding="utf-8"))
    manifest["tables"]["departments"]["columns"].remove("lat")
    key, _ = backup.backup_key(store.path)
    manifest["signature"] = backup._signature(manifest, key)
    (folder / backup.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    before = dump(store)
    with pytest.raises(UserError) as info:
        backup.restore(store, folder, actor=ADMIN)
    assert "smallere" in str(info.value) and "departments" in str(info.value)
    assert dump(store) == before


def test_another_key_or_no_key_is_refused(store, tmp_path, monkeypatch):
    monkeypatch.setenv(backup.KEY_ENV, "nøgle-a")
    folder = backup.backup(store, tmp_path / "kopi", actor=ADMIN)
    monkeypatch.setenv(backup.KEY_ENV, "nøgle-b")
    with pytest.raises(UserError, match=f"{backup.KEY_ENV} \\(kopien er underskrevet med en anden nøgle"):
        backup.restore(store, folder, actor=ADMIN)
    monkeypatch.delenv(backup.KEY_ENV)
    assert not backup.key_file(store.path).exists()  # the env key was used; no file was made
    with pytest.raises(UserError, match="ingen nøgle"):
        backup.restore(store, folder, actor=ADMIN)
    monkeypatch.setenv(backup.KEY_ENV, "nøgle-a")
    backup.restore(store, folder, actor=ADMIN)


def test_key_from_secrets_file(store, tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[backup]\nkey = "fra-secrets"\n', encoding="utf-8")
    monkeypatch.setattr(backup, "SECRETS_FILE", secrets)
    folder = backup.backup(store, tmp_path / "kopi", actor=ADMIN)
    assert backup.backup_key(store.path) == (b"fra-secrets", f"[backup] key i {secrets}")
    monkeypatch.setenv(backup.KEY_ENV, "en-anden")
    with pytest.raises(UserError, match="underskrift passer ikke"):
        backup.restore(store, folder, actor=ADMIN)


def test_an_unsigned_old_format_backup_is_refused(store, tmp_path):
    folder = backup.backup(store, tmp_path / "kopi", actor=ADMIN)
    manifest = json.loads((folder / backup.MANIFEST).read_text(encoding="utf-8"))
    manifest["format"] = "trappetrin-backup/1"
    del manifest["signature"]
    (folder / backup.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(UserError, match="uden underskrift"):
        backup.restore(store, folder, actor=ADMIN)


def test_backups_and_the_key_file_are_owner_only(store, tmp_path):
    folder = backup.backup(store, tmp_path / "kopi", actor=ADMIN)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert len(files) > 10 and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    key = backup.key_file(store.path)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) == 64
    # A second backup into the same (now non-empty) folder: a timestamped subfolder, same rules.
    second = backup.backup(store, tmp_path / "kopi", actor=ADMIN)
    assert second.parent == folder and stat.S_IMODE(second.stat().st_mode) == 0o700
    assert not [p for p in tmp_path.rglob("*ufærdig*")]


def test_readme_says_backups_hold_confidential_values():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert backup.KEY_ENV in text and "confidential" in text.lower() and "0600" in text


FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    sys.path.insert(0, {repo!r})
    from trappetrin import backup
    from trappetrin.auth import Actor
    from trappetrin.errors import UserError
    from trappetrin.store import Store
    store = Store.open({db!r})
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) like a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, resource.RLIM_INFINITY))
    try:
        backup.backup(store, {folder!r}, actor=Actor("Ida", "admin"))
    except UserError as exc:
        print("USERERROR", exc.message)
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    print("EVENTS", store.scalar("SELECT count(*) FROM audit_log WHERE action = 'backup'"))
    """
)


def test_a_full_disk_during_backup_leaves_nothing_and_says_so_in_danish(store, tmp_path):
    db = store.path
    backup.backup_key(db, create=True)  # the key file exists before the disk fills up
    store.close()
    out = tmp_path / "ud"
    out.mkdir()
    script = FULL_DISK.format(repo=str(REPO), db=str(db), folder=str(out / "kopi"))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "USERERROR Sikkerhedskopien kunne ikke skrives til" in proc.stdout, proc.stdout + proc.stderr
    assert "Intet er gemt" in proc.stdout
    assert "EVENTS 0" in proc.stdout  # the backup's audit record went with it
    assert list(out.iterdir()) == []  # no partial folder, no temporary folder


def test_a_damaged_database_is_named_and_restored_from_a_backup(store, tmp_path, monkeypatch, capsys):
    folder = backup.backup(store, tmp_path / "kopi", actor=ADMIN)
    saved = dump(store)
    db = store.path
    store.close()
    with open(db, "r+b") as f:  # the database header: DuckDB's own checksum no longer matches
        f.seek(4096)
        f.write(b"\0" * 8192)
    with pytest.raises(DatabaseBroken):
        Store.open(db)
    monkeypatch.setenv("TRAPPETRIN_DB", str(db))
    assert main(["releases"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(db) in err and "restore" in err and "Traceback" not in err
    assert "bruges" not in err  # not a lock: no "(bruges den af et andet program?)"
    assert main(["restore", str(folder), "--yes"]) == 0
    err = capsys.readouterr().err
    assert "beskadiget" in err
    assert [p.name for p in db.parent.glob("copy.duckdb.beskadiget-*")]
    restored = Store.open(db)
    try:
        now = dump(restored)
    finally:
        restored.close()
    skip = {"audit_log", "schema_version"}  # (the new file's migration times)
    assert {t: v for t, v in now.items() if t not in skip} == {t: v for t, v in saved.items() if t not in skip}
    assert now["audit_log"][: len(saved["audit_log"])] == saved["audit_log"]


FULL_DISK_COMMIT = textwrap.dedent(
    """
    import os, resource, signal, sys
    sys.path.insert(0, {repo!r})
    from trappetrin.errors import UserError
    from trappetrin.store import Store
    store = Store.open({db!r})
    store.query("SET checkpoint_threshold = '1KB'")  # the commit checkpoints at once
    size = os.path.getsize({db!r})
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) like a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (size + 2_000, resource.RLIM_INFINITY))
    try:
        with store.transaction() as tx:
            tx.execute("INSERT INTO meta SELECT 'k' || range, repeat('x', 200) FROM range(2000)")
    except UserError as exc:
        print("USERERROR", exc.message)
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    store.query("SET checkpoint_threshold = '16MB'")
    print("AFTER", store.scalar("SELECT count(*) FROM meta WHERE key LIKE 'k%'"), len(store.releases()))
    with store.transaction() as tx:
        tx.execute("INSERT INTO meta VALUES ('after', 'ja')")
    print("WRITE", store.meta("after"))
    """
)


def test_a_full_disk_during_commit_does_not_break_the_store(demo_file, tmp_path):
    """DuckDB invalidates its database when a checkpoint fails; the store opens it again."""
    db = shutil.copy(demo_file, tmp_path / "full.duckdb")
    script = FULL_DISK_COMMIT.format(repo=str(REPO), db=str(db))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "USERERROR Ændringerne kunne ikke gemmes" in proc.stdout and "Intet er gemt" in proc.stdout, proc.stdout
    assert "AFTER 0 13" in proc.stdout  # nothing of the failed commit; the releases are readable
    assert "WRITE ja" in proc.stdout


def test_only_a_real_lock_says_another_program_uses_the_file(demo_file, tmp_path, monkeypatch):
    """A file held by another process (not the app) is waited for, then named as in use."""
    import trappetrin.store as store_module

    db = shutil.copy(demo_file, tmp_path / "held.duckdb")
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ok', flush=True); "
         "time.sleep(60)"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ok"
        monkeypatch.setattr(store_module, "LOCK_WAIT_S", 0.5)
        heard = []
        with pytest.raises(UserError, match="bruges af et andet program") as info:
            Store.open(db, notice=heard.append)
        assert "beskadiget" not in str(info.value) and heard and "venter" in heard[0]
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("damage", ["empty", "text", "zero_header", "truncated_4k", "truncated_half"])
def test_every_kind_of_damage_is_one_danish_line_naming_the_restore(demo_file, tmp_path, monkeypatch, capsys, damage):
    """Damage met on opening and damage met only when a table is read (a truncated file)."""
    db = Path(shutil.copy(demo_file, tmp_path / "damaged.duckdb"))
    size = db.stat().st_size
    with open(db, "r+b") as f:
        if damage == "empty":
            f.truncate(0)
        elif damage == "text":
            f.truncate(0)
            f.write(b"hej verden\n" * 100)
        elif damage == "zero_header":
            f.write(b"\0" * 4096)
        elif damage == "truncated_4k":
            f.truncate(4096)
        else:
            f.truncate(size // 2)
    monkeypatch.setenv("TRAPPETRIN_DB", str(db))
    commands = [["releases"], ["classify", "--release", "2026-11", "--rules", "trappetrin"]]
    if damage != "truncated_half":  # (the audit trail's blocks may lie in the intact half)
        commands.append(["log"])
    for args in commands:
        assert main(args) == 1, (damage, args)
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "beskadiget" in err and str(db) in err and "restore" in err, (damage, err)
        assert "bruges" not in err
