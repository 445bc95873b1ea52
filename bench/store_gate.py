"""What the command line's hand-over costs the app (issue 19.13): the lease every query takes.

Every read and write of :class:`trappetrin.store.Store` now takes an (uncontended) lease from its
gate, so a command can ask the app to close the file (``trappetrin/handover.py``). This times the
store's own reads against the same SQL on a bare DuckDB cursor, and one hand-over round trip (a
command asking, the app closing and reopening the file).

    .venv/bin/python bench/store_gate.py [--db PATH] [--n 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trappetrin import handover  # noqa: E402
from trappetrin.bootstrap import open_with_demo  # noqa: E402

QUERIES = {
    "scalar SELECT 1": "SELECT 1",
    "releases (13 rows)": "SELECT * FROM releases",
    "departments (271 rows)": "SELECT * FROM departments",
}


def _time(fn, n: int) -> float:
    """Median µs per call over 5 rounds of n/5 calls."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n // 5):
            fn()
        rounds.append((time.perf_counter() - start) / (n // 5) * 1e6)
    return statistics.median(rounds)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", type=Path, default=None)
    p.add_argument("--n", type=int, default=2000)
    args = p.parse_args()
    db = args.db or Path(tempfile.mkdtemp()) / "bench.duckdb"
    store = open_with_demo(db)
    con = store._con
    print(f"database: {db}")
    print(f"{'query':28} {'store µs':>10} {'bare cursor µs':>15} {'overhead µs':>12}")
    for name, sql in QUERIES.items():

        def bare(sql=sql):
            cur = con.cursor()
            try:
                return cur.execute(sql).df()
            finally:
                cur.close()

        via = _time(lambda sql=sql: store.query(sql), args.n)
        raw = _time(bare, args.n)
        print(f"{name:28} {via:10.1f} {raw:15.1f} {via - raw:12.1f}")
    store.serve_commands()
    times = []
    for _ in range(10):
        start = time.perf_counter()
        lease = handover.ask_app_to_step_aside(db)
        assert lease is not None
        lease.close()
        store.scalar("SELECT 1")  # waits until the app has the file again
        times.append((time.perf_counter() - start) * 1000)
    print(f"hand-over round trip (ask, close, reopen, first query): median {statistics.median(times):.1f} ms")
    store.close()


if __name__ == "__main__":
    main()
