"""Benchmark: twin search (trappetrin.twins) on the national demo, ~8,000 departments.

Run from the repository root::

    .venv/bin/python bench/twins.py                      # builds the national demo in a temp folder
    .venv/bin/python bench/twins.py --db data/national.duckdb --runs 20

Prints the median (and 90th percentile) of ``--runs`` timed runs, after one warm-up run, for each
basis (stamdata, socio, begge) with n = 10:

- one department's twins among all departments (scope land; target ≤ 50 ms);
- every department's twins at once (scope land; target ≤ 2 s), and per municipality (scope kommune);
- every department's position against its twins (``positions``), from those twins.

The release frame is loaded once (``store.release_data``, timed for context). This is a
measurement script, not a test: it never fails on a missed target, it says so.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.classify import timed  # noqa: E402
from trappetrin import twins  # noqa: E402
from trappetrin.store import open_store  # noqa: E402

TARGET_ONE_MS = 50.0
TARGET_ALL_MS = 2_000.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, default=None, help="a national demo database (default: build one)")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--n", type=int, default=twins.DEFAULT_N)
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db
        if path is None:
            from trappetrin.demo_national import build_national

            path = Path(tmp) / "national.duckdb"
            store = open_store(path)
            store.load_demo(build_national())
        else:
            store = open_store(path)
        label = store.latest_release()
        load = timed(lambda: store.release_data(label), max(3, args.runs // 2))
        frame = store.release_data(label).frame
        grey = twins.masked(frame, store.adopted_rule_set())
        one_id = frame.index[len(frame) // 2]
        print(f"{len(frame)} afdelinger, udgivelse {label}, n = {args.n}, {args.runs} kørsler (median / p90, ms)")
        print(f"  release_data (indlæsning, til sammenligning)           {load[0]:8.1f} / {load[1]:8.1f}")
        rows = []
        for by in twins.BY_CHOICES:
            variables = twins.variables_for(by)
            one = timed(
                lambda v=variables: twins.find_twins(frame, grey, one_id, variables=v, n=args.n, scope="land"),
                args.runs * 5,
            )
            every = timed(
                lambda v=variables: twins.all_twins(frame, grey, variables=v, n=args.n, scope="land"), args.runs
            )
            local = timed(
                lambda v=variables: twins.all_twins(frame, grey, variables=v, n=args.n, scope="kommune"), args.runs
            )
            pairs, _ = twins.all_twins(frame, grey, variables=variables, n=args.n, scope="land")
            pos = timed(lambda pr=pairs: twins.positions(frame, grey, pr), args.runs)
            rows.append((by, one, every, local, pos))
            print(f"  {by:9s} én afdeling (land)                          {one[0]:8.1f} / {one[1]:8.1f}")
            print(f"  {by:9s} alle afdelinger (land)                      {every[0]:8.1f} / {every[1]:8.1f}")
            print(f"  {by:9s} alle afdelinger (kommune)                   {local[0]:8.1f} / {local[1]:8.1f}")
            print(f"  {by:9s} placering mod tvillingerne, alle            {pos[0]:8.1f} / {pos[1]:8.1f}")
        worst_one = max(r[1][0] for r in rows)
        worst_all = max(r[2][0] for r in rows)
        print(
            f"Mål: én afdeling ≤ {TARGET_ONE_MS:.0f} ms ({'nået' if worst_one <= TARGET_ONE_MS else 'IKKE nået'}: "
            f"{worst_one:.1f}); alle ≤ {TARGET_ALL_MS:.0f} ms "
            f"({'nået' if worst_all <= TARGET_ALL_MS else 'IKKE nået'}: {worst_all:.1f})."
        )
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
