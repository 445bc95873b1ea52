"""The Statusrapport (issue 18): its PDF text carries the same colour counts, allocation figures and
eviction totals as ``classify`` and the follow-up summary; discretion holds (a database differing
only in suppressed values gives the same report); the XLSX has the same tables; the command line."""

from __future__ import annotations

import io
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pypdf
import pytest

from tests.app.test_discretion import _canary
from tests.support.demo import demo_copy
from trappetrin import followup as fu
from trappetrin import formatting as f
from trappetrin import report as rp
from trappetrin.cli import main
from trappetrin.colours import classify_release
from trappetrin.store import Store

WHEN = datetime(2026, 12, 1, 9, 30)
YEAR = fu.year_period(2026)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "demo.duckdb"
    demo_copy(path)
    return path


@pytest.fixture(scope="module")
def built(demo_file, tmp_path_factory):
    """The 2026 report of the demo: (report, pdf bytes, text of the PDF, store path)."""
    path = shutil.copy(demo_file, tmp_path_factory.mktemp("built") / "copy.duckdb")
    store = Store.open(path)
    try:
        report = rp.build_report(store, store.adopted_rule_set(), YEAR, generated_at=WHEN)
        pdf = rp.to_pdf(report)
        xlsx = rp.to_xlsx(report)
    finally:
        store.close()
    return report, pdf, _text(pdf), xlsx, Path(path)


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_pdf_colour_counts_equal_classify(built):
    report, pdf, text, _, path = built
    store = Store.open(path)
    try:
        label = fu.release_in_force(store, YEAR.end)
        res = classify_release(store, label, store.adopted_rule_set())
    finally:
        store.close()
    assert report.release == label == "2026-11"
    summary = res.summary()
    flat = _flat(text)
    for o in res.rules.outcomes:
        row = summary.loc[o.code]
        expected = (
            f"{o.label} {o.step} {f.integer(row['departments'])} {f.integer(row['dwellings'])} "
            f"{f.integer(row['cheap_dwellings'])}"
        )
        assert expected in flat, expected
        assert f"{o.label} ({o.step}) {f.integer(row['departments'])} afdelinger" in flat
    assert f"I alt {f.integer(len(res.data.frame))} " in flat


def test_pdf_allocation_and_eviction_figures_equal_the_summary(built):
    report, pdf, text, _, path = built
    store = Store.open(path)
    try:
        s = fu.summarise(store, store.adopted_rule_set(), YEAR)
    finally:
        store.close()
    flat = _flat(text)
    x = s.figures
    assert f"Boliger stillet til rådighed {f.integer(x['offered'])} {f.integer(x['offered_prev'])} Model: " in flat
    assert f"Model: {f.integer(x['model_available'])}" in flat
    assert (
        f"Boliger anvendt af boliganvisningen {f.integer(x['used'])} {f.integer(x['used_prev'])} Behov: 250–300" in flat
    )
    assert f"Fogedsager {f.integer(x['evictions'])} forrige periode {f.integer(x['evictions_prev'])}" in flat
    assert f"Fleksible udlejninger {f.integer(x['flex'])} forrige periode {f.integer(x['flex_prev'])}" in flat
    for org, row in s.per_org.iterrows():  # per organisation: offered, used, flex, flex before, evictions, before
        numbers = " ".join(
            f.integer(row[c]) for c in ("offered", "used", "flex", "flex_prev", "evictions", "evictions_prev")
        )
        assert re.search(re.escape(org) + r"\s+" + re.escape(numbers), text.replace("\n", " ")), org
    assert s.per_org["evictions"].sum() == x["evictions"]


def test_pdf_sections_danish_letters_and_demo_label(built):
    report, pdf, text, _, _ = built
    assert pdf.startswith(b"%PDF")
    for heading in (
        "Statusrapport 2026",
        "1. Farvefordeling",
        "2. Områdernes listestatus",
        "3. Kort og skift siden samme udgivelse sidste år",
        "4. Udvikling i nøgletal",
        "5. Anvisning: kapacitet, rådighed og brug",
        "6. Fleksibel udlejning og fogedsager",
        "7. Om data",
    ):
        assert heading in text, heading
    assert "æ" in text and "ø" in text and "å" in text
    assert "DEMODATA – fiktive afdelinger" in _flat(text)
    n_pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert text.count("Demodata · Statusrapport 2026") == n_pages  # every page says so
    assert "nan" not in text.lower().split() and "None" not in text


def test_movers_are_the_changes_since_a_year_before(built):
    report, *_ = built
    assert report.year_before == "2025-11"
    movers = report.tables["skift"].frame
    assert len(movers) > 0
    assert movers["Hvorfor"].str.len().min() > 0


def test_xlsx_carries_the_same_tables(built):
    report, _, _, xlsx, _ = built
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames[0] == "Statusrapport"
    assert {"Farvefordeling", "Skift", "Listestatus", "Nøgletal", "Anvisning", "Organisationer", "Om data"} <= set(
        book.sheetnames
    )
    sheet = book["Farvefordeling"]
    rows = list(sheet.iter_rows(values_only=True))
    colours = report.tables["farver"].frame
    assert list(rows[0]) == list(colours.columns)
    assert [r[2] for r in rows[1:]] == colours["Afdelinger"].tolist()
    front = {r[0]: r[1] for r in book["Statusrapport"].iter_rows(min_row=2, values_only=True)}
    assert front["Datagrundlag"].startswith("DEMODATA")


def test_report_is_identical_whatever_the_suppressed_values(demo_file, tmp_path):
    """Discretion by difference: suppressed values replaced by canaries change nothing in the
    report – no table cell, no chart pixel, no PDF text, no XLSX cell."""
    plain = Path(shutil.copy(demo_file, tmp_path / "plain.duckdb"))
    canary = Path(shutil.copy(demo_file, tmp_path / "canary.duckdb"))
    _, grey = _canary(canary)
    assert grey, "the demo has departments under the discretion limit"
    out = []
    for path in (plain, canary):
        store = Store.open(path)
        try:
            report = rp.build_report(store, store.adopted_rule_set(), fu.Period(date(2025, 1, 1), date(2026, 12, 31)))
            report.generated_at = WHEN
            book = openpyxl.load_workbook(io.BytesIO(rp.to_xlsx(report)))
            cells = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
            out.append((_text(rp.to_pdf(report)), report.charts, cells))
        finally:
            store.close()
    (text_a, charts_a, cells_a), (text_b, charts_b, cells_b) = out
    assert cells_a == cells_b
    assert charts_a.keys() == charts_b.keys()
    for key in charts_a:
        assert charts_a[key] == charts_b[key], key
    assert text_a == text_b
    # guard: the canaries really differ in the stored values
    a, b = Store.open(plain), Store.open(canary)
    try:
        q = "SELECT sum(value) FROM indicator_values WHERE indicator <> 'residents_18_64'"
        assert a.scalar(q) != b.scalar(q)
    finally:
        a.close()
        b.close()


def test_cli_report_writes_pdf_and_xlsx_by_extension(demo_file, tmp_path, monkeypatch):
    db = Path(shutil.copy(demo_file, tmp_path / "cli.duckdb"))
    monkeypatch.setenv("TRAPPETRIN_DB", str(db))
    pdf, xlsx, bad = tmp_path / "statusrapport.pdf", tmp_path / "statusrapport.xlsx", tmp_path / "rapport.docx"
    assert main(["report", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "Statusrapport 2026" in _text(pdf.read_bytes())
    assert main(["report", "--from", "01-01-2025", "--to", "31-12-2026", "--out", str(xlsx)]) == 0
    assert openpyxl.load_workbook(xlsx)["Statusrapport"]["B2"].value == "Statusrapport 2025–2026"
    assert main(["report", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(bad)]) == 1
    assert not bad.exists()
    assert main(["report", "--from", "2026-12-31", "--to", "2026-01-01", "--out", str(pdf)]) == 1


def test_trend_table_equals_indicator_trend_for_the_municipality(built):
    from trappetrin.trends import indicator_trend

    report, _, _, _, path = built
    wide = report.tables["nøgletal"].frame
    store = Store.open(path)
    try:
        rules = store.adopted_rule_set()
        for code in rp.key_indicators(rules):
            trend = indicator_trend(store, rules, code, "kommune").set_index("release")
            row = wide[wide["Nøgletal"] == rp.catalogue.label(code)].iloc[0]
            for release in wide.columns[2:]:
                assert row[release] == pytest.approx(trend.at[release, "value"]), (code, release)
    finally:
        store.close()
