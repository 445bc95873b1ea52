"""Every page, as a Danish reader sees it: no English numbers, ISO dates, None/nan, internal keys or English.

Each page under ``pages/`` is run (as an administrator, so every page and section is there) over
the demo database, in several states: the default view, a scenario, a department and a grey one,
a department scope in Udvikling, a filled audit trail. Everything the run shows is scanned by
:mod:`tests.textscan`: every string of every element, every table cell (numeric columns count as
English, because the data grid writes them so), chart texts and their number locale, map tooltips.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.textscan import app_problems, problems
from trappetrin.store import Store

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p.stem for p in (REPO_ROOT / "pages").glob("*.py") if not p.stem.startswith("_"))
SCENARIO = {"p.c.forebyggelse.outside_labour": "35"}

#: Extra views per page: query parameters that open more of what the page can show.
VIEWS: dict[str, list[dict[str, str]]] = {
    "scenarie": [SCENARIO],
    "eksport": [SCENARIO],
    "anvisning": [SCENARIO],
    "udvikling": [{"afd": "FIRST"}],
    "afdeling": [{"afd": "FIRST"}, {"afd": "GREY"}],
}


def _seed_trail(db: Path) -> None:
    """Audit events of every kind the app writes, with details, so Revisionsspor and the Data log show them."""
    store = Store.open(db)
    try:
        store.log_event(
            "adam@aalborg.dk",
            "import",
            "2027-02",
            file_name="beboerdata.xlsx",
            checksum="abc123",
            n_rows=12345,
            details={"kind": "afdelingsdata", "source": "Beboerdata", "values": 5420},
        )
        store.log_event("adam@aalborg.dk", "import", "2027-03", details={"kind": "ministerliste", "list_year": 2026})
        store.log_event("ana@aalborg.dk", "export", "2026-11", file_name="farveliste.csv", details={"format": "csv"})
        store.log_event("adam@aalborg.dk", "backup", None, details={"tables": 9})
        store.log_event("adam@aalborg.dk", "delete_release", "2027-02")
    finally:
        store.close()


def _ids(db: Path) -> dict[str, str]:
    from trappetrin.colours import classify_release

    store = Store.open(db)
    try:
        res = classify_release(store, store.latest_release(), store.adopted_rule_set())
        grey = res.rules.discretion.outcome
        outcome = res.result.outcome
        ids = list(res.data.frame.index)
        return {"FIRST": str(ids[0]), "GREY": str(next(i for i, o in zip(ids, outcome) if o == grey))}
    finally:
        store.close()


def _run(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_danish(db, page):
    """No page shows ``454.2``, ``23324``, ``2026-12-05``, ``None``, ``nan``, ``pct_outside_labour`` or "Select all"."""
    _seed_trail(db)
    ids = _ids(db)
    found: list[str] = []
    for params in [{}] + VIEWS.get(page, []):
        params = {k: ids.get(v, v) for k, v in params.items()}
        at = _run(page, params)
        assert not at.exception, (page, params, at.exception)
        found += app_problems(at, f"{page}{params or ''}")
    assert not found, "\n".join(dict.fromkeys(found))


def test_the_scan_finds_what_it_must():
    """The scanner is not vacuous: each kind of problem is found, and Danish text passes."""
    bad = [
        "Fraflytningsprocent brugt 14.2",
        "Behov 23324 boliger",
        "Dannet 2026-12-05 13:21",
        "Detaljer: kind: afdelingsdata; source: Beboerdata",
        "None",
        "nan",
        "Indikatorer uden kolonne (får ingen værdi): pct_outside_labour",
        "c.forebyggelse.outside_labour: 30 → 35",
        "Select all",
    ]
    for text in bad:
        assert problems(text), text
    good = [
        "1.234,5 boliger; 23.324 i alt; −2,4 %; 05.12.2026 kl. 13.21; udgivelse 2026-11; opført 1968",
        "afdeling 4011-12, fil farveliste_2026-11_trappetrin-v1.csv, kontrolsum 3fa9c2e81b77",
        "Uden for arbejdsmarked og uddannelse: > 30 % → > 35 %",
    ]
    for text in good:
        assert not problems(text), (text, problems(text))


# --- text exports ------------------------------------------------------------------------------

from tests.app.test_eksport import button, downloads  # noqa: E402,F401 - the fixture that reads a download's file
from tests.textscan import csv_problems, xlsx_problems  # noqa: E402


@pytest.mark.parametrize("params", [{}, SCENARIO])
def test_every_export_file_reads_danish(db, downloads, params):
    """Eksport's CSV for Danish Excel, red/yellow and capacity CSVs and the XLSX (with "Om data"), and the
    Revisionsspor CSV: no English decimal, ISO date, None/nan, internal key or English word in any text."""
    _seed_trail(db)
    found: list[str] = []
    at = _run("eksport", params)
    for key in ("dl_csv_danish", "dl_red_yellow", "dl_capacity"):
        found += csv_problems(downloads(button(at, key)).data, f"eksport {key}")
    found += xlsx_problems(downloads(button(at, "dl_xlsx")).data, "eksport xlsx")
    if not params:
        at = _run("revision", {})
        found += csv_problems(downloads(button(at, "dl_revision")).data, "revisionsspor csv")
    assert not found, "\n".join(dict.fromkeys(found))


def test_the_command_line_reads_danish(db, capsys, tmp_path):
    """``classify`` (CSV for Danish Excel), ``releases`` and ``log`` print Danish numbers, dates and words."""
    from trappetrin.cli import main

    _seed_trail(db)
    out = tmp_path / "farver.csv"
    assert main(["classify", "--release", "2026-11", "--rules", "trappetrin", "--out", str(out)]) == 0
    found = csv_problems(out.read_bytes(), "classify")
    capsys.readouterr()
    for command in (["releases"], ["log"]):
        assert main(command) == 0
        text = capsys.readouterr().out
        assert text.strip(), command
        found += problems(text, " ".join(command))
    assert not found, "\n".join(dict.fromkeys(found))


# --- the national demo: 8.000 departments, "Hele landet" ------------------------------------------

NATIONAL_PAGES = ["oversigt", "anvisning", "udvikling", "eksport"]


@pytest.fixture(scope="module")
def national_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from trappetrin.demo_national import build_national
    from trappetrin.store import open_store

    path = tmp_path_factory.mktemp("national_text") / "national.duckdb"
    store = open_store(path)
    store.load_demo(build_national())
    store.close()
    return path


@pytest.mark.parametrize("view", ["alle", "Odense"])
def test_the_national_view_reads_danish(national_db, monkeypatch, view):
    """Counts like 8.000 and 2.098 grouped, in the whole country and in another municipality."""
    monkeypatch.setenv("TRAPPETRIN_DB", str(national_db))
    found: list[str] = []
    for page in NATIONAL_PAGES:
        at = _run(page, {"kommune": view})
        assert not at.exception, (page, view, at.exception)
        found += app_problems(at, f"{page}[{view}]")
    assert not found, "\n".join(dict.fromkeys(found))
