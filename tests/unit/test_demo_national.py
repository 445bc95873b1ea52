"""Tests for the national demo data set (trappetrin.demo_national): counts, determinism, places."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest

from trappetrin.demo import build_demo
from trappetrin.demo_national import MUNICIPALITIES, N_DEPARTMENTS, build_national, department_counts
from trappetrin.store import open_store

# A rough box around Denmark, Bornholm included (Skagen 57.75 N, Gedser 54.56 N, Blåvandshuk 8.07 E,
# Christiansø 15.19 E).
LAT, LON = (54.5, 57.8), (8.0, 15.2)


@pytest.fixture(scope="module")
def national():
    return build_national()


def test_counts(national):
    """8,000 departments with unique ids in 98 municipalities; Aalborg keeps its 271."""
    deps = national.departments
    assert len(deps) == N_DEPARTMENTS == 8_000
    assert deps["dept_id"].is_unique
    assert len(MUNICIPALITIES) == 98 and len({m[0] for m in MUNICIPALITIES}) == 98
    per = national.municipalities["municipality"].value_counts()
    assert len(per) == 98
    assert per["Aalborg"] == 271
    assert per.min() >= 3
    assert dict(per) == department_counts()
    assert set(national.municipalities["dept_id"]) == set(deps["dept_id"])


def test_releases_and_values_complete(national):
    """The 13 releases of the Aalborg demo; every values release holds every department and indicator."""
    assert len(national.releases) == 13
    values = national.values
    carrying = values["release"].unique()
    n_indicators = values["indicator"].nunique()
    assert len(values) == len(carrying) * N_DEPARTMENTS * n_indicators
    assert not values.duplicated(["release", "dept_id", "indicator"]).any()
    assert values["value"].notna().all()
    shares = values[values["indicator"].isin(["pct_outside_labour", "pct_nonwestern", "pct_basic_education"])]
    assert shares["value"].between(0, 100).all()


def test_aalborg_is_the_ordinary_demo(national):
    """Aalborg's departments and values are those of trappetrin.demo, unchanged."""
    aalborg = build_demo()
    ids = set(aalborg.departments["dept_id"])
    mine = national.departments[national.departments["dept_id"].isin(ids)].reset_index(drop=True)
    pdt.assert_frame_equal(mine, aalborg.departments.reset_index(drop=True), check_dtype=False)
    theirs = national.values[national.values["dept_id"].isin(ids)].reset_index(drop=True)
    pdt.assert_frame_equal(theirs, aalborg.values.reset_index(drop=True))


def test_deterministic(national):
    """The same seed gives identical tables; another seed does not."""
    again = build_national()
    for field in (
        "departments",
        "organisations",
        "areas",
        "department_areas",
        "area_list_status",
        "values",
        "municipalities",
    ):
        pdt.assert_frame_equal(getattr(national, field), getattr(again, field), obj=field)
    other = build_national(seed=852)
    assert not other.departments["lat"].equals(national.departments["lat"])


def test_on_land_in_denmark(national):
    """Every department lies inside a rough bounding box of Denmark, near its municipality's centre."""
    deps = national.departments.merge(national.municipalities, on="dept_id")
    assert deps["lat"].between(*LAT).all() and deps["lon"].between(*LON).all()
    centre = pd.DataFrame([(m[0], m[2], m[3]) for m in MUNICIPALITIES], columns=["municipality", "clat", "clon"])
    deps = deps.merge(centre, on="municipality")
    assert ((deps["lat"] - deps["clat"]).abs() < 0.25).all()  # within ~25 km of the centre
    assert ((deps["lon"] - deps["clon"]).abs() < 0.45).all()


def test_store_filters_by_municipality(national, tmp_path):
    """Loaded into a store: 98 municipalities, and a release read for one holds only its departments."""
    store = open_store(tmp_path / "national.duckdb")
    try:
        store.load_demo(national)
        per = store.municipalities().set_index("municipality")["departments"]
        assert len(per) == 98 and per.sum() == N_DEPARTMENTS
        label = store.release_labels()[-1]
        odense = store.release_data(label, "Odense").frame
        expected = set(national.municipalities.loc[national.municipalities["municipality"] == "Odense", "dept_id"])
        assert set(odense.index) == expected
        assert (odense["municipality"] == "Odense").all()
        assert len(store.release_data(label).frame) == N_DEPARTMENTS
    finally:
        store.close()
