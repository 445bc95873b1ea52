"""The server's warm-up (ui/warmup.py, run by serve.py before the server answers)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.support.demo import demo_copy


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "demo.duckdb"
    demo_copy(path)
    monkeypatch.setenv("TRAPPETRIN_DB", str(path))
    return path


def test_warm_up_fills_the_first_pages_cache(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    """After warming up, the newest release under the adopted rules comes from the cache.

    The classifier is then replaced by one that fails: the first page's look-up
    (``ui.loaders.classified``) must still answer, so warm_up() did the work beforehand.
    """
    import ui.loaders as loaders
    from ui.warmup import warm_up

    warm_up()
    s = loaders.store()
    label, rules = s.release_labels()[-1], s.adopted_rule_set()

    def refuse(*_args, **_kwargs):
        raise AssertionError("classified again: the warm-up did not fill the cache")

    monkeypatch.setattr(loaders, "classify", refuse)
    res = loaders.classified(label, rules)
    assert len(res.result.outcome) == 271
    with pytest.raises(AssertionError, match="classified again"):  # and the stub is really in place
        loaders.classified(label, rules.with_overrides({"c.forebyggelse.outside_labour": 31.0}))


def test_warm_up_survives_a_broken_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog):
    """A file that is not a database: the warm-up logs a warning and returns; the page will say what is wrong."""
    from ui.warmup import warm_up

    bad = tmp_path / "not-a-database.duckdb"
    bad.write_text("dette er ikke en database", encoding="utf-8")
    monkeypatch.setenv("TRAPPETRIN_DB", str(bad))
    with caplog.at_level(logging.WARNING, logger="trappetrin.warmup"):
        seconds = warm_up()
    assert seconds >= 0
    assert any("Opvarmning af serveren mislykkedes" in r.getMessage() for r in caplog.records)
