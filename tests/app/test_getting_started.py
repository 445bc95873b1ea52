"""Empty-database guidance (issue 14.9): every page and the Data page show the real order, with templates."""

from __future__ import annotations

from datetime import date

import pytest

from trappetrin import imports
from trappetrin.auth import local_actor
from trappetrin.config import DATA_DIR
from trappetrin.store import open_store

STEPS = ["1. Afdelingsregistret (stamdata)", "2. Afdelingsdata (udgivelser)", "3. Ministeriets lister"]
TEMPLATES = ["stamdata.csv", "afdelingsdata.csv", "ministerliste.csv"]


def step_lines(at) -> list[str]:
    return [m.value for m in at.markdown if any(s in m.value for s in STEPS)]


@pytest.mark.parametrize("page", [None, "afdeling", "udvikling", "anvisning", "opfoelgning", "scenarie"])
def test_empty_pages_show_the_order_with_templates(empty_app, page):
    at = empty_app(page)
    assert not at.exception
    assert any("ingen data" in i.value and "afdelingsregistret først" in i.value for i in at.info)
    lines = step_lines(at)
    assert [next(s for s in STEPS if s in line) for line in lines] == STEPS  # in this order
    assert lines[0].startswith("**→ 1.")  # the register is the next thing to do
    assert all(line.startswith("**· ") for line in lines[1:])
    assert [b.label for b in at.download_button] == [f"Skabelon: {t}" for t in TEMPLATES]


def test_register_done_points_at_releases(empty_app, empty_db):
    store = open_store(empty_db)
    try:
        plan = imports.plan_import(store, "stamdata", DATA_DIR / "templates" / "stamdata.csv", today=date(2026, 12, 5))
        imports.commit_import(store, plan, actor=local_actor("test"))
    finally:
        store.close()
    at = empty_app()
    assert not at.exception
    lines = step_lines(at)
    assert lines[0].startswith("**✓ 1.") and "afdelinger i registret" in lines[0]
    assert lines[1].startswith("**→ 2.")


def test_data_page_on_an_empty_database_starts_with_the_register(empty_app):
    at = empty_app("data")
    assert not at.exception
    assert at.selectbox(key="data_kind").value == "stamdata"
    assert [next(s for s in STEPS if s in line) for line in step_lines(at)] == STEPS


def test_data_page_with_data_starts_with_a_release(app):
    at = app("data")
    assert not at.exception
    assert at.selectbox(key="data_kind").value == "afdelingsdata"
    assert not step_lines(at)  # no guidance once the database can be shown
