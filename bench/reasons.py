"""Benchmark: the reasons text (trappetrin.explain.reasons) at 271 and at ~10,000 departments.

Run from the repository root::

    .venv/bin/python bench/reasons.py

The 10,000 are the demo's newest release tiled 37 times with new ids, every share jittered a
little and rounded to one decimal as the source data are. "cold" empties the formatting caches
first (the first list after a start or a new scenario threshold); "warm" is the next call.
A measurement script, not a test.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from trappetrin import catalogue, explain  # noqa: E402
from trappetrin.bootstrap import open_with_demo  # noqa: E402
from trappetrin.engine import classify  # noqa: E402

COPIES = 37


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = open_with_demo(Path(folder) / "demo.duckdb")
        data = store.release_data(store.latest_release())
        rules = store.adopted_rule_set()
        store.close()
    rng = np.random.default_rng(1)
    frames = []
    for k in range(COPIES):
        frame = data.frame.copy()
        frame.index = [f"{i}-{k}" for i in frame.index]
        for code, ind in catalogue.indicators().items():
            if ind.unit == "%" and k:
                frame[code] = (frame[code] * rng.normal(1, 0.05, len(frame))).round(1)
        frames.append(frame)
    big = pd.concat(frames)
    big.index.name = "dept_id"
    print("måling                       afdelinger   kold (ms)   varm (ms)")
    for frame in (data.frame, big):
        result = classify(frame, rules, data.refs)
        explain.comparison_text.cache_clear()
        explain._format.cache_clear()
        start = time.perf_counter()
        explain.reasons(result, frame, list_year=data.list_year)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        explain.reasons(result, frame, list_year=data.list_year)
        warm = time.perf_counter() - start
        print(f"explain.reasons              {len(frame):>10}   {cold * 1000:>9.0f}   {warm * 1000:>9.0f}")


if __name__ == "__main__":
    main()
