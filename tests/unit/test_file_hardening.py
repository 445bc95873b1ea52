"""Issue 19: files once read with wrong data are read right (or refused), Denmark is a land outline,
large and hostile files are refused fast. The refusals themselves are in the bad-file corpus."""

from __future__ import annotations

import io
import shutil
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.dbdump import dump
from trappetrin import catalogue, denmark, imports, spreadsheet
from trappetrin.auth import Actor
from trappetrin.errors import UserError
from trappetrin.imports import files, indicators

BAD = Path(__file__).parent / "bad_files"
TODAY = date(2026, 11, 23)
ADMIN = Actor("test", "admin")


def values_of(store, body: bytes, name: str, **options) -> dict:
    opts = {"label": "t", "source": "Beboerdata", "reference_date": "2026-11-20"}
    opts["allow_missing"] = list(catalogue.indicators())
    opts.update(options)
    plan = imports.plan_import(store, "afdelingsdata", body, file_name=name, options=opts, today=TODAY)
    return {(d, i): v for d, i, v in plan.values.itertuples(index=False)}


# --- read right -----------------------------------------------------------------------------------


def test_a_hidden_first_sheet_is_never_the_default(store):
    book = openpyxl.Workbook()
    old = book.active
    old.title = "Gammel"
    for row in (["afdelings_id", "beboere"], ["101-003", 999]):
        old.append(row)
    old.sheet_state = "hidden"
    new = book.create_sheet("Data")
    for row in (["afdelings_id", "beboere"], ["101-003", 248]):
        new.append(row)
    buf = io.BytesIO()
    book.save(buf)
    table = files.read_table(buf.getvalue(), "to_ark.xlsx")
    assert table.attrs["sheet"] == "Data" and table.attrs["hidden_sheets"] == ["Gammel"]
    assert table.attrs["sheets"] == ["Data"]
    assert values_of(store, buf.getvalue(), "to_ark.xlsx")[("101-003", "residents")] == 248
    # asked for by name, a hidden sheet is read
    assert files.read_table(buf.getvalue(), "to_ark.xlsx", sheet="Gammel").loc[2, "beboere"] == "999"


def test_danish_thousands_in_a_comma_separated_file_with_decimal_commas(store):
    """Excel's "CSV (kommasepareret)" with Danish numbers quotes "19,9": "2.000" is two thousand."""
    body = b'afdelings_id,beboere,pct_outside_labour\r\n101-003,2.000,"19,9"\r\n101-007,43,"27,2"\r\n'
    table = files.read_table(body, "komma.csv")
    assert table.attrs["delimiter"] == "," and table.attrs["decimal"] == ","
    got = values_of(store, body, "komma.csv")
    assert got[("101-003", "residents")] == 2000 and got[("101-003", "pct_outside_labour")] == 19.9


def test_a_file_mixing_utf8_and_cp1252_keeps_every_header(store):
    """The UTF-8 header keeps 'Beboere 18–64 år' (the discretion indicator), the cp1252 row its 'Æ'."""
    head = "Afdelings-id;Afdeling;Beboere 18–64 år (antal)\r\n101-003;Demo;169\r\n".encode()
    body = head + "101-007;Æblehaven;28\r\n".encode("cp1252")
    table = files.read_table(body, "blandet.csv")
    assert list(table.columns) == ["Afdelings-id", "Afdeling", "Beboere 18–64 år (antal)"]
    assert table.loc[3, "Afdeling"] == "Æblehaven"
    assert values_of(store, body, "blandet.csv")[("101-007", "residents_18_64")] == 28


def test_utf16_without_a_byte_order_mark_is_text():
    body = "Afdelings-id\tBeboere\r\n101-003\t248\r\n".encode("utf-16-le")
    table = files.read_table(body, "unicode.txt")
    assert table.attrs["encoding"] == "utf-16-le" and table.loc[2, "Beboere"] == "248"
    assert (
        files.read_table("Afdelings-id\tBeboere\r\n101-003\t248\r\n".encode("utf-16-be"), "b.txt").loc[2, "Beboere"]
        == "248"
    )


def test_a_share_formatted_as_percent_in_excel_is_read_in_percent(store):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["afdelings_id", "pct_outside_labour"])
    ws.append(["101-003", 0.199])
    ws.cell(2, 2).number_format = "0.0%"
    buf = io.BytesIO()
    book.save(buf)
    assert values_of(store, buf.getvalue(), "andel.xlsx")[("101-003", "pct_outside_labour")] == pytest.approx(19.9)


def test_blank_coordinates_keep_the_stored_place(store):
    before = store.query("SELECT lat, lon FROM departments WHERE dept_id = '101-003'").iloc[0].tolist()
    assert None not in before
    body = (
        "Organisationsnummer;Afdelingsnummer;Afdeling;Familieboliger;BAB-boliger;Breddegrad;Længdegrad\r\n"
        "101;3;Demo-afd. 3 Enghaven;120;0;;\r\n"
    ).encode()
    plan = imports.plan_import(store, "stamdata", body, file_name="uden_sted.csv", today=TODAY)
    imports.commit_import(store, plan, actor=ADMIN)
    assert store.query("SELECT lat, lon FROM departments WHERE dept_id = '101-003'").iloc[0].tolist() == before


def test_a_partial_release_is_allowed_only_for_the_indicators_named(store):
    body = (BAD / "missing_rule_columns.csv").read_bytes()
    lacking = ["pct_convicted", "pct_basic_education", "income_pct_of_region", "pct_nonwestern"]
    with pytest.raises(UserError, match="filen mangler en kolonne, som"):
        values_of(store, body, "delvis.csv", allow_missing=lacking[:3])
    opts = {"label": "delvis", "source": "Beboerdata", "reference_date": "2026-11-20", "allow_missing": lacking}
    plan = imports.plan_import(store, "afdelingsdata", body, file_name="delvis.csv", options=opts, today=TODAY)
    assert plan.partial == lacking
    imports.commit_import(store, plan, actor=ADMIN)
    assert indicators.partial_indicators(store, "delvis", store.adopted_rule_set()) == lacking


# --- Denmark ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "place, lat, lon",
    [
        ("Malmö", 55.605, 13.004),
        ("Göteborg", 57.709, 11.975),
        ("Helsingborg", 56.046, 12.694),
        ("Flensburg", 54.784, 9.432),
        ("Kiel", 54.32, 10.13),
        ("Nordsøen", 56.0, 7.5),
    ],
)
def test_places_near_denmark_are_outside(place, lat, lon):
    assert not denmark.contains(lat, lon), place


def test_every_municipality_centre_and_aalborg_are_inside():
    from trappetrin.demo_national import MUNICIPALITIES

    assert [m[0] for m in MUNICIPALITIES if not denmark.contains(m[2], m[3])] == []
    for lat, lon in [(57.72, 10.59), (55.10, 14.70), (54.575, 11.93), (54.826, 9.36), (56.036, 12.61)]:
        assert denmark.contains(lat, lon)  # Skagen, Rønne, Gedser, Padborg, Helsingør
    for lat, lon in [(55.76, 10.25), (55.88, 11.15), (54.97, 11.53), (55.16, 11.14), (55.28, 8.56), (55.32, 15.19)]:
        assert denmark.contains(lat, lon)  # small islands: Endelave, Sejerø, Femø, Omø, Mandø, Christiansø


# --- size and time ------------------------------------------------------------------------------------


def test_a_large_csv_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "stor.csv"
    with path.open("wb") as fh:
        fh.truncate(spreadsheet.MAX_FILE_BYTES + 1)  # sparse: no time spent writing it
    start = time.perf_counter()
    with pytest.raises(UserError, match=r"er for stor \(25 MB; der indlæses højst 25 MB\)"):
        files.read_table(path)
    assert time.perf_counter() - start < 1


def test_refused_workbooks_write_nothing(store):
    before = dump(store)
    for name in ("xlsx_far_away_cell.xlsx", "xlsx_deflate_bomb.xlsx"):
        with pytest.raises(UserError):
            imports.plan_import(store, "afdelingsdata", BAD / name, options={"label": "x"}, today=TODAY)
    assert dump(store) == before


# --- the problem table ------------------------------------------------------------------------------


def test_identical_problems_in_many_rows_collapse_to_one_line(store):
    """257 rows with a comma where the header has semicolons: one line, not 257."""
    head = "Afdelings-id;Beboere;Beboere 18–64 år"
    rows = [f"101-{i:03d},248,169" for i in range(257)]
    body = ("\r\n".join([head, "101-003;248;169", *rows]) + "\r\n").encode()
    with pytest.raises(UserError) as info:
        values_of(store, body, "komma.csv")
    table = imports.collapse_problems(imports.problem_table(info.value))
    ragged = table[table["Problem"].str.contains("rækken har 1 felt")]
    assert len(ragged) == 1
    assert ragged.iloc[0]["Række"] == "3, 4, 5, 6, 7 … (257 rækker)"
    assert "semikolon og komma blandet" in ragged.iloc[0]["Forventet"]
    # fewer than three identical problems stay one line each, with their own row
    few = imports.collapse_problems(
        imports.problem_table(
            UserError(
                "x",
                problems=["a.csv, række 2: ens", "a.csv, række 3: ens"],
                details=[
                    imports.Problem("a.csv", 2, None, None, "ens"),
                    imports.Problem("a.csv", 3, None, None, "ens"),
                ],
            )
        )
    )
    assert few["Række"].tolist() == ["2", "3"]


# --- remembered mappings (19.3) -------------------------------------------------------------------


def test_an_exact_template_header_wins_over_a_remembered_mapping(store):
    body = "Afdelings-id;Gammel;Beboere 18–64 år (antal)\r\n101-003;999;169\r\n101-007;999;28\r\n".encode()
    headers = ["Afdelings-id", "Gammel", "Beboere 18–64 år (antal)"]
    store.save_mapping("afdelingsdata", ["Afdelings-id", "Gammel"], {"residents_18_64": "Gammel"}, actor=ADMIN)
    remembered = store.saved_mapping("afdelingsdata", headers)
    assert remembered == {"residents_18_64": "Gammel"}  # found (its column exists) …
    opts = {"label": "t", "source": "Beboerdata", "reference_date": "2026-11-20"}
    opts["allow_missing"] = list(catalogue.indicators())
    plan = imports.plan_import(
        store, "afdelingsdata", body, file_name="ny.csv", options=opts, mapping=remembered, today=TODAY
    )
    got = {(d, i): v for d, i, v in plan.values.itertuples(index=False)}
    assert got[("101-003", "residents_18_64")] == 169  # … but the exact header wins
    assert plan.columns["residents_18_64"] == "Beboere 18–64 år (antal)" and "Gammel" in plan.ignored_columns
    # nor can a mapping point another field at an exactly named column
    plan = imports.plan_import(
        store,
        "afdelingsdata",
        body,
        file_name="ny.csv",
        options=opts,
        mapping={"residents": "Beboere 18–64 år (antal)"},
        today=TODAY,
    )
    assert "residents" not in plan.columns


@pytest.mark.parametrize("actor", [None, Actor("læser", "viewer"), Actor("analytiker", "analyst")])
def test_save_mapping_needs_the_import_permission(store, actor):
    before = dump(store)
    with pytest.raises(UserError):
        store.save_mapping("afdelingsdata", ["Nummer"], {"dept_id": "Nummer"}, actor=actor)
    assert dump(store) == before


# --- the command line ------------------------------------------------------------------------------


def test_cli_refuses_a_partial_release_unless_allowed_and_lists_it_as_partial(demo_file, tmp_path, monkeypatch, capsys):
    from trappetrin.cli import main

    db = tmp_path / "cli.duckdb"
    shutil.copy(demo_file, db)
    monkeypatch.setenv("TRAPPETRIN_DB", str(db))
    file = str(BAD / "missing_rule_columns.csv")
    args = ["import", file, "--kind", "afdelingsdata", "--label", "cli-delvis", "--source", "Beboerdata"]
    args += ["--date", date.today().isoformat()]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "filen mangler 4 kolonner, som regelsættet 'trappetrin' bruger" in err and "--allow-missing" in err
    allow = [
        a
        for c in ("pct_convicted", "pct_basic_education", "income_pct_of_region", "pct_nonwestern")
        for a in ("--allow-missing", c)
    ]
    assert main(args + allow) == 0
    assert "Delvis udgivelse uden kolonne for: Dømte" in capsys.readouterr().err
    assert main(["releases"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("cli-delvis\t"))
    assert line.split("\t")[-1].startswith("delvis: uden Dømte")


def test_an_area_file_in_windows_text_is_read_and_rows_are_numbered_as_in_the_sheet(tmp_path):
    from trappetrin.areas import read_area_file

    head = "area;year;residents;pct_outside_labour;pct_convicted;national_pct_convicted;pct_basic_education;"
    head += "income_pct_of_region;pct_nonwestern\r\n"
    path = tmp_path / "områder.csv"
    path.write_bytes(
        (head + "Ærtebjerg;2024;1500;35,0;1,0;0,78;50,0;70,0;20,0\r\nØst;2024;x;35;1;0,78;50;70;20\r\n").encode(
            "cp1252"
        )
    )
    with pytest.raises(UserError) as info:
        read_area_file(path)
    assert info.value.problems == ["områder.csv, række 3, kolonne residents: 'x' er ikke et tal"]
    path.write_bytes(b"")
    with pytest.raises(UserError, match="kan ikke læses som CSV – Filen 'områder.csv' er tom") as info:
        read_area_file(path)
    assert "No columns" not in str(info.value)
