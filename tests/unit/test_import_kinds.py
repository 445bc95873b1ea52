"""Ministry lists, the department register and geometry through the generic import path; deleting
releases, remembered mappings, backup/restore, the audit trail, the command line and concurrency."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon

from tests.dbdump import dump
from trappetrin import backup, catalogue, imports
from trappetrin.auth import Actor
from trappetrin.cli import main
from trappetrin.colours import classify_release
from trappetrin.errors import UserError
from trappetrin.store import Store, open_store

BAD = Path(__file__).parent / "bad_files"
TODAY = date(2026, 11, 23)
ADMIN = Actor("Ida", "admin", "ida@aalborg.dk")
ANALYST = Actor("Ane", "analyst")
VALUES = (BAD / "valid_for_params.csv").read_bytes()
VALUE_OPTS = {
    "label": "2026-12-test",
    "source": "Beboerdata",
    "reference_date": "2026-11-20",
    "allow_missing": list(catalogue.indicators()),  # a small file: partial on purpose
}


def csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def outcomes(store: Store, label: str) -> pd.Series:
    res = classify_release(store, label, store.adopted_rule_set())
    return pd.Series(res.result.outcome, index=res.data.frame.index)


# --- ministry lists ----------------------------------------------------------------------------


def test_ministry_list_is_stored_as_a_list_year_and_its_preview_predicts_the_colours(store):
    """List year 2026 names one new area, 'udsat', with three departments. The new list replaces the
    2025 list, so its three departments turn red (unless grey) and the departments of the areas
    that are no longer listed lose their red. The preview (computed on a patched frame) predicts
    exactly the changes that the stored release (resolved from the tables) then shows."""
    depts = ["101-003", "101-007", "101-008"]
    body = csv("Område;Status;Afdelings-id", *(f"Nyt Demo-område Frejlev;udsat boligområde;{d}" for d in depts))
    plan = imports.plan_import(
        store, "ministerliste", body, file_name="liste-2026.csv", options={"list_year": 2026}, today=date(2026, 12, 5)
    )
    rules = store.adopted_rule_set()
    pre = imports.preview_import(store, plan, rules)
    before = outcomes(store, "2026-11")
    listed_2025 = set(store.list_status().query("list_year == 2025")["area_id"])
    register = store.departments()
    was_listed = set(register.loc[register["area_id"].isin(listed_2025), "dept_id"])

    text = imports.commit_import(store, plan, actor=ADMIN)
    assert "2026-12" in text
    after = outcomes(store, "2026-12")
    changed = sorted(after.index[after != before.reindex(after.index)])
    assert sorted(pre.changes["dept_id"]) == changed
    assert {d for d in depts if before[d] not in ("red", "grey")} <= set(changed)
    assert all(after[d] in ("red", "grey") for d in depts)
    assert set(changed) - set(depts) <= was_listed  # everything else that moved left the list
    assert all(before[d] == "red" and after[d] != "red" for d in set(changed) - set(depts))
    assert "Forlader listen" in " ".join(pre.summary)

    rel = store.releases().set_index("label").loc["2026-12"]
    assert (rel["source"], int(rel["list_year"]), rel["imported_by"]) == ("Ministerliste", 2026, "ida@aalborg.dk")
    status = store.list_status().query("list_year == 2026")
    assert status[["area_id", "status"]].values.tolist() == [["nyt-demo-omraade-frejlev", "udsat"]]
    assert sorted(store.department_areas().query("area_id == 'nyt-demo-omraade-frejlev'")["dept_id"]) == depts
    log = store.audit_log(actions=["import"]).iloc[0]
    assert (log["object"], log["file_name"], log["n_rows"]) == ("2026-12", "liste-2026.csv", 3)


def test_ministry_list_is_refused_for_a_viewer_and_nothing_is_written(store):
    body = csv("Område;Status;Afdelings-id", "Nyt område;udsat;101-003")
    plan = imports.plan_import(
        store, "ministerliste", body, file_name="l.csv", options={"list_year": 2026}, today=date(2026, 12, 5)
    )
    before = dump(store)
    with pytest.raises(UserError, match="må ikke indlæse data"):
        imports.commit_import(store, plan, actor=ANALYST)
    assert dump(store) == before


# --- the department register -------------------------------------------------------------------


def test_register_export_imports_into_an_empty_database_unchanged(store, tmp_path):
    """The demo register, exported in the stamdata layout (local areas included), imports into an
    empty database with the same departments and organisation names."""
    body = imports.export_register_template(store)
    table = pd.read_csv(io.BytesIO(body), sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    empty = open_store(tmp_path / "empty.duckdb")
    plan = imports.plan_import(
        empty, "stamdata", table.to_csv(sep=";", index=False).encode(), file_name="reg.csv", today=TODAY
    )
    imports.commit_import(empty, plan, actor=ADMIN)
    cols = [
        "dept_id",
        "org_no",
        "dept_no",
        "name",
        "neighbourhood",
        "family_dwellings",
        "bab_dwellings",
        "dwellings_le_3500",
        "dwellings_3500_5000",
        "dwellings_gt_5000",
        "year_built",
    ]
    a = store.query("SELECT * FROM departments ORDER BY dept_id")
    b = empty.query("SELECT * FROM departments ORDER BY dept_id")
    assert a[cols].astype(str).values.tolist() == b[cols].astype(str).values.tolist()
    assert (a[["lat", "lon"]] - b[["lat", "lon"]]).abs().max().max() < 1e-6
    assert store.organisations().values.tolist() == empty.organisations().values.tolist()
    empty.close()


def test_register_with_utm32_coordinates_and_a_new_organisation(store):
    """UTM32 (EPSG:25832) x = 555 600, y = 6 322 900 is central Aalborg (about 57.046 N, 9.916 E)."""
    body = csv(
        "Organisationsnummer;Afdelingsnummer;Afdeling;Boligorganisation;Familieboliger;UTM x;UTM y;Områder",
        "990;1;Demo-afd. 1 Nyhaven;Ny Boligforening;40;555600;6322900;aalborg-soe",
        "101;3;Demo-afd. 3 Enghaven (omdøbt);;120;555.700;6.323.000;",
    )
    plan = imports.plan_import(store, "stamdata", body, file_name="reg.csv", today=TODAY)
    pre = imports.preview_import(store, plan, store.adopted_rule_set())
    assert pre.tables["Nye afdelinger"]["Afdelings-id"].tolist() == ["990-001"]
    assert pre.tables["Nyt navn"]["Afdelings-id"].tolist() == ["101-003"]
    imports.commit_import(store, plan, actor=ADMIN)
    d = store.departments().set_index("dept_id")
    assert d.loc["990-001", "organisation"] == "Ny Boligforening"
    assert d.loc["990-001", "lat"] == pytest.approx(57.046, abs=0.002)
    assert d.loc["990-001", "lon"] == pytest.approx(9.916, abs=0.002)
    assert d.loc["101-003", "name"] == "Demo-afd. 3 Enghaven (omdøbt)"
    assert d.loc["101-003", "family_dwellings"] == 120 and d.loc["101-003", "year_built"] == 1977  # kept
    assert set(store.department_areas().query("dept_id == '990-001'")["area_id"]) == {"aalborg-soe"}
    assert store.audit_log(actions=["import"]).iloc[0]["object"] == "stamdata"


def test_many_utm32_rows_are_converted_each_to_its_own_place(store):
    """The register converts UTM32 a column at a time: 300 departments on a line through Aalborg
    each get the place pyproj gives for that row alone (none shifted to another row's place)."""
    from pyproj import Transformer

    x = [550_000 + 30 * i for i in range(300)]
    y = [6_315_000 + 40 * i for i in range(300)]
    body = csv(
        "Organisationsnummer;Afdelingsnummer;Afdeling;Familieboliger;x;y",
        *(f"101;{500 + i};Linje {i};10;{x[i]};{y[i]}" for i in range(300)),
    )
    plan = imports.plan_import(store, "stamdata", body, file_name="linje.csv", today=TODAY)
    got = plan.frames["departments"].set_index("dept_id")
    to_wgs = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    for i in (0, 1, 150, 299):
        lon, lat = to_wgs.transform(x[i], y[i])
        assert got.loc[f"101-{500 + i}", ["lat", "lon"]].tolist() == pytest.approx([lat, lon], abs=1e-9)


def test_every_bad_cell_of_a_register_column_is_named_with_its_row(store):
    """Numbers are checked a column at a time; still every bad cell is listed with its own row,
    column, value and expectation, in sheet order, whatever the mix of problems in the column."""
    body = csv(
        "Organisationsnummer;Afdelingsnummer;Afdeling;Familieboliger;Opførelsesår",
        "101;3;A;10;1970",
        "101;7;B;mange;1066",
        "101;8;C;-3;1970",
        "101;9;D;2,5;mange",
        "101;10;E;;3000",
        "101;11;F;10;1970",
        "101;12;G;mange;1970",
    )
    with pytest.raises(UserError) as info:
        imports.plan_import(store, "stamdata", body, file_name="reg.csv", today=TODAY)
    table = imports.problem_table(info.value)
    assert table[["Række", "Kolonne", "Værdi", "Problem"]].values.tolist() == [
        [3, "Familieboliger", "mange", "er ikke et tal"],
        [3, "Opførelsesår", "1066", "ligger uden for det mulige"],
        [4, "Familieboliger", "-3", "ligger uden for det mulige"],
        [5, "Familieboliger", "2,5", "er ikke et helt tal"],
        [5, "Opførelsesår", "mange", "er ikke et tal"],
        [6, "Familieboliger", "", "mangler"],
        [6, "Opførelsesår", "3000", "ligger uden for det mulige"],
        [8, "Familieboliger", "mange", "er ikke et tal"],
    ]
    assert "reg.csv, række 5, kolonne 'Familieboliger': '2,5' er ikke et helt tal – forventet et antal boliger " in str(
        info.value
    )
    assert set(table["Forventet"][table["Kolonne"] == "Opførelsesår"]) == {f"et årstal fra 1800 til {TODAY.year + 5}"}


# --- geometry ----------------------------------------------------------------------------------


def _square_25832() -> Polygon:
    return Polygon([(550000, 6315000), (560000, 6315000), (560000, 6325000), (550000, 6325000)])


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "zip"])
def test_boundary_in_utm32_is_stored_in_wgs84(store, tmp_path, fmt):
    """A square in EPSG:25832 (GeoJSON, GeoPackage or zipped Shapefile) comes back in EPSG:4326
    around Aalborg (56.9–57.1 N, 9.8–10.0 E), as the map draws it."""
    frame = gpd.GeoDataFrame({"navn": ["Aalborg"]}, geometry=[_square_25832()], crs="EPSG:25832")
    if fmt == "zip":
        frame.to_file(tmp_path / "g.shp")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for part in tmp_path.glob("g.*"):
                z.write(part, part.name)
        data = buf.getvalue()
    else:
        frame.to_file(tmp_path / f"g.{fmt}", driver="GeoJSON" if fmt == "geojson" else "GPKG")
        data = (tmp_path / f"g.{fmt}").read_bytes()
    assert store.boundary_geojson() is None
    plan = imports.plan_import(store, "geometri", data, file_name=f"grænse.{fmt}")
    assert plan.options["geometry_kind"] == "kommunegraense"
    imports.commit_import(store, plan, actor=ADMIN)
    shape = store.boundary_geojson()
    assert shape["type"] == "FeatureCollection" and len(shape["features"]) == 1
    ring = shape["features"][0]["geometry"]["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert 9.8 < min(lons) < max(lons) < 10.0 and 56.9 < min(lats) < max(lats) < 57.1
    assert store.audit_log(actions=["import"]).iloc[0]["object"] == "geometri: kommunegrænse"


def test_department_polygons(store):
    body = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"afdelings_id": d},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[9.9, 57.0], [9.91, 57.0], [9.91, 57.01], [9.9, 57.0]]],
                    },
                }
                for d in ("101-003", "101-007")
            ],
        }
    ).encode()
    plan = imports.plan_import(store, "geometri", body, file_name="afd.geojson")
    imports.commit_import(store, plan, actor=ADMIN)
    assert store.geometries("afdeling")["dept_id"].tolist() == ["101-003", "101-007"]
    assert store.boundary_geojson() is None


# --- generic path, problems table, mapping memory ----------------------------------------------


def test_generic_path_for_indicator_releases(store):
    plan = imports.plan_import(store, "afdelingsdata", VALUES, file_name="v.csv", options=VALUE_OPTS, today=TODAY)
    pre = imports.preview_import(store, plan, store.adopted_rule_set())
    assert pre.departments["dept_id"].tolist() == ["101-003", "101-007"]
    assert "2026-12-test" in imports.commit_import(store, plan, actor=ADMIN)
    assert store.audit_log(actions=["import"]).iloc[0]["n_rows"] == 2


def test_problems_become_a_table_of_file_row_column_value_expected(store):
    with pytest.raises(UserError) as info:
        imports.plan_import(store, "stamdata", BAD / "sd_negative_dwellings.csv", today=TODAY)
    table = imports.problem_table(info.value)
    assert table.iloc[0][["Fil", "Række", "Kolonne", "Værdi"]].tolist() == [
        "sd_negative_dwellings.csv",
        2,
        "Familieboliger",
        "-120",
    ]
    assert table.iloc[0]["Forventet"] == "et antal boliger (helt tal, 0 eller derover)"


def test_a_mapping_is_remembered_for_the_next_file_of_that_kind(store):
    headers = ["Nr", "Org", "Navn", "Antal"]
    assert store.saved_mapping("stamdata", headers) is None
    mapping = {"dept_no": "Nr", "org_no": "Org", "name": "Navn", "family_dwellings": "Antal"}
    assert imports.missing_required(store, "stamdata", headers) == ["org_no", "dept_no", "family_dwellings"]
    store.save_mapping("stamdata", headers, mapping, actor=ADMIN)
    assert store.saved_mapping("stamdata", list(reversed(headers))) == mapping  # same headers, other order
    assert store.saved_mapping("stamdata", headers + ["Ekstra"]) == mapping  # every mapped column present
    assert store.saved_mapping("stamdata", ["Nr", "Org"]) is None
    assert store.saved_mapping("ministerliste", headers) is None
    assert imports.missing_required(store, "stamdata", headers, mapping) == []


# --- deleting releases -------------------------------------------------------------------------


def test_delete_a_values_release_with_its_values_and_log_it(store):
    n = store.scalar("SELECT n_values FROM releases WHERE label = '2026-11'")
    store.delete_release("2026-11", actor=ADMIN)
    assert "2026-11" not in store.releases()["label"].tolist()
    assert (
        store.scalar(
            "SELECT count(*) FROM indicator_values v LEFT JOIN releases r USING (release_id) WHERE r.release_id IS NULL"
        )
        == 0
    )
    log = store.audit_log(actions=["delete_release"]).iloc[0]
    assert (log["object"], log["n_rows"], log["actor"]) == ("2026-11", n, "ida@aalborg.dk")


def test_a_list_release_other_releases_depend_on_is_refused(store):
    before = dump(store)
    with pytest.raises(UserError, match=r"udgivelserne 2026-02, 2026-11 får deres listestatus fra den"):
        store.delete_release("2025-12", actor=ADMIN)
    with pytest.raises(UserError, match="må ikke slette udgivelser"):
        store.delete_release("2026-11", actor=ANALYST)
    assert dump(store) == before
    store.delete_release("2026-11", actor=ADMIN)
    store.delete_release("2026-02", actor=ADMIN)
    store.delete_release("2025-12", actor=ADMIN)  # nothing depends on it any more
    assert 2025 not in store.list_years()
    assert store.scalar("SELECT count(*) FROM area_list_status WHERE list_year = 2025") == 0


def test_a_values_release_a_later_list_reads_its_numbers_from_is_refused(store):
    """The ministry list of 2025-12 has no values of its own: it takes 2025-11's. Deleting 2025-11
    would silently give it 2025-02's numbers (other colours), so it is refused, naming 2025-12."""
    before = dump(store)
    with pytest.raises(
        UserError,
        match=r"Udgivelsen '2025-11' kan ikke slettes: udgivelsen 2025-12 henter sine "
        r"tal fra den\. Slet dem først\.",
    ):
        store.delete_release("2025-11", actor=ADMIN)
    assert dump(store) == before
    assert store.release_dependants("2026-11") == {"list": [], "values": []}  # the newest: nothing after it
    assert store.release_dependants("2025-02")["values"] == []  # 2025-11 has values of its own


# --- backup and restore ------------------------------------------------------------------------


def test_backup_and_restore_replace_everything_in_one_go(store, tmp_path):
    folder = backup.backup(store, tmp_path / "kopi", actor=ADMIN)
    saved = dump(store)
    plan = imports.plan_import(store, "afdelingsdata", VALUES, file_name="v.csv", options=VALUE_OPTS, today=TODAY)
    imports.commit_import(store, plan, actor=ADMIN)
    store.delete_release("2026-11", actor=ADMIN)
    assert dump(store) != saved
    trail = dump(store)["audit_log"]  # includes the import and the deletion after the backup
    backup.restore(store, folder, actor=ADMIN)
    now = dump(store)
    assert {t: v for t, v in now.items() if t != "audit_log"} == {t: v for t, v in saved.items() if t != "audit_log"}
    assert now["audit_log"][:-1] == trail  # the trail is append-only: nothing erased, the restore added
    assert now["audit_log"][-1][3] == "restore"
    # ids keep counting after the restored ones
    plan = imports.plan_import(store, "afdelingsdata", VALUES, file_name="v.csv", options=VALUE_OPTS, today=TODAY)
    imports.commit_import(store, plan, actor=ADMIN)
    assert store.scalar("SELECT release_id FROM releases WHERE label = ?", ["2026-12-test"]) > max(
        r[0] for r in saved["releases"]
    )


def test_a_damaged_backup_changes_nothing(store, tmp_path):
    folder = backup.backup(store, tmp_path / "kopi", actor=ADMIN)
    with pytest.raises(UserError, match="må ikke gendanne"):
        backup.restore(store, folder, actor=ANALYST)
    target = folder / "releases.parquet"
    target.write_bytes(target.read_bytes()[:-20] + b"x" * 20)
    (folder / "areas.parquet").unlink()
    before = dump(store)
    with pytest.raises(UserError) as info:
        backup.restore(store, folder, actor=ADMIN)
    text = str(info.value)
    assert "Intet er ændret" in text and "releases.parquet er ændret" in text and "areas.parquet mangler" in text
    with pytest.raises(UserError, match="ingen manifest.json"):
        backup.restore(store, tmp_path, actor=ADMIN)
    assert dump(store) == before


# --- concurrency -------------------------------------------------------------------------------


def test_two_imports_at_once_are_serialised_and_a_reader_sees_the_old_state(store):
    """The first commit is held inside its transaction; meanwhile a reader sees the old releases
    without waiting, and a second commit waits for the write lock; then both are stored."""
    inside, go = threading.Event(), threading.Event()
    plans = [
        imports.plan_import(
            store,
            "afdelingsdata",
            VALUES + b"\n" * k,  # two different files (the same file twice is refused, see test_import_race)
            file_name=f"{k}.csv",
            options={**VALUE_OPTS, "label": f"samtidig-{k}"},
            today=TODAY,
        )
        for k in (1, 2)
    ]
    old = store.releases()["label"].tolist()
    done: dict[int, str] = {}
    errors: list[BaseException] = []

    def hold(fraction, text):
        if fraction == 0.1:  # inside the transaction, the release row written
            inside.set()
            go.wait(10)

    def run(k, progress):
        try:
            done[k] = imports.commit_import(store, plans[k - 1], actor=ADMIN, progress=progress)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    first = threading.Thread(target=run, args=(1, hold))
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=run, args=(2, None))
    second.start()
    t0 = time.perf_counter()
    assert store.releases()["label"].tolist() == old  # readers are not blocked and see the old state
    assert time.perf_counter() - t0 < 2
    time.sleep(0.3)
    assert 2 not in done  # the second import waits for the write lock
    go.set()
    first.join(10)
    second.join(10)
    assert not errors and set(done) == {1, 2}
    new = store.releases()["label"].tolist()
    assert new == old + ["samtidig-1", "samtidig-2"] or new == old + ["samtidig-2", "samtidig-1"]
    assert (
        store.scalar(
            "SELECT count(*) FROM indicator_values v JOIN releases r USING (release_id) WHERE r.label LIKE 'samtidig-%'"
        )
        == 2 * plans[0].n_values
    )


def test_two_imports_of_the_same_label_one_is_refused(store):
    plans = [
        imports.plan_import(store, "afdelingsdata", VALUES, file_name="v.csv", options=VALUE_OPTS, today=TODAY)
        for _ in range(2)
    ]
    results: list = []

    def run(plan):
        try:
            results.append(imports.commit_import(store, plan, actor=ADMIN))
        except UserError as exc:
            results.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    refused = [r for r in results if isinstance(r, UserError)]
    assert len(results) == 2 and len(refused) == 1 and "findes allerede" in refused[0].message
    assert store.scalar("SELECT count(*) FROM releases WHERE label = ?", ["2026-12-test"]) == 1


# --- the command line --------------------------------------------------------------------------


def test_cli_import_delete_backup_restore_log(store, tmp_path, monkeypatch, capsys):
    path = store.path
    store.close()
    monkeypatch.setenv("TRAPPETRIN_DB", str(path))
    body = tmp_path / "liste.csv"
    body.write_bytes(csv("Område;Status;Afdelings-id", "Nyt område;udsat;101-003"))
    assert main(["import", str(body), "--kind", "ministerliste", "--list-year", "2026", "--dry-run"]) == 0
    assert "Prøvekørsel" in capsys.readouterr().err
    assert main(["import", str(body), "--kind", "ministerliste", "--list-year", "2020"]) == 0
    assert "udgivelsen '2020-12'" in capsys.readouterr().err
    assert main(["import", str(body), "--kind", "ministerliste", "--list-year", "2020"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fejl: ") and "Listeåret 2020 findes allerede" in err and err.count("\n") == 1
    assert main(["delete-release", "2026-11"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["delete-release", "2026-11", "--yes"]) == 0
    assert main(["backup", str(tmp_path / "kopi")]) == 0
    assert main(["restore", str(tmp_path / "kopi")]) == 2
    assert main(["restore", str(tmp_path / "findes-ikke"), "--yes"]) == 2
    assert main(["restore", str(tmp_path / "kopi"), "--yes"]) == 0
    capsys.readouterr()
    assert main(["log"]) == 0
    out = capsys.readouterr().out.splitlines()
    actions = ["Gendannelse", "Sikkerhedskopi", "Sletning af udgivelse", "Indlæsning"]  # Danish, as Revisionsspor
    assert [line.split("\t")[2] for line in out[:4]] == actions
    assert "liste.csv" in out[3]


def test_register_columns_a_file_lacks_keep_their_values(store):
    """A first file sets the municipality; a second without that column keeps it."""
    first = csv(
        "Organisationsnummer;Afdelingsnummer;Afdeling;Familieboliger;Kommune", "101;3;Demo-afd. 3 Enghaven;120;Hjørring"
    )
    imports.commit_import(
        store, imports.plan_import(store, "stamdata", first, file_name="a.csv", today=TODAY), actor=ADMIN
    )
    second = csv("Organisationsnummer;Afdelingsnummer;Afdeling;Familieboliger", "101;3;Demo-afd. 3 Enghaven;121;")
    imports.commit_import(
        store, imports.plan_import(store, "stamdata", second, file_name="b.csv", today=TODAY), actor=ADMIN
    )
    row = store.query("SELECT municipality, family_dwellings, neighbourhood FROM departments WHERE dept_id = '101-003'")
    assert row.iloc[0].tolist() == ["Hjørring", 121, "Frejlev"]


def test_round_trip_into_an_empty_database_gives_the_same_colours_for_every_release(store, tmp_path):
    """Export the demo register, every list year and every values release as template files;
    import them in that order into an empty database through the generic path; every demo
    release then has the same colour for every department under every department rule set."""
    target = open_store(tmp_path / "empty.duckdb")
    register = pd.read_csv(
        io.BytesIO(imports.export_register_template(store)),
        sep=";",
        dtype=str,
        encoding="utf-8-sig",
        keep_default_na=False,
    )
    files = [("stamdata", register.to_csv(sep=";", index=False).encode(), "register.csv", {})]
    for year in store.list_years():
        files.append(
            ("ministerliste", imports.export_list_template(store, year), f"liste-{year}.csv", {"list_year": year})
        )
    for row in store.releases().query("n_values > 0").itertuples():
        from trappetrin.imports import export_release_template

        files.append(
            (
                "afdelingsdata",
                export_release_template(store, row.label),
                f"{row.label}.csv",
                {"label": row.label, "source": row.source, "reference_date": row.reference_date.date()},
            )
        )
    for kind, body, name, options in files:
        plan = imports.plan_import(target, kind, body, file_name=name, options=options, today=TODAY)
        imports.commit_import(target, plan, actor=ADMIN)
    assert target.release_labels() == store.release_labels()
    assert len(target.audit_log(actions=["import"])) == len(files)
    for name in sorted(set(store.rule_set_index()["name"])):
        rules = store.rule_set(name)
        if rules.scope != "afdeling":
            continue
        for label in store.release_labels():
            a = classify_release(store, label, rules)
            b = classify_release(target, label, rules)
            pd.testing.assert_series_equal(
                pd.Series(a.result.outcome, index=a.data.frame.index).sort_index(),
                pd.Series(b.result.outcome, index=b.data.frame.index).sort_index(),
                obj=f"{name} {label}",
            )
    target.close()
