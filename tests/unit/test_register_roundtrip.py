"""The app's own register export re-imports into a new database, local areas included, and local
areas can be created from a register file (issue 19.14)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trappetrin import imports
from trappetrin.auth import Actor
from trappetrin.bootstrap import open_with_demo
from trappetrin.errors import UserError
from trappetrin.store import Store, open_store

ADMIN = Actor("Ida", "admin", "ida@aalborg.dk")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("register") / "demo.duckdb"
    open_with_demo(path).close()
    return path


@pytest.fixture()
def store(demo_file, tmp_path):
    s = Store.open(shutil.copy(demo_file, tmp_path / "copy.duckdb"))
    yield s
    s.close()


def _local(store: Store):
    return store.query(
        "SELECT da.dept_id, a.area_id, a.name FROM department_areas da JOIN areas a USING (area_id) "
        "WHERE a.kind = 'lokal' ORDER BY 1, 2"
    )


def test_the_register_export_as_it_is_imports_into_a_new_database_with_its_local_areas(store, tmp_path):
    before = _local(store)
    assert len(before) > 10  # the demo has local areas with members
    body = imports.export_register_template(store)  # the file exactly as the Data page offers it
    new = open_store(tmp_path / "new.duckdb")
    try:
        plan = imports.plan_import(new, "stamdata", body, file_name="stamdata.csv")
        imports.commit_import(new, plan, actor=ADMIN)
        assert len(new.departments()) == len(store.departments())
        assert _local(new).equals(before)
        assert set(new.areas()["kind"]) == {"lokal"}  # ministerial areas come with the ministry list
        # Importing the same export again changes nothing.
        plan = imports.plan_import(new, "stamdata", body + b"\r\n", file_name="stamdata2.csv")
        imports.commit_import(new, plan, actor=ADMIN)
        assert _local(new).equals(before)
    finally:
        new.close()


def _register(store: Store, *rows: str) -> bytes:
    head = "Afdelings-id;Organisationsnummer;Afdelingsnummer;Afdeling;Familieboliger;Lokale områder"
    return ("\r\n".join([head, *rows]) + "\r\n").encode("utf-8")


def test_local_areas_are_created_renamed_and_checked(store):
    dept = store.departments().iloc[0]
    row = f"{dept.dept_id};{dept.org_no};{dept.dept_no};{dept['name']};{int(dept.family_dwellings)}"
    plan = imports.plan_import(
        store, "stamdata", _register(store, row + ';"nord-vest=Nordvest; aalborg-syd"'), file_name="r.csv"
    )
    imports.commit_import(store, plan, actor=ADMIN)
    areas = store.areas().set_index("area_id")
    assert areas.loc["nord-vest", "name"] == "Nordvest" and areas.loc["nord-vest", "kind"] == "lokal"
    mine = set(_local(store).query("dept_id == @dept.dept_id")["area_id"])
    assert mine == {"nord-vest", "aalborg-syd"}
    plan = imports.plan_import(store, "stamdata", _register(store, row + ";nord-vest=Nordvestbyen"), file_name="r2.csv")
    imports.commit_import(store, plan, actor=ADMIN)
    assert store.areas().set_index("area_id").loc["nord-vest", "name"] == "Nordvestbyen"
    ministerial = store.areas().query("kind == 'ministeriel'")["area_id"].iloc[0]
    for cell, problem in (
        ("ukendt-omraade", "ukendt lokalt område"),
        (f"{ministerial}=Nyt navn", "ministerielt område"),
        ("=Uden id", "forventet 'id=navn'"),
    ):
        with pytest.raises(UserError) as info:
            imports.plan_import(store, "stamdata", _register(store, f"{row};{cell}"), file_name="r3.csv")
        assert problem in str(info.value) and "r3.csv, række" in str(info.value)
