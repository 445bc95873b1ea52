"""Benchmark: time and memory to refuse hostile or oversized files (issue 19, point 8).

Run from the repository root::

    .venv/bin/python bench/refused_files.py        # target: each refused < 5 s and < 300 MB over idle

Each case is a file that once took minutes and gigabytes (a 2,4 KB workbook with one far-away cell,
a deflate bomb, a 60 MB CSV) or that sits just past a limit, or at it with every row wrong
(``MAX_ROWS`` rows). Every case
runs in a fresh child process that loads trappetrin.imports, opens a demo database and then asks
``imports.plan_import`` to read the file, which must raise a Danish ``UserError``. The idle child
does the same without a file. Peak memory is the child's ``VmHWM`` from ``/proc/self/status`` (no psutil; ``ru_maxrss``
would report the parent's peak, kept across fork and exec);
"over idle" is its difference to the idle child's peak. Time is the ``plan_import`` call alone.
This is a measurement script, not a test: it says whether the target was met, it never fails.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_S, TARGET_MB = 5.0, 300.0
sys.path.insert(0, str(REPO_ROOT))
from trappetrin.spreadsheet import MAX_ROWS  # noqa: E402

CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
from datetime import date
from trappetrin import imports
from trappetrin.errors import UserError
from trappetrin.store import Store
store = Store.open({db!r})
path = sys.argv[1]
out = {{"refused": None, "message": "", "seconds": 0.0}}
if path != "-":
    start = time.perf_counter()
    try:
        imports.plan_import(store, "afdelingsdata", path, options={{"label": "b", "source": "Beboerdata",
            "reference_date": "2026-11-20"}}, today=date(2026, 11, 23))
        out["refused"] = False
    except UserError as exc:
        out["refused"] = True
        out["message"] = exc.message[:160]
    out["seconds"] = time.perf_counter() - start
# VmHWM: this process's own peak RSS (ru_maxrss would keep the parent's peak across fork + exec).
out["maxrss_mb"] = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM")) / 1024
print(json.dumps(out))
"""


def _workbook(rows: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _rewrite(data: bytes, entry: str, body: bytes) -> bytes:
    """The workbook with ``entry`` replaced by (or added as) ``body``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename != entry:
                dst.writestr(info.filename, src.read(info.filename))
        dst.writestr(entry, body)
    return out.getvalue()


def far_away_cell() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["afdelings_id", "beboere"])
    ws.append(["101-003", 248])
    ws["XFD1048576"] = "x"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def deflate_bomb() -> bytes:
    """~250 MB of sheet XML (rows of empty cells) in a few hundred KB."""
    base = _workbook([["afdelings_id", "beboere"], ["101-003", 248]])
    row = b'<row r="3"><c r="A3"/></row>'
    body = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    body += row * (250_000_000 // len(row)) + b"</sheetData></worksheet>"
    return _rewrite(base, "xl/worksheets/sheet1.xml", body)


def shared_strings_bomb() -> bytes:
    base = _workbook([["afdelings_id", "beboere"], ["101-003", "mange"]])
    body = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    body += b"a" * 200_000_000 + b"</t></si></sst>"
    return _rewrite(base, "xl/sharedStrings.xml", body)


def tall_sheet(rows_n: int) -> bytes:
    """``rows_n`` real data rows of two columns, honestly compressed."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    def text(ref: str, value: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    rows = [
        f'<row r="{r}">{text(f"A{r}", f"101-{r:06d}")}<c r="B{r}"><v>{r % 900}</v></c></row>'
        for r in range(2, rows_n + 2)
    ]
    head = f'<row r="1">{text("A1", "afdelings_id")}{text("B1", "beboere")}</row>'
    body = f'<worksheet xmlns="{ns}"><sheetData>{head}{"".join(rows)}</sheetData></worksheet>'.encode()
    return _rewrite(_workbook([["x"]]), "xl/worksheets/sheet1.xml", body)


def big_csv() -> bytes:
    line = "101-003;Demo-afd. 3;248;169;19,9\r\n"
    return (
        "Afdelings-id;Afdeling;Beboere;Beboere 18–64 år;Uden for arbejdsmarked\r\n" + line * (60_000_000 // len(line))
    ).encode()


def csv_24mb_unknown() -> bytes:
    """Just under the size limit, every row an unknown department: refused by validation."""
    head = "Afdelings-id;Afdeling;Beboere;Beboere 18–64 år;Uden for arbejdsmarked\r\n"
    lines = [f"999-{i:06d};Ukendt {i};248;169;19,9\r\n" for i in range(24_000_000 // 40)]
    return (head + "".join(lines)).encode()


def csv_at_row_limit() -> bytes:
    """At the row limit, every row an unknown department and a bad number: the most problems."""
    head = "Afdelings-id;Afdeling;Beboere;Beboere 18–64 år;Uden for arbejdsmarked\r\n"
    return (head + "".join(f"999-{i:06d};Ukendt {i};mange;169;19,9\r\n" for i in range(MAX_ROWS - 10))).encode()


CASES = {
    "far_away_cell.xlsx": far_away_cell,
    "deflate_bomb.xlsx": deflate_bomb,
    "shared_strings_bomb.xlsx": shared_strings_bomb,
    "past_row_limit.xlsx": lambda: tall_sheet(MAX_ROWS + MAX_ROWS // 10),
    "unknown_depts_at_row_limit.xlsx": lambda: tall_sheet(MAX_ROWS - 10),
    "big_60mb.csv": big_csv,
    "unknown_depts_24mb.csv": csv_24mb_unknown,
    "unknown_depts_at_row_limit.csv": csv_at_row_limit,
}


def run_child(script: Path, path: str) -> dict:
    done = subprocess.run([sys.executable, str(script), path], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        return {"refused": None, "message": done.stderr.strip().splitlines()[-1][:160], "seconds": 0, "maxrss_mb": 0}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    sys.path.insert(0, str(REPO_ROOT))
    from trappetrin.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "demo.duckdb"
        open_store(db, demo_if_empty=True).close()
        script = tmp / "child.py"
        script.write_text(CHILD.format(root=str(REPO_ROOT), db=str(db)), encoding="utf-8")
        idle = run_child(script, "-")["maxrss_mb"]
        print(f"idle child (imports + demo store open): {idle:.0f} MB peak RSS")
        print(f"{'file':<26} {'size':>10} {'refused':>8} {'s':>6} {'MB over idle':>13}  ok  message")
        all_ok = True
        for name, make in CASES.items():
            path = tmp / name
            data = make()
            path.write_bytes(data)
            del data
            r = run_child(script, str(path))
            over = r["maxrss_mb"] - idle
            ok = bool(r["refused"]) and r["seconds"] < TARGET_S and over < TARGET_MB
            all_ok &= ok
            size = path.stat().st_size
            print(
                f"{name:<26} {size / 1024:>8.0f}KB {str(r['refused']):>8} {r['seconds']:>6.2f} {over:>13.0f}  "
                f"{'ja' if ok else 'NEJ'} {r['message']}"
            )
            path.unlink()
        verdict = "met" if all_ok else "NOT met"
        print(f"target (< {TARGET_S:.0f} s and < {TARGET_MB:.0f} MB over idle, each refused): {verdict}")


if __name__ == "__main__":
    main()
