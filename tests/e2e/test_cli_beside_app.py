"""The command line beside the running app (issue 19.13): no command fails with a lock error.

A server started as run.sh starts it (``streamlit run serve.py``) holds the database; the app
steps aside for each command (trappetrin/handover.py). Before that, every command below failed
with DuckDB's "Could not set lock".
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import HEALTH_TIMEOUT_S, build_demo_db
from tests.support.browser import REPO_ROOT, start_streamlit, wait_for_app

CLI_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def held_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A demo database and the URL of a serve.py server that holds it."""
    db = build_demo_db(tmp_path_factory.mktemp("held") / "trappetrin.duckdb")
    server = start_streamlit(
        log_path=db.parent / "streamlit.log",
        env={"TRAPPETRIN_DB": str(db)},
        cwd=REPO_ROOT,
        timeout=HEALTH_TIMEOUT_S,
    )
    try:
        yield db, server.url
    finally:
        server.stop()


def cli(db: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "trappetrin", *args],
        cwd=cwd or REPO_ROOT,
        env={**os.environ, "TRAPPETRIN_DB": str(db), "PYTHONPATH": str(REPO_ROOT)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=CLI_TIMEOUT_S,
    )


def test_reading_commands_work_while_the_server_holds_the_database(held_db):
    db, _url = held_db
    # The file really is held: opening it directly (without the app's help) is refused by DuckDB.
    import duckdb

    with pytest.raises(duckdb.IOException, match="lock"):
        duckdb.connect(str(db), read_only=True)

    for args in (
        ("releases",),
        ("classify", "--release", "2026-11", "--rules", "trappetrin"),
        ("export-release", "--release", "2026-11"),
        ("log",),
    ):
        proc = cli(db, *args)
        err = proc.stderr.decode("utf-8", "replace")
        assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{err}"
        assert "lock" not in err.lower() and "Traceback" not in err, err
        assert proc.stdout.strip(), f"{args} printed nothing"
    releases = cli(db, "releases").stdout.decode()
    assert "2026-11" in releases
    classified = cli(db, "classify", "--release", "2026-11", "--rules", "trappetrin").stdout.decode("utf-8-sig")
    assert len(classified.splitlines()) > 200  # one line per department


def test_writing_command_runs_in_turn_and_the_app_serves_after(held_db, tmp_path, page):
    db, url = held_db
    proc = cli(db, "backup", str(tmp_path / "kopi"))
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    assert "lock" not in err.lower() and "Traceback" not in err, err
    assert (tmp_path / "kopi" / "manifest.json").is_file()
    # The command's write is in the file the app reads (the app opened it again afterwards).
    assert "Sikkerhedskopi" in cli(db, "log", "--limit", "3").stdout.decode()
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as resp:
        assert resp.status == 200
    page.goto(f"{url}/revision")
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    # The audit trail (empty in a fresh demo database) shows the command's backup event.
    expect(page.get_by_text(re.compile(r"af [1-9]\d* i alt"))).to_be_visible()
