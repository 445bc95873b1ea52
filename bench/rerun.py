"""Benchmark: rerun latency of the Scenarie page against a trivial Streamlit app, and cold start.

Run from the repository root (needs Chromium, like the e2e tests)::

    .venv/bin/python bench/rerun.py            # 15 repetitions each
    .venv/bin/python bench/rerun.py --reps 30 --cold 9

Measures in real Chromium through Playwright (``tests/support/browser.py``):

(a) trivial app (``bench/trivial_app.py``): from pressing Enter in the number input to the new
    "Resultat: <value>" text on screen — Streamlit's own round trip on this machine;
(b) Trappetrin /scenarie: from pressing Enter in the threshold input for
    ``c.forebyggelse.outside_labour`` to the movers list showing the new result (the line
    "<n> afdelinger skifter farve" with the new n, and a row of the movers table starting with the
    expected first department, or the "no movers" notice). Values alternate between the adopted 30 and
    31…45, so every change has a different, known result (computed with trappetrin beforehand);
    (b1) is the same change until only the "<n> afdelinger skifter farve" line has updated;
(c) cold start: from the server answering its health check to the first page being interactive
    (``stApp`` idle, the Oversigt map canvas, the "Pr. farve" table and the red/yellow list drawn),
    opening the app at its root URL as a user's bookmark would, in a new browser context (empty
    cache); the median of ``--cold`` starts (default 5), each with a new server. (c2) is the same
    for a returning user: the browser has Streamlit's code cached from an earlier visit.

Both apps run at the same time and the (a) and (b) changes are interleaved, so a busy machine
slows both alike. Prints medians and the targets: (b)/(a) ≤ 2 and (c) ≤ 3 s. (a), (b1) and (b) are
timed in the page, from the Enter keydown to the first animation frame with the result on screen,
each check on its own; (c) is timed in Python around the Playwright calls. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.support.browser import free_port, launch_chromium, start_streamlit, wait_for_app  # noqa: E402

PARAM = "c.forebyggelse.outside_labour"
INPUT = ".st-key-p-" + PARAM.replace(".", "-") + " input"
TRIVIAL_INPUT = ".st-key-x input"
MOVERS_KEY = "scenarie_flyttere"  # ui.scenario_view.MOVERS_KEY (not imported: keeps Streamlit out of this process)
TARGET_RATIO = 2.0
TARGET_COLD_S = 3.0

# Is the expected scenario result on screen? arg = [count text, first mover id or ""]. The count
# line and the table are the live movers list (ui/static/movers.js) in the container keyed MOVERS_KEY.
_SCENARIO_DONE = """([countText, firstId]) => {
    const box = document.querySelector(".st-key-MOVERS_KEY .tt-movers");
    if (!box || box.querySelector(".tt-count").textContent.trim() !== countText) return false;
    if (!firstId) return !box.querySelector(".tt-empty").hidden;
    const row = box.querySelector("tbody tr");
    return row !== null && row.firstElementChild.textContent.trim() === firstId;
}""".replace("MOVERS_KEY", MOVERS_KEY)
# Does the live movers list's count line say this?
_COUNT_SHOWN = """text => {
    const count = document.querySelector(".st-key-MOVERS_KEY .tt-count");
    return count !== null && count.textContent.trim() === text;
}""".replace("MOVERS_KEY", MOVERS_KEY)
# Is a markdown/write block with exactly this text on screen?
_TEXT_SHOWN = """text => Array.from(document.querySelectorAll("[data-testid='stMarkdownContainer']"))
    .some(e => e.textContent.trim() === text)"""
# The first page is interactive: the script run has ended, the map's canvas has a size, and the
# "Pr. farve" table and the red/yellow list (or its "none" notice) are drawn (ui/tables.py).
_INTERACTIVE = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.dataset.testScriptState !== "notRunning") return false;
    const canvas = document.querySelector("[data-testid='stDeckGlJsonChart'] canvas");
    if (canvas === null || canvas.getBoundingClientRect().width === 0) return false;
    const tables = document.querySelectorAll(".tt-table tbody tr:first-child");
    return tables.length >= 2
        || (tables.length === 1 && document.querySelector("[data-testid='stAlertContentInfo']") !== null);
}"""


def build_demo(folder: Path) -> Path:
    db = folder / "trappetrin.duckdb"
    subprocess.run(
        [sys.executable, "-m", "trappetrin", "demo", "--force"],
        cwd=REPO_ROOT,
        check=True,
        env={**os.environ, "TRAPPETRIN_DB": str(db)},
        capture_output=True,
        timeout=300,
    )
    return db


def expected_results(db: Path, values: list[float]) -> dict[float, tuple[str, str]]:
    """Per threshold value: the "<n> afdelinger skifter farve" text and the first mover's id.

    Computed in a subprocess so this process never holds the DuckDB file the server opens.
    The first id is the first row of the page's movers table (ui.scenario_view.movers_frame).
    """
    code = f"""
import json, sys
from trappetrin.colours import classify_release
from trappetrin.store import open_store
from ui.scenario_view import movers_frame
s = open_store({str(db)!r})
rules = s.adopted_rule_set(); label = s.release_labels()[-1]
before = classify_release(s, label, rules)
out = {{}}
for v in {values!r}:
    after = classify_release(s, label, rules.with_overrides({{{PARAM!r}: v}}))
    table = movers_frame(before, after)
    first = str(table["Afdelings-id"].iloc[0]) if len(table) else ""
    out[repr(v)] = [f"{{len(table)}} afdelinger skifter farve", first]
json.dump(out, sys.stdout)
"""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "TRAPPETRIN_DB": str(db)},
        timeout=300,
    )
    return {float(k): tuple(v) for k, v in json.loads(proc.stdout).items()}


# Times checks in the page: from the Enter keydown to the first animation frame in which each
# check holds, each on its own (one check never waits for another's poll). ``checks`` is a list of
# [JS function source, argument]; the times land in ``window.__ttTimes`` (ms, null until met).
_WATCH = """checks => {
    const fns = checks.map(([src, arg]) => [(0, eval)("(" + src + ")"), arg]);
    const times = window.__ttTimes = fns.map(() => null);
    let start = null;
    const onKey = e => { if (e.key === "Enter" && start === null) start = performance.now(); };
    window.addEventListener("keydown", onKey, true);
    const poll = () => {
        if (start !== null) {
            fns.forEach(([fn, arg], i) => { if (times[i] === null && fn(arg)) times[i] = performance.now() - start; });
            if (times.every(t => t !== null)) { window.removeEventListener("keydown", onKey, true); return; }
        }
        requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
}"""


def change(page, selector: str, value: float, checks: list[tuple[str, object]]) -> list[float]:
    """Type ``value`` at ``selector`` and press Enter; seconds from the keydown until each check
    (JS, arg) first holds, every check timed independently in the page (``_WATCH``)."""
    box = page.locator(selector).first
    box.fill(_fmt(value))
    page.evaluate(_WATCH, [[js, arg] for js, arg in checks])
    box.press("Enter")
    page.wait_for_function("() => window.__ttTimes.every(t => t !== null)", polling="raf", timeout=60_000)
    elapsed = [t / 1000 for t in page.evaluate("window.__ttTimes")]
    wait_for_app(page, settle_ms=300)  # let the rest of the run finish before the next change
    return elapsed


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def cold_start(browser, db: Path, logs: Path, *, context=None, port: int | None = None):
    """Start the app on ``db`` and open its root URL: in ``context`` if given (its cache as it is),
    else in a new browser context (empty cache).

    Returns (server, seconds from health OK to the first page interactive, page).
    """
    page = (context or browser).new_page(**({} if context else {"viewport": {"width": 1280, "height": 800}}))
    server = start_streamlit(log_path=logs / "app.log", env={"TRAPPETRIN_DB": str(db)}, port=port)
    healthy = time.perf_counter()
    page.goto(server.url)  # the root: its default page is Oversigt (see README on deep links)
    page.wait_for_function(_INTERACTIVE, polling="raf", timeout=60_000)
    return server, time.perf_counter() - healthy, page


def cold_starts(browser, db: Path, n: int, logs: Path, *, warm_cache: bool = False) -> list[float]:
    """``n`` cold starts, each a new server. ``warm_cache``: a returning user, whose browser has
    Streamlit's code cached from an earlier visit to the same address (one untimed visit first)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}) if warm_cache else None
    port = free_port() if warm_cache else None
    times = []
    try:
        for i in range(n + (1 if warm_cache else 0)):
            server, cold, page = cold_start(browser, db, logs, context=context, port=port)
            page.close()
            server.stop()
            if i or not warm_cache:
                times.append(cold)
    finally:
        if context is not None:
            context.close()
    return times


def measure(browser, db: Path, reps: int, logs: Path) -> tuple[list[float], list[float], list[float], float]:
    """Trivial and scenario changes interleaved (so machine load hits both alike), and the cold start.

    Returns (a) trivial times, (b1) scenario count-line times, (b) scenario movers times, (c) cold start.
    """
    values = [30.0 if i % 2 else 31.0 + (i // 2) % 15 for i in range(reps + 1)]
    expected = expected_results(db, sorted(set(values)))
    trivial_server = start_streamlit(REPO_ROOT / "bench" / "trivial_app.py", log_path=logs / "trivial.log")
    app_server = None
    try:
        trivial = browser.new_page()
        trivial.goto(trivial_server.url)
        wait_for_app(trivial, settle_ms=0)
        app_server, cold, app = cold_start(browser, db, logs)
        app.goto(f"{app_server.url}/scenarie")
        wait_for_app(app, settle_ms=0)
        app.locator(INPUT).wait_for(timeout=30_000)
        a, b1, b = [], [], []
        for i, value in enumerate(values):
            (t,) = change(trivial, TRIVIAL_INPUT, float(i + 1), [(_TEXT_SHOWN, f"Resultat: {float(i + 1)}")])
            count_text, first_id = expected[value]
            first, done = change(
                app, INPUT, value, [(_COUNT_SHOWN, count_text), (_SCENARIO_DONE, [count_text, first_id])]
            )
            if i:  # the first change of each page warms it up
                a.append(t), b1.append(first), b.append(done)
        return a, b1, b, cold
    finally:
        trivial_server.stop()
        if app_server is not None:
            app_server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15, help="changes timed per app (default 15)")
    parser.add_argument("--cold", type=int, default=5, help="cold starts timed (default 5)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="trappetrin-rerun-") as tmp:
        folder = Path(tmp)
        db = build_demo(folder)
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            try:
                trivial, first, scenario, cold = measure(browser, db, args.reps, folder)
                colds = [cold, *cold_starts(browser, db, args.cold - 1, folder)]
                warm = cold_starts(browser, db, args.cold, folder, warm_cache=True)
            finally:
                browser.close()

    a, b = statistics.median(trivial) * 1000, statistics.median(scenario) * 1000
    ratio = b / a
    print(f"Genkørsel og kold start i Chromium ({args.reps} ændringer pr. app; median, min–maks i ms)")
    print(f"{'måling':<44}{'median':>9}{'min':>9}{'maks':>9}  mål")
    for name, xs in (
        ("(a) triviel app: tal → 'Resultat'", trivial),
        ("(b1) /scenarie: tærskel → antal-linjen", first),
        ("(b) /scenarie: tærskel → flyttere", scenario),
    ):
        ms = [x * 1000 for x in xs]
        print(f"{name:<44}{statistics.median(ms):>9.0f}{min(ms):>9.0f}{max(ms):>9.0f}")
    print(f"{'(b)/(a)':<44}{ratio:>9.2f}{'':>18}  ≤ {TARGET_RATIO:g}: {'OK' if ratio <= TARGET_RATIO else 'IKKE NÅET'}")
    cold = statistics.median(colds)
    print(
        f"{f'(c) kold start ({len(colds)}×): health OK → Oversigt klar':<44}{cold * 1000:>9.0f}"
        f"{min(colds) * 1000:>9.0f}{max(colds) * 1000:>9.0f}  ≤ {TARGET_COLD_S:g} s: "
        f"{'OK' if cold <= TARGET_COLD_S else 'IKKE NÅET'}"
    )
    print(
        f"{f'(c2) som (c), browserens cache fyldt ({len(warm)}×)':<44}{statistics.median(warm) * 1000:>9.0f}"
        f"{min(warm) * 1000:>9.0f}{max(warm) * 1000:>9.0f}  (en tilbagevendende bruger)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
