"""Trends across releases: weighted aggregates, discretion, colour history, changes, early warnings.

The tests run on a tiny hand-made database (five departments, two values releases and one ministry
list in between) so every expected number can be worked out by hand:

========  =====  ===============  =====================================================================
dept      org    residents 18–64  story
========  =====  ===============  =====================================================================
101-001   101    100 / 100        outside labour exactly 30,0 % (not > 30); its area goes on the 2023 list
101-002   101    300 / 300        green → yellow: outside labour 20 → 31 % and income 66 → 64 %
101-003   101    100 / 100        early warning: outside labour 25 → 28,5 % (near), income 74 → 70 %
                                  (approaching), basic education 58 → 55 % (moving away)
102-001   102    12 / 40          under the discretion limit in 2023-11, monitored in 2024-11 (listed area)
102-002   102    5 / 5            always under the discretion limit (values near every threshold)
========  =====  ===============  =====================================================================
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from trappetrin import catalogue, trends
from trappetrin.areas import aggregate
from trappetrin.colours import classify_release
from trappetrin.demo import DemoData
from trappetrin.rules import bundled_rule_sets
from trappetrin.store import Store

RULES = {rs.name: rs for rs in bundled_rule_sets()}["trappetrin"]
R1, LIST, R2 = "2023-11", "2023-12", "2024-11"
AREA = "area-x"

BASE = dict(
    residents=200.0,
    residents_18_plus=150.0,
    residents_30_59=80.0,
    taxpayers_15_64=120.0,
    pct_outside_labour=10.0,
    pct_convicted=0.3,
    pct_basic_education=20.0,
    income_pct_of_region=80.0,
    pct_nonwestern=5.0,
    move_out_rate=10.0,
    eviction_cases=0.0,
)
VALUES = {
    R1: {
        "101-001": dict(residents_18_64=100.0, pct_outside_labour=30.0),
        "101-002": dict(residents_18_64=300.0, pct_outside_labour=20.0, income_pct_of_region=66.0),
        "101-003": dict(
            residents_18_64=100.0, pct_outside_labour=25.0, income_pct_of_region=74.0, pct_basic_education=58.0
        ),
        "102-001": dict(residents_18_64=12.0, pct_outside_labour=90.0, pct_nonwestern=10.0),
        "102-002": dict(residents_18_64=5.0, pct_outside_labour=29.5, income_pct_of_region=66.0),
    },
    R2: {
        "101-001": dict(residents_18_64=100.0, pct_outside_labour=30.0),
        "101-002": dict(residents_18_64=300.0, pct_outside_labour=31.0, income_pct_of_region=64.0),
        "101-003": dict(
            residents_18_64=100.0,
            pct_outside_labour=28.5,
            income_pct_of_region=70.0,
            pct_basic_education=55.0,
            pct_nonwestern=8.0,
        ),
        "102-001": dict(residents_18_64=40.0, pct_outside_labour=35.0, pct_nonwestern=29.0),
        "102-002": dict(residents_18_64=5.0, pct_outside_labour=29.5, income_pct_of_region=66.0),
    },
}
MARGINS = {"*": 2.0, "pct_convicted": 0.2}


def tiny_data() -> DemoData:
    depts = pd.DataFrame(
        {
            "dept_id": ["101-001", "101-002", "101-003", "102-001", "102-002"],
            "org_no": [101, 101, 101, 102, 102],
            "dept_no": [1, 2, 3, 1, 2],
            "name": ["Demo-afd. 1 A", "Demo-afd. 2 B", "Demo-afd. 3 C", "Demo-afd. 1 D", "Demo-afd. 2 E"],
            "neighbourhood": ["Vejgaard"] * 5,
            "lat": [57.0] * 5,
            "lon": [9.9] * 5,
            "family_dwellings": [100, 200, 80, 30, 10],
            "bab_dwellings": [0] * 5,
            "dwellings_le_3500": [10, 20, 8, 3, 1],
            "dwellings_3500_5000": [40, 80, 32, 12, 4],
            "dwellings_gt_5000": [50, 100, 40, 15, 5],
            "year_built": [1970] * 5,
        }
    )
    values = [
        {"release": release, "dept_id": dept, "indicator": code, "value": value}
        for release, by_dept in VALUES.items()
        for dept, own in by_dept.items()
        for code, value in (BASE | own).items()
    ]
    return DemoData(
        organisations=pd.DataFrame({"org_no": [101, 102], "name": ["Org A", "Org B"]}),
        departments=depts,
        areas=pd.DataFrame({"area_id": [AREA], "name": ["Område X"], "kind": ["ministeriel"]}),
        department_areas=pd.DataFrame({"dept_id": ["101-001", "102-001"], "area_id": [AREA, AREA]}),
        area_list_status=pd.DataFrame({"list_year": [2023], "area_id": [AREA], "status": ["forebyggelse"]}),
        releases=pd.DataFrame(
            {
                "label": [R1, LIST, R2],
                "source": ["Tvillingeværktøj", "Ministerliste", "Tvillingeværktøj"],
                "reference_date": [
                    datetime.date(2023, 11, 15),
                    datetime.date(2023, 12, 1),
                    datetime.date(2024, 11, 15),
                ],
                "list_year": pd.array([None, 2023, None], dtype="Int64"),
            }
        ),
        values=pd.DataFrame(values),
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    s = Store.open(tmp_path_factory.mktemp("trends") / "tiny.duckdb")
    s.load_demo(tiny_data())
    yield s
    s.close()


def by_release(trend: pd.DataFrame) -> pd.DataFrame:
    return trend.set_index("release")


# --- aggregation ---------------------------------------------------------------------------------


def test_municipal_trend_is_weighted_by_the_indicators_own_denominator(store):
    """The kommune value is Σ(share × residents 18–64) / Σ residents 18–64 over monitored departments."""
    trend = by_release(trends.indicator_trend(store, RULES, "pct_outside_labour", "kommune"))
    # 2023-11: 101-001 30 % × 100, 101-002 20 % × 300, 101-003 25 % × 100; both 102s are masked
    assert trend.at[R1, "value"] == pytest.approx((30 * 100 + 20 * 300 + 25 * 100) / 500)
    assert trend.at[R1, "departments"] == 3
    # 2024-11: 102-001 is monitored now (35 % × 40); 102-002 is still masked
    expected = (30 * 100 + 31 * 300 + 28.5 * 100 + 35 * 40) / 540
    assert trend.at[R2, "value"] == pytest.approx(expected)
    assert trend.at[R2, "departments"] == 4
    # an unweighted mean would differ: the weighting matters
    assert expected != pytest.approx(np.mean([30, 31, 28.5, 35]))


def test_trend_matches_areas_aggregate_on_the_release_frame(store):
    """indicator_trend gives exactly what areas.aggregate gives on the same frame with the same mask."""
    res = classify_release(store, R2, RULES)
    groups = res.data.frame["organisation"].rename("org")
    expected = aggregate(res.data.frame, groups, res.result.masked).loc["Org A", "income_pct_of_region"]
    trend = by_release(trends.indicator_trend(store, RULES, "income_pct_of_region", "organisation", "Org A"))
    # by hand: income weighted by taxpayers 15–64 (120 each): (80 + 64 + 70) / 3
    assert trend.at[R2, "value"] == pytest.approx(expected) == pytest.approx((80 + 64 + 70) / 3)


def test_masked_departments_are_left_out_of_every_aggregate(store):
    """A department under the discretion limit counts in no aggregate: organisation, area or kommune."""
    org_b = by_release(trends.indicator_trend(store, RULES, "pct_outside_labour", "organisation", "Org B"))
    # 2023-11: both Org B departments are masked, so Org B has no value at all (not 90 % or 29,5 %)
    assert np.isnan(org_b.at[R1, "value"]) and org_b.at[R1, "departments"] == 0
    # 2024-11: only 102-001 is monitored; 102-002's 29,5 % does not pull the value
    assert org_b.at[R2, "value"] == pytest.approx(35.0) and org_b.at[R2, "departments"] == 1
    area = by_release(trends.indicator_trend(store, RULES, "pct_outside_labour", "område", AREA))
    assert area.at[R1, "value"] == pytest.approx(30.0)  # 101-001 only; 102-001 masked
    assert area.at[R2, "value"] == pytest.approx((30 * 100 + 35 * 40) / 140)


def test_masked_department_has_no_value_in_the_releases_where_it_is_masked(store):
    """A department's own trend is empty (and flagged) exactly in the releases where it is masked."""
    trend = by_release(trends.indicator_trend(store, RULES, "pct_outside_labour", "afdeling", "102-001"))
    assert trend.loc[[R1, LIST], "masked"].all()
    assert trend.loc[[R1, LIST], "value"].isna().all()  # never 90 %
    assert not trend.at[R2, "masked"] and trend.at[R2, "value"] == pytest.approx(35.0)
    always = trends.indicator_trend(store, RULES, "pct_outside_labour", "afdeling", "102-002")
    assert always["masked"].all() and always["value"].isna().all()


def test_trend_has_one_row_per_release_with_the_threshold_in_force(store):
    """Every classifiable release gets a row; a relative threshold uses that release's reference value."""
    trend = trends.indicator_trend(store, RULES, "pct_convicted", "kommune")
    assert list(trend["release"]) == [R1, LIST, R2]
    for label, threshold in zip(trend["release"], trend["threshold"]):
        refs = store.release_data(label).refs
        assert threshold == pytest.approx(2 * refs["national_pct_convicted"])
    absolute = trends.indicator_trend(store, RULES, "pct_outside_labour", "kommune")
    assert (absolute["threshold"] == 30.0).all()
    assert trends.indicator_trend(store, RULES, "move_out_rate", "kommune")["threshold"].isna().all()


def test_a_shared_results_dictionary_classifies_each_release_once(store, monkeypatch):
    """Passing one ``results`` dict to several calls classifies each release only the first time."""
    calls = []
    real = trends.classify_release
    monkeypatch.setattr(
        trends, "classify_release", lambda s, label, rules, *scope: calls.append(label) or real(s, label, rules, *scope)
    )
    results: dict = {}
    trends.indicator_trend(store, RULES, "pct_outside_labour", "kommune", results=results)
    trends.colour_history(store, RULES, results=results)
    trends.changes_since_previous(store, RULES, R2, results=results)
    trends.early_warning(store, RULES, R2, MARGINS, results=results)
    assert sorted(calls) == sorted([R1, LIST, R2])


def test_results_from_another_rule_set_are_refused(store):
    """Reusing classifications made under another rule set would mix colours: it is an error."""
    other = RULES.with_overrides({"c.forebyggelse.outside_labour": 25.0})
    results = trends.classified_releases(store, other)
    with pytest.raises(ValueError, match="another rule set"):
        trends.indicator_trend(store, RULES, "pct_outside_labour", "kommune", results=results)


def test_unknown_scope_or_indicator_is_refused(store):
    """A typo in the scope or indicator is an error, not an empty chart."""
    with pytest.raises(ValueError):
        trends.indicator_trend(store, RULES, "pct_outside_labour", "region")
    with pytest.raises(ValueError):
        trends.indicator_trend(store, RULES, "no_such_indicator", "kommune")


# --- colour history -------------------------------------------------------------------------------


def test_colour_history_has_one_row_per_department_and_release(store):
    """Five departments × three releases give fifteen rows, each pair once, with its outcome."""
    history = trends.colour_history(store, RULES)
    assert len(history) == 15
    assert not history.duplicated(["dept_id", "release"]).any()
    outcome = history.set_index(["dept_id", "release"])["outcome"]
    assert outcome[("101-001", R1)] == "green" and outcome[("101-001", LIST)] == "red"  # the list arrives
    assert outcome[("101-002", R1)] == "green" and outcome[("101-002", R2)] == "yellow"
    assert outcome[("102-001", R1)] == "grey" and outcome[("102-001", R2)] == "red"  # monitored, in the listed area
    assert set(history.columns) == set(trends.HISTORY_COLUMNS)  # colours only, no indicator values


# --- changes since the previous release ------------------------------------------------------------


def test_changes_name_the_criteria_that_flipped_with_values_and_threshold(store):
    """101-002 turns yellow in 2024-11 because outside labour and income both crossed their thresholds."""
    changes = trends.changes_since_previous(store, RULES, R2).set_index("dept_id")
    row = changes.loc["101-002"]
    assert (row["from"], row["to"], row["previous_release"]) == ("green", "yellow", LIST)
    flipped = {c["indicator"]: c for c in row["causes"]}
    assert set(flipped) == {"pct_outside_labour", "income_pct_of_region"}
    assert (flipped["pct_outside_labour"]["value_before"], flipped["pct_outside_labour"]["value_after"]) == (20.0, 31.0)
    assert flipped["income_pct_of_region"]["threshold_after"] == 65.0
    assert "20 % → 31 % (> 30 %): nu opfyldt" in row["why"]
    assert "66 % → 64 % (< 65 %): nu opfyldt" in row["why"]
    assert "101-001" not in changes.index and "101-003" not in changes.index  # unchanged colours


def test_a_new_ministry_list_is_given_as_the_reason(store):
    """When the area goes on the list, the change says so rather than listing values."""
    changes = trends.changes_since_previous(store, RULES, LIST).set_index("dept_id")
    assert changes.loc["101-001", "from"] == "green" and changes.loc["101-001", "to"] == "red"
    assert changes.loc["101-001", "why"] == "Området kom på ministeriets liste (forebyggelse)"


def test_change_out_of_discretion_is_listed_without_values(store):
    """102-001 leaves the discretion limit (into a listed area): grey → red, with no number in the reason."""
    row = trends.changes_since_previous(store, RULES, R2).set_index("dept_id").loc["102-001"]
    assert (row["from"], row["to"]) == ("grey", "red")
    assert row["causes"] == []
    assert not any(ch.isdigit() for ch in row["why"])
    assert "diskretionsgrænsen" in row["why"]


def test_first_release_has_no_changes(store):
    """There is nothing to compare the first release with."""
    assert trends.changes_since_previous(store, RULES, R1).empty


def test_condition_flips_match_rows_by_id_not_position(store):
    """Two releases may list departments in different orders; flips are matched by department id."""
    before = classify_release(store, LIST, RULES).result
    after_res = classify_release(store, R2, RULES)
    shuffled = after_res.data.frame.iloc[::-1]
    from trappetrin.engine import classify

    after = classify(shuffled, RULES, after_res.data.refs)
    flips = trends.condition_flips(before, after)
    assert set(flips.loc[flips["id"] == "101-002", "indicator"]) == {"pct_outside_labour", "income_pct_of_region"}
    assert not flips["id"].isin(["102-001", "102-002"]).any()  # masked in a release: never explained with values


# --- early warning --------------------------------------------------------------------------------


def warnings(store, margin=MARGINS, **kw) -> pd.DataFrame:
    return trends.early_warning(store, RULES, R2, margin, **kw)


def test_early_warning_lists_unmet_criteria_within_the_margin(store):
    """Outside labour at 28,5 % is 1,5 points from > 30 %: near with a 2-point margin, not with a 1-point one."""
    ew = warnings(store).set_index(["dept_id", "indicator"])
    row = ew.loc[("101-003", "pct_outside_labour")]
    assert row["near"] and row["distance"] == pytest.approx(1.5) and row["margin"] == pytest.approx(-1.5)
    assert row["threshold"] == 30.0 and row["value"] == 28.5
    assert row["change"] == pytest.approx(3.5)  # since the previous values release, 2023-11
    narrow = warnings(store, {"*": 1.0, "pct_convicted": 0.2}).set_index(["dept_id", "indicator"])
    assert not narrow.loc[("101-003", "pct_outside_labour"), "near"]


def test_value_exactly_at_a_strict_threshold_is_near_with_distance_zero(store):
    """30,0 % does not meet '> 30 %' and is 0 points away: the closest possible warning."""
    row = warnings(store).set_index(["dept_id", "indicator"]).loc[("101-001", "pct_outside_labour")]
    assert row["near"] and row["distance"] == 0.0
    assert not row["approaching"]  # it did not move


def test_early_warning_includes_departments_moving_fast_towards_a_threshold(store):
    """Income 74 → 70 % (< 65 %) is 5 points away but came 4 closer: one more such step is within 2."""
    ew = warnings(store).set_index(["dept_id", "indicator"])
    row = ew.loc[("101-003", "income_pct_of_region")]
    assert not row["near"] and row["approaching"]
    assert row["change"] == pytest.approx(-4.0) and row["approach"] == pytest.approx(4.0)


def test_moving_away_or_slowly_from_far_away_is_not_a_warning(store):
    """Basic education 58 → 55 % moved away from > 60 %; non-Western 5 → 8 % is 22 points off."""
    ew = warnings(store).set_index(["dept_id", "indicator"])
    assert ("101-003", "pct_basic_education") not in ew.index
    assert ("101-003", "pct_nonwestern") not in ew.index
    every = warnings(store, any_approach=True).set_index(["dept_id", "indicator"])
    assert every.loc[("101-003", "pct_nonwestern"), "approaching"]  # listed only when asked for every move
    assert ("101-003", "pct_basic_education") not in every.index


def test_met_criteria_are_not_warnings(store):
    """101-002 already meets outside labour and income; those are not early warnings."""
    ew = warnings(store)
    assert not (
        (ew["dept_id"] == "101-002") & ew["indicator"].isin(["pct_outside_labour", "income_pct_of_region"])
    ).any()


def test_early_warning_never_lists_a_masked_department(store):
    """102-002 is under the discretion limit with values near every threshold: it is never listed."""
    for margin in (MARGINS, 100.0):
        assert "102-002" not in set(warnings(store, margin)["dept_id"])
        assert "102-002" not in set(warnings(store, margin, any_approach=True)["dept_id"])


def test_change_is_missing_when_the_department_was_masked_before(store):
    """102-001 was masked in 2023-11: its change would give the masked value away, so it is empty."""
    row = warnings(store).set_index(["dept_id", "indicator"]).loc[("102-001", "pct_nonwestern")]
    assert row["near"] and row["distance"] == pytest.approx(1.0)
    assert np.isnan(row["change"]) and np.isnan(row["approach"]) and not row["approaching"]


def test_one_margin_for_all_would_flag_every_conviction_share(store):
    """With 2 points for convictions (threshold ≈ 1,5 %) every department is 'near'; per-indicator margins fix it."""
    flat = warnings(store, 2.0)
    assert set(flat.loc[flat["indicator"] == "pct_convicted", "dept_id"]) == {
        "101-001",
        "101-002",
        "101-003",
        "102-001",
    }
    assert not (warnings(store)["indicator"] == "pct_convicted").any()


def test_negative_margin_is_refused(store):
    """A negative margin makes no sense and is an error."""
    with pytest.raises(ValueError):
        warnings(store, -1.0)


def test_labels_come_from_the_catalogue(store):
    """Rows carry the Danish indicator label for the page."""
    ew = warnings(store)
    assert set(ew["label"]) <= {ind.label for ind in catalogue.indicators().values()}
