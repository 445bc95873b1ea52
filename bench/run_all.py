"""All of Trappetrin's benchmarks in one go, printed as one table with the targets (not a test).

Run from the repository root (needs Chromium, like the e2e tests)::

    .venv/bin/python bench/run_all.py              # about 3-4 minutes
    .venv/bin/python bench/run_all.py --reps 5     # quicker, noisier

Builds an Aalborg demo database (271 departments) and a national one (``demo --scale national``,
8,000 departments in 98 municipalities) in a temporary folder, then measures:

1. in-process classification (``engine.classify``) of the newest release at 271 (Aalborg), 8,000
   (national) and 50,000 departments (the national release tiled and jittered, as
   ``bench/classify.py`` does), median of repeated runs;
2. in Chromium through Playwright, from pressing Enter on a new threshold on /scenarie to the
   movers list showing the expected result, next to the trivial app's rerun (``bench/trivial_app.py``)
   in the same run, interleaved: on the Aalborg data, and on the national data with
   "Hele landet" (``?kommune=alle``) in view;
3. cold start: spawning ``streamlit run serve.py`` (app.py, warmed up; see serve.py) → health check
   OK, and health OK → the first page (Oversigt, at the root URL) interactive, the median of
   ``--cold`` starts (default 5) with an empty browser cache; both databases;
3b. first page cold, interleaved round by round: the trivial app, Aalborg, national (default view)
   and national with "Hele landet" in view, against issue 15's targets (≤ 3 s, ≤ 1.3× the trivial
   app's first page in the same run; ``bench/first_page.py``);
4. peak memory (RSS of the server process and its children, sampled every 50 ms) with 5 browser
   sessions open at once on the national data, each on /scenarie for the whole country;
5. import of an 8,000-department release: the national newest release exported in the import
   template and imported again as a new release with ``trappetrin.imports.import_release``
   (read, validate, store).

Servers run one at a time besides the trivial app; nothing is left behind.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.classify import timed  # noqa: E402
from bench.first_page import first_pages  # noqa: E402
from bench.first_page import table as first_page_table  # noqa: E402
from bench.rerun import (  # noqa: E402
    _INTERACTIVE,
    _SCENARIO_DONE,
    _TEXT_SHOWN,
    INPUT,
    PARAM,
    TRIVIAL_INPUT,
    change,
    cold_starts,  # noqa: E402
)
from tests.support.browser import launch_chromium, start_streamlit, wait_for_app  # noqa: E402

TARGET_CLASSIFY_8K_MS = 20.0
TARGET_RATIO_AALBORG = 2.0
TARGET_RATIO_NATIONAL = 3.0
TARGET_COLD_S = 3.0
TARGET_PEAK_MB = 1536.0
ALL = "alle"  # ui.state.ALL_MUNICIPALITIES (not imported: the servers' Streamlit stays out of the timings)


# --- helpers --------------------------------------------------------------------------------------


def build(folder: Path, scale: str) -> Path:
    db = folder / f"{scale}.duckdb"
    subprocess.run(
        [sys.executable, "-m", "trappetrin", "demo", "--force", "--scale", scale],
        cwd=REPO_ROOT,
        check=True,
        env={**os.environ, "TRAPPETRIN_DB": str(db)},
        capture_output=True,
        timeout=600,
    )
    return db


def timed_ms(fn, runs: int) -> float:
    """Median milliseconds of ``runs`` calls after a warm-up (bench/classify.py's timer)."""
    return timed(fn, runs)[0]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class RssSampler:
    """Samples a process tree's RSS every ``every`` seconds in a thread; keeps the peak."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every, self.peak = pid, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mb(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss_mb(self.pid))


# --- 1 and 5: in process --------------------------------------------------------------------------


def classification(national_db: Path, runs: int) -> dict[int, float]:
    """Median ms of ``engine.classify`` at 271, 8,000 and 50,000 departments."""
    from bench.classify import synthesise
    from trappetrin.engine import classify
    from trappetrin.store import open_store

    store = open_store(national_db)
    try:
        label, rules = store.release_labels()[-1], store.adopted_rule_set()
        aalborg = store.release_data(label, "Aalborg")
        national = store.release_data(label)
    finally:
        store.close()
    big = synthesise(national.frame, 50_000)
    out = {}
    for frame, refs in ((aalborg.frame, aalborg.refs), (national.frame, national.refs), (big, national.refs)):
        out[len(frame)] = timed_ms(
            lambda frame=frame, refs=refs: classify(frame, rules, refs),
            runs if len(frame) < 20_000 else max(5, runs // 5),
        )
    return out


def import_8000(national_db: Path, folder: Path) -> tuple[int, float]:
    """Departments and seconds to import the newest national release again as a new release."""
    from trappetrin.auth import local_actor
    from trappetrin.imports import export_release_template, import_release
    from trappetrin.store import open_store

    copy = folder / "import.duckdb"
    shutil.copy(national_db, copy)
    store = open_store(copy)
    try:
        label = store.release_labels()[-1]
        data = export_release_template(store, label)
        start = time.perf_counter()
        plan = import_release(
            store,
            data,
            file_name="afdelingsdata-2027-02.csv",
            label="2027-02",
            release_source="Beboerdata",
            reference_date="2027-02-15",
            actor=local_actor("benchmark"),
            today=date(2027, 3, 1),
        )
        seconds = time.perf_counter() - start
        return int(plan.rows), seconds
    finally:
        store.close()


def expected_results(db: Path, municipality: str | None, values: list[float]) -> dict[float, tuple[str, str]]:
    """Per threshold: the "<n> afdelinger skifter farve" text and the first mover's id (as the page shows)."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime found": expected outside a server
    from trappetrin.colours import ReleaseResult
    from trappetrin.engine import classify
    from trappetrin.store import open_store
    from ui.scenario_view import movers_frame

    store = open_store(db)
    try:
        rules, label = store.adopted_rule_set(), store.release_labels()[-1]
        data = store.release_data(label, municipality)
    finally:
        store.close()
    before = ReleaseResult(data, classify(data.frame, rules, data.refs))
    out = {}
    for v in values:
        after_rules = rules.with_overrides({PARAM: v})
        table = movers_frame(before, ReleaseResult(data, classify(data.frame, after_rules, data.refs)))
        out[v] = (f"{len(table)} afdelinger skifter farve", str(table["Afdelings-id"].iloc[0]) if len(table) else "")
    return out


# --- 2, 3 and 4: in Chromium ----------------------------------------------------------------------


def cold_start(browser, db: Path, logs: Path, name: str):
    """Start the app on ``db``; (server, spawn → health s, health → interactive s, page)."""
    spawn = time.perf_counter()
    server = start_streamlit(log_path=logs / f"{name}.log", env={"TRAPPETRIN_DB": str(db)})
    healthy = time.perf_counter()
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(server.url)
    page.wait_for_function(_INTERACTIVE, polling="raf", timeout=90_000)
    return server, healthy - spawn, time.perf_counter() - healthy, page


def warm_start(browser, server) -> float:
    """A new browser session on the warm server (caches filled): seconds until Oversigt is interactive."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(server.url)
        page.wait_for_function(_INTERACTIVE, polling="raf", timeout=90_000)
        return time.perf_counter() - start
    finally:
        context.close()


def threshold_runs(trivial, app, expected, values, offset: float) -> tuple[list[float], list[float]]:
    """Interleaved trivial reruns and threshold changes; the first of each is a warm-up."""
    a, b = [], []
    for i, value in enumerate(values):
        x = float(offset + i + 1)
        (t,) = change(trivial, TRIVIAL_INPUT, x, [(_TEXT_SHOWN, f"Resultat: {x}")])
        count_text, first_id = expected[value]
        (done,) = change(app, INPUT, value, [(_SCENARIO_DONE, [count_text, first_id])])
        # Let the map finish drawing (same browser, same GPU process) before the next trivial change.
        app.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        app.wait_for_timeout(400)
        if i:
            a.append(t), b.append(done)
    return a, b


def browser_part(aalborg_db: Path, national_db: Path, folder: Path, reps: int, sessions: int, colds: int) -> dict:
    from playwright.sync_api import sync_playwright

    values = [30.0 if i % 2 else 31.0 + (i // 2) % 15 for i in range(reps + 1)]
    exp_aalborg = expected_results(aalborg_db, None, sorted(set(values)))
    exp_national = expected_results(national_db, None, sorted(set(values)))
    out: dict = {}
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        trivial_server = start_streamlit(REPO_ROOT / "bench" / "trivial_app.py", log_path=folder / "trivial.log")
        try:
            trivial = browser.new_page()
            start = time.perf_counter()
            trivial.goto(trivial_server.url)
            trivial.wait_for_function(_TEXT_SHOWN, arg="Resultat: 0.0", polling="raf", timeout=60_000)
            wait_for_app(trivial, settle_ms=0)
            out["trivial_first"] = time.perf_counter() - start

            # Aalborg: cold start, then threshold changes.
            server, spawn, cold, page = cold_start(browser, aalborg_db, folder, "aalborg")
            try:
                out["spawn_aalborg"], out["cold_aalborg"] = spawn, cold
                page.goto("about:blank")  # no second map drawing in the same (software GL) browser meanwhile
                out["warm_aalborg"] = warm_start(browser, server)
                page.goto(f"{server.url}/scenarie")
                page.locator(INPUT).wait_for(timeout=60_000)
                wait_for_app(page, settle_ms=0)
                out["trivial_aalborg"], out["movers_aalborg"] = threshold_runs(trivial, page, exp_aalborg, values, 0)
            finally:
                page.close()
                server.stop()
            # More cold starts (one alone swings by ±0.5 s on a busy 2-core machine): the median counts.
            out["colds_aalborg"] = [out["cold_aalborg"], *cold_starts(browser, aalborg_db, colds - 1, folder)]

            # National: cold start, threshold changes for the whole country, then 5 sessions at once.
            server, spawn, cold, page = cold_start(browser, national_db, folder, "national")
            try:
                out["spawn_national"], out["cold_national"] = spawn, cold
                page.goto("about:blank")
                out["warm_national"] = warm_start(browser, server)
                with RssSampler(server.process.pid) as whole:
                    page.goto(f"{server.url}/scenarie?kommune={ALL}")
                    page.locator(INPUT).wait_for(timeout=90_000)
                    wait_for_app(page, settle_ms=0)
                    out["trivial_national"], out["movers_national"] = threshold_runs(
                        trivial, page, exp_national, values, 1000
                    )
                    page.close()
                    out["rss_before_sessions"] = tree_rss_mb(server.process.pid)
                    with RssSampler(server.process.pid) as five:
                        contexts = [
                            browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(sessions)
                        ]
                        pages = [c.new_page() for c in contexts]
                        for p in pages:  # all at once: load every page before waiting for any
                            p.goto(f"{server.url}/scenarie?kommune={ALL}", wait_until="commit")
                        for p in pages:
                            p.locator(INPUT).wait_for(timeout=120_000)
                            wait_for_app(p, settle_ms=0, timeout=120_000)
                        for k, p in enumerate(pages):  # each session its own scenario
                            box = p.locator(INPUT).first
                            box.fill(str(36 + k))
                            box.press("Enter")
                        for p in pages:
                            wait_for_app(p, settle_ms=300, timeout=120_000)
                        for p in pages:  # and the map page
                            p.goto(f"{server.url}/?kommune={ALL}")
                        for p in pages:
                            p.wait_for_function(_INTERACTIVE, polling="raf", timeout=120_000)
                        for c in contexts:
                            c.close()
                    out["rss_peak_5"] = five.peak
                out["rss_peak_national"] = whole.peak
            finally:
                server.stop()
            out["colds_national"] = [out["cold_national"], *cold_starts(browser, national_db, colds - 1, folder)]
            # Issue 15: first page cold for the trivial app, Aalborg, national and "Hele landet",
            # interleaved round by round (bench/first_page.py).
            out["first_pages"] = first_pages(browser, aalborg_db, national_db, colds, folder)
        finally:
            trivial_server.stop()
            browser.close()
    return out


# --- the table ------------------------------------------------------------------------------------


def dk(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def verdict(value: float, target: float) -> str:
    return "OK" if value <= target else f"IKKE NÅET (+{(value / target - 1) * 100:.0f} %)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10, help="threshold changes per data set (default 10)")
    parser.add_argument("--runs", type=int, default=50, help="classification runs per size (default 50)")
    parser.add_argument("--sessions", type=int, default=5, help="browser sessions at once (default 5)")
    parser.add_argument("--cold", type=int, default=5, help="cold starts per data set, median reported (default 5)")
    parser.add_argument("--no-browser", action="store_true", help="only the in-process measurements (1 and 5)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="trappetrin-all-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        aalborg_db, national_db = build(folder, "aalborg"), build(folder, "national")
        built = time.perf_counter() - t0
        cls = classification(national_db, args.runs)
        n_import, s_import = import_8000(national_db, folder)
        br = (
            {}
            if args.no_browser
            else browser_part(aalborg_db, national_db, folder, args.reps, args.sessions, args.cold)
        )

    rows: list[tuple[str, str, str]] = []
    for n, ms in cls.items():
        target = ""
        if n == 8_000:
            target = f"≤ {TARGET_CLASSIFY_8K_MS:g} ms: {verdict(ms, TARGET_CLASSIFY_8K_MS)}"
        elif n > 8_000:
            linear = cls[8_000] * n / 8_000
            target = f"lineært ≈ {linear:.1f} ms: {'OK' if ms <= 1.5 * linear else 'IKKE LINEÆRT'}"
        rows.append((f"(1) engine.classify, {dk(n)} afdelinger", f"{ms:.2f} ms", target))
    for name, target in (("aalborg", TARGET_RATIO_AALBORG), ("national", TARGET_RATIO_NATIONAL)):
        if f"movers_{name}" not in br:
            continue
        a, b = statistics.median(br[f"trivial_{name}"]) * 1000, statistics.median(br[f"movers_{name}"]) * 1000
        label = "Aalborg, 271" if name == "aalborg" else "hele landet, 8.000"
        rows.append((f"(2) triviel app: genkørsel ({label})", f"{a:.0f} ms", ""))
        rows.append(
            (
                f"(2) /scenarie: tærskel → flyttere ({label})",
                f"{b:.0f} ms",
                f"forhold {b / a:.2f}; ≤ {target:g}×: {verdict(b / a, target)}",
            )
        )
    if "trivial_first" in br:
        rows.append(("(3) triviel app: første side klar (browserens gulv)", f"{br['trivial_first']:.2f} s", ""))
    for name, label in (("aalborg", "Aalborg-db"), ("national", "national db")):
        if f"cold_{name}" in br:
            rows.append((f"(3) serverstart → health OK ({label})", f"{br[f'spawn_{name}']:.2f} s", ""))
            colds = br.get(f"colds_{name}", [br[f"cold_{name}"]])
            cold = statistics.median(colds)
            rows.append(
                (
                    f"(3) health OK → Oversigt interaktiv ({label}, median af {len(colds)})",
                    f"{cold:.2f} s",
                    f"{min(colds):.2f}–{max(colds):.2f} s; ≤ {TARGET_COLD_S:g} s: {verdict(cold, TARGET_COLD_S)}",
                )
            )
            rows.append(
                (
                    f"(3) varm server, ny session → Oversigt interaktiv ({label})",
                    f"{br[f'warm_{name}']:.2f} s",
                    "til sammenligning: hvad browseren selv koster",
                )
            )
    if "first_pages" in br:
        for name, value, target in first_page_table(br["first_pages"]):
            rows.append((f"(3b) {name}", value, target))
    if "rss_peak_5" in br:
        rows.append(("(4) server-RSS før de 5 sessioner (national)", f"{br['rss_before_sessions']:.0f} MB", ""))
        rows.append(
            (
                f"(4) server-RSS, top med {args.sessions} sessioner (national)",
                f"{br['rss_peak_5']:.0f} MB",
                f"≤ {TARGET_PEAK_MB:g} MB: {verdict(br['rss_peak_5'], TARGET_PEAK_MB)}",
            )
        )
    rows.append((f"(5) import af udgivelse, {dk(n_import)} afdelinger", f"{s_import:.2f} s", ""))

    print(
        f"Trappetrin-benchmarks (databaser bygget på {built:.0f} s; {args.reps} tærskelændringer pr. datasæt, "
        "median; maskinens belastning: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + ")"
    )
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'måling':<{width}}{'resultat':>12}  mål")
    for name, value, target in rows:
        print(f"{name:<{width}}{value:>12}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
