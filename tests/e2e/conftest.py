"""Browser harness for the end-to-end tests, modelled on Streamlit's own e2e suite.

Fixtures
--------
demo_db : pathlib.Path (session)
    A demo DuckDB built by ``python -m trappetrin demo`` in a temp folder.
national_db : pathlib.Path (session)
    The national demo (``demo --scale national``), built only for tests that ask for it.
app_server : str (session)
    Base URL (``http://127.0.0.1:<port>``) of ``streamlit run serve.py`` (the app as run.sh starts it)
    serving `demo_db`. One server per pytest-xdist worker, each on its own
    free port with its own database.
browser : playwright.sync_api.Browser (session)
    The system Chromium (``/usr/bin/chromium``), headless. Missing Chromium
    skips the test locally but fails it when ``CI`` is set.
page : playwright.sync_api.Page (function)
    A fresh page in a new context: 1280x800, locale da-DK, downloads
    accepted. On failure a screenshot ``FAILED-<test>.png`` is saved and the
    browser's JS errors and the server log tail are added to the report.

Helpers (import them from ``tests.support.browser``)
--------------------------------------------
``wait_for_app(page)`` waits until the app is connected and idle;
``screenshot(page, name)`` saves ``tests/e2e/screenshots/<name>.png``.

Every test in this folder gets the ``e2e`` marker, so ``-m "not e2e"``
leaves them out.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    CHROMIUM_PATH,
    REPO_ROOT,
    ServerError,
    StreamlitServer,
    launch_chromium,
    screenshot,
    start_streamlit,
    wait_for_app,
)
from tests.support.demo import demo_copy

__all__ = ["screenshot", "wait_for_app"]

E2E_DIR = Path(__file__).resolve().parent
DEMO_TIMEOUT_S = 300
HEALTH_TIMEOUT_S = 60
LOG_TAIL_CHARS = 4000

# CI machines have 2 cores shared by two xdist workers, each with a Streamlit server and Chromium:
# a page with ~40 inputs and a deck.gl map can take longer than Playwright's default 5 s to draw.
EXPECT_TIMEOUT_MS = 20_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)


_server_key = pytest.StashKey[StreamlitServer]()
_errors_key = pytest.StashKey[list[str]]()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Add the ``e2e`` marker to every test collected from this folder."""
    for item in items:
        if Path(item.path).is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On failure add a screenshot, browser errors and the server log to the report."""
    report: pytest.TestReport = yield
    if not report.failed or report.when == "teardown":
        return report
    funcargs = getattr(item, "funcargs", {})
    pg = funcargs.get("page")
    if pg is not None and report.when == "call":
        lines = list(item.stash.get(_errors_key, []))
        name = "FAILED-" + re.sub(r"[^\w.-]+", "_", item.nodeid)[-120:]
        try:
            lines.append(f"screenshot: {screenshot(pg, name)}")
        except Exception as exc:  # noqa: BLE001 - best effort only
            lines.append(f"screenshot failed: {exc}")
        report.sections.append(("browser", "\n".join(lines)))
    server = item.config.stash.get(_server_key, None)
    if server is not None and "app_server" in funcargs:
        tail = server.log()[-LOG_TAIL_CHARS:]
        report.sections.append(("streamlit server log (tail)", tail))
    return report


def build_demo_db(db: Path, *args: str) -> Path:
    """Run ``python -m trappetrin demo [args]`` into ``db``; fail the test, with its output, if it fails."""
    env = {**os.environ, "TRAPPETRIN_DB": str(db)}
    cmd = [sys.executable, "-m", "trappetrin", "demo", "--force", *args]
    shown = " ".join(["python -m trappetrin demo", *args])
    try:
        proc = subprocess.run(
            cmd,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=DEMO_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        proc = None
        partial = f"stdout:\n{exc.stdout}\nstderr:\n{exc.stderr}"
    if proc is None:
        pytest.fail(f"`{shown}` took over {DEMO_TIMEOUT_S} s.\n{partial}", pytrace=False)
    if proc.returncode != 0 or not db.exists():
        pytest.fail(
            f"`{shown}` (TRAPPETRIN_DB={db}) exited with "
            f"{proc.returncode}{'' if db.exists() else ' and wrote no database'}.\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}",
            pytrace=False,
        )
    return db


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Aalborg demo database for the app servers (a copy of the process's one, tests/support/demo.py)."""
    return demo_copy(tmp_path_factory.mktemp("demo_db") / "trappetrin.duckdb")


@pytest.fixture(scope="session")
def national_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The national demo (``python -m trappetrin demo --scale national``, ~8,000 departments)."""
    return build_demo_db(tmp_path_factory.mktemp("national_db") / "national.duckdb", "--scale", "national")


@pytest.fixture(scope="session")
def app_server(
    demo_db: Path,
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
) -> Iterator[str]:
    """Run ``streamlit run serve.py`` (app.py behind its warm-up) on the demo DB; yield its base URL."""
    log_path = tmp_path_factory.mktemp("app_server") / "streamlit.log"
    server: StreamlitServer | None = None
    error = ""
    try:
        server = start_streamlit(
            log_path=log_path,
            env={"TRAPPETRIN_DB": str(demo_db)},
            cwd=REPO_ROOT,
            timeout=HEALTH_TIMEOUT_S,
        )
    except ServerError as exc:  # fail outside the except block: no chained traceback
        error = str(exc)
    if server is None:
        pytest.fail(error, pytrace=False)
    pytestconfig.stash[_server_key] = server
    try:
        yield server.url
    finally:
        del pytestconfig.stash[_server_key]
        server.stop()


@pytest.fixture(scope="session")
def browser():  # -> Iterator[playwright.sync_api.Browser]
    """Headless system Chromium, shared by the tests of one worker."""
    if not os.access(CHROMIUM_PATH, os.X_OK):
        reason = (
            f"Chromium not found at {CHROMIUM_PATH}; browser tests need it "
            "(./test.sh installs it with apt-get when run as root)."
        )
        if _in_ci():
            pytest.fail(f"{reason} Browser tests must not be skipped in CI.", pytrace=False)
        pytest.skip(reason)

    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        chromium = launch_chromium(pw)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        pw.stop()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):  # -> Iterator[Page]
    """A fresh page (1280x800, da-DK, downloads accepted) in its own context."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        locale="da-DK",
        accept_downloads=True,
    )
    errors: list[str] = []
    request.node.stash[_errors_key] = errors
    pg = context.new_page()
    pg.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    pg.on(
        "console",
        lambda msg: errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None,
    )
    try:
        yield pg
    finally:
        context.close()
