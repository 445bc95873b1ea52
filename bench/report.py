"""Benchmark: the Statusrapport for a 2-year period on the Aalborg demo (target ≤ 10 s).

Run from the repository root::

    .venv/bin/python bench/report.py                 # builds a demo database in a temp folder
    .venv/bin/python bench/report.py --runs 5 --db data/trappetrin.duckdb

Each run opens the database fresh and makes the report from nothing, as the command line
``python -m trappetrin report --from 2025-01-01 --to 2026-12-31 --out …`` does: build (classify
the releases, movers, trends, follow-up summary, charts and map), then the PDF (typst) and the
XLSX. Prints the median and the slowest of ``--runs`` per step and in total, and whether the
target is met. A measurement script, not a test: it never fails on a missed target, it says so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from trappetrin import report as rp  # noqa: E402
from trappetrin.bootstrap import open_with_demo  # noqa: E402
from trappetrin.followup import Period  # noqa: E402
from trappetrin.store import Store  # noqa: E402

TARGET_S = 10.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--start", default="2025-01-01")
    ap.add_argument("--end", default="2026-12-31")
    args = ap.parse_args()
    period = Period(date.fromisoformat(args.start), date.fromisoformat(args.end))
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "demo.duckdb"
            t = time.perf_counter()
            open_with_demo(db).close()
            print(f"demo database built in {time.perf_counter() - t:.1f} s")
        steps: dict[str, list[float]] = {"build": [], "pdf": [], "xlsx": [], "total": []}
        cpu: list[float] = []
        pages = 0
        for _ in range(args.runs):
            t0 = time.perf_counter()
            c0 = time.process_time()
            store = Store.open(db)
            try:
                report = rp.build_report(store, store.adopted_rule_set(), period)
                t1 = time.perf_counter()
                pdf = rp.to_pdf(report)
                t2 = time.perf_counter()
                rp.to_xlsx(report)
                t3 = time.perf_counter()
            finally:
                store.close()
            steps["build"].append(t1 - t0)
            steps["pdf"].append(t2 - t1)
            steps["xlsx"].append(t3 - t2)
            steps["total"].append(t3 - t0)
            cpu.append(time.process_time() - c0)
            import io

            import pypdf

            pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    print(f"Statusrapport {period.label()} on {db.name if args.db else 'the Aalborg demo'}, {args.runs} runs")
    print(f"{'step':<8}{'median s':>10}{'max s':>10}")
    for name, values in steps.items():
        print(f"{name:<8}{statistics.median(values):>10.2f}{max(values):>10.2f}")
    total = statistics.median(steps["total"])
    print(f"PDF pages: {pages}; first run (cold: imports, fonts): {steps['total'][0]:.2f} s")
    print(
        f"CPU time of this process per run (median; the wall time above waits for a busy machine too): "
        f"{statistics.median(cpu):.2f} s"
    )
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    verdict = "met" if total <= TARGET_S else "NOT met"
    print(f"target: PDF + XLSX of a 2-year report <= {TARGET_S:.0f} s (median): {verdict} ({total:.2f} s)")


if __name__ == "__main__":
    main()
