"""Data page: empty state, a bad file lists every problem and writes nothing, a good file previews
and commits (logged), the mapping step is remembered, deletion needs confirmation."""

from __future__ import annotations

import re
from pathlib import Path

from tests.dbdump import dump as dump_store
from tests.htmltables import html_tables
from trappetrin.store import Store

BAD = Path(__file__).resolve().parents[1] / "unit" / "bad_files"


def dump(path: Path) -> dict[str, list[tuple]]:
    store = Store.open(path)
    try:
        return dump_store(store)
    finally:
        store.close()


def shown(markdown: str) -> str:
    """The text a reader sees: values from data are escaped in the Markdown source (ui.fmt.plain)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def texts(at, kind: str) -> list[str]:
    return [shown(e.value) for e in getattr(at, kind)]


def test_empty_database(empty_app):
    at = empty_app("data")
    assert not at.exception
    assert at.title[0].value == "Data"
    assert not any("demodatabasen" in t for t in texts(at, "info"))  # an empty database is for real data
    assert any("ingen udgivelser endnu" in t for t in texts(at, "info"))
    assert any("Loggen er tom" in t for t in texts(at, "info"))
    assert len(at.file_uploader) == 1
    assert at.get_by_key("data_template_afdelingsdata")  # templates are offered even with no data


def test_the_demo_database_says_imports_become_demo_data_and_how_to_start_a_real_one(app):
    at = app("data")
    assert not at.exception
    notice = [t for t in texts(at, "info") if "demodatabasen" in t]
    assert len(notice) == 1
    assert "vises som demodata" in notice[0] and "revisionssporet" in notice[0]
    assert "python -m trappetrin init" in notice[0]


def test_a_bad_file_lists_every_problem_and_writes_nothing(app, db):
    at = app("data")
    before = dump(db)
    at.text_input(key="data_label").set_value("app-ny")
    at.file_uploader[0].upload("many_problems.csv", (BAD / "many_problems.csv").read_bytes())
    at.run()
    assert not at.exception
    # The file lacks columns the adopted rule set reads: refused, naming them, until marked partial.
    assert "(6 fejl)" in shown(at.error[0].value)
    assert "som regelsættet 'trappetrin' bruger" in html_tables(at)[0]["Problem"].iloc[0]
    at.checkbox(key="data_partial").check().run()
    assert "many_problems.csv" in shown(at.error[0].value) and "(5 fejl)" in shown(at.error[0].value)
    problems = html_tables(at)[0]  # plain HTML: the text wraps
    assert list(problems.columns) == ["Fil", "Række", "Kolonne", "Værdi", "Problem", "Forventet"]
    assert len(problems) == 5
    row = problems[problems["Værdi"] == "ti"].iloc[0]
    assert (row["Række"], row["Kolonne"], row["Forventet"]) == ("4", "Beboere 18–64 år (antal)", "et tal som 12,5")
    assert problems["Række"].tolist() == ["2", "3", "4", "4", ""]  # sheet order, the duplicate last
    assert not [b for b in at.button if b.key == "data_commit"]
    assert dump(db) == before


def test_a_good_file_previews_and_commits(app, db):
    at = app("data")
    at.text_input(key="data_label").set_value("app-ny")
    at.file_uploader[0].upload("valid_for_params.csv", (BAD / "valid_for_params.csv").read_bytes())
    at.run()
    assert at.error and not [b for b in at.button if b.key == "data_commit"]  # partial, not yet marked so
    at.checkbox(key="data_partial").check().run()
    assert not at.exception and not at.error
    assert any("Delvis udgivelse – uden kolonne for Dømte" in t for t in texts(at, "warning"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Afdelinger med værdier"] == "2"
    assert metrics["Mangler i forhold til 2026-11"] == str(271 - 2)
    assert "app-ny" not in Store.open(db).releases()["label"].tolist()
    at.button(key="data_commit").click().run()
    assert not at.exception
    assert any("Udgivelsen 'app-ny' er gemt" in t for t in texts(at, "success"))
    store = Store.open(db)
    assert "app-ny" in store.releases()["label"].tolist()
    log = store.audit_log(actions=["import"]).iloc[0]
    assert (log["object"], log["file_name"], log["n_rows"]) == ("app-ny", "valid_for_params.csv", 2)
    shown = at.tabs[1].dataframe[0].value.set_index("Udgivelse")
    assert shown.loc["app-ny", "Delvis"].startswith("delvis: uden Dømte")  # labelled partial in the list
    assert shown.loc["2026-11", "Delvis"] == ""
    assert at.tabs[2].dataframe[0].value["Fil"].iloc[0] == "valid_for_params.csv"


def test_unknown_headers_are_mapped_and_the_mapping_is_remembered(app, db):
    body = b"Nummer;Beboere 18-64\r\n101-003;169\r\n101-007;28\r\n"
    at = app("data")
    at.text_input(key="data_label").set_value("kortlagt")
    at.file_uploader[0].upload("ukendt.csv", body)
    at.run()
    assert at.get_by_key("data_mapping")
    assert not [b for b in at.button if b.key == "data_commit"]
    at.selectbox(key="data_map_afdelingsdata_dept_id").select("Nummer").run()
    at.checkbox(key="data_partial").check().run()
    assert not at.exception and not at.error
    at.button(key="data_commit").click().run()
    assert any("'kortlagt' er gemt" in t for t in texts(at, "success"))
    assert Store.open(db).saved_mapping("afdelingsdata", ["Nummer", "Beboere 18-64"]) == {"dept_id": "Nummer"}


def test_delete_needs_confirmation(app, db):
    at = app("data")
    at.selectbox(key="data_delete_label").select("2026-11").run()
    assert at.button(key="data_delete_button").disabled
    at.checkbox(key="data_delete_sure").check().run()
    assert not at.button(key="data_delete_button").disabled
    at.button(key="data_delete_button").click().run()
    assert not at.exception
    assert any("'2026-11' er slettet" in t for t in texts(at, "success"))
    store = Store.open(db)
    assert "2026-11" not in store.releases()["label"].tolist()
    assert store.audit_log(actions=["delete_release"])["object"].tolist() == ["2026-11"]


def test_a_ministry_list_previews_its_colour_changes_without_values(app, db):
    body = "Område;Status;Afdelings-id\r\nNyt område;udsat;101-003\r\n".encode()
    at = app("data")
    at.selectbox(key="data_kind").select("ministerliste").run()
    at.number_input(key="data_list_year").set_value(2026).run()
    at.file_uploader[0].upload("liste.csv", body)
    at.run()
    assert not at.exception and not at.error
    changes = at.tabs[0].dataframe[-1].value
    assert list(changes.columns) == ["Afdelings-id", "Afdeling", "Før", "Efter"]  # ids, names, colours only
    from trappetrin.colours import classify_release

    store = Store.open(db)
    res = classify_release(store, "2026-11", store.adopted_rule_set())
    before = dict(zip(res.data.frame.index, res.result.outcome))["101-003"]
    assert ("101-003" in changes["Afdelings-id"].tolist()) == (before not in ("red", "grey"))
    assert len(changes) > 1  # the 2025 list's departments leave the list
    assert set(changes["Efter"]) <= {"▲\u00a0Rød", "◆\u00a0Gul", "●\u00a0Grøn", "○\u00a0Grå"}


def test_xlsx_sheet_and_header_row_are_chosen_on_the_page(app, db):
    """A workbook whose data sheet is the second, with its header on row 3 under a title."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Forside"
    book.active.append(["Udtræk"])
    sheet = book.create_sheet("Data")
    sheet.append(["Afdelingsdata, november"])
    sheet.append([])
    sheet.append(["Afdelings-id", "Beboere"])
    sheet.append(["101-003", 248])
    buffer = io.BytesIO()
    book.save(buffer)
    at = app("data")
    at.text_input(key="data_label").set_value("fra-excel")
    at.file_uploader[0].upload("udtraek.xlsx", buffer.getvalue())
    at.run()
    assert at.selectbox(key="data_sheet").options == ["Forside", "Data"]
    at.selectbox(key="data_sheet").select("Data").run()
    at.number_input(key="data_header_row").set_value(3).run()
    at.checkbox(key="data_partial").check().run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Afdelinger med værdier"] == "1"
    at.button(key="data_commit").click().run()
    assert Store.open(db).query(
        "SELECT v.value FROM indicator_values v JOIN releases r USING (release_id) "
        "WHERE r.label = 'fra-excel' AND v.indicator = 'residents'"
    )["value"].tolist() == [248]


def test_a_partial_release_is_labelled_in_the_release_picker(app, db):
    """After a deliberate partial import the sidebar's release picker says '(delvis)'."""
    at = app("data")
    at.text_input(key="data_label").set_value("app-delvis")
    at.file_uploader[0].upload("valid_for_params.csv", (BAD / "valid_for_params.csv").read_bytes())
    at.run()
    at.checkbox(key="data_partial").check().run()
    at.button(key="data_commit").click().run()
    assert not at.exception
    picker = next(s for s in at.sidebar.selectbox if s.label == "Udgivelse")
    assert "app-delvis (delvis)" in picker.options and "2026-11" in picker.options
