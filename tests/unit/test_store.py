"""The DuckDB store: schema, as-of release semantics, rule-set versions and the write path."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.support.demo import demo_copy
from trappetrin.areas import aggregate
from trappetrin.auth import Actor
from trappetrin.colours import classify_release
from trappetrin.errors import UserError
from trappetrin.store import SCHEMA_VERSION, Store, list_year_in_force, open_store


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    store = open_store(demo_copy(tmp_path_factory.mktemp("store") / "demo.duckdb"))
    yield store
    store.close()


def test_new_database_is_migrated_and_seeded(tmp_path):
    """A new file gets the current schema, the indicator catalogue and the adopted default rule set."""
    store = Store.open(tmp_path / "x.duckdb")
    assert store.scalar("SELECT max(version) FROM schema_version") == SCHEMA_VERSION
    assert store.scalar("SELECT count(*) FROM indicators") >= 12
    assert store.adopted_rule_set().name == "trappetrin"
    assert store.release_labels() == []
    store.close()
    again = Store.open(tmp_path / "x.duckdb")  # reopening migrates nothing twice
    assert again.scalar("SELECT count(*) FROM schema_version") == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("day", "year"),
    [(date(2022, 11, 15), 2021), (date(2022, 12, 1), 2022), (date(2023, 2, 15), 2022), (date(2023, 11, 30), 2022)],
)
def test_list_year_in_force(day, year):
    """The ministry list of 1 December is in force from that day until the next one."""
    assert list_year_in_force(day) == year


def test_ministry_release_uses_previous_values_and_new_list(demo_store):
    """A ministry-list release has no values of its own: it reuses the newest values and its own list."""
    data = demo_store.release_data("2024-12")
    assert data.values_label == "2024-11"
    assert data.list_year == 2024
    before = demo_store.release_data("2024-11")
    assert before.list_year == 2023
    pd.testing.assert_series_equal(data.frame["pct_outside_labour"], before.frame["pct_outside_labour"])


def test_reference_value_falls_back_to_nearest_earlier_year(demo_store):
    """List year 2021 has no published conviction figure, so 2020's is used; 2024 uses 2023's."""
    refs, years = demo_store.refs_for_year(2021)
    assert years["national_pct_convicted"] == 2020
    assert demo_store.refs_for_year(2024)[1]["national_pct_convicted"] == 2023


def test_unknown_release_and_rule_set_are_user_errors(demo_store):
    """Asking for something that does not exist names what does, in Danish."""
    with pytest.raises(UserError, match="Udgivelsen '1999-01' findes ikke"):
        demo_store.release_data("1999-01")
    with pytest.raises(UserError, match="Regelsættet 'nej' findes ikke"):
        demo_store.rule_set("nej")


def test_failed_transaction_writes_nothing(tmp_path):
    """An error inside the write path rolls the whole unit back."""
    store = Store.open(tmp_path / "t.duckdb")
    with pytest.raises(RuntimeError):
        with store.transaction() as cur:
            cur.execute("INSERT INTO organisations VALUES (1, 'X')")
            raise RuntimeError("boom")
    assert store.scalar("SELECT count(*) FROM organisations") == 0


def test_generation_counts_committed_writes_to_the_file(tmp_path):
    """The cache key of the app's look-ups: +1 per committed transaction, shared by every Store
    of the same file in this process, unchanged by reads and by a rolled-back transaction."""
    store = Store.open(tmp_path / "g.duckdb")
    before = store.generation
    store.release_labels(), store.adopted_rule_set()
    assert store.generation == before
    with pytest.raises(RuntimeError):
        with store.transaction() as cur:
            cur.execute("INSERT INTO organisations VALUES (1, 'X')")
            raise RuntimeError("boom")
    assert store.generation == before
    store.log_event("test", "export", "x")
    assert store.generation == before + 1
    other = Store(store._con, tmp_path / "." / "g.duckdb")  # the same file by another path spelling
    assert other.generation == before + 1
    with other.transaction() as cur:
        cur.execute("INSERT INTO organisations VALUES (2, 'Y')")
    assert store.generation == before + 2
    assert Store(store._con, tmp_path / "unrelated.duckdb").generation == 0


def test_saved_rule_set_gets_next_version_and_adoption_is_recorded(tmp_path):
    """Saving a scenario makes a new version; adopting it records who and when, and only one is adopted."""
    store = Store.open(tmp_path / "r.duckdb")
    base = store.rule_set("trappetrin")
    ana = Actor("Ana", "admin", "ana@aalborg.dk")
    saved = store.save_rule_set(base.with_overrides({"c.forebyggelse.income": 60.0}), actor=ana, name="trappetrin")
    assert saved.version == 2
    store.adopt_rule_set("trappetrin", 2, actor=ana)
    idx = store.rule_set_index().set_index(["name", "version"])
    assert idx["adopted"].sum() == 1
    assert idx.loc[("trappetrin", 2), "adopted_by"] == "ana@aalborg.dk"
    assert idx.loc[("trappetrin", 2), "created_by"] == "ana@aalborg.dk"
    log = store.audit_log()
    assert log[["actor", "action", "object"]].values.tolist() == [
        ["ana@aalborg.dk", "adopt_rule_set", "trappetrin v2"],
        ["ana@aalborg.dk", "save_rule_set", "trappetrin v2"],
    ]
    assert store.adopted_rule_set().parameter_values()["c.forebyggelse.income"] == 60.0


def test_aggregation_weights_each_share_by_its_own_denominator():
    """Area shares are weighted by their own denominators; counts are summed; masked rows are left out."""
    frame = pd.DataFrame(
        {
            "residents": [100.0, 300.0, 50.0],
            "residents_18_64": [50.0, 150.0, 10.0],
            "residents_30_59": [40.0, 60.0, 5.0],
            "residents_18_plus": [80.0, 200.0, 30.0],
            "taxpayers_15_64": [50.0, 150.0, 10.0],
            "pct_outside_labour": [20.0, 40.0, 99.0],
            "pct_convicted": [1.0, 2.0, 9.0],
            "pct_basic_education": [50.0, 75.0, 99.0],
            "income_pct_of_region": [80.0, 60.0, 1.0],
            "pct_nonwestern": [10.0, 50.0, 99.0],
            "move_out_rate": [10.0, 20.0, 50.0],
            "eviction_cases": [1.0, 2.0, 7.0],
            "dwellings": [50.0, 150.0, 20.0],
        },
        index=["a", "b", "small"],
    )
    groups = pd.Series("area", index=frame.index, name="area")
    out = aggregate(frame, groups, masked=[False, False, True]).loc["area"]
    assert out["departments"] == 2
    assert out["residents"] == 400
    assert out["pct_outside_labour"] == pytest.approx((20 * 50 + 40 * 150) / 200)  # by residents 18–64
    assert out["pct_convicted"] == pytest.approx((1 * 80 + 2 * 200) / 280)  # by residents 18+
    assert out["pct_basic_education"] == pytest.approx((50 * 40 + 75 * 60) / 100)  # by residents 30–59
    assert out["income_pct_of_region"] == pytest.approx((80 * 50 + 60 * 150) / 200)  # by taxpayers 15–64
    assert out["pct_nonwestern"] == pytest.approx((10 * 100 + 50 * 300) / 400)  # by all residents
    assert out["eviction_cases"] == 3


def test_demo_area_aggregated_from_departments_can_be_checked_against_the_lists(demo_store):
    """A demo ministry area built from its departments has ≥ 1,000 residents and gets a list verdict."""
    from trappetrin.engine import classify

    data = demo_store.release_data("2023-11")
    res = classify_release(demo_store, "2023-11", demo_store.rule_set("trappetrin"))
    areas = aggregate(data.frame, data.frame["area_id"].rename("area"), res.result.masked)
    areas["years_parallelsamfund_before"] = 0.0
    verdict = classify(areas, demo_store.rule_set("ministeriet"), data.refs)
    assert (areas["residents"] >= 1000).all()
    assert set(verdict.outcome) <= {"forebyggelse", "udsat", "parallelsamfund", "omdannelse", "ingen"}


def test_audit_log_appends_inside_the_action_transaction(tmp_path):
    """An event logged with the action's cursor disappears with a rolled-back action."""
    from trappetrin.store import Store

    store = Store.open(tmp_path / "a.duckdb")
    try:
        store.log_event("ana@example.dk", "export", "2026-11", details={"format": "csv"})
        with pytest.raises(RuntimeError):
            with store.transaction() as cur:
                store.log_event("ana@example.dk", "import", "x", cur=cur)
                raise RuntimeError("the action fails")
        log = store.audit_log()
        assert list(log["action"]) == ["export"]
        assert log.iloc[0]["actor"] == "ana@example.dk" and '"format": "csv"' in log.iloc[0]["details"]
        assert store.audit_log(actions=["import"]).empty
        with pytest.raises(ValueError):
            store.log_event("ana", "drop table", None)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("role", "save_ok", "adopt_ok"), [("viewer", False, False), ("analyst", True, False), ("admin", True, True)]
)
def test_rule_set_writes_are_refused_in_the_domain_layer_by_role(tmp_path, role, save_ok, adopt_ok):
    """A role without the permission is refused by the store itself: nothing is written, nothing logged."""
    store = Store.open(tmp_path / "p.duckdb")
    try:
        who = Actor("Per", role, "per@aalborg.dk")
        base = store.rule_set("trappetrin")
        before = store.rule_set_index()
        if save_ok:
            assert store.save_rule_set(base, actor=who, name="forslag").version == 1
        else:
            with pytest.raises(UserError, match="per@aalborg.dk har rollen .* må ikke gemme regelsæt"):
                store.save_rule_set(base, actor=who, name="forslag")
            assert store.rule_set_index().equals(before)
        if adopt_ok:
            store.adopt_rule_set("trappetrin", 1, actor=who)
        else:
            with pytest.raises(UserError, match="må ikke vedtage regelsæt"):
                store.adopt_rule_set("trappetrin", 1, actor=who)
        with pytest.raises(UserError, match="logget ind"):
            store.save_rule_set(base, actor=None, name="forslag")
        idx = store.rule_set_index()
        assert idx.loc[idx["adopted"], "adopted_by"].tolist() == (["per@aalborg.dk"] if adopt_ok else ["system"])
        assert store.audit_log()["action"].tolist() == (
            (["adopt_rule_set"] if adopt_ok else []) + (["save_rule_set"] if save_ok else [])
        )
    finally:
        store.close()


def test_audit_log_cannot_be_changed_through_the_store(tmp_path):
    """The store offers no way to update or delete audit events; the source has no such SQL either."""
    import re

    from trappetrin.config import ROOT

    store = Store.open(tmp_path / "a.duckdb")
    try:
        store.log_event("ana", "export", "2026-11")
        public = [name for name in dir(store) if not name.startswith("_")]
        assert not [n for n in public if "audit" in n and n != "audit_log"], "only the read method is public"
        assert set(store.audit_log().columns) >= {"event_id", "logged_at", "actor", "action"}
        assert len(store.audit_log()) == 1
    finally:
        store.close()
    pattern = re.compile(
        r"(UPDATE\s+audit_log|DELETE\s+FROM\s+audit_log|TRUNCATE\s+(TABLE\s+)?audit_log|"
        r"DROP\s+TABLE\s+(IF\s+EXISTS\s+)?audit_log|ALTER\s+TABLE\s+audit_log)",
        re.IGNORECASE,
    )
    sources = [p for d in ("trappetrin", "ui", "pages") for p in (ROOT / d).rglob("*.py")] + [ROOT / "app.py"]
    assert len(sources) > 10
    offending = [str(p.relative_to(ROOT)) for p in sources if pattern.search(p.read_text(encoding="utf-8"))]
    assert offending == [], f"SQL that edits the audit trail in {offending}"


def test_migrations_are_numbered_sql_files_without_gaps(tmp_path, monkeypatch):
    """Migrations live in trappetrin/migrations/NNNN_name.sql; a gap in the numbers is refused."""
    from trappetrin import store as store_module

    files = sorted(store_module.MIGRATION_DIR.glob("*.sql"))
    assert [int(f.name[:4]) for f in files] == list(range(1, store_module.SCHEMA_VERSION + 1))
    assert store_module.MIGRATIONS == [f.read_text(encoding="utf-8") for f in files]
    for f in files[:1] + files[2:]:  # drop 0002
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(store_module, "MIGRATION_DIR", tmp_path)
    with pytest.raises(RuntimeError, match="without gaps"):
        store_module._load_migrations()
