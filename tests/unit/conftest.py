"""Unit-test fixtures shared by the import, hardening and follow-up tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.demo import demo_copy
from tests.support.demo import demo_file as _process_demo_file
from trappetrin.store import Store


@pytest.fixture(scope="session")
def demo_file() -> Path:
    """The process's demo database file: copy it, never open it for writing."""
    return _process_demo_file()


@pytest.fixture()
def store(tmp_path: Path):
    """A private, open copy of the demo database for one test."""
    s = Store.open(demo_copy(tmp_path / "copy.duckdb"))
    yield s
    s.close()
