"""Anvisning page: capacity for municipal allocation against the need, and a scenario's effect.

The page is not registered in ``app.py`` yet (the lead adds it), so these tests run the page
file directly with :meth:`AppTest.from_file`; ``ui.context.context()`` reads the same query
parameters either way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGE = str(REPO_ROOT / "pages" / "anvisning.py")
CHEAP_METRIC = "Billige til anvisning"
SCENARIO = "p.c.forebyggelse.outside_labour"


def run_page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> int:
    hit = next(m for m in at.metric if m.label == label)
    return int(hit.value.replace(".", "").replace("\u2212", "-"))


def scenario_lines(at: AppTest) -> list[str]:
    """The scenario line: a warning (fewer), success (more) or info (no change) box."""
    boxes = [*at.warning, *at.success, *at.info]
    return [b.value for b in boxes if "om året til anvisning**" in b.value]


def test_page_renders_numbers_chart_and_assumptions(db):
    """On the demo data: metrics against the 250–300 need, the chart, tables and the assumptions."""
    at = run_page()
    assert "Anvisning" in at.title[0].value
    assert any("Demodata" in c.value for c in at.caption)
    cheap = metric(at, CHEAP_METRIC)
    assert 0 < cheap < 250
    assert next(m for m in at.metric if m.label == "Behov").value == "250–300"
    text = " ".join(m.value for m in at.markdown)
    assert "kommunens gennemsnit på 13,7 %" in text
    assert "hver 4. ledige bolig" in text and "BAB-boliger" in text and "fritaget for anvisning" in text
    assert "under behovets nedre grænse" in text
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    per_colour = at.dataframe[0].value
    assert int(per_colour.loc["I alt", "Afdelinger"]) == 271
    assert not scenario_lines(at), "no scenario line without a scenario"


@pytest.mark.parametrize(("value", "sign", "direction"), [("25", "\u2212", -1), ("40", "+", 1)])
def test_scenario_changes_the_numbers_in_the_expected_direction(db, value, sign, direction):
    """Tighter outside-labour threshold (> 25 %) → fewer green → fewer cheap dwellings; looser (> 40 %) → more."""
    base = metric(run_page(), CHEAP_METRIC)
    at = run_page({SCENARIO: value})
    cheap = metric(at, CHEAP_METRIC)
    assert (cheap - base) * direction > 0
    lines = scenario_lines(at)
    assert len(lines) == 1
    assert f"**{sign}" in lines[0] and "billig" in lines[0]
    assert len(at.warning if direction < 0 else at.success) >= 1
    assert any(e.label.startswith("Afdelinger der giver ændringen") for e in at.expander)


def test_need_inputs_change_the_comparison(db):
    """A need of 50–60 a year puts the demo's cheap dwellings above the need.

    Issue 14: the fields take a Danish number (text fields, not st.number_input), kept per
    municipality; the demo's only municipality is Aalborg, whose need the file gives.
    """
    at = run_page()
    assert at.text_input(key="cap_need_min.Aalborg").value == "250"
    at.text_input(key="cap_need_min.Aalborg").input("50").run()
    at.text_input(key="cap_need_max.Aalborg").input("60").run()
    assert not at.exception
    assert next(m for m in at.metric if m.label == "Behov").value == "50–60"
    assert any("over behovets øvre grænse" in m.value for m in at.markdown)
    assert any("angivet på siden Anvisning" in m.value for m in at.markdown), "the need's source follows"


def test_need_input_refuses_what_it_cannot_read(db):
    """Unreadable or negative: a Danish message, nothing applied (the need stays 250–300)."""
    at = run_page()
    at.text_input(key="cap_need_min.Aalborg").input("to hundrede").run()
    assert any("»to hundrede« er ikke et tal" in e.value and "mindst 0" in e.value for e in at.error)
    at.text_input(key="cap_need_max.Aalborg").input("-5").run()
    assert any("uden for det tilladte område" in e.value for e in at.error)
    assert next(m for m in at.metric if m.label == "Behov").value == "250–300"


def test_actual_use_takes_a_grouped_danish_number(db):
    at = run_page()
    at.text_input(key="cap_actual_use.Aalborg").input("1.100").run()
    assert not at.exception and not at.error
    assert next(m for m in at.metric if m.label == "Faktisk anvist").value == "1.100"


def test_wider_cheap_limit_counts_more_dwellings(db):
    at = run_page()
    before = metric(at, CHEAP_METRIC)
    at.selectbox(key="cap_cheap_limit").set_value(5000.0).run()
    assert not at.exception
    assert metric(at, CHEAP_METRIC) > before
    assert any("≤ 5.000 kr. om måneden" in c.value for c in at.caption)


def test_empty_database_explains_itself(empty_db):
    at = run_page()
    assert any("ingen data" in i.value for i in at.info)
