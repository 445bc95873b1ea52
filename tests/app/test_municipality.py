"""The municipality selector on the national demo data.

Aalborg by default, filters every page, survives page switches.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

from tests.htmltables import html_tables, integer
from trappetrin.demo_national import department_counts
from trappetrin.store import open_store

REPO_ROOT = Path(__file__).resolve().parents[2]
COUNTS = department_counts()  # departments per municipality, as the generator places them


@pytest.fixture
def national_app(national_db: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRAPPETRIN_DB", str(national_db))

    def run(params: dict[str, str] | None = None) -> AppTest:
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        return at.run()

    return run


def total(at: AppTest) -> int:
    """The "I alt" departments of Oversigt's "Pr. farve" table."""
    return integer(html_tables(at)[0].loc["I alt", "Afdelinger"])


def test_aalborg_is_the_default_and_the_selector_filters(national_app):
    at = national_app()
    assert not at.exception
    assert at.selectbox(key="kommune").value == "Aalborg"
    assert total(at) == COUNTS["Aalborg"] == 271
    at.selectbox(key="kommune").set_value("Odense").run()
    assert not at.exception
    assert total(at) == COUNTS["Odense"]
    assert "Odense Kommune" in at.caption[0].value
    assert at.query_params["kommune"] == "Odense"  # the view is a link
    at.selectbox(key="kommune").set_value("alle").run()
    assert total(at) == sum(COUNTS.values()) == 8_000


def test_selection_survives_switching_pages(national_app):
    at = national_app()
    at.selectbox(key="kommune").set_value("Vejle").run()
    at.switch_page("pages/scenarie.py").run()
    assert not at.exception
    assert at.selectbox(key="kommune").value == "Vejle"
    at.switch_page("pages/oversigt.py").run()
    assert at.selectbox(key="kommune").value == "Vejle"
    assert total(at) == COUNTS["Vejle"]


def test_a_link_picks_the_municipality(national_app):
    at = national_app({"kommune": "Aarhus"})
    assert not at.exception
    assert at.selectbox(key="kommune").value == "Aarhus"
    assert total(at) == COUNTS["Aarhus"]


def test_udvikling_offers_only_the_areas_of_the_municipality_in_view(national_app):
    """On national data (308 areas) Udvikling's area list holds only areas with departments in
    the municipality picked: Aalborg's six, not every municipality's copies."""
    at = national_app({"kommune": "Aalborg"})
    at.switch_page("pages/udvikling.py").run()
    at.radio(key="udv_scope").set_value("område").run()
    assert not at.exception
    assert sorted(at.selectbox(key="udv_area").options) == sorted(
        [
            "Aalborg SØ (lokal)",
            "Aalborg Syd (lokal)",
            "Demo-område Aalborg C (ministeriel)",
            "Demo-område Aalborg Øst (ministeriel)",
            "Demo-område Nørresundby (ministeriel)",
            "Demo-område Vejgaard (ministeriel)",
        ]
    )


def test_a_link_to_another_municipalitys_department_names_it_and_links_there(national_app, national_db):
    """Afdeling with ?afd= of an Odense department while Aalborg is in view names Odense (not
    "does not exist") and links to the department with Odense picked, where it is shown."""
    store = open_store(national_db)
    try:
        dept = store.scalar("SELECT dept_id FROM departments WHERE municipality = 'Odense' ORDER BY dept_id LIMIT 1")
        name = store.scalar("SELECT name FROM departments WHERE dept_id = ?", [dept])
    finally:
        store.close()
    at = national_app({"afd": dept})
    at.switch_page("pages/afdeling.py").run()
    assert not at.exception
    warning = next(w.value for w in at.warning if dept in w.value)
    assert "Odense Kommune" in warning and "Aalborg Kommune" in warning and "findes ikke" not in warning
    assert not at.header  # nothing of another department shown instead
    link = next(e.proto for e in at.get("page_link") if "Odense" in e.proto.label)
    target = dict(parse_qsl(link.query_string))
    assert target["afd"] == dept and target["kommune"] == "Odense"

    followed = national_app(target)  # what the link opens
    followed.switch_page("pages/afdeling.py").run()
    assert not followed.exception
    assert followed.header[0].value == name
    assert not [w for w in followed.warning if dept in w.value]
