"""The Tvillinger page: one department against its twins, the municipality's standouts, links."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from trappetrin import twins
from trappetrin.store import Store


def _grey_and_blank(db):
    store = Store.open(db)
    try:
        frame = store.release_data(store.latest_release()).frame
        grey = twins.masked(frame, store.adopted_rule_set())
        blank = frame.index[frame["mean_m2"].isna() & ~grey]
        return str(frame.index[grey][0]), str(blank[0])
    finally:
        store.close()


def test_department_against_its_twins(app):
    """One department: the comparison table, its twins (never itself) and the chart, in Danish numbers."""
    at = app("tvillinger", {"afd": "101-003"})
    assert not at.exception
    assert at.title[0].value == "Tvillinger"
    assert any("10 tvillinger" in m.value for m in at.markdown)
    table, listing = at.dataframe[0].value, at.dataframe[1].value
    assert table["Indikator"].tolist()[0] == "Uden for arbejdsmarked og uddannelse"
    assert table["Placering"].str.contains(r"^(?:højere|lavere) end \d+ af 10 tvillinger$").all()
    assert len(listing) == 11 and listing["Navn"].iloc[0].endswith("(afdelingen selv)")
    assert not listing["Afdeling"].iloc[1:].str.contains("afd=101-003").any()  # never its own twin
    assert listing["Afstand"].iloc[0] == "0,00"
    assert len(at.get("vega_lite_chart")) == 1
    # Every number as Danish text: no decimal point in any cell.
    assert not table.astype(str).apply(lambda c: c.str.contains(r"\d\.\d")).any().any()


def test_choices_are_kept_in_the_url(app):
    """Number, basis and chosen variables come from the link and go back into it."""
    at = app("tvillinger", {"afd": "101-003", "tv.n": "7", "tv.by": "socio"})
    assert not at.exception
    assert len(at.dataframe[1].value) == 8  # the department and its 7 twins
    assert at.slider(key="tv.n").value == 7 and at.radio(key="tv.by").value == "socio"
    assert at.query_params["tv.n"] == "7" and at.query_params["tv.by"] == "socio"
    at.slider(key="tv.n").set_value(12).run()
    assert at.query_params["tv.n"] == "12"
    assert len(at.dataframe[1].value) == 13
    at.radio(key="tv.by").set_value("valgt").run()
    at.multiselect(key="tv.var").set_value(["year_built", "pct_nonwestern"]).run()
    assert at.query_params["tv.var"] == "year_built,pct_nonwestern"
    assert "Opførelsesår" in at.dataframe[1].value.columns


def test_a_bad_link_falls_back_to_the_defaults(app):
    """An impossible n or basis in a link is ignored, not an error."""
    at = app("tvillinger", {"afd": "101-003", "tv.n": "500", "tv.by": "skostørrelse"})
    assert not at.exception
    assert at.slider(key="tv.n").value == twins.DEFAULT_N and at.radio(key="tv.by").value == "stamdata"


def test_grey_department_and_missing_master_data_say_why(app, db):
    """Missing master data and a grey department are explained; a grey department shows no value of its own."""
    grey, blank = _grey_and_blank(db)
    at = app("tvillinger", {"afd": blank})
    assert not at.exception
    assert any("mangler gennemsnitligt boligareal og husleje pr. m²" in i.value for i in at.info)
    at = app("tvillinger", {"afd": grey, "tv.by": "socio"})
    assert any(i.value == twins.DISCRETION_REASON for i in at.info)
    at = app("tvillinger", {"afd": grey})  # master data: twins, but no value of its own
    assert any("under diskretionsgrænsen; dens værdier og placering vises ikke" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert (table["Afdelingen"] == "–").all() and (table["Placering"] == "–").all()


def test_municipality_view_lists_the_standouts(app):
    """The municipality view lists the largest deviations first, each a link to the department's view."""
    at = app("tvillinger", {"tv": "kommune", "tv.ind": "pct_convicted"})
    assert not at.exception
    listing = at.dataframe[0].value
    assert 0 < len(listing) <= 15
    deviation = listing["Afvigelse"].str.replace("\u2212", "-").str.replace(",", ".").astype(float)
    assert deviation.abs().is_monotonic_decreasing
    assert listing["Afdeling"].str.contains("tv=afdeling").all()
    assert at.selectbox(key="tv.ind").value == "pct_convicted"


def test_afdeling_shows_a_twin_summary_with_a_link(app):
    """Afdeling shows the department against its master-data twins."""
    at = app("afdeling", {"afd": "101-003"})
    assert not at.exception
    assert "Sammenlignet med tvillinger" in [s.value for s in at.subheader]
    summary = at.dataframe[-1].value
    assert list(summary.columns) == ["Indikator", "Afdelingen", "Tvillingernes median", "Placering"]
    assert isinstance(summary, pd.DataFrame) and len(summary) == len(twins.COMPARE_INDICATORS)


@pytest.fixture(scope="module")
def national_file(tmp_path_factory):
    """A small national demo: Aalborg's 271 departments and 329 elsewhere."""
    from trappetrin.demo_national import build_national
    from trappetrin.store import open_store

    path = tmp_path_factory.mktemp("national") / "national.duckdb"
    store = open_store(path)
    store.load_demo(build_national(total=600))
    store.close()
    return path


def test_nationwide_scope_finds_twins_in_other_municipalities(national_file, tmp_path, monkeypatch):
    """Scope land finds twins elsewhere; a twin in another municipality opens with a link there."""
    from tests.app.conftest import _run

    path = tmp_path / "n.duckdb"
    shutil.copy(national_file, path)
    monkeypatch.setenv("TRAPPETRIN_DB", str(path))
    at = _run("tvillinger", {"afd": "101-003"})
    assert not at.exception
    assert at.radio(key="tv.omr").value == "kommune"
    local = at.dataframe[1].value
    assert "Kommune" not in local.columns  # all from Aalborg
    at = _run("tvillinger", {"afd": "101-003", "tv.omr": "land"})
    assert not at.exception
    listing = at.dataframe[1].value
    assert set(listing["Kommune"].iloc[1:]) - {"Aalborg"}, "nationwide twins come from elsewhere too"
    assert any("i hele landet" in m.value for m in at.markdown)
    other = listing[listing["Kommune"] != "Aalborg"]["Afdeling"].iloc[0]
    dept = other.split("afd=")[1].split("&")[0]
    at = _run("tvillinger", {"afd": dept, "tv.omr": "land"})
    assert any("Skift kommune" in w.value for w in at.warning)
    # The municipality view with nationwide twins lists only the municipality's own departments.
    at = _run("tvillinger", {"tv": "kommune", "tv.omr": "land"})
    assert not at.exception
    ids = at.dataframe[0].value["Afdeling"].str.extract(r"afd=([^&]+)")[0]
    assert ids.str.match(r"^1\d\d-\d{3}$").all()  # Aalborg's ids (organisations 101–153)


def test_only_roles_that_may_export_get_the_files(db, tmp_path, monkeypatch):
    """The CSV downloads are exports: an analyst gets them, a viewer sees the page without them."""
    from .test_access import ROLES, as_role, open_page

    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("TRAPPETRIN_ROLES", str(path))
    for role, files in (("viewer", 0), ("analyst", 1)):
        for params in ({"afd": "101-003"}, {"tv": "kommune"}):
            at = open_page(as_role(role, params), "tvillinger")
            assert at.title[0].value == "Tvillinger"
            assert len(at.get("download_button")) == files, (role, params)


def test_an_empty_database_explains_itself(empty_app):
    """An empty database gets the guidance, not an error."""
    at = empty_app("tvillinger")
    assert not at.exception
    assert at.title[0].value == "Tvillinger"
    assert not at.dataframe
    # The empty-database guidance (with its templates), nothing of the page's own.
    assert all(b.label.startswith("Skabelon") for b in at.get("download_button"))
    assert not any("tvillinger" in m.value for m in at.markdown)
