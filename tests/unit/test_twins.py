"""Twin search (trappetrin.twins) on hand-checked small cases, and the master data behind it."""

from __future__ import annotations

import math
import shutil
from datetime import date

import numpy as np
import pandas as pd
import pytest

from tests.support.demo import demo_copy
from trappetrin import imports, twins
from trappetrin.auth import Actor
from trappetrin.demo import N_WITHOUT_MASTER_DATA, build_demo
from trappetrin.errors import UserError
from trappetrin.store import LOCATION_TYPES, MASTER_DATA_COLUMNS, Store, open_store

ADMIN = Actor("Ida", "admin", "ida@aalborg.dk")
TODAY = date(2026, 11, 23)


def frame(**columns) -> pd.DataFrame:
    """A release-like frame: ids A, B, C …, one municipality unless given, every column given."""
    n = len(next(iter(columns.values())))
    ids = [chr(ord("A") + i) for i in range(n)]
    base = {
        "name": [f"Demo-afd. {i}" for i in ids],
        "municipality": ["Aalborg"] * n,
        "residents_18_64": [100.0] * n,
    }
    return pd.DataFrame(base | columns, index=pd.Index(ids, name="dept_id"))


NONE_MASKED = np.zeros(7, dtype=bool)


def test_exact_twin_has_distance_zero_and_a_department_is_never_its_own_twin():
    """An identical department is the first twin at distance 0; the department itself is never listed."""
    f = frame(year_built=[1960, 1970, 1960, 1990, 2000], mean_m2=[70.0, 80.0, 70.0, 90.0, 60.0])
    res = twins.find_twins(f, NONE_MASKED[:5], "A", variables=["year_built", "mean_m2"], n=5)
    assert "A" not in res.twins.index
    assert res.twins.index[0] == "C" and res.twins.loc["C", "distance"] == 0.0
    assert res.twins["rank"].tolist() == [1, 2, 3, 4]  # only 4 others exist
    assert res.twins["distance"].is_monotonic_increasing
    assert res.pool_size == 4 and res.reason is None


def test_distance_is_the_root_mean_square_of_standardised_differences():
    """One variable, years 1960/1970/1980/1990: mean 1975, sd √125; A–B = 10/√125 = 0,894…"""
    f = frame(year_built=[1960, 1970, 1980, 1990, 2040])
    pool_only = f.iloc[:4]
    res = twins.find_twins(pool_only, NONE_MASKED[:4], "A", variables=["year_built"], n=5)
    assert res.twins.loc["B", "distance"] == pytest.approx(10 / math.sqrt(125), abs=1e-4)
    assert res.twins.loc["D", "distance"] == pytest.approx(30 / math.sqrt(125), abs=1e-4)
    # Two variables: the RMS over both. Second variable m² 50/50/70/70: mean 60, sd 10.
    f2 = pool_only.assign(mean_m2=[50.0, 50.0, 70.0, 70.0])
    res2 = twins.find_twins(f2, NONE_MASKED[:4], "A", variables=["year_built", "mean_m2"], n=5)
    expected = math.sqrt(((20 / math.sqrt(125)) ** 2 + 2.0**2) / 2)  # A–C: 20 years, 20 m²
    assert res2.twins.loc["C", "distance"] == pytest.approx(expected, abs=1e-4)


def test_variables_are_standardised_so_units_do_not_matter():
    """Rent in kr. per m² swamps the year in raw units; standardised, both count alike."""
    f = frame(
        year_built=[1970, 1971, 2010, 1990, 1950, 1975],
        rent_per_m2=[800.0, 1_400.0, 810.0, 950.0, 700.0, 1_000.0],
    )
    res = twins.find_twins(f, NONE_MASKED[:6], "A", variables=["year_built", "rent_per_m2"], n=5)
    # B is 1 year but 600 kr. away, C 40 years but 10 kr.: in sd units B (0,03 + 2,9) and C (2,5 + 0,05).
    z = twins.standardise(twins.raw_matrix(f, ["year_built", "rent_per_m2"]), np.ones(6, dtype=bool))
    assert z.mean(axis=0) == pytest.approx([0, 0], abs=1e-12)
    assert z.std(axis=0) == pytest.approx([1, 1])
    d = np.sqrt(((z - z[0]) ** 2).mean(axis=1))
    expected = [f.index[i] for i in np.argsort(d, kind="stable") if i != 0][:5]
    assert res.twins.index.tolist() == expected
    assert res.twins["distance"].to_numpy() == pytest.approx(np.sort(d)[1:6], abs=1e-4)
    # Scaling a variable changes nothing.
    scaled = f.assign(rent_per_m2=f["rent_per_m2"] / 12)
    res_scaled = twins.find_twins(scaled, NONE_MASKED[:6], "A", variables=["year_built", "rent_per_m2"], n=5)
    pd.testing.assert_frame_equal(res.twins, res_scaled.twins)


def test_scope_keeps_twins_in_the_municipality_and_standardises_within_it():
    """Scope kommune keeps twins (and the mean and deviation) in the municipality; land looks everywhere."""
    f = frame(
        year_built=[1970, 1971, 1990, 1970, 1970, 2000],
        municipality=["Aalborg", "Aalborg", "Aalborg", "Odense", "Odense", "Aalborg"],
    )
    local = twins.find_twins(f, NONE_MASKED[:6], "A", variables=["year_built"], n=5, scope="kommune")
    assert set(local.twins.index) == {"B", "C", "F"}
    national = twins.find_twins(f, NONE_MASKED[:6], "A", variables=["year_built"], n=5, scope="land")
    assert national.twins.index[:2].tolist() == ["D", "E"] and (national.twins["distance"].iloc[:2] == 0).all()
    # Within Aalborg the sd of 1970/1971/1990/2000 is used, not the country's.
    years = np.array([1970, 1971, 1990, 2000.0])
    assert local.twins.loc["B", "distance"] == pytest.approx(1 / years.std(), abs=1e-4)


def test_location_type_and_dwellings_enter_as_rank_and_logarithm():
    """by/forstad/land become 0/1/2 and the number of dwellings its logarithm."""
    f = frame(
        location_type=["by", "forstad", "land", "by"],
        dwellings=[50, 100, 200, 400],
    )
    raw = twins.raw_matrix(f, ["location_type", "dwellings"])
    assert raw[:, 0].tolist() == [0.0, 1.0, 2.0, 0.0]
    assert raw[:, 1] == pytest.approx(np.log([50, 100, 200, 400]))
    assert list(LOCATION_TYPES) == ["by", "forstad", "land"]


def test_missing_master_data_means_no_twins_and_says_why():
    """Without a chosen variable a department has no twins, is nobody's twin, and the reason names the field."""
    f = frame(year_built=[1970, np.nan, 1980, 1990], mean_m2=[70.0, 80.0, np.nan, 90.0])
    res = twins.find_twins(f, NONE_MASKED[:4], "B", variables=["year_built", "mean_m2"], n=5)
    assert res.twins.empty and "opførelsesår" in res.reason
    # And departments with missing data are not anyone's twins.
    res_a = twins.find_twins(f, NONE_MASKED[:4], "A", variables=["year_built", "mean_m2"], n=5)
    assert res_a.twins.index.tolist() == ["D"]


def test_discretion_grey_departments_never_match_on_socio_data():
    """Grey departments are out of the pool on socio data; on master data they are twins (without values)."""
    f = frame(
        pct_outside_labour=[20.0, 21.0, 20.0, 40.0, 30.0],
        year_built=[1970, 1970, 1970, 1980, 1990],
        residents_18_64=[100.0, 100.0, 10.0, 100.0, 100.0],
    )
    grey = np.array([False, False, True, False, False])
    socio = twins.find_twins(f, grey, "A", variables=["pct_outside_labour"], n=5)
    assert "C" not in socio.twins.index  # C's suppressed 20,0 would make it the exact twin
    assert twins.find_twins(f, grey, "C", variables=["pct_outside_labour"], n=5).reason == twins.DISCRETION_REASON
    # On master data alone a grey department is a twin (listed without values) and has twins.
    stam = twins.find_twins(f, grey, "A", variables=["year_built"], n=5)
    assert stam.twins.index[:2].tolist() == ["B", "C"]
    assert not twins.find_twins(f, grey, "C", variables=["year_built"], n=5).twins.empty


def test_grey_twins_carry_no_values_and_aggregates_need_three():
    """Grey twins have no values; median, range and position need three twins with values."""
    f = frame(
        year_built=[1970, 1971, 1972, 1973, 1974],
        pct_outside_labour=[30.0, 10.0, 20.0, 99.0, 40.0],
        residents_18_64=[100.0, 100.0, 100.0, 5.0, 100.0],
    )
    grey = twins.masked(f, _rules())
    assert grey.tolist() == [False, False, False, True, False]
    values = twins.indicator_values(f, grey, ["pct_outside_labour"])
    assert np.isnan(values.loc["D", "pct_outside_labour"])
    cmp = twins.compare(f, grey, "A", ["B", "C", "D", "E"], ["pct_outside_labour"]).loc["pct_outside_labour"]
    assert cmp["n_twins"] == 4 and cmp["n_with_values"] == 3  # D is grey
    assert (cmp["median"], cmp["low"], cmp["high"]) == (20.0, 10.0, 40.0)
    assert (cmp["higher"], cmp["lower"]) == (2, 1)
    assert cmp["position"] == "højere end 2 af 3 tvillinger"
    # Two twins with values: no aggregate and no position.
    two = twins.compare(f, grey, "A", ["B", "D", "E"], ["pct_outside_labour"]).loc["pct_outside_labour"]
    assert two["n_with_values"] == 2 and np.isnan(two["median"]) and two["position"] == ""
    # A grey department's own value is never given.
    own = twins.compare(f, grey, "D", ["A", "B", "C"], ["pct_outside_labour"]).loc["pct_outside_labour"]
    assert np.isnan(own["value"]) and own["position"] == "" and own["median"] == 20.0


def _rules():
    from trappetrin.rules import bundled_rule_sets

    return next(r for r in bundled_rule_sets() if r.name == "trappetrin")


@pytest.mark.parametrize("scope", ["kommune", "land"])
def test_all_twins_agree_with_one_at_a_time_also_with_ties(scope):
    """The vectorised search gives each department exactly the twins and distances of the one-at-a-time search."""
    rng = np.random.default_rng(5)
    n = 300
    f = frame(
        year_built=rng.integers(1960, 1966, n).astype(float),  # few values: many exact ties
        location_type=rng.choice(["by", "forstad", "land"], n),
        pct_outside_labour=np.round(rng.uniform(10, 40, n), 0),
        residents_18_64=np.where(rng.uniform(0, 1, n) < 0.1, 10.0, 100.0),
        municipality=rng.choice(["Aalborg", "Odense", "Læsø"], n, p=[0.6, 0.38, 0.02]),
    )
    grey = twins.masked(f, _rules())
    for variables in (["year_built", "location_type"], ["year_built", "pct_outside_labour"]):
        pairs, reasons = twins.all_twins(f, grey, variables=variables, n=7, scope=scope)
        for dept in f.index:
            one = twins.find_twins(f, grey, dept, variables=variables, n=7, scope=scope)
            mine = pairs[pairs["dept_id"] == dept]
            assert mine["twin_id"].tolist() == one.twins.index.tolist(), dept
            assert mine["distance"].tolist() == one.twins["distance"].tolist()
            assert dept not in set(mine["twin_id"])
            assert (dept in reasons.index) == one.twins.empty
        if "pct_outside_labour" in variables:
            assert set(pairs["dept_id"]).isdisjoint(f.index[grey]) and set(pairs["twin_id"]).isdisjoint(f.index[grey])


def test_positions_and_standouts_follow_compare():
    """Every department's position equals compare() for it; standouts are ordered by |deviation|."""
    rng = np.random.default_rng(1)
    n = 60
    f = frame(
        year_built=rng.integers(1950, 2000, n).astype(float),
        pct_outside_labour=np.round(rng.uniform(10, 40, n), 1),
        residents_18_64=np.where(np.arange(n) % 9 == 0, 12.0, 80.0),
    )
    grey = twins.masked(f, _rules())
    pairs, _ = twins.all_twins(f, grey, variables=["year_built"], n=5)
    pos = twins.positions(f, grey, pairs, ["pct_outside_labour"]).set_index("dept_id")
    for dept in f.index[:20]:
        ids = pairs.loc[pairs["dept_id"] == dept, "twin_id"]
        one = twins.compare(f, grey, dept, ids, ["pct_outside_labour"]).loc["pct_outside_labour"]
        got = pos.loc[dept]
        assert got["n_with_values"] == one["n_with_values"]
        for col in ("median", "low", "high", "value"):
            assert (np.isnan(got[col]) and np.isnan(one[col])) or got[col] == one[col], (dept, col)
        assert pd.isna(got["higher"]) == pd.isna(one["higher"])
    assert pos.loc[f.index[grey], "deviation"].isna().all()  # grey departments have no position
    top = twins.standouts(pos.reset_index(), "pct_outside_labour", top=5)
    assert len(top) == 5 and top["deviation"].abs().is_monotonic_decreasing
    assert (top["worse"] == (top["deviation"] > 0)).all()  # lower is better for this indicator


def test_choices_are_checked():
    """n outside 5–50 and unknown variables are refused; variables come back in canonical order."""
    assert twins.variables_for("begge") == [*twins.STAMDATA_VARIABLES, *twins.SOCIO_VARIABLES]
    with pytest.raises(ValueError):
        twins.check_n(4)
    with pytest.raises(ValueError):
        twins.check_n(51)
    with pytest.raises(ValueError):
        twins.check_variables(["year_built", "shoe_size"])
    assert twins.check_variables(["pct_convicted", "year_built", "year_built"]) == ["year_built", "pct_convicted"]


# --- master data: demo, schema, import ----------------------------------------------------------


def test_demo_master_data_are_plausible_and_deterministic():
    """The demo's master data are deterministic, within range and consistent with year and rent bands."""
    a, b = build_demo().departments, build_demo().departments
    pd.testing.assert_frame_equal(a, b)
    assert set(a["location_type"]) == set(LOCATION_TYPES)
    assert a["mean_m2"].isna().sum() == N_WITHOUT_MASTER_DATA
    known = a.dropna(subset=["mean_m2"])
    assert known["mean_m2"].between(45, 125).all() and known["rent_per_m2"].between(450, 1_600).all()
    assert a["pct_family_dwellings"].between(0, 100).all()
    # Newer estates have larger dwellings and dearer rents per m²; cheap bands mean cheap m².
    assert known["year_built"].corr(known["mean_m2"]) > 0.3
    cheap = known["dwellings_le_3500"] / (known["family_dwellings"] + known["bab_dwellings"])
    assert cheap.corr(known["rent_per_m2"]) < -0.1
    # Towns are "land", the centre "by".
    assert (a.loc[a["neighbourhood"] == "Nibe", "location_type"] == "land").all()
    assert (a.loc[a["neighbourhood"] == "Aalborg C", "location_type"] == "by").all()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("twins") / "demo.duckdb"
    demo_copy(path)
    return path


@pytest.fixture()
def store(demo_file, tmp_path):
    s = Store.open(shutil.copy(demo_file, tmp_path / "copy.duckdb"))
    yield s
    s.close()


def test_master_data_are_stored_and_reach_the_release_frame(store):
    """The new register columns are stored and reach every release frame."""
    d = store.departments().set_index("dept_id")
    for col in MASTER_DATA_COLUMNS:
        assert col in d.columns
    assert d["location_type"].notna().all()
    frame_ = store.release_data(store.latest_release()).frame
    assert {"mean_m2", "rent_per_m2", "pct_family_dwellings", "location_type", "dwellings"} <= set(frame_.columns)


def csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def test_register_import_takes_the_master_data(store):
    """The stamdata import reads m², rent per m², family share and location; blanks are allowed."""
    body = csv(
        "Organisationsnummer;Afdelingsnummer;Afdeling;Familieboliger;Gennemsnitligt boligareal (m²);"
        "Husleje pr. m² (kr. om året);Andel familieboliger (%);Beliggenhed",
        "101;3;Demo-afd. 3 Enghaven;120;81,5;912;87,5;Forstad",
        "101;991;Demo-afd. 991 Nyhaven;40;;;;",
    )
    plan = imports.plan_import(store, "stamdata", body, file_name="reg.csv", today=TODAY)
    imports.commit_import(store, plan, actor=ADMIN)
    d = store.departments().set_index("dept_id")
    row = d.loc["101-003"]
    assert (row["mean_m2"], row["rent_per_m2"], row["pct_family_dwellings"], row["location_type"]) == (
        81.5,
        912.0,
        87.5,
        "forstad",
    )
    new = d.loc["101-991"]
    assert pd.isna(new["mean_m2"]) and pd.isna(new["location_type"])  # missing master data are allowed


def test_register_import_refuses_bad_master_data_with_row_and_column(store):
    """Out-of-range values and unknown location words are refused with file, row and column."""
    body = csv(
        "Organisationsnummer;Afdelingsnummer;Afdeling;Familieboliger;Boligareal;Husleje pr. m²;Beliggenhed",
        "101;3;Demo-afd. 3 Enghaven;120;8;912;forstad",
        "101;7;Demo-afd. 7 Solhaven;60;75;90000;bjerg",
    )
    with pytest.raises(UserError) as info:
        imports.plan_import(store, "stamdata", body, file_name="reg.csv", today=TODAY)
    text = str(info.value)
    assert "reg.csv, række 2, kolonne 'Boligareal': '8'" in text
    assert "reg.csv, række 3, kolonne 'Husleje pr. m²': '90000'" in text
    assert "reg.csv, række 3, kolonne 'Beliggenhed': 'bjerg' er ikke en kendt beliggenhed" in text


def test_register_template_round_trips_the_master_data(store, tmp_path):
    """The exported register re-imports with the same master data."""
    exported = imports.export_register_template(store)
    header = exported.decode("utf-8-sig").splitlines()[0]
    assert "Gennemsnitligt boligareal (m²)" in header and "Beliggenhed" in header
    empty = open_store(tmp_path / "empty.duckdb")
    table = pd.read_csv(pd.io.common.BytesIO(exported), sep=";", dtype=str, encoding="utf-8-sig")
    plan = imports.plan_import(
        empty, "stamdata", table.to_csv(sep=";", index=False).encode(), file_name="reg.csv", today=TODAY
    )
    imports.commit_import(empty, plan, actor=ADMIN)
    a = store.departments().set_index("dept_id")[list(MASTER_DATA_COLUMNS)]
    b = empty.departments().set_index("dept_id")[list(MASTER_DATA_COLUMNS)]
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    empty.close()


# --- the command line ---------------------------------------------------------------------------


def _cli(db, monkeypatch, *args: str) -> int:
    from trappetrin.cli import main

    monkeypatch.setenv("TRAPPETRIN_DB", str(db))
    return main(["twins", *args])


def test_cli_writes_one_row_per_twin_with_blank_values_for_grey_twins(demo_file, tmp_path, monkeypatch):
    """twins --department writes one row per twin, the department's own twins, blank values for a grey twin."""
    store = Store.open(demo_file)
    try:
        label = store.latest_release()
        data = store.release_data(label)
        grey = twins.masked(data.frame, store.adopted_rule_set())
        # A department whose master-data twins include a grey one.
        pairs, _ = twins.all_twins(data.frame, grey, variables=twins.variables_for("stamdata"), n=10)
        with_grey = pairs[pairs["twin_id"].isin(data.frame.index[grey])]
        dept = with_grey["dept_id"].iloc[0]
        grey_twin = with_grey["twin_id"].iloc[0]
        expected = twins.find_twins(data.frame, grey, dept, variables=twins.variables_for("stamdata"), n=10)
    finally:
        store.close()
    out = tmp_path / "twins.csv"
    assert _cli(demo_file, monkeypatch, "--release", label, "--department", dept, "--out", str(out)) == 0
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Afdelings-id": str})
    assert table["Afdelings-id"].tolist() == expected.twins.index.tolist()
    assert dept not in set(table["Afdelings-id"])
    assert table["Afstand"].tolist() == pytest.approx(expected.twins["distance"].round(3).tolist())
    assert {"Opførelsesår", "Beliggenhed (by, forstad, land)", "Boligorganisation", "Kommune"} <= set(table.columns)
    indicator_cols = [c for c in table.columns if c.startswith("Uden for arbejdsmarked")]
    grey_row = table[table["Afdelings-id"] == grey_twin].iloc[0]
    assert grey_row[indicator_cols].isna().all()
    assert table.loc[table["Afdelings-id"] != grey_twin, indicator_cols].notna().all().all()
    assert (table["Datagrundlag"] == "Demodata – fiktive afdelinger").all()


def test_cli_without_department_writes_every_position(demo_file, tmp_path, monkeypatch):
    """twins without --department writes every department's position, grey ones without values."""
    out = tmp_path / "all.csv"
    code = _cli(demo_file, monkeypatch, "--release", "2026-11", "--by", "socio", "--n", "5", "--out", str(out))
    assert code == 0
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Afdelings-id": str})
    store = Store.open(demo_file)
    try:
        frame_ = store.release_data("2026-11").frame
        grey = twins.masked(frame_, store.adopted_rule_set())
    finally:
        store.close()
    assert set(table["Afdelings-id"]) == set(frame_.index)
    grey_rows = table[table["Afdelings-id"].isin(frame_.index[grey])]
    assert (grey_rows["Bemærkning"] == twins.DISCRETION_REASON).all() and grey_rows["Værdi"].isna().all()
    full = table[table["Indikator"].notna()]
    assert (full.groupby("Afdelings-id").size() == len(twins.COMPARE_INDICATORS)).all()
    assert full["Højere end (antal tvillinger)"].dropna().between(0, 5).all()


def test_cli_plain_format_and_errors(demo_file, tmp_path, monkeypatch, capsys):
    """--format plain writes commas; an unknown department and n out of range give Danish errors."""
    out = tmp_path / "plain.csv"
    args = ["--release", "2026-11", "--department", "101-003", "--format", "plain", "--out", str(out)]
    assert _cli(demo_file, monkeypatch, *args) == 0
    assert out.read_bytes().startswith(b"Afdelings-id,")
    assert _cli(demo_file, monkeypatch, "--release", "2026-11", "--department", "999-999") == 1
    assert "Afdelingen '999-999' findes ikke" in capsys.readouterr().err
    assert _cli(demo_file, monkeypatch, "--release", "2026-11", "--n", "4") == 2
    assert "--n skal være mellem 5 og 50" in capsys.readouterr().err


def test_position_text():
    """Position texts in Danish, including the all-equal case."""
    assert twins.position_text(8, 1, 10) == "højere end 8 af 10 tvillinger"
    assert twins.position_text(1, 8, 10) == "lavere end 8 af 10 tvillinger"
    assert twins.position_text(0, 0, 4) == "samme værdi som alle 4 tvillinger"


def test_candidate_selection_orders_by_value_then_column():
    """The packed-key sort picks what a plain (value, column) sort per row picks, ties included."""
    rng = np.random.default_rng(3)
    d2 = rng.integers(0, 6, size=(40, 30)).astype(float) * 2.0**40  # few values: many ties
    d2[rng.uniform(size=d2.shape) < 0.1] = np.inf
    r, c = np.nonzero(np.isfinite(d2) | True)
    cols, vals = twins._select(r, c, d2[r, c], 40, 7)
    for i in range(40):
        expected = sorted((v, j) for j, v in enumerate(d2[i]) if np.isfinite(v))[:7]
        assert [j for _, j in expected] == [j for j in cols[i] if j >= 0]
        assert [v for v, _ in expected] == [v for v in vals[i] if np.isfinite(v)]
