"""Departments of the register without data in a release (issue 14.6): visible everywhere, never hidden.

The demo database with one department's values taken out of the newest values release, so it is in
the register (271) but not in the release (270).
"""

from __future__ import annotations

import io
import shutil
from datetime import datetime

import duckdb
import openpyxl
import pandas as pd
import pytest

from tests.support.demo import demo_copy
from trappetrin import catalogue, trends
from trappetrin.colours import classify_release, colour_list, red_and_yellow
from trappetrin.export import to_csv_danish, to_xlsx
from trappetrin.store import open_store

LATEST, PREVIOUS = "2026-11", "2026-02"
INDICATOR_COLUMNS = [f"{i.label} ({i.unit})" for i in catalogue.indicators().values()]


def drop_department(path, release: str, outcome: str = "yellow") -> str:
    """Delete one department's values from ``release``: one that was ``outcome`` in the release before."""
    store = open_store(path)
    try:
        rules = store.adopted_rule_set()
        before = classify_release(store, PREVIOUS, rules).result.outcomes
        dept = str(before[before == outcome].index[0])
    finally:
        store.close()
    con = duckdb.connect(str(path))
    con.execute(
        "DELETE FROM indicator_values WHERE dept_id = ? "
        "AND release_id = (SELECT release_id FROM releases WHERE label = ?)",
        [dept, release],
    )
    con.close()
    return dept


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("missing") / "demo.duckdb"
    demo_copy(path)
    return path


@pytest.fixture(scope="module")
def missing(demo_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("missing1") / "one-missing.duckdb"
    shutil.copy(demo_file, path)
    dept = drop_department(path, LATEST)
    store = open_store(path)
    yield store, dept
    store.close()


def test_release_data_keeps_the_register_row_aside(missing):
    store, dept = missing
    data = store.release_data(LATEST)
    assert list(data.absent.index) == [dept]
    assert dept not in data.frame.index
    assert (len(data.frame), data.register_size) == (270, 271)
    assert store.release_data(PREVIOUS).absent.empty


def test_colour_list_carries_it_as_ingen_data(missing):
    store, dept = missing
    res = classify_release(store, LATEST, store.adopted_rule_set())
    table = colour_list(res, generated_at=datetime(2026, 12, 1), is_demo=True)
    assert len(table) == 271
    row = table.set_index("Afdelings-id").loc[dept]
    assert row["Farve"] == "Ingen data"
    assert row["Begrundelse"] == f"Ingen data i udgivelse {LATEST}"
    assert row["Afdeling"] == store.departments().set_index("dept_id").at[dept, "name"]
    assert pd.isna(row[INDICATOR_COLUMNS]).all() and pd.isna(row["Antal opfyldte kriterier"])
    assert table["Afdelings-id"].iloc[-1] == dept  # after every colour
    assert dept not in set(red_and_yellow(table, res.rules)["Afdelings-id"])
    csv = to_csv_danish(table).decode("utf-8-sig")
    assert f"{dept};" in csv and ";Ingen data;" in csv
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx({"Farveliste": table}))).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = rows[0]
    found = next(r for r in rows[1:] if r[0] == dept)
    assert found[header.index("Farve")] == "Ingen data"


def test_changes_since_previous_list_it_as_missing(missing):
    store, dept = missing
    changes = trends.changes_since_previous(store, store.adopted_rule_set(), LATEST).set_index("dept_id")
    row = changes.loc[dept]
    assert (row["from"], row["to"]) == ("yellow", trends.NO_DATA)
    assert row["why"].startswith(f"Ingen data i udgivelse {LATEST}")
    assert row["causes"] == []


def test_a_department_back_with_data_is_listed_too(demo_file, tmp_path):
    path = tmp_path / "back.duckdb"
    shutil.copy(demo_file, path)
    dept = drop_department(path, PREVIOUS)
    store = open_store(path)
    try:
        changes = trends.changes_since_previous(store, store.adopted_rule_set(), LATEST).set_index("dept_id")
        assert changes.at[dept, "from"] == trends.NO_DATA
        assert changes.at[dept, "why"] == f"Ingen data i udgivelse {PREVIOUS}; nu med data"
    finally:
        store.close()


def test_cli_classify_lists_it(missing, tmp_path, monkeypatch):
    from trappetrin.cli import main

    store, dept = missing
    monkeypatch.setenv("TRAPPETRIN_DB", str(store.path))
    out = tmp_path / "liste.csv"
    assert main(["classify", "--release", LATEST, "--rules", "trappetrin", "--out", str(out)]) == 0
    back = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(back) == 271
    assert back.set_index("Afdelings-id").at[dept, "Farve"] == "Ingen data"
