"""Benchmark: validating an 8,000-department register given in UTM32 coordinates (issue 16.1).

The register is the demo's own export (271 departments) tiled to 8,000 rows with new department
numbers, its latitude/longitude replaced by EPSG:25832 easting/northing. The script times
``trappetrin.imports.register.validate_register`` (read → validate → coordinates converted) on it, and the
coordinate conversion alone. Target: the whole register in < 1 s. Prints a table; never fails.

    .venv/bin/python bench/utm_register.py [--rows 8000] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trappetrin import imports  # noqa: E402
from trappetrin.imports import register  # noqa: E402
from trappetrin.store import open_store  # noqa: E402


def utm_register(store, rows: int) -> bytes:
    base = pd.read_csv(
        io.BytesIO(imports.export_register_template(store)), sep=";", decimal=",", encoding="utf-8-sig", dtype=str
    )
    copies = -(-rows // len(base))
    frame = pd.concat([base] * copies, ignore_index=True).head(rows)
    frame["Afdelingsnummer"] = [str(1000 + i) for i in range(rows)]
    frame["Afdelings-id"] = frame["Organisationsnummer"] + "-" + frame["Afdelingsnummer"]
    lat = frame.pop("Breddegrad").str.replace(",", ".").astype(float).to_numpy()
    lon = frame.pop("Længdegrad").str.replace(",", ".").astype(float).to_numpy()
    jitter = np.random.default_rng(1).normal(0, 0.002, size=(2, rows))
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    x, y = to_utm.transform(lon + jitter[0], lat + jitter[1])
    frame["UTM32 x (EPSG:25832)"] = [f"{v:.1f}".replace(".", ",") for v in x]
    frame["UTM32 y (EPSG:25832)"] = [f"{v:.1f}".replace(".", ",") for v in y]
    return frame.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8-sig")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=8000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "demo.duckdb", demo_if_empty=True)
        data = utm_register(store, args.rows)
        whole, convert = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            table = imports.read_table(data, "stamdata_utm.csv")
            plan = register.validate_register(store, table)
            whole.append(time.perf_counter() - start)
            start = time.perf_counter()
            register.utm32_to_wgs84(np.full(args.rows, 556_000.0), np.full(args.rows, 6_320_000.0))
            convert.append(time.perf_counter() - start)
        store.close()
    n = len(plan.departments) if hasattr(plan, "departments") else args.rows
    print(f"UTM32 register, {args.rows:,} rows ({n:,} departments planned), median of {args.runs} runs")
    print(f"{'step':<44}{'seconds':>10}{'target':>10}")
    print(f"{'read + validate (incl. coordinates)':<44}{statistics.median(whole):>10.3f}{'< 1':>10}")
    print(f"{'coordinate conversion alone (one call)':<44}{statistics.median(convert):>10.4f}")
    print("target met" if statistics.median(whole) < 1 else "TARGET NOT MET")


if __name__ == "__main__":
    main()
