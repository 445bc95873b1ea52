"""Operations in a real server (issue 19.10, 19.12): a damaged database fails the health check and
the page names the file and the restore command; /oversigt opens Oversigt."""

from __future__ import annotations

import shutil
import time
import urllib.error
import urllib.request

from playwright.sync_api import expect

from tests.e2e.conftest import HEALTH_TIMEOUT_S
from tests.support.browser import REPO_ROOT, free_port, spawn_streamlit, start_streamlit, wait_for_app


def test_oversigt_by_its_url_opens_the_page(app_server, page):
    page.goto(f"{app_server}/oversigt")
    wait_for_app(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stHeading").first).to_be_visible()


def _health(url: str) -> tuple[int | None, str]:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except OSError:  # not listening yet
            time.sleep(0.3)
    return None, ""


def test_a_damaged_database_fails_health_and_every_page_names_it(demo_db, tmp_path, page):
    db = tmp_path / "trappetrin.duckdb"
    shutil.copy(demo_db, db)
    with open(db, "r+b") as f:  # DuckDB's database header: its checksum no longer matches
        f.seek(4096)
        f.write(b"\0" * 8192)
    server = spawn_streamlit(
        "serve.py", tmp_path / "streamlit.log", {"TRAPPETRIN_DB": str(db)}, REPO_ROOT, free_port(), ()
    )
    try:
        status, body = _health(server.url)
        assert status == 503, (status, body, server.log()[-2000:])
        assert str(db) in body and "restore" in body and "beskadiget" in body
        for path in ("", "/udvikling"):
            page.goto(f"{server.url}{path}")
            wait_for_app(page)
            expect(page.get_by_test_id("stException")).to_have_count(0)
            alert = page.get_by_test_id("stAlertContentError")
            expect(alert.first).to_contain_text("er beskadiget")
            expect(alert.first).to_contain_text("python -m trappetrin restore MAPPE --yes")
    finally:
        server.stop()


def test_error_boxes_have_no_ask_google_or_chatgpt_links(tmp_path, page):
    """client.showErrorLinks = false (.streamlit/config.toml); the control turns them on."""
    seen = {}
    for name, args in {"app": (), "control": ("--client.showErrorLinks", "true")}.items():
        server = start_streamlit(
            "tests/support/raising_app.py",
            log_path=tmp_path / f"{name}.log",
            extra_args=args,
            timeout=HEALTH_TIMEOUT_S,
        )
        try:
            page.goto(server.url)
            wait_for_app(page)
            expect(page.get_by_test_id("stException").first).to_be_visible()
            seen[name] = page.get_by_role("link", name="Ask Google").count()
        finally:
            server.stop()
    assert seen == {"app": 0, "control": 1}, seen
