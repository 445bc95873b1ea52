"""Eksport page: the files it offers, their equality with the CLI, scenarios, discretion, empty state.

AppTest in Streamlit 1.67 exposes a download button's label, key and ``proto.url`` (or, for data
generated on click, ``proto.deferred_file_id``) but not the file. The ``downloads`` fixture
records what the page hands to Streamlit's media file manager, so a test can read the very bytes
(and file name) a user would download.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.support.csvfiles import normalise_dannet
from trappetrin import catalogue
from trappetrin.cli import main as cli
from trappetrin.colours import classify_release
from trappetrin.engine import classify
from trappetrin.scenario import movers
from trappetrin.store import Store, open_store

REPO_ROOT = Path(__file__).resolve().parents[2]
KEYS = ["dl_csv_danish", "dl_csv_plain", "dl_xlsx", "dl_red_yellow", "dl_capacity"]
SCENARIO = {"p.c.forebyggelse.outside_labour": "35"}
INDICATOR_COLUMNS = [f"{i.label} ({i.unit})" for i in catalogue.indicators().values()]


@dataclass
class Download:
    file_name: str | None
    mime: str | None
    data: bytes


@pytest.fixture
def downloads(monkeypatch):
    """``downloads(button) -> Download``: the file behind an AppTest download button."""
    files: dict[str, tuple] = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def recording_add(self, path_or_data, mimetype, coordinates, file_name=None, *args, **kwargs):
        url = add(self, path_or_data, mimetype, coordinates, file_name, *args, **kwargs)
        files[url] = (file_name, mimetype, path_or_data)
        return url

    def recording_add_deferred(self, data_callable, mimetype, coordinates, file_name=None, *args, **kwargs):
        file_id = add_deferred(self, data_callable, mimetype, coordinates, file_name, *args, **kwargs)
        files[file_id] = (file_name, mimetype, data_callable)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add", recording_add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", recording_add_deferred)

    def get(button) -> Download:
        ref = button.proto.url or button.proto.deferred_file_id
        assert ref in files, f"no file recorded for download button {button.key!r}"
        file_name, mime, data = files[ref]
        if callable(data):
            data = data()
        return Download(file_name, mime, data if isinstance(data, bytes) else data.encode())

    return get


def button(at, key: str):
    return next(b for b in at.download_button if b.key == key)


def read_danish(data: bytes) -> pd.DataFrame:
    return pd.read_csv(
        io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False, na_values=[""]
    )


def open_first(page: str, params: dict[str, str]) -> AppTest:
    """Open ``page`` as the first page of a session, as a shared link does.

    (The ``app`` fixture runs the default page first and then switches; in AppTest the release
    picked in the URL does not survive that switch.)
    """
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py")
    return at.run()


def cli_classify(tmp_path: Path, release: str) -> bytes:
    out = tmp_path / "cli.csv"
    assert cli(["classify", "--release", release, "--rules", "trappetrin", "--out", str(out)]) == 0
    return out.read_bytes()


def test_page_renders_with_five_keyed_downloads(app):
    """The page labels demo data, explains empty cells and offers the five files by key."""
    at = app("eksport")
    assert not at.exception
    assert [b.key for b in at.download_button] == KEYS
    labels = [b.label for b in at.download_button]
    assert labels[:3] == ["CSV til dansk Excel", "CSV (komma)", "Excel (XLSX)"]
    assert labels[3].startswith("Røde og gule")
    captions = " ".join(c.value for c in at.caption)
    assert "Demodata" in captions and "udgivelse 2026-11" in captions
    assert "diskretionsgrænsen" in captions and "20" in captions
    assert len(at.dataframe[0].value) == 271


def test_danish_csv_equals_cli_output(app, downloads, db, tmp_path):
    """The Danish-Excel CSV the page offers is byte for byte the CLI's ``classify`` output.

    Only the Dannet column (the generation minute) may differ. Release 2023-11 is picked through
    the URL, so the page's context plumbing is part of what is compared.
    """
    at = open_first("eksport", {"udgivelse": "2023-11"})
    assert not at.exception
    offered = downloads(button(at, "dl_csv_danish"))
    assert offered.file_name == "farveliste_2023-11_trappetrin-v1.csv"
    assert offered.mime == "text/csv"
    assert offered.data.startswith(b"\xef\xbb\xbf")
    assert normalise_dannet(offered.data) == normalise_dannet(cli_classify(tmp_path, "2023-11"))


def test_plain_csv_and_red_yellow_csv(app, downloads):
    """The comma CSV holds the same list; the red/yellow CSV only the red and yellow departments."""
    at = app("eksport")
    danish = read_danish(downloads(button(at, "dl_csv_danish")).data)
    plain_file = downloads(button(at, "dl_csv_plain"))
    assert plain_file.file_name == "farveliste_2026-11_trappetrin-v1_komma.csv"
    plain = pd.read_csv(io.BytesIO(plain_file.data), keep_default_na=False, na_values=[""])
    pd.testing.assert_frame_equal(plain, danish)
    ry_file = downloads(button(at, "dl_red_yellow"))
    assert ry_file.file_name == "roede-og-gule_2026-11_trappetrin-v1.csv"
    ry = read_danish(ry_file.data)
    assert set(ry["Farve"]) == {"Rød", "Gul"}
    assert ry["Afdelings-id"].tolist() == danish.loc[danish["Farve"].isin(["Rød", "Gul"]), "Afdelings-id"].tolist()
    assert str(len(ry)) in button(at, "dl_red_yellow").label


def test_xlsx_has_list_red_yellow_and_about_sheets(app, downloads):
    """The workbook has Farveliste, Røde og gule and a key/value "Om data" sheet marking demo data."""
    at = app("eksport")
    xlsx = downloads(button(at, "dl_xlsx"))
    assert xlsx.file_name == "farveliste_2026-11_trappetrin-v1.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data), read_only=True)
    assert book.sheetnames == ["Farveliste", "Røde og gule", "Anvisning", "Om data"]
    assert len(list(book["Farveliste"].iter_rows(values_only=True))) == 272
    about = dict(list(book["Om data"].iter_rows(values_only=True))[1:])
    assert about["Udgivelse"] == "2026-11"
    assert about["Kilde"] == "Tvillingeværktøj"
    assert about["Regelsæt"].startswith("trappetrin")
    assert about["Version"] == "1"
    assert about["Scenarie"] == "nej"
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4} kl\. \d{2}\.\d{2}", about["Dannet"])  # the one date style
    assert about["Datagrundlag"] == "DEMODATA – fiktive afdelinger"


def test_xlsx_from_the_page_looks_finished(app, downloads):
    """The page's workbook: bold filtered header on every sheet, the Farve cells in the outcome's colour."""
    at = app("eksport")
    book = openpyxl.load_workbook(io.BytesIO(downloads(button(at, "dl_xlsx")).data))
    colours = {"Rød": "B2182B", "Gul": "E6AB02", "Grøn": "1B9E77", "Grå": "BDBDBD"}
    for name in ("Farveliste", "Røde og gule"):
        sheet = book[name]
        assert all(c.font.bold for c in sheet[1]) and sheet.auto_filter.ref.startswith("A1:")
        header = [c.value for c in sheet[1]]
        column = header.index("Farve") + 1
        cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
        assert cells and all(c.fill.fgColor.rgb[-6:] == colours[c.value] for c in cells)
    about = dict(list(book["Om data"].iter_rows(values_only=True))[1:])
    assert about["Begrundelse"].startswith("Den regel, der afgør farven")
    assert "Afdelinger uden data" not in about  # every department of the demo has data


def test_scenario_changes_colours_and_says_so(app, downloads, db):
    """``?p.c.forebyggelse.outside_labour=35`` exports the scenario's colours, marked as a scenario.

    The departments that change colour are exactly trappetrin's movers for that scenario, the
    file names end in ``_scenarie`` and the list and the "Om data" sheet say so.
    """
    base_at = app("eksport")
    base = read_danish(downloads(button(base_at, "dl_csv_danish")).data).set_index("Afdelings-id")
    at = app("eksport", SCENARIO)
    assert not at.exception
    assert any("scenarie" in w.value for w in at.warning)
    offered = downloads(button(at, "dl_csv_danish"))
    assert offered.file_name == "farveliste_2026-11_trappetrin-v1_scenarie.csv"
    scen = read_danish(offered.data).set_index("Afdelings-id")
    changed = base.index[base["Farve"] != scen.loc[base.index, "Farve"]]

    store = open_store(db)
    rules = store.adopted_rule_set()
    before = classify_release(store, "2026-11", rules).result
    after = classify_release(store, "2026-11", rules.with_overrides({"c.forebyggelse.outside_labour": 35})).result
    expected = movers(before, after)
    assert len(expected) > 0
    assert sorted(changed) == sorted(expected["id"])
    assert set(scen["Regelsæt"]) == {"trappetrin + scenarie"}
    for key in ("dl_csv_plain", "dl_red_yellow"):
        assert downloads(button(at, key)).file_name.endswith(
            "_scenarie" + ("_komma.csv" if key == "dl_csv_plain" else ".csv")
        )
    xlsx = downloads(button(at, "dl_xlsx"))
    assert xlsx.file_name.endswith("_scenarie.xlsx")
    about = dict(
        list(openpyxl.load_workbook(io.BytesIO(xlsx.data), read_only=True)["Om data"].iter_rows(values_only=True))[1:]
    )
    assert about["Scenarie"] == "ja"
    # In Danish words, never the internal key (issue 14.3).
    assert about["Ændrede parametre"].endswith("Uden for arbejdsmarked og uddannelse: > 30 % → > 35 %")
    assert "c.forebyggelse" not in about["Ændrede parametre"]


def test_grey_rows_carry_no_values(app, downloads):
    """Discretion: grey departments are in every file and the preview, without any value."""
    at = app("eksport")
    table = read_danish(downloads(button(at, "dl_csv_danish")).data)
    grey = table[table["Farve"] == "Grå"]
    assert len(grey) > 0
    assert grey[INDICATOR_COLUMNS + ["Antal opfyldte kriterier", "Opfyldte kriterier"]].isna().all().all()
    preview = at.dataframe[0].value
    grey_preview = preview[preview["Farve"].str.contains("Grå")]
    assert len(grey_preview) == len(grey)
    assert (grey_preview[INDICATOR_COLUMNS] == "–").all().all()  # no value: the preview writes "–" (issue 14.3)
    book = openpyxl.load_workbook(io.BytesIO(downloads(button(at, "dl_xlsx")).data), read_only=True)
    rows = list(book["Farveliste"].iter_rows(values_only=True))
    cols = [rows[0].index(c) for c in INDICATOR_COLUMNS]
    assert all(r[i] is None for r in rows[1:] if r[rows[0].index("Farve")] == "Grå" for i in cols)


def test_a_link_lowering_the_discretion_limit_is_refused(db, downloads):
    """Discretion is a hard rule: ``?p.d.minimum=0`` is refused with a message naming the limit.

    The scenario is not applied, so the files are the adopted rule set's, with every department
    under 20 residents aged 18–64 grey and without a single value.
    """
    at = open_first("eksport", {"p.d.minimum": "0"})
    assert not at.exception
    assert any(
        "Linket passer ikke" in w.value and "d.minimum" in w.value and "mindst 20" in w.value for w in at.warning
    )
    assert not any("scenarie" in w.value.lower() and "beregnet" in w.value for w in at.warning)
    table = read_danish(downloads(button(at, "dl_csv_danish")).data)
    assert (table["Regelsæt"] == "trappetrin").all()
    grey = table[table["Farve"] == "Grå"]
    assert len(grey) > 0 and grey[INDICATOR_COLUMNS].isna().all().all()
    assert (table.loc[table["Farve"] != "Grå", "Beboere 18–64 år (antal)"] >= 20).all()


def test_scenario_raising_discretion_limit_hides_more(app, downloads):
    """Raising the limit (to 40) is allowed: more departments turn grey, all of them without values."""
    at = app("eksport", {"p.d.minimum": "40"})
    assert not at.exception
    table = read_danish(downloads(button(at, "dl_csv_danish")).data)
    grey = table[table["Farve"] == "Grå"]
    assert len(grey) > 13
    assert grey[INDICATOR_COLUMNS].isna().all().all()
    assert (table.loc[table["Farve"] != "Grå", "Beboere 18–64 år (antal)"] >= 40).all()


def test_empty_database_explains_itself(empty_app):
    """With no releases the page says how to get data and offers no list, only the import templates."""
    at = empty_app("eksport")
    assert not at.exception
    assert any("ingen data" in i.value for i in at.info)
    assert [b.label for b in at.download_button] == [
        "Skabelon: stamdata.csv",
        "Skabelon: afdelingsdata.csv",
        "Skabelon: ministerliste.csv",
    ]


def test_capacity_summary_is_its_own_file_and_sheet(app, downloads, db):
    """The capacity summary (issue 5) comes as a CSV and as the workbook's Anvisning sheet.

    Its total row equals the model computed directly from the store for the same release and
    adopted rule set, so the file is the Anvisning page's numbers, not a second computation.
    """
    from trappetrin import capacity as cm

    at = app("eksport")
    offered = downloads(button(at, "dl_capacity"))
    assert offered.file_name == "anvisning_2026-11_trappetrin-v1.csv"
    table = read_danish(offered.data)
    assert set(table["Opdeling"]) >= {"I alt", "Farve", "Huslejeniveau", "Bydel", "Boligorganisation"}
    store = Store.open(db)
    try:
        data = store.release_data("2026-11")
        rules = store.adopted_rule_set()
        cap = cm.capacity(data.frame, classify(data.frame, rules, data.refs), cm.load_params())
    finally:
        store.close()
    total = table[table["Opdeling"] == "I alt"].iloc[0]
    assert total["Afdelinger"] == 271
    assert total["Til anvisning om året"] == pytest.approx(round(cap["available"].sum(), 1))
    by_colour = table[table["Opdeling"] == "Farve"]
    assert by_colour["Afdelinger"].sum() == 271
    assert by_colour["Til anvisning om året"].sum() == pytest.approx(total["Til anvisning om året"], abs=0.3)
    xlsx = downloads(button(at, "dl_xlsx"))
    sheet = list(openpyxl.load_workbook(io.BytesIO(xlsx.data), read_only=True)["Anvisning"].iter_rows(values_only=True))
    assert sheet[0] == tuple(table.columns)
    assert len(sheet) == len(table) + 1
