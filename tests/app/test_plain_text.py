"""Values from data and URLs are shown as plain text (issue 19.7): department, organisation,
area and release names with Markdown in them (``**fed**``, ``[klik](https://x)``) and a crafted
``?afd=[klik her](https://…)`` never become bold text or live links on any page."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import REPO_ROOT, TIMEOUT_S

BOLD = "**fed**"
LINK = "[klik](https://x.example)"
URL_LINK = "[klik her](https://x.example/url)"
#: Protos whose text Streamlit renders as Markdown (their "body"), and every widget's label.
MARKDOWN_TYPES = {"markdown", "caption", "header", "subheader", "title", "error", "warning", "info", "success"}


@pytest.fixture(scope="module")
def crafted_db(demo_db_file: Path, tmp_path_factory) -> tuple[Path, str, str]:
    """The demo with Markdown in names; returns (path, a crafted department id, the newest label)."""
    path = tmp_path_factory.mktemp("plain") / "crafted.duckdb"
    shutil.copy(demo_db_file, path)
    con = duckdb.connect(str(path))
    con.execute(f"UPDATE departments SET name = '{BOLD} ' || name || ' {LINK}'")
    con.execute(f"UPDATE organisations SET name = '{LINK} ' || name || ' {BOLD}'")
    con.execute(f"UPDATE areas SET name = '{BOLD} ' || name || ' {LINK}'")
    newest = con.execute("SELECT label FROM releases ORDER BY reference_date DESC, release_id DESC LIMIT 1").fetchone()
    crafted = f"{LINK} {newest[0]}"
    con.execute("UPDATE releases SET label = ? WHERE label = ?", [crafted, newest[0]])
    dept = con.execute(
        "SELECT dept_id FROM department_areas JOIN areas USING (area_id) ORDER BY dept_id LIMIT 1"
    ).fetchone()[0]
    con.close()
    return path, dept, crafted


def _texts(node, out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    kind = getattr(node, "type", "")
    proto = getattr(node, "proto", None)
    if proto is not None:
        if kind in MARKDOWN_TYPES and hasattr(proto, "body"):
            out.append((kind, proto.body))
        if hasattr(proto, "label") and isinstance(proto.label, str):
            out.append((f"{kind} label", proto.label))
    for child in getattr(node, "children", {}).values():
        _texts(child, out)
    return out


def _render(db: Path, page: str, params: dict[str, str], monkeypatch) -> list[tuple[str, str]]:
    monkeypatch.setenv("TRAPPETRIN_DB", str(db))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT_S)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return _texts(at._tree, [])


PAGES = ["oversigt", "scenarie", "udvikling", "afdeling", "anvisning", "eksport", "tvillinger", "opfoelgning"]
PAGES += ["data", "revision"]


@pytest.mark.parametrize("page", [p for p in PAGES if (REPO_ROOT / "pages" / f"{p}.py").exists()])
def test_no_page_renders_markdown_from_data(crafted_db, monkeypatch, page):
    db, dept, release = crafted_db
    shown = _render(db, page, {"udgivelse": release, "afd": dept}, monkeypatch)
    bad = [(kind, text) for kind, text in shown if BOLD in text or LINK in text or "](https://" in text]
    assert not bad, "\n".join(f"{kind}: {text[:200]}" for kind, text in bad)
    # The crafted names are on the page, escaped (the test would pass trivially otherwise).
    if page in ("afdeling", "tvillinger"):
        assert any(r"\*\*fed\*\*" in text for _, text in shown), shown


@pytest.mark.parametrize("page", ["afdeling", "tvillinger"])
def test_a_crafted_department_in_the_url_is_plain_text(crafted_db, monkeypatch, page):
    db, _, release = crafted_db
    shown = _render(db, page, {"udgivelse": release, "afd": URL_LINK}, monkeypatch)
    bad = [(kind, text) for kind, text in shown if "](https://" in text]
    assert not bad, bad
