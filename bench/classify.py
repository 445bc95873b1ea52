"""Benchmark: in-process classification time of one release, at 271 and at 10,000 departments.

Run from the repository root::

    .venv/bin/python bench/classify.py            # builds a demo database in a temp folder
    .venv/bin/python bench/classify.py --runs 200 --db data/trappetrin.duckdb

Prints one table: the median (and 90th percentile) of ``--runs`` timed runs, after one warm-up
run, for

- ``store.release_data`` (loading one release from DuckDB into the wide frame), for context;
- ``engine.classify`` of the newest release under the adopted rule set, 271 departments;
- the same on 10,000 departments, synthesised by tiling the demo release with new ids and
  jittering every indicator a little (target: ≤ 20 ms);
- ``colours.colour_list`` on the 271 (what the Oversigt and Eksport pages build per run).

This is a measurement script, not a test: it never fails on a missed target, it says so.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from trappetrin import catalogue  # noqa: E402
from trappetrin.bootstrap import open_with_demo  # noqa: E402
from trappetrin.colours import ReleaseResult, colour_list  # noqa: E402
from trappetrin.engine import classify  # noqa: E402
from trappetrin.store import open_store  # noqa: E402

TARGET_10K_MS = 20.0


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and 90th percentile in milliseconds of ``runs`` calls, after one warm-up call."""
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.9 * len(samples)))]


def synthesise(frame: pd.DataFrame, n: int, seed: int = 851) -> pd.DataFrame:
    """``n`` departments made by tiling ``frame`` with new ids and jittering the indicators.

    Shares move by up to ±3 points (kept within 0–100), counts by up to ±10 % (kept ≥ 0), so the
    outcomes spread over every colour as in the demo but no two copies are identical.
    """
    rng = np.random.default_rng(seed)
    copies = -(-n // len(frame))
    big = pd.concat([frame] * copies).iloc[:n].copy()
    big.index = pd.Index([f"{dept}-{i // len(frame)}" for i, dept in enumerate(big.index)], name=frame.index.name)
    for code, ind in catalogue.indicators().items():
        if code not in big:
            continue
        values = pd.to_numeric(big[code], errors="coerce").to_numpy(dtype=float)
        if ind.unit == "%":
            big[code] = np.clip(values + rng.uniform(-3, 3, n), 0, 100)
        else:
            big[code] = np.maximum(0, np.round(values * rng.uniform(0.9, 1.1, n)))
    return big


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="timed runs per measurement (default 100)")
    parser.add_argument("--size", type=int, default=10_000, help="synthetic departments (default 10000)")
    parser.add_argument(
        "--db", type=Path, default=None, help="an existing Trappetrin database (default: build the demo)"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="trappetrin-bench-") as tmp:
        path = args.db or Path(tmp) / "demo.duckdb"
        store = open_store(path) if args.db is not None else open_with_demo(path)
        try:
            label = store.release_labels()[-1]
            rules = store.adopted_rule_set()
            data = store.release_data(label)
            big = synthesise(data.frame, args.size)

            load = timed(lambda: store.release_data(label), max(5, args.runs // 10))
            small = timed(lambda: classify(data.frame, rules, data.refs), args.runs)
            large = timed(lambda: classify(big, rules, data.refs), args.runs)
            res = ReleaseResult(data, classify(data.frame, rules, data.refs))
            listing = timed(
                lambda: colour_list(res, generated_at=datetime.now(), is_demo=True), max(5, args.runs // 10)
            )
            spread = pd.Series(classify(big, rules, data.refs).outcome).value_counts().to_dict()
        finally:
            store.close()

    rows = [
        ("store.release_data (indlæsning)", len(data.frame), load, None),
        ("engine.classify", len(data.frame), small, None),
        ("engine.classify", len(big), large, TARGET_10K_MS),
        ("colours.colour_list", len(data.frame), listing, None),
    ]
    print(
        f"Udgivelse {label}, regelsæt {rules.name} v{rules.version}; median og 90 %-fraktil i ms "
        f"({args.runs} kørsler efter opvarmning; indlæsning og farveliste færre)"
    )
    print(f"{'måling':<34}{'afdelinger':>11}{'median':>10}{'p90':>10}  mål")
    for name, n, (median, p90), target in rows:
        verdict = "" if target is None else f"≤ {target:g} ms: {'OK' if median <= target else 'IKKE NÅET'}"
        print(f"{name:<34}{n:>11,}{median:>10.2f}{p90:>10.2f}  {verdict}".replace(",", "."))
    print("Fordeling af de syntetiske afdelinger: " + ", ".join(f"{k} {v}" for k, v in spread.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
