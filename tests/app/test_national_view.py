"""The national demo says national things (issue 14 point 7).

The sidebar names the municipality in view (it said "Aalborg" whatever was picked). The need in
data/capacity.toml (250–300 cheap dwellings a year) and the actual allocation (110) are Aalborg's:
they apply to Aalborg only. For another municipality or the whole country the need is a parameter
the user types (a Danish number); until then nothing is compared with a need.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = "p.c.forebyggelse.outside_labour"


@pytest.fixture
def national_app(national_db: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRAPPETRIN_DB", str(national_db))

    def run(params: dict[str, str] | None = None) -> AppTest:
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=180)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        return at

    return run


def sidebar_title(at: AppTest) -> str:
    return next(m.value for m in at.sidebar.markdown if m.value.startswith("**Trappetrin**"))


def anvisning(at: AppTest) -> AppTest:
    at.switch_page("pages/anvisning.py").run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "success") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def pick(at: AppTest, place: str) -> AppTest:
    at.selectbox(key="kommune").set_value(place).run()
    assert not at.exception, at.exception
    return at


def test_the_sidebar_names_the_municipality_in_view(national_app):
    at = national_app()
    assert sidebar_title(at) == "**Trappetrin** · Fælles udlejningsaftale, Aalborg"
    assert sidebar_title(pick(at, "Odense")) == "**Trappetrin** · Odense Kommune"
    assert "Aalborg" not in sidebar_title(at)
    assert sidebar_title(pick(at, "alle")) == "**Trappetrin** · Hele landet"


def test_aalborgs_need_applies_to_aalborg(national_app):
    at = anvisning(national_app())
    assert metric(at, "Behov") == "250–300"
    assert metric(at, "Faktisk anvist") == "110"
    assert at.text_input(key="cap_need_min.Aalborg").value == "250"


@pytest.mark.parametrize("place", ["Odense", "alle"])
def test_elsewhere_the_need_is_not_aalborgs(national_app, place):
    """Odense or the whole country: no 250–300, no 110; the page says no need is given."""
    at = anvisning(pick(national_app(), place))
    assert metric(at, "Behov") == "–"
    assert metric(at, "Faktisk anvist") == "–"
    text = page_text(at)
    assert "250" not in text and "300" not in text, text
    assert "Der er ikke angivet et behov at sammenligne med" in text
    key = f"cap_need_min.{place}"
    assert at.text_input(key=key).value == "" and at.text_input(key=key).placeholder == "Ikke angivet"


def test_a_need_typed_for_odense_is_odenses_only(national_app):
    """A Danish number typed as Odense's need ("1.200" in a whole-number field is 1200) is
    compared with Odense's dwellings; Aalborg keeps 250–300 and the country has none."""
    at = anvisning(pick(national_app(), "Odense"))
    at.text_input(key="cap_need_min.Odense").input("1.200").run()
    at.text_input(key="cap_need_max.Odense").input("1500").run()
    assert not at.exception
    assert metric(at, "Behov") == "1.200–1.500"
    assert "mod et behov på 1.200–1.500" in page_text(at)
    assert at.text_input(key="cap_need_min.Odense").value == "1200"
    assert metric(anvisning(pick(at, "Aalborg")), "Behov") == "250–300"
    assert metric(anvisning(pick(at, "alle")), "Behov") == "–"
    assert metric(anvisning(pick(at, "Odense")), "Behov") == "1.200–1.500"


def test_a_fraction_of_a_dwelling_is_refused(national_app):
    at = anvisning(pick(national_app(), "Odense"))
    at.text_input(key="cap_need_min.Odense").input("12,5").run()
    assert any("12,5 er ikke et helt tal" in e.value for e in at.error)
    assert metric(at, "Behov") == "–"


def test_the_national_scenario_line_compares_like_with_like(national_app):
    """The allocation line for the whole country names no Aalborg need."""
    at = national_app({"kommune": "alle", OUTSIDE: "25"})
    at.switch_page("pages/scenarie.py").run()
    assert not at.exception
    boxes = [b.value for kind in ("warning", "success", "info") for b in getattr(at, kind)]
    lines = [text for text in boxes if "til anvisning**" in text]
    assert len(lines) == 1, lines
    assert "intet behov angivet for hele landet" in lines[0] and "250" not in lines[0]


def test_national_counts_are_grouped(national_app):
    """8,000 departments: the Scenarie key figures read "5.123", never "5123" (formatting.integer)."""
    import re

    at = national_app({"kommune": "alle", OUTSIDE: "25"})
    at.switch_page("pages/scenarie.py").run()
    assert not at.exception
    values = [m.value for m in at.metric]
    assert sum(int(v.replace(".", "")) for v in values) == 8_000
    assert any(len(v) > 3 for v in values), values
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3})*", v) for v in values), values
    deltas = [m.delta for m in at.metric]
    assert all(re.fullmatch(r"±0|[+\u2212]\d{1,3}(\.\d{3})*", d) for d in deltas), deltas


def opfoelgning(at: AppTest) -> AppTest:
    at.switch_page("pages/opfoelgning.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("place", ["Aalborg", "Aarhus", "alle"])
def test_opfoelgning_follows_the_municipality_in_view(national_app, national_db, place):
    """Opfølgning's figures and its model line are those of the municipality in view: Aalborg's
    view said the model expected the whole country's 17.184 dwellings, and Aarhus showed
    Aalborg's follow-up rows."""
    from trappetrin import followup as fu
    from trappetrin import formatting as f
    from trappetrin.store import Store

    at = opfoelgning(national_app({"kommune": place}))
    assert at.selectbox(key="fu_period").value == "2026"
    store = Store.open(national_db)
    try:
        rules = store.adopted_rule_set()
        period = fu.year_period(2026)
        municipality = None if place == "alle" else place
        mine = fu.summarise(store, rules, period, municipality=municipality).figures
        everything = fu.summarise(store, rules, period).figures
    finally:
        store.close()
    assert metric(at, "Stillet til rådighed") == f.integer(mine["offered"])
    model_line = next(c.value for c in at.caption if c.value.startswith("Modellen"))
    assert f"forventer {f.integer(mine['model_available'])} boliger" in model_line
    if municipality is not None:  # a municipality is not the whole country
        assert mine["model_available"] < everything["model_available"]
    # Aalborg's need (250–300 a year) is Aalborg's: elsewhere none is given until one is typed.
    need = " ".join(c.value for c in at.caption if "behov" in c.value.lower())
    if place == "Aalborg":
        assert "250–300 om året" in need
    else:
        assert "intet behov angivet" in need and "250" not in need
    store = Store.open(national_db)
    try:  # the organisations per organisation are those with departments in view
        orgs = set(store.departments(municipality)["organisation"])
        per_org = fu.summarise(store, rules, period, municipality=municipality).per_org
    finally:
        store.close()
    assert set(per_org.index) == orgs
    empty = [i.value for i in at.info if "ingen opfølgningstal" in i.value]
    if place == "Aarhus":  # the follow-up demo holds Aalborg's organisations only
        assert mine["offered"] == 0 < everything["offered"]
        assert empty and "Aarhus Kommune" in empty[0]  # said, not just a row of zeros
    else:
        assert not empty


def test_the_status_report_covers_the_agreements_municipality(national_app, national_db):
    """The report says "Aalborg Kommune" and the agreement's § 7.2; with every municipality in the
    database it counted all 8,000 departments. It covers Aalborg's, and Opfølgning says so."""
    from trappetrin import followup as fu
    from trappetrin import report as rp
    from trappetrin.store import Store

    at = opfoelgning(national_app({"kommune": "Aarhus"}))
    assert any("dækker aftalens kommune, Aalborg Kommune" in c.value for c in at.caption)
    store = Store.open(national_db)
    try:
        rules = store.adopted_rule_set()
        report = rp.build_report(store, rules, fu.year_period(2026))
        aalborg = fu.summarise(store, rules, fu.year_period(2026), municipality="Aalborg").figures
        everything = fu.summarise(store, rules, fu.year_period(2026)).figures
    finally:
        store.close()
    assert set(report.result.data.frame["municipality"]) == {"Aalborg"}
    assert report.summary.figures["model_available"] == aalborg["model_available"] < everything["model_available"]
