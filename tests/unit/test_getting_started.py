"""Empty-database order (issue 14.9): register, then releases, then lists; values before a register get one message."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support.demo import demo_copy
from trappetrin import getting_started, imports
from trappetrin.auth import local_actor
from trappetrin.cli import main
from trappetrin.config import DATA_DIR
from trappetrin.errors import UserError
from trappetrin.store import open_store

TEMPLATES = DATA_DIR / "templates"
TODAY = date(2026, 12, 5)


@pytest.fixture
def empty(tmp_path):
    store = open_store(tmp_path / "empty.duckdb")
    yield store
    store.close()


def test_empty_database_starts_at_the_register(empty):
    steps = getting_started.steps(empty)
    assert [s.kind for s in steps] == ["stamdata", "afdelingsdata", "ministerliste"]
    assert [s.number for s in steps] == [1, 2, 3]
    assert not any(s.done for s in steps)
    assert getting_started.next_step(empty).kind == "stamdata"
    for s in steps:
        assert (TEMPLATES / s.template).exists(), s.template


def test_after_the_register_the_next_step_is_a_release(empty):
    plan = imports.plan_import(empty, "stamdata", TEMPLATES / "stamdata.csv", today=TODAY)
    imports.commit_import(empty, plan, actor=local_actor("test"))
    steps = getting_started.steps(empty)
    assert steps[0].done and steps[0].status.endswith("afdelinger i registret")
    assert getting_started.next_step(empty).kind == "afdelingsdata"


def test_demo_database_has_every_step(tmp_path):
    store = open_store(demo_copy(tmp_path / "demo.duckdb"))
    try:
        steps = getting_started.steps(store)
        assert all(s.done for s in steps)
        assert steps[0].status == "271 afdelinger i registret"
        assert getting_started.next_step(store) is None
    finally:
        store.close()


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("afdelingsdata", {"label": "2026-11", "source": "Beboerdata", "reference_date": "2026-11-15"}),
        ("ministerliste", {"list_year": 2026}),
    ],
)
def test_values_before_a_register_get_one_clear_message(empty, kind, options):
    """Not one "unknown department" per row: one Danish message naming the order, nothing written."""
    source = TEMPLATES / f"{kind}.csv"
    with pytest.raises(UserError) as caught:
        imports.plan_import(empty, kind, source, options=options, today=TODAY)
    exc = caught.value
    assert not exc.problems
    assert exc.message.startswith(f"{kind}.csv: Afdelingsregistret er tomt")
    assert "indlæs afdelingsregistret (stamdata" in exc.message and "Intet er gemt" in exc.message
    assert empty.scalar("SELECT count(*) FROM releases") == 0


def test_cli_import_before_a_register_says_it_once(tmp_path, monkeypatch, capsys):
    db = tmp_path / "tom.duckdb"
    open_store(db).close()
    monkeypatch.setenv("TRAPPETRIN_DB", str(db))
    code = main(
        [
            "import",
            str(TEMPLATES / "afdelingsdata.csv"),
            "--label",
            "2026-11",
            "--source",
            "Beboerdata",
            "--date",
            "2026-11-15",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("Afdelingsregistret er tomt") == 1
    assert "findes ikke i afdelingsregistret" not in err


def test_department_polygons_before_a_register_get_one_message(empty, tmp_path):
    import json

    polygons = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"afdelings_id": f"999-00{i}"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[9.9, 57.0], [9.91, 57.0], [9.91, 57.01], [9.9, 57.01], [9.9, 57.0]]],
                },
            }
            for i in range(1, 4)
        ],
    }
    path = tmp_path / "afdelinger.geojson"
    path.write_text(json.dumps(polygons), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        imports.plan_import(empty, "geometri", path, options={"geometry_kind": "afdeling"}, today=TODAY)
    assert not caught.value.problems
    assert caught.value.message.startswith("afdelinger.geojson: Afdelingsregistret er tomt")
    assert "Afdelingspolygoner kan først indlæses" in caught.value.message
