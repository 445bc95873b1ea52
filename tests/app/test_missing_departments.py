"""A department of the register without data in the release in view (issue 14.6), on the pages."""

from __future__ import annotations

import pytest

from tests.htmltables import html_tables
from tests.unit.test_missing_departments import LATEST, PREVIOUS, drop_department
from trappetrin.colours import classify_release
from trappetrin.store import open_store


@pytest.fixture
def gone(db) -> tuple[str, str]:
    """(department taken out of the newest release, its colour label in the release before)."""
    dept = drop_department(db, LATEST)
    store = open_store(db)
    try:
        rules = store.adopted_rule_set()
        code = classify_release(store, PREVIOUS, rules).result.outcomes[dept]
        return dept, rules.outcome(code).label
    finally:
        store.close()


def test_oversigt_says_how_many_of_the_register_have_data(app, gone):
    dept, _ = gone
    at = app()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert f"270 af 271 afdelinger i registret har data i udgivelse {LATEST}" in labels
    listed = next(t for t in html_tables(at) if "Afdelings-id" in t.columns and len(t) == 1)
    assert listed["Afdelings-id"].tolist() == [dept]


def test_oversigt_says_nothing_when_all_have_data(app):
    at = app()
    assert not any("afdelinger i registret har data" in e.label for e in at.expander)


def test_afdeling_shows_no_data_with_the_last_known_colour(app, gone):
    dept, colour = gone
    at = app("afdeling", {"afd": dept})
    assert not at.exception
    assert at.selectbox(key="afd").value == dept
    warning = next(w.value for w in at.warning if "Ingen data" in w.value)
    assert f"Ingen data i udgivelse {LATEST}" in warning
    assert "Senest kendte farve" in warning and colour in warning and f"i udgivelse {PREVIOUS}" in warning
    assert not [m for m in at.markdown if m.value.startswith("**Begrundelse:**")]  # no colour, no reason


def test_afdeling_lists_it_among_the_departments(app, gone):
    dept, _ = gone
    at = app("afdeling")
    options = at.selectbox(key="afd").options
    assert any(o.startswith(f"{dept} – ") and o.endswith("(ingen data)") for o in options)
    assert len(options) == 271


def test_udvikling_lists_it_as_missing(app, gone):
    dept, colour = gone
    at = app("udvikling")
    assert not at.exception
    table = next(df.value for df in at.dataframe if "Fra → Til" in df.value.columns)
    row = table[table["Afdeling"].str.startswith(dept)].iloc[0]
    assert row["Fra → Til"].endswith("→ Ingen data") and colour in row["Fra → Til"]
    assert row["Hvorfor"].startswith(f"Ingen data i udgivelse {LATEST}")
    assert any("har kun data i den ene udgivelse" in c.value for c in at.caption)


def test_eksport_counts_it(app, gone):
    at = app("eksport")
    assert not at.exception
    assert any("Ingen data: 1" in m.value and "271 afdelinger" in m.value for m in at.markdown)
