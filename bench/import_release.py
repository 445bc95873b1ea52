"""Benchmark: importing one department-indicator release of 10,000 and of 8,000 departments.

Run from the repository root::

    .venv/bin/python bench/import_release.py          # target: 10,000 departments in < 5 s

For each size it builds, in a temp folder, a database whose register has that many synthetic
departments (the demo register tiled with new ids), writes a release file in the template layout
(Danish Excel CSV, every indicator, the demo's values jittered) and times, once each:

- read: ``imports.files.read_table`` (decode, sniff, split);
- validate: ``imports.indicators.validate_indicator_release`` (ids, every cell parsed and checked);
- preview: ``imports.indicators.preview`` under the adopted rule set (classify before and after);
- commit: ``imports.indicators.commit`` (one transaction, with the audit record);

and the total of read + validate + commit (what "importing" is; the preview is shown beside it).
This is a measurement script, not a test: it says whether the target was met, it never fails.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from trappetrin import catalogue  # noqa: E402
from trappetrin.auth import Actor  # noqa: E402
from trappetrin.demo import build_demo  # noqa: E402
from trappetrin.imports import files, indicators  # noqa: E402
from trappetrin.imports.columns import field_label  # noqa: E402
from trappetrin.store import DEPARTMENT_COLUMNS, Store  # noqa: E402

TARGET_S = 5.0
ACTOR = Actor("bench", "admin")


def synthetic_store(path: Path, n: int, seed: int = 1) -> tuple[Store, bytes]:
    """A store with ``n`` departments and the bytes of a release file for all of them."""
    demo = build_demo()
    store = Store.open(path)
    reps = -(-n // len(demo.departments))
    depts = pd.concat([demo.departments] * reps, ignore_index=True).iloc[:n].copy()
    depts["dept_no"] = np.arange(1, n + 1)
    depts["org_no"] = 900 + (np.arange(n) // 1000)
    depts["dept_id"] = [f"{o}-{d:05d}" for o, d in zip(depts["org_no"], depts["dept_no"])]
    orgs = pd.DataFrame({"org_no": sorted(set(depts["org_no"]))})
    orgs["name"] = [f"Bench-organisation {o}" for o in orgs["org_no"]]
    with store.transaction() as cur:
        cur.insert_frame("organisations", orgs)
        cur.insert_frame("departments", depts[list(DEPARTMENT_COLUMNS)])
    last = demo.values[demo.values["release"] == demo.values["release"].max()]
    wide = last.pivot(index="dept_id", columns="indicator", values="value").reindex(
        columns=list(catalogue.indicators())
    )
    tiled = pd.concat([wide] * reps, ignore_index=True).iloc[:n]
    rng = np.random.default_rng(seed)
    out = pd.DataFrame({"Afdelings-id": depts["dept_id"].to_numpy(), "Afdeling": depts["name"].to_numpy()})
    for code in catalogue.indicators():
        values = tiled[code].to_numpy(dtype=float)
        if catalogue.unit(code) == "antal":
            out[field_label(code)] = pd.array(np.where(np.isnan(values), None, values), dtype="Int64")
        else:
            jitter = np.clip(values + rng.normal(0, 0.5, n), 0, 100 if code != "income_pct_of_region" else None)
            out[field_label(code)] = np.round(jitter, 1)
    body = out.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n").encode("utf-8-sig")
    return store, body


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def run(n: int, folder: Path) -> dict[str, float]:
    store, body = synthetic_store(folder / f"bench-{n}.duckdb", n)
    try:
        table, t_read = timed(lambda: files.read_table(body, f"udgivelse-{n}.csv"))
        plan, t_validate = timed(
            lambda: indicators.validate_indicator_release(
                store, table, label=f"bench-{n}", source="Tvillingeværktøj", reference_date="2026-11-15"
            )
        )
        _, t_preview = timed(lambda: indicators.preview(store, plan, store.adopted_rule_set()))
        _, t_commit = timed(lambda: indicators.commit(store, plan, actor=ACTOR))
        assert store.scalar("SELECT n_values FROM releases WHERE label = ?", [f"bench-{n}"]) == plan.n_values
    finally:
        store.close()
    return {
        "departments": n,
        "values": plan.n_values,
        "file_kb": len(body) / 1024,
        "read": t_read,
        "validate": t_validate,
        "preview": t_preview,
        "commit": t_commit,
        "import": t_read + t_validate + t_commit,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 8_000])
    args = parser.parse_args(argv)
    print(
        f"{'afdelinger':>10} {'værdier':>8} {'fil kB':>7} {'læs':>6} {'kontrol':>8} {'commit':>7} "
        f"{'import':>7} {'(preview)':>10}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            r = run(n, Path(tmp))
            verdict = "OK" if r["import"] < TARGET_S else f"OVER MÅLET ({TARGET_S:.0f} s)"
            print(
                f"{r['departments']:>10,} {r['values']:>8,} {r['file_kb']:>7.0f} {r['read']:>5.2f}s "
                f"{r['validate']:>7.2f}s {r['commit']:>6.2f}s {r['import']:>6.2f}s {r['preview']:>9.2f}s  {verdict}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
