"""Server and browser plumbing shared by the e2e tests and the benchmarks (``bench/``).

Small plain functions, no pytest inside, so ``tests/e2e/conftest.py`` and
scripts under ``bench/`` drive the app the same way:

- :func:`start_streamlit` starts ``streamlit run`` on a free port, captures
  its output in a log file and waits for ``/_stcore/health``;
  :meth:`StreamlitServer.stop` ends it.
- :func:`launch_chromium` starts the system Chromium through Playwright
  (Playwright's own browser download does not work on our machines).
- :func:`wait_for_app` waits until the page has connected and the script
  run has finished.
- :func:`screenshot` saves a PNG of the page.

Example
-------
::

    from playwright.sync_api import sync_playwright
    from tests.support.browser import launch_chromium, start_streamlit, wait_for_app

    server = start_streamlit("bench/trivial_app.py", log_path=Path("/tmp/st.log"))
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_page()
            page.goto(server.url)
            wait_for_app(page, settle_ms=0)
            browser.close()
    finally:
        server.stop()
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # playwright is a test/bench dependency only
    from playwright.sync_api import Browser, Page, Playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The repository root; ``streamlit run`` starts from here by default."""

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
"""System Chromium binary (override with the ``CHROMIUM_PATH`` variable)."""

CHROMIUM_ARGS = (
    "--no-sandbox",
    # Let WebGL run in software (SwiftShader) where there is no GPU, so the map draws. Nothing
    # else is forced onto SwiftShader (until 2026-11-23 --use-angle=swiftshader was): Chromium
    # finds no GPU and composites and rasterises the page in software, as a browser on a
    # GPU-less machine does. Through emulated GL the compositor alone kept one of CI's two
    # cores busy, and a cold start took ~0.75 s longer (bench/README.md).
    "--enable-unsafe-swiftshader",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
"""Flags for headless Chromium in containers and CI."""

SCREENSHOT_DIR = REPO_ROOT / "tests" / "e2e" / "screenshots"
"""Default folder for :func:`screenshot` (ignored by git)."""

_APP_IDLE = "[data-testid='stApp'][data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"
# Streamlit's placeholders for elements whose browser code or data is still loading.
_PLACEHOLDERS = "[data-testid='stSkeleton'], [data-testid='stSkeletonElement'], [data-testid='stAppSkeleton']"
_RUNNING_ICONS = (
    "[data-testid='stStatusWidgetRunningIcon'],"
    " [data-testid='stStatusWidgetRunningManIcon'],"
    " [data-testid='stStatusWidgetNewYearsIcon']"
)


class ServerError(RuntimeError):
    """The Streamlit server died or did not become healthy in time.

    The message ends with the server's captured log.
    """


@dataclass
class StreamlitServer:
    """A running ``streamlit run`` process.

    Attributes
    ----------
    process : subprocess.Popen
        The server process.
    port : int
        The port it listens on (at 127.0.0.1).
    log_path : pathlib.Path
        File holding the server's stdout and stderr.
    """

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        """Base URL of the app, e.g. ``http://127.0.0.1:53817``."""
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """Return everything the server has printed so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the server; kill it if it has not exited after `timeout` s."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now.

    Another process may take it before it is used; :func:`start_streamlit`
    retries on a fresh port when that happens.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_streamlit(
    script: str | os.PathLike[str] = "serve.py",
    *,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO_ROOT,
    port: int | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = 60.0,
) -> StreamlitServer:
    """Start ``streamlit run`` and wait until it answers its health check.

    Parameters
    ----------
    script : str or path-like, default "serve.py"
        Script to run, relative to `cwd` or absolute. ``serve.py`` is Trappetrin as
        ``run.sh`` starts it (``app.py`` behind a warm-up hook).
    log_path : pathlib.Path
        File that receives the server's stdout and stderr (overwritten).
    env : mapping, optional
        Variables added to (or overriding) the current environment,
        e.g. ``{"TRAPPETRIN_DB": str(db)}``.
    cwd : pathlib.Path, default REPO_ROOT
        Working directory; its ``.streamlit/config.toml`` applies.
    port : int, optional
        Port to use. By default a free port is picked, and a new one is
        tried (up to 3 times) if another process grabs it first.
    extra_args : sequence of str, optional
        More ``streamlit run`` options, e.g. ``["--server.runOnSave", "false"]``.
    timeout : float, default 60.0
        Seconds to wait for ``/_stcore/health`` to answer "ok".

    Returns
    -------
    StreamlitServer
        The healthy server. Call :meth:`StreamlitServer.stop` when done.

    Raises
    ------
    ServerError
        If the server exits early or is not healthy within `timeout`;
        the message includes the server log.
    """
    attempts = 1 if port is not None else 3
    for attempt in range(attempts):
        server = spawn_streamlit(script, log_path, env, cwd, port or free_port(), extra_args)
        try:
            _wait_for_health(server, timeout)
            return server
        except ServerError:
            server.stop()
            port_taken = "is not available" in server.log()
            if not port_taken or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def spawn_streamlit(
    script: str | os.PathLike[str],
    log_path: Path,
    env: Mapping[str, str] | None,
    cwd: Path,
    port: int,
    extra_args: Sequence[str],
) -> StreamlitServer:
    """Start ``streamlit run script`` on ``port`` without waiting for its health check.

    :func:`start_streamlit` is the usual entry (it waits and retries a taken port); this is for a
    test that must watch the server while it is still starting.
    """
    cmd = [
        sys.executable, "-m", "streamlit", "run", os.fspath(script),
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        *extra_args,
    ]  # fmt: skip
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return StreamlitServer(process=process, port=port, log_path=log_path)


def _wait_for_health(server: StreamlitServer, timeout: float) -> None:
    health = f"{server.url}/_stcore/health"
    deadline = time.monotonic() + timeout
    while True:
        code = server.process.poll()
        if code is not None:
            raise ServerError(
                f"Streamlit exited with code {code} before it was healthy.\n"
                f"--- server log ({server.log_path}) ---\n{server.log()}"
            )
        try:
            with urllib.request.urlopen(health, timeout=2) as resp:
                if resp.status == 200 and resp.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise ServerError(
                f"Streamlit was not healthy at {health} after {timeout:.0f} s.\n"
                f"--- server log ({server.log_path}) ---\n{server.log()}"
            )
        time.sleep(0.2)


def launch_chromium(
    playwright: Playwright,
    *,
    executable_path: str = CHROMIUM_PATH,
    headless: bool = True,
) -> Browser:
    """Launch the system Chromium with :data:`CHROMIUM_ARGS`.

    Parameters
    ----------
    playwright : playwright.sync_api.Playwright
        The object from ``sync_playwright().start()`` or its context manager.
    executable_path : str, default CHROMIUM_PATH
        Chromium binary.
    headless : bool, default True
        Run without a window.

    Returns
    -------
    playwright.sync_api.Browser
    """
    return playwright.chromium.launch(
        executable_path=executable_path,
        headless=headless,
        args=list(CHROMIUM_ARGS),
    )


def wait_for_app(page: Page, *, timeout: float = 30_000, settle_ms: int = 200) -> None:
    """Wait until the Streamlit app in `page` is connected and idle.

    Idle means ``[data-testid='stApp']`` carries
    ``data-test-connection-state='CONNECTED'`` and
    ``data-test-script-state='notRunning'`` (Streamlit 1.67 frontend) and no
    "running" icon shows in ``[data-testid='stStatusWidget']``. Before the
    first run the script state is ``initial``, so right after ``page.goto``
    this waits for the first run to finish.

    Parameters
    ----------
    page : playwright.sync_api.Page
        Page showing the app.
    timeout : float, default 30000
        Milliseconds to wait for each condition.
    settle_ms : int, default 200
        Pause before checking. After a widget interaction the frontend still
        reports ``notRunning`` until the server starts the rerun, so without
        it the wait can end before the rerun begins. Pass 0 after
        ``page.goto`` or when you wait for specific text anyway (benchmarks).
    """
    if settle_ms:
        page.wait_for_timeout(settle_ms)
    page.wait_for_selector(_APP_IDLE, state="attached", timeout=timeout)
    page.wait_for_selector(_RUNNING_ICONS, state="detached", timeout=timeout)


def screenshot(page: Page, name: str, directory: Path = SCREENSHOT_DIR) -> Path:
    """Save a screenshot of `page` as ``<directory>/<name>.png``, once the page is drawn.

    Waits up to 10 s for Streamlit's grey placeholders (elements whose code is still loading) to
    be replaced, then two animation frames; takes the picture anyway after that.

    Parameters
    ----------
    page : playwright.sync_api.Page
        Page to capture (the viewport).
    name : str
        File name without ``.png``.
    directory : pathlib.Path, default SCREENSHOT_DIR
        Target folder, created on demand.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    from playwright.sync_api import Error as PlaywrightError

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    try:  # elements whose code is still loading show a grey placeholder: a picture of the page drawn
        page.wait_for_selector(_PLACEHOLDERS, state="detached", timeout=10_000)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    except PlaywrightError:  # a screenshot of a failing test must still be taken
        pass
    page.screenshot(path=str(path))
    return path
