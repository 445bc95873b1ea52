"""The agreement's discretion limit holds wherever a rule set is loaded (issue 19.6).

A rule set with ``minimum = 0`` that reached the database (a restored backup, an old version)
made ``classify`` print the values of departments under the limit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trappetrin.bootstrap import open_with_demo
from trappetrin.cli import main
from trappetrin.errors import UserError
from trappetrin.rules import RULES_DIR, load_rule_set, load_rule_set_text
from trappetrin.store import Store


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("floor") / "demo.duckdb"
    open_with_demo(path).close()
    return path


def _weakened(minimum: str) -> str:
    text = (RULES_DIR / "trappetrin.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = lines.index("[discretion]")
    for i in range(start, len(lines)):
        if lines[i].startswith("minimum"):
            lines[i] = f"minimum = {minimum}"
            break
    return "\n".join(lines) + "\n"


def _store_rule_set(db: Path, toml: str, version: int = 99) -> None:
    import duckdb

    con = duckdb.connect(str(db))
    con.execute(
        "INSERT INTO rule_sets (name, version, title, toml, created_at, created_by) "
        "VALUES ('trappetrin', ?, 'svækket', ?, now(), 'gendannet')",
        [version, toml],
    )
    con.close()


def test_the_bundled_rule_set_keeps_the_limit():
    rules = load_rule_set(RULES_DIR / "trappetrin.toml")
    assert rules.discretion.minimum >= 20


@pytest.mark.parametrize("minimum", ["0", "19.5"])
def test_a_weaker_limit_is_refused_when_loaded(minimum):
    with pytest.raises(UserError, match="diskretionsgrænse.*20"):
        load_rule_set_text(_weakened(minimum), source="test")


def test_no_discretion_at_all_is_refused():
    text = (RULES_DIR / "trappetrin.toml").read_text(encoding="utf-8")
    head, _, rest = text.partition("[discretion]")
    rest = rest.split("\n[", 1)[1]
    with pytest.raises(UserError, match="ingen diskretion"):
        load_rule_set_text(head + "[" + rest, source="test")


def test_a_restored_rule_set_with_minimum_0_prints_no_grey_values(demo_file, tmp_path, monkeypatch, capsys):
    db = Path(shutil.copy(demo_file, tmp_path / "db.duckdb"))
    _store_rule_set(db, _weakened("0"))
    store = Store.open(db)
    try:
        with pytest.raises(UserError, match="diskretionsgrænse"):
            store.rule_set("trappetrin")  # the newest version: the weakened one
        with pytest.raises(UserError, match="diskretionsgrænse"):
            store.rule_set("trappetrin", 99)
        assert store.rule_set("trappetrin", 1).discretion.minimum >= 20
    finally:
        store.close()
    monkeypatch.setenv("TRAPPETRIN_DB", str(db))
    assert main(["classify", "--release", "2026-11", "--rules", "trappetrin", "--version", "99"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "diskretionsgrænse" in captured.err
