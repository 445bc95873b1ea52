"""File formats of the colour list, and the colour list itself: discretion and agreement with the engine."""

from __future__ import annotations

import io
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest

from tests.support.demo import demo_copy
from trappetrin import catalogue
from trappetrin.colours import classify_release, colour_list, red_and_yellow
from trappetrin.engine import classify
from trappetrin.export import to_csv_danish, to_csv_plain, to_xlsx
from trappetrin.store import Store, open_store

GENERATED = datetime(2026, 2, 3, 4, 5)
INDICATOR_COLUMNS = [f"{i.label} ({i.unit})" for i in catalogue.indicators().values()]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = open_store(demo_copy(tmp_path_factory.mktemp("export") / "demo.duckdb"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def result(store):
    return classify_release(store, store.release_labels()[-1], store.adopted_rule_set())


@pytest.fixture(scope="module")
def table(result) -> pd.DataFrame:
    return colour_list(result, generated_at=GENERATED, is_demo=True)


SMALL = pd.DataFrame({"navn": ["Æblehaven", "Ørnereden"], "andel": [12.5, 3.25], "antal": [3, 40]})


def test_danish_csv_bytes():
    """Danish-Excel CSV: BOM first, ``;`` between fields, decimal comma, CRLF line ends."""
    data = to_csv_danish(SMALL)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "navn;andel;antal\r\nÆblehaven;12,5;3\r\nØrnereden;3,25;40\r\n"


def test_danish_csv_round_trips_through_pandas(table):
    """The exported colour list reads back with ``sep=';', decimal=','`` to the same values."""
    back = pd.read_csv(
        io.BytesIO(to_csv_danish(table)),
        sep=";",
        decimal=",",
        encoding="utf-8-sig",
        keep_default_na=False,
        na_values=[""],
    )
    assert list(back.columns) == list(table.columns)
    assert len(back) == len(table)
    for column in INDICATOR_COLUMNS:
        np.testing.assert_allclose(back[column].astype(float), table[column].astype(float), equal_nan=True)
    assert back["Afdelings-id"].tolist() == table["Afdelings-id"].tolist()
    assert back["Farve"].tolist() == table["Farve"].tolist()


def test_plain_csv_uses_commas_and_points():
    data = to_csv_plain(SMALL)
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode() == "navn,andel,antal\nÆblehaven,12.5,3\nØrnereden,3.25,40\n"


def test_xlsx_reads_back_with_every_sheet(table, result):
    """The workbook opens in openpyxl with the sheets asked for, headers first and one row per department."""
    ry = red_and_yellow(table, result.rules)
    about = pd.DataFrame({"Felt": ["Udgivelse"], "Værdi": [table["Udgivelse"][0]]})
    data = to_xlsx({"Farveliste": table, "Røde og gule": ry, "Om data": about})
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["Farveliste", "Røde og gule", "Om data"]
    rows = list(book["Farveliste"].iter_rows(values_only=True))
    assert list(rows[0]) == list(table.columns)
    assert len(rows) == len(table) + 1
    assert len(list(book["Røde og gule"].iter_rows(values_only=True))) == len(ry) + 1
    back = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert back["Farveliste"]["Afdelings-id"].tolist() == table["Afdelings-id"].tolist()
    assert set(back["Røde og gule"]["Farve"]) <= {"Rød", "Gul"}


def test_xlsx_leaves_grey_values_empty(table):
    """Discretion survives the XLSX writer: a grey department's value cells are empty, not 0 or "nan"."""
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx({"Farveliste": table})), read_only=True)
    rows = list(book["Farveliste"].iter_rows(values_only=True))
    header = list(rows[0])
    value_cols = [header.index(c) for c in INDICATOR_COLUMNS + ["Antal opfyldte kriterier", "Opfyldte kriterier"]]
    grey = [r for r in rows[1:] if r[header.index("Farve")] == "Grå"]
    assert grey
    for r in grey:
        assert all(r[i] in (None, "") for i in value_cols), r


def test_colour_list_leaves_grey_departments_without_values(table, result):
    """Every department under the discretion limit is listed as grey with no value in any indicator column."""
    masked_ids = set(result.result.ids[result.result.masked])
    grey = table[table["Farve"] == "Grå"]
    assert set(grey["Afdelings-id"]) == masked_ids and masked_ids
    assert grey[INDICATOR_COLUMNS].isna().all().all()
    assert grey["Antal opfyldte kriterier"].isna().all()
    assert (grey["Opfyldte kriterier"] == "").all()
    shown = table[table["Farve"] != "Grå"]
    assert shown["Beboere 18–64 år (antal)"].notna().all()
    assert (shown["Beboere 18–64 år (antal)"] >= 20).all()


def test_exported_colours_equal_the_engine(store, table, result):
    """The colours in the list are exactly classify()'s outcomes, department by department."""
    data = result.data
    engine = classify(data.frame, result.rules, data.refs).outcomes
    label_to_code = {o.label: o.code for o in result.rules.outcomes}
    exported = table.set_index("Afdelings-id")["Farve"].map(label_to_code)
    assert exported.notna().all()
    pd.testing.assert_series_equal(exported.sort_index(), engine.sort_index(), check_names=False)
    assert len(table) == len(data.frame) == 271


def test_colour_list_is_sorted_severest_first(table):
    order = {"Rød": 0, "Gul": 1, "Grøn": 2, "Grå": 3}
    ranks = table["Farve"].map(order).tolist()
    assert ranks == sorted(ranks)


def test_colour_list_metadata_columns(table):
    assert set(table["Datagrundlag"]) == {"Demodata – fiktive afdelinger"}
    assert set(table["Dannet"]) == {"03.02.2026 kl. 04.05"}  # the one date-time style
    assert set(table["Regelsæt"]) == {"trappetrin"}


def test_colour_list_names_the_real_source_outside_demo(result):
    """Outside demo mode the list names the data source instead of the demo text."""
    table = colour_list(result, generated_at=GENERATED, is_demo=False)
    assert set(table["Datagrundlag"]) == {result.data.source}


def test_colour_list_reason_is_the_one_reasons_text(table, result):
    """ "Begrundelse" is trappetrin.explain.reasons for every department: the rule, its gates and values."""
    from trappetrin.explain import reasons

    expected = reasons(result.result, result.data.frame, list_year=result.data.list_year)
    got = table.set_index("Afdelings-id")["Begrundelse"]
    assert got.to_dict() == expected.to_dict()
    yellow_by_gate = got[table.set_index("Afdelings-id")["Farve"] == "Gul"]
    assert yellow_by_gate.str.contains("ikke-vestlige lande (", regex=False).any()


def test_cli_classify_writes_the_same_reasons(tmp_path, store, table, monkeypatch):
    """``python -m trappetrin classify`` carries the very same "Begrundelse" as the list and the page."""
    from trappetrin.cli import main

    monkeypatch.setenv("TRAPPETRIN_DB", str(store.path))
    out = tmp_path / "liste.csv"
    assert main(["classify", "--release", store.release_labels()[-1], "--rules", "trappetrin", "--out", str(out)]) == 0
    back = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False, dtype=str)
    written = dict(zip(back["Afdelings-id"], back["Begrundelse"]))
    assert written == dict(zip(table["Afdelings-id"], table["Begrundelse"]))


def test_xlsx_looks_finished(table, result):
    """Bold header, autofilter over the table, fitted widths, and each Farve cell filled in its colour."""
    from trappetrin.colours import colour_fills

    ry = red_and_yellow(table, result.rules)
    data = to_xlsx({"Farveliste": table, "Røde og gule": ry}, fills=colour_fills(result.rules))
    book = openpyxl.load_workbook(io.BytesIO(data))
    colours = {o.label: o.color.lstrip("#").upper() for o in result.rules.outcomes}
    for name, frame in (("Farveliste", table), ("Røde og gule", ry)):
        sheet = book[name]
        header = [c.value for c in sheet[1]]
        assert header == list(frame.columns)
        assert all(c.font.bold for c in sheet[1])
        assert not sheet.cell(row=2, column=1).font.bold
        last = openpyxl.utils.get_column_letter(len(header))
        assert sheet.auto_filter.ref == f"A1:{last}{len(frame) + 1}"
        assert sheet.freeze_panes == "A2"
        widths = {
            h: sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i, h in enumerate(header, 1)
        }
        assert widths["Afdelings-id"] >= len("Afdelings-id") + 2  # the header and its filter button fit
        assert widths["Trin"] < widths["Afdeling"] <= 60
        assert widths["Begrundelse"] == 60  # long text: the widest column, wrapped
        reason = sheet.cell(row=2, column=header.index("Begrundelse") + 1)
        assert reason.alignment.wrap_text
        farve = header.index("Farve") + 1
        seen = set()
        for row in range(2, len(frame) + 2):
            cell = sheet.cell(row=row, column=farve)
            assert cell.fill.fill_type == "solid"
            assert cell.fill.fgColor.rgb[-6:] == colours[cell.value], (row, cell.value)
            seen.add(cell.value)
        assert seen == set(frame["Farve"])
        other = sheet.cell(row=2, column=header.index("Afdeling") + 1)
        assert other.fill.fill_type is None  # only the Farve column is coloured
    red = next(c for c in book["Farveliste"]["F"] if c.value == "Rød")
    assert red.font.color.rgb[-6:] == "FFFFFF"  # white on dark red, black on light colours
    grey = next(c for c in book["Farveliste"]["F"] if c.value == "Grå")
    assert grey.font.color.rgb[-6:] == "000000"
