"""The duplicate-file check holds when two imports of the same file were planned before either
committed (issue 19.11): it is made again inside the commit's transaction."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.dbdump import dump
from trappetrin import catalogue, imports
from trappetrin.auth import Actor
from trappetrin.bootstrap import open_with_demo
from trappetrin.errors import UserError
from trappetrin.store import Store

ADMIN = Actor("Ida", "admin", "ida@aalborg.dk")
VALUES = (Path(__file__).parent / "bad_files" / "valid_for_params.csv").read_bytes()


@pytest.fixture()
def store(tmp_path_factory, tmp_path):
    demo = tmp_path_factory.getbasetemp() / "race-demo.duckdb"
    if not demo.exists():
        open_with_demo(demo).close()
    s = Store.open(shutil.copy(demo, tmp_path / "copy.duckdb"))
    yield s
    s.close()


def _plan(store, label):
    options = {
        "label": label,
        "source": "Beboerdata",
        "reference_date": "2026-11-20",
        "allow_missing": list(catalogue.indicators()),  # a small file: partial on purpose
    }
    return imports.plan_import(store, "afdelingsdata", VALUES, file_name="v.csv", options=options)


def test_the_same_file_planned_twice_is_stored_once(store):
    first, second = _plan(store, "2026-12-a"), _plan(store, "2026-12-b")  # both planned: no duplicate yet
    imports.commit_import(store, first, actor=ADMIN)
    before = dump(store)
    with pytest.raises(UserError, match="samme fil.*'2026-12-a'.*Intet er gemt"):
        imports.commit_import(store, second, actor=ADMIN)
    assert dump(store) == before
    assert store.scalar("SELECT count(*) FROM releases WHERE label LIKE '2026-12-%'") == 1


def test_the_same_followup_file_planned_twice_is_stored_once(store):
    """Follow-up files too (a note on issue 19): the audit trail is read again inside the commit."""
    data = (
        "Organisationsnummer;Afdelings-id;Dato;Antal værelser;Areal m2;Husleje\r\n"
        "104;104-012;2026-03-02;2;61,5;3.450\r\n"
    ).encode("utf-8-sig")
    first, second = (imports.plan_import(store, "indmeldt", data, file_name="indmeldt.csv") for _ in range(2))
    imports.commit_import(store, first, actor=ADMIN)
    before = dump(store)
    with pytest.raises(UserError, match=r"indmeldt\.csv: filen er allerede indlæst .*Intet er gemt"):
        imports.commit_import(store, second, actor=ADMIN)
    assert dump(store) == before
