"""Benchmark: the first page, cold, for Aalborg, the national data and a trivial Streamlit app.

Run from the repository root (needs Chromium, like the e2e tests)::

    .venv/bin/python bench/first_page.py            # 5 rounds, about 3 minutes
    .venv/bin/python bench/first_page.py --rounds 9

Each round starts, one after another (so machine load hits all alike), a new server for:

- the trivial app (``bench/trivial_app.py``): health OK → "Resultat: 0.0" on screen and the
  script idle, in a new browser context (empty cache). Streamlit's own floor for a first page;
- Trappetrin (``serve.py``) on the Aalborg demo (271 departments): health OK → Oversigt
  interactive (``bench/rerun.py``'s check: script idle, the map's canvas sized, both tables drawn);
- the same on the national demo (8,000 departments in 98 municipalities), at the root (the
  default view, Aalborg) and with "Hele landet" in view (``?kommune=alle``: a pie per
  municipality).

Prints medians and the targets of issue 15: first page on national data ≤ 3 s and ≤ 1.3× the
trivial app's first page, from the same run. ``bench/run_all.py`` runs the same measurement.
Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.rerun import _INTERACTIVE, _TEXT_SHOWN  # noqa: E402
from tests.support.browser import launch_chromium, start_streamlit, wait_for_app  # noqa: E402

TARGET_S = 3.0
TARGET_RATIO = 1.3
ALL = "alle"  # ui.url.ALL_MUNICIPALITIES


def _cold(browser, script: str, env: dict, logs: Path, name: str, query: str, check, arg=None) -> float:
    """Start a server, open ``query`` in a new context; seconds from health OK to ``check`` holding."""
    server = start_streamlit(script, log_path=logs / f"{name}.log", env=env)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="da-DK")
        try:
            page = context.new_page()
            start = time.perf_counter()
            page.goto(server.url + query)
            page.wait_for_function(check, arg=arg, polling="raf", timeout=90_000)
            if check is _TEXT_SHOWN:
                wait_for_app(page, settle_ms=0)
            return time.perf_counter() - start
        finally:
            context.close()
    finally:
        server.stop()


def first_pages(browser, aalborg_db: Path, national_db: Path, rounds: int, logs: Path) -> dict[str, list[float]]:
    """Seconds to the first page interactive, per app and data set, ``rounds`` interleaved rounds."""
    out: dict[str, list[float]] = {"trivial": [], "aalborg": [], "national": [], "national_all": []}
    trivial = str(REPO_ROOT / "bench" / "trivial_app.py")
    for _ in range(rounds):
        out["trivial"].append(_cold(browser, trivial, {}, logs, "trivial", "", _TEXT_SHOWN, "Resultat: 0.0"))
        out["aalborg"].append(
            _cold(browser, "serve.py", {"TRAPPETRIN_DB": str(aalborg_db)}, logs, "aalborg", "", _INTERACTIVE)
        )
        out["national"].append(
            _cold(browser, "serve.py", {"TRAPPETRIN_DB": str(national_db)}, logs, "national", "", _INTERACTIVE)
        )
        out["national_all"].append(
            _cold(
                browser,
                "serve.py",
                {"TRAPPETRIN_DB": str(national_db)},
                logs,
                "national_all",
                f"/?kommune={ALL}",
                _INTERACTIVE,
            )
        )
    return out


LABELS = {
    "trivial": "triviel app (bench/trivial_app.py)",
    "aalborg": "Oversigt, Aalborg-db (271)",
    "national": "Oversigt, national db (standard: Aalborg)",
    "national_all": "Oversigt, national db, Hele landet",
}


def table(times: dict[str, list[float]]) -> list[tuple[str, str, str]]:
    """Rows (name, median s, target) of the first-page comparison."""
    floor = statistics.median(times["trivial"])
    rows = []
    for key, xs in times.items():
        med = statistics.median(xs)
        spread = f"{min(xs):.2f}–{max(xs):.2f} s"
        if key == "trivial":
            target = spread
        else:
            ratio = med / floor
            ok = "OK" if med <= TARGET_S and ratio <= TARGET_RATIO else "IKKE NÅET"
            target = f"{spread}; {ratio:.2f}× triviel; ≤ {TARGET_S:g} s og ≤ {TARGET_RATIO:g}×: {ok}"
        rows.append((f"første side: {LABELS[key]} (median af {len(xs)})", f"{med:.2f} s", target))
    return rows


def build(folder: Path, scale: str) -> Path:
    import os
    import subprocess

    db = folder / f"{scale}.duckdb"
    subprocess.run(
        [sys.executable, "-m", "trappetrin", "demo", "--scale", scale],
        cwd=REPO_ROOT,
        check=True,
        env={**os.environ, "TRAPPETRIN_DB": str(db)},
        capture_output=True,
        timeout=600,
    )
    return db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="cold starts per app and data set (default 5)")
    parser.add_argument("--aalborg-db", type=Path, help="an existing Aalborg demo database (else built)")
    parser.add_argument("--national-db", type=Path, help="an existing national demo database (else built)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="trappetrin-first-") as tmp:
        folder = Path(tmp)
        aalborg = args.aalborg_db or build(folder, "aalborg")
        national = args.national_db or build(folder, "national")
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            try:
                times = first_pages(browser, aalborg, national, args.rounds, folder)
            finally:
                browser.close()
    import os

    print(
        "Første side, kold start (health OK → interaktiv), maskinens belastning: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    rows = table(times)
    width = max(len(r[0]) for r in rows) + 2
    for name, value, target in rows:
        print(f"{name:<{width}}{value:>8}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
