"""Discretion on every page, proved by difference.

Two databases differ only in the suppressed values: in the second, every indicator value of a
department that is under the discretion limit in that release is replaced by an absurd canary
(except the discretion indicator itself, which decides who is under the limit). If discretion
holds, no value, chart, tooltip, map property, aggregate or file can depend on those values, so
every page must render *exactly* the same on both — element for element, byte for byte,
downloads included. Any leak, even one hidden inside an average, shows up as a difference.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from trappetrin.colours import classify_release
from trappetrin.store import Store

from .conftest import REPO_ROOT, TIMEOUT_S

DISCRETION_INDICATOR = "residents_18_64"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _canary(db: Path) -> tuple[list[str], dict[str, str]]:
    """Overwrite suppressed values with canaries; return the releases and a grey department per release."""
    store = Store.open(db)
    try:
        rules = store.adopted_rule_set()
        grey_by_release: dict[str, str] = {}
        labels = store.release_labels()
        with store.transaction() as cur:
            for label in labels:
                res = classify_release(store, label, rules)
                masked = res.data.frame.index[res.result.masked]
                if len(masked):
                    grey_by_release[label] = str(masked[0])
                values_label = res.data.values_label
                if values_label is None or not len(masked):
                    continue
                release_id = store.scalar("SELECT release_id FROM releases WHERE label = ?", [values_label])
                ids = [str(i) for i in masked]
                cur.execute(
                    f"UPDATE indicator_values SET value = CASE WHEN value IS NULL THEN 99.87 ELSE "
                    f"round(least(value * 3.7 + 41.3, 99.91), 4) END "
                    f"WHERE release_id = ? AND indicator <> ? AND dept_id IN ({', '.join('?' for _ in ids)})",
                    [release_id, DISCRETION_INDICATOR, *ids],
                )
        return labels, grey_by_release
    finally:
        store.close()


@pytest.fixture(scope="module")
def twin_dbs(demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("discretion")
    plain, canary = folder / "plain.duckdb", folder / "canary.duckdb"
    shutil.copy(demo_db_file, plain)
    shutil.copy(demo_db_file, canary)
    labels, grey = _canary(canary)
    return plain, canary, labels, grey


def _elements(node) -> list:
    """Every element of the rendered tree as plain data (widget values, tables, charts, maps)."""
    out = []
    proto = getattr(node, "proto", None)
    if proto is not None and not hasattr(node, "children"):
        data = MessageToDict(proto)
        if isinstance(data.get("json"), str):  # pydeck may name layers with random ids
            data["json"] = _UUID.sub("<id>", data["json"])
        if "deferredFileId" in data:  # a random id for a file built on click (the XLSX, from the same tables)
            data["deferredFileId"] = "<deferred>"
        out.append(data)
    for child in getattr(node, "children", {}).values():
        out.extend(_elements(child))
    return out


def _same(plain: Path, canary: Path, page: str, params: dict[str, str], monkeypatch) -> None:
    """Assert both render alike. Files carry the minute they were made: when the plain page
    itself changed between two renders (a minute passed), the comparison is made again."""
    for _ in range(3):
        a = _render(plain, page, params, monkeypatch)
        b = _render(canary, page, params, monkeypatch)
        if a == b or a != _render(plain, page, params, monkeypatch):
            break
    assert a == b


def _render(db: Path, page: str, params: dict[str, str], monkeypatch) -> list:
    monkeypatch.setenv("TRAPPETRIN_DB", str(db))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT_S)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    shown = _elements(at._tree)
    assert shown, "the page rendered nothing"
    return shown


CASES = [
    ("oversigt", {}),
    ("scenarie", {"p.c.forebyggelse.outside_labour": "25", "p.d.minimum": "30"}),
    ("udvikling", {}),
    ("anvisning", {}),
    ("anvisning", {"p.c.forebyggelse.outside_labour": "25"}),
    ("eksport", {}),
    ("eksport", {"p.d.minimum": "30"}),
    ("opfoelgning", {}),
    ("tvillinger", {}),
    ("tvillinger", {"tv": "kommune", "tv.by": "begge"}),
    ("tvillinger", {"tv": "kommune", "tv.ind": "move_out_rate", "p.d.minimum": "30"}),
]


@pytest.mark.parametrize(("page", "params"), CASES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(CASES)])
@pytest.mark.parametrize("which", ["newest", "oldest"])
def test_page_is_identical_whatever_the_suppressed_values(twin_dbs, monkeypatch, page, params, which):
    plain, canary, labels, _ = twin_dbs
    params = {"udgivelse": labels[-1] if which == "newest" else labels[0], **params}
    _same(plain, canary, page, params, monkeypatch)


def test_grey_department_page_is_identical_whatever_its_values(twin_dbs, monkeypatch):
    """The Afdeling page of a grey department (facts from the register, no values) and its trend."""
    plain, canary, labels, grey = twin_dbs
    label = labels[-1]
    params = {"udgivelse": label, "afd": grey[label]}
    _same(plain, canary, "afdeling", params, monkeypatch)


def test_the_canary_database_really_differs(twin_dbs):
    """Guard: the test above would pass vacuously if no value had been changed."""
    plain, canary, labels, grey = twin_dbs
    assert grey, "the demo has departments under the discretion limit"
    query = "SELECT sum(value) FROM indicator_values WHERE indicator <> ?"
    a, b = Store.open(plain), None
    try:
        before = a.scalar(query, [DISCRETION_INDICATOR])
    finally:
        a.close()
    b = Store.open(canary)
    try:
        after = b.scalar(query, [DISCRETION_INDICATOR])
    finally:
        b.close()
    assert after != before


def _with_grey_twin(db: Path, label: str) -> str:
    """A department with a grey department among its ten master-data twins in the municipality."""
    from trappetrin import twins

    store = Store.open(db)
    try:
        frame = store.release_data(label).frame
        grey = twins.masked(frame, store.adopted_rule_set())
        pairs, _ = twins.all_twins(frame, grey, variables=twins.variables_for("stamdata"))
        return str(pairs.loc[pairs["twin_id"].isin(frame.index[grey]), "dept_id"].iloc[0])
    finally:
        store.close()


@pytest.mark.parametrize("by", ["stamdata", "begge"])
def test_twins_pages_of_grey_departments_and_their_twins_are_identical(twin_dbs, monkeypatch, by):
    """Tvillinger for a grey department, and for one with a grey twin; Afdeling's twin summary too."""
    plain, canary, labels, grey = twin_dbs
    label = labels[-1]
    for dept in (grey[label], _with_grey_twin(plain, label)):
        _same(plain, canary, "tvillinger", {"udgivelse": label, "afd": dept, "tv.by": by}, monkeypatch)
    _same(plain, canary, "afdeling", {"udgivelse": label, "afd": _with_grey_twin(plain, label)}, monkeypatch)


@pytest.mark.parametrize(
    "args",
    [
        ["--by", "stamdata"],
        ["--by", "begge", "--n", "20"],
        ["--by", "stamdata", "--department", "<grey-twin>"],
        ["--by", "stamdata", "--department", "<grey>"],
    ],
    ids=["all-stamdata", "all-begge", "one-with-grey-twin", "one-grey"],
)
def test_twins_command_line_output_is_identical(twin_dbs, monkeypatch, capsysbinary, args):
    """``python -m trappetrin twins`` writes the same bytes from both databases."""
    from trappetrin.cli import main

    plain, canary, labels, grey = twin_dbs
    label = labels[-1]
    swap = {"<grey>": grey[label], "<grey-twin>": _with_grey_twin(plain, label)}
    args = [swap.get(a, a) for a in args]
    out = []
    for db in (plain, canary):
        monkeypatch.setenv("TRAPPETRIN_DB", str(db))
        assert main(["twins", "--release", label, *args]) == 0
        out.append(capsysbinary.readouterr().out)
    assert out[0] and out[0] == out[1]
