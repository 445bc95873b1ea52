"""AppTest fixtures: a demo database built once, copied per test that writes, and an app runner.

``app(page=None, params=None)`` returns a run :class:`AppTest` of ``app.py`` (optionally
switched to ``pages/<page>.py`` with the given query parameters) over the demo database.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.demo import demo_copy
from trappetrin.store import open_store

REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database file built once per test session (per xdist worker)."""
    path = tmp_path_factory.mktemp("appdb") / "demo.duckdb"
    demo_copy(path)
    return path


@pytest.fixture(scope="session")
def latest(demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory):
    """The latest demo release's frame and outcomes, as (DataFrame, Series) read from a copy."""
    from trappetrin.colours import classify_release

    path = tmp_path_factory.mktemp("latest") / "copy.duckdb"
    shutil.copy(demo_db_file, path)
    store = open_store(path)
    try:
        res = classify_release(store, store.latest_release(), store.adopted_rule_set())
        return res.data.frame, res.result.outcomes
    finally:
        store.close()


@pytest.fixture
def db(demo_db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo database for one test, set as ``TRAPPETRIN_DB``."""
    path = tmp_path / "trappetrin.duckdb"
    shutil.copy(demo_db_file, path)
    monkeypatch.setenv("TRAPPETRIN_DB", str(path))
    return path


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with the schema but no departments or releases."""
    path = tmp_path / "empty.duckdb"
    open_store(path).close()
    monkeypatch.setenv("TRAPPETRIN_DB", str(path))
    return path


def _run(page: str | None = None, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT_S)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at


@pytest.fixture
def app(db: Path) -> Callable[..., AppTest]:
    """Run the app over a private demo database: ``app("scenarie", {"udgivelse": "2025-11"})``."""
    return _run


@pytest.fixture
def empty_app(empty_db: Path) -> Callable[..., AppTest]:
    """Run the app over an empty database."""
    return _run


@pytest.fixture(scope="session")
def national_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The national demo (about 8,000 departments in 98 municipalities) with its demo follow-up
    rows, as ``trappetrin demo --scale national`` builds it; built once per session."""
    from trappetrin.bootstrap import open_with_demo

    path = tmp_path_factory.mktemp("national") / "national.duckdb"
    open_with_demo(path, national=True).close()
    return path
