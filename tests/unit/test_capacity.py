"""The allocation capacity model: hand-computed departments, rent bands, discretion and compare().

Every department below uses the bundled default rule set (green allows allocation of every 4th
vacancy, yellow and red are shielded, grey allows every 4th) and the parameters of
``data/capacity.toml`` (municipal move-out rate 13.7 %, 100 % of BAB vacancies, cheap ≤ 3.500 kr.).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trappetrin import capacity as cm
from trappetrin.catalogue import agreement
from trappetrin.engine import classify
from trappetrin.errors import UserError
from trappetrin.rules import bundled_rule_sets

RULES = {rs.name: rs for rs in bundled_rule_sets()}["trappetrin"]
REFS = {"national_pct_convicted": 0.78}
PARAMS = cm.load_params()
NAN = float("nan")


def dept(
    dwellings: int,
    *,
    le: float,
    mid: float,
    gt: float,
    rate: float = NAN,
    bab: int = 0,
    hood: str = "Vejgaard",
    org: str = "Vivabolig",
    **indicators,
) -> dict:
    """A monitored department that meets no criterion (green) unless ``indicators`` say otherwise.

    ``dwellings`` are family dwellings; ``le`` (≤ 3.500 kr.) includes the BAB dwellings, as in
    the department register.
    """
    values = dict(
        residents_18_64=100.0,
        on_ministry_list=0.0,
        pct_outside_labour=10.0,
        pct_convicted=0.1,
        pct_basic_education=20.0,
        income_pct_of_region=90.0,
        pct_nonwestern=5.0,
    )
    return (
        dict(
            name=f"Demo-afd. {hood}",
            organisation=org,
            neighbourhood=hood,
            family_dwellings=dwellings,
            bab_dwellings=bab,
            dwellings_le_3500=le,
            dwellings_3500_5000=mid,
            dwellings_gt_5000=gt,
            move_out_rate=rate,
        )
        | values
        | indicators
    )


#: Two of the four forebyggelse criteria: yellow under the default rule set.
YELLOW = dict(pct_outside_labour=35.0, pct_basic_education=65.0)
#: Under the discretion limit of 20 residents aged 18–64: grey.
GREY = dict(residents_18_64=10.0)


def run(rows: dict[str, dict], rules=RULES, params=PARAMS) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index")
    return cm.capacity(frame, classify(frame, rules, REFS), params)


def test_green_department_with_its_own_move_out_rate():
    """Green, 100 family dwellings (20 / 30 / 50 by rent band), own move-out rate 10 %.

    vacancies = 100 × 10 % = 10 a year; available = ¼ × 10 = 2,5, split 20/30/50 by band:
    ≤ 3.500: 0,5; 3.500–5.000: 0,75; > 5.000: 1,25. Cheap (≤ 3.500) = 0,5.
    """
    row = run({"A": dept(100, le=20, mid=30, gt=50, rate=10.0)}).loc["A"]
    assert row["outcome"] == "green"
    assert row["own_rate"] and row["move_out_rate_used"] == 10.0
    assert row["vacancies"] == pytest.approx(10.0)
    assert row["available"] == pytest.approx(2.5)
    assert row["available_le_3500"] == pytest.approx(0.5)
    assert row["available_3500_5000"] == pytest.approx(0.75)
    assert row["available_gt_5000"] == pytest.approx(1.25)
    assert row["available_cheap"] == pytest.approx(0.5)


def test_department_without_a_move_out_rate_uses_the_municipal_average():
    """Green, 200 family dwellings all above 5.000 kr., no move-out rate of its own.

    vacancies = 200 × 13,7 % = 27,4; available = ¼ × 27,4 = 6,85, all in > 5.000 kr.; cheap 0.
    """
    row = run({"B": dept(200, le=0, mid=0, gt=200)}).loc["B"]
    assert not row["own_rate"]
    assert row["move_out_rate_used"] == pytest.approx(13.7)
    assert row["vacancies"] == pytest.approx(27.4)
    assert row["available"] == pytest.approx(6.85)
    assert row["available_gt_5000"] == pytest.approx(6.85)
    assert row["available_cheap"] == 0


def test_yellow_department_gives_nothing_to_allocation():
    """Yellow (2 criteria met), 80 family dwellings, rate 20 %: vacancies 16, available 0."""
    row = run({"C": dept(80, le=40, mid=40, gt=0, rate=20.0, **YELLOW)}).loc["C"]
    assert row["outcome"] == "yellow"
    assert row["vacancies"] == pytest.approx(16.0)
    assert row["available"] == 0
    assert row["available_cheap"] == 0


def test_bab_vacancies_are_all_available_even_in_a_yellow_department():
    """Yellow, 100 family + 40 BAB dwellings, rate 10 %; bands 50 (incl. the 40 BAB) / 50 / 40.

    vacancies = 140 × 10 % = 14 (10 family + 4 BAB). Yellow shields the family dwellings, but
    the municipality allocates 100 % of BAB vacancies: available = 4, all ≤ 3.500 kr., so cheap = 4.
    Vacancies by band: family 10 split by non-BAB dwellings 10/50/40 → 1 / 5 / 4, plus the 4 BAB
    in ≤ 3.500 kr. → 5 / 5 / 4.
    """
    row = run({"D": dept(100, bab=40, le=50, mid=50, gt=40, rate=10.0, **YELLOW)}).loc["D"]
    assert row["outcome"] == "yellow"
    assert row["dwellings"] == 140
    assert row["vacancies"] == pytest.approx(14.0)
    assert row["available"] == pytest.approx(4.0)
    assert row["available_bab"] == pytest.approx(4.0)
    assert row["available_le_3500"] == pytest.approx(4.0)
    assert row["available_cheap"] == pytest.approx(4.0)
    assert [row["vacancies_le_3500"], row["vacancies_3500_5000"], row["vacancies_gt_5000"]] == pytest.approx([5, 5, 4])


def test_bab_department_when_green_adds_the_quarter_of_family_vacancies():
    """The same department green: available = ¼ × 10 + 4 = 6,5; cheap = ¼ × 10 × 10/100 + 4 = 4,25."""
    row = run({"D": dept(100, bab=40, le=50, mid=50, gt=40, rate=10.0)}).loc["D"]
    assert row["outcome"] == "green"
    assert row["available"] == pytest.approx(6.5)
    assert row["available_cheap"] == pytest.approx(4.25)
    assert row["available_3500_5000"] == pytest.approx(1.25)
    assert row["available_gt_5000"] == pytest.approx(1.0)


def test_grey_department_uses_the_municipal_average_never_its_own_rate():
    """Grey (10 residents 18–64), 30 dwellings, own rate 50 % – which must not be used.

    vacancies = 30 × 13,7 % = 4,11 (not 15); grey allows every 4th: available = 1,0275.
    Changing its own rate changes nothing, so the rate cannot be recovered from the result.
    """
    cap = run({"E": dept(30, le=0, mid=30, gt=0, rate=50.0, **GREY)})
    row = cap.loc["E"]
    assert row["outcome"] == "grey" and row["masked"]
    assert not row["own_rate"]
    assert row["move_out_rate_used"] == pytest.approx(13.7)
    assert row["vacancies"] == pytest.approx(4.11)
    assert row["available"] == pytest.approx(1.0275)
    other = run({"E": dept(30, le=0, mid=30, gt=0, rate=5.0, **GREY)})
    numbers = cap.select_dtypes("number").columns
    pd.testing.assert_frame_equal(cap[numbers], other[numbers])


def test_rent_band_split_and_a_wider_cheap_limit():
    """Green, 100 dwellings 10/60/30, rate 20 %: vacancies 20, available 5 → 0,5 / 3 / 1,5.

    Cheap ≤ 3.500: 0,5. With cheap = ≤ 5.000 kr. the two lower bands count: 0,5 + 3 = 3,5.
    A department without band counts keeps its available dwellings in the unknown band (5), never cheap.
    """
    rows = {"F": dept(100, le=10, mid=60, gt=30, rate=20.0), "G": dept(100, le=NAN, mid=NAN, gt=NAN, rate=20.0)}
    cap = run(rows)
    f, g = cap.loc["F"], cap.loc["G"]
    assert [f["available_le_3500"], f["available_3500_5000"], f["available_gt_5000"]] == pytest.approx([0.5, 3, 1.5])
    assert f["available_cheap"] == pytest.approx(0.5)
    assert g["available_unknown_band"] == pytest.approx(5.0) and g["available_cheap"] == 0
    wide = run(rows, params=PARAMS.replace(cheap_limit=5000.0))
    assert wide.loc["F", "available_cheap"] == pytest.approx(3.5)
    bands = cm.summarise(cap, "band", PARAMS)
    assert bands.loc["unknown_band", "available"] == pytest.approx(5.0)
    assert bands["available"].sum() == pytest.approx(cap["available"].sum())


def test_the_colour_table_decides_allocation_not_the_code():
    """A rule set whose yellow allows every 2nd vacancy: yellow C (vacancies 16) gives 8."""
    data = RULES.model_dump(by_alias=True)
    for o in data["outcome"]:
        if o["code"] == "yellow":
            o.update(allocation=True, allocation_share=0.5)
    from trappetrin.rules import parse_rule_set

    other = parse_rule_set(data, source="test")
    row = run({"C": dept(80, le=40, mid=40, gt=0, rate=20.0, **YELLOW)}, rules=other).loc["C"]
    assert row["available"] == pytest.approx(8.0)


def test_summaries_per_colour_neighbourhood_and_organisation_add_up():
    """Per colour every outcome of the rule set appears in its order; every grouping sums to the total."""
    cap = run(
        {
            "A": dept(100, le=20, mid=30, gt=50, rate=10.0, hood="Vejgaard", org="Vivabolig"),
            "C": dept(80, le=40, mid=40, gt=0, rate=20.0, hood="Nibe", org="Vivabolig", **YELLOW),
            "D": dept(100, bab=40, le=50, mid=50, gt=40, rate=10.0, hood="Nibe", org="Lejerbo", **YELLOW),
        }
    )
    colours = cm.summarise(cap, "outcome", PARAMS)
    assert list(colours.index) == [o.code for o in RULES.outcomes]
    assert colours.loc["green", "departments"] == 1 and colours.loc["red", "departments"] == 0
    assert colours.loc["yellow", "available"] == pytest.approx(4.0)  # only D's BAB vacancies
    for by in ("outcome", "neighbourhood", "organisation"):
        s = cm.summarise(cap, by, PARAMS)
        assert s["departments"].sum() == 3
        assert s["available_cheap"].sum() == pytest.approx(0.5 + 4.0)
    assert cm.summarise(cap, "neighbourhood", PARAMS).loc["Nibe", "vacancies"] == pytest.approx(30.0)


def _two_departments() -> dict[str, dict]:
    """G: green, 1 criterion (basic education 65 %), outside labour 28 %. H: yellow, outside labour 35 %.

    Both: 100 family dwellings, 40 of them ≤ 3.500 kr., rate 10 % → 10 vacancies; when green,
    cheap available = ¼ × 10 × 40/100 = 1,0 a year.
    """
    return {
        "G": dept(100, le=40, mid=60, gt=0, rate=10.0, pct_outside_labour=28.0, pct_basic_education=65.0),
        "H": dept(100, le=40, mid=60, gt=0, rate=10.0, pct_outside_labour=35.0, pct_basic_education=65.0),
    }


def test_compare_tightened_threshold_loses_cheap_dwellings():
    """Outside labour > 30 → > 25: G meets 2 criteria and turns yellow, H stays yellow.

    before: G gives 1,0 cheap; after: 0 → change −1,0, caused by G alone.
    """
    rows = _two_departments()
    before = run(rows)
    after = run(rows, rules=RULES.with_overrides({"c.forebyggelse.outside_labour": 25}))
    change = cm.compare(before, after)
    assert change.before_cheap == pytest.approx(1.0) and change.after_cheap == 0
    assert change.delta == pytest.approx(-1.0)
    assert change.delta_available == pytest.approx(-2.5)
    assert change.movers["dept_id"].tolist() == ["G"]
    assert change.movers.iloc[0][["from", "to"]].tolist() == ["green", "yellow"]
    assert change.text == "−1 billig bolig om året til anvisning"


def test_compare_loosened_threshold_gains_cheap_dwellings():
    """Outside labour > 30 → > 40: H meets only 1 criterion and turns green (+1,0); G stays green."""
    rows = _two_departments()
    change = cm.compare(run(rows), run(rows, rules=RULES.with_overrides({"c.forebyggelse.outside_labour": 40})))
    assert change.delta == pytest.approx(1.0)
    assert change.movers["dept_id"].tolist() == ["H"]
    assert change.text.startswith("+1 ")


def test_compare_sorts_movers_by_effect():
    """Two movers: the one with more cheap dwellings (le=80 → 2,0) comes before le=40 (1,0)."""
    rows = _two_departments()
    rows["K"] = dept(100, le=80, mid=20, gt=0, rate=10.0, pct_outside_labour=35.0, pct_basic_education=65.0)
    change = cm.compare(run(rows), run(rows, rules=RULES.with_overrides({"c.forebyggelse.outside_labour": 40})))
    assert change.movers["dept_id"].tolist() == ["K", "H"]
    assert change.movers["delta_cheap"].tolist() == pytest.approx([2.0, 1.0])


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (-38, "−38 billige boliger om året til anvisning"),
        (-37.6, "−38 billige boliger om året til anvisning"),
        (12, "+12 billige boliger om året til anvisning"),
        (1, "+1 billig bolig om året til anvisning"),
        (-1, "−1 billig bolig om året til anvisning"),
        (0.3, "±0 billige boliger om året til anvisning"),
        (-1234, "−1.234 billige boliger om året til anvisning"),
    ],
)
def test_effect_text_is_danish(delta, text):
    assert cm.effect_text(delta) == text


def test_shown_delta_matches_the_rounded_totals():
    """86,08 → 87,56 is shown as 86 → 88, so the line says +2 (not the exact 1,48 rounded to +1)."""
    change = cm.CapacityChange(86.08, 87.56, 0, 0, pd.DataFrame())
    assert change.shown_delta == 2 and change.text.startswith("+2 ")


def test_parameters_file_matches_the_agreement():
    """data/capacity.toml carries the agreement's figures (reference.toml [agreement])."""
    a = agreement()
    assert PARAMS.municipal_move_out_rate_pct == a["move_out_rate_pct"]
    assert (PARAMS.need_min, PARAMS.need_max) == (a["need_min"], a["need_max"])
    assert PARAMS.actual_use == a["allocated_per_year_2019_2021"]
    assert PARAMS.cheap_limit == 3500 and [b.code for b in PARAMS.cheap_bands] == ["le_3500"]
    shares = {o.code: o.allocation_share for o in RULES.outcomes if o.allocation}
    assert shares["green"] == a["allocation_share"]


def test_invalid_parameters_are_a_danish_user_error(tmp_path):
    path = tmp_path / "capacity.toml"
    text = cm.CAPACITY_FILE.read_text(encoding="utf-8").replace("cheap_limit = 3500", "cheap_limit = 4000")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match="ugyldige"):
        cm.load_params(path)
    with pytest.raises(UserError):
        PARAMS.replace(need_min=300, need_max=250)


def test_assumptions_follow_the_rule_set_and_parameters():
    text = " ".join(cm.assumptions(RULES, PARAMS))
    assert "13,7 %" in text and "hver 4. ledige bolig" in text and "100 %" in text
    assert "250–300" in text and "110" in text and "rød eller gul" in text


def test_export_table_has_a_total_and_every_grouping():
    cap = run(_two_departments())
    table = cm.export_table(cap, PARAMS, RULES)
    assert table.iloc[0]["Opdeling"] == "I alt"
    assert set(table["Opdeling"]) == {"I alt", "Farve", "Huslejeniveau", "Bydel", "Boligorganisation"}
    assert table.iloc[0]["Heraf billige (≤ 3.500 kr.)"] == pytest.approx(1.0)


def test_demo_release_is_in_the_agreement_s_order_of_magnitude():
    """On the demo data the default rule set leaves well under the 250 cheap dwellings needed."""
    from trappetrin.demo import build_demo
    from trappetrin.store import open_store

    store = open_store(":memory:")
    store.load_demo(build_demo())
    data = store.release_data(store.latest_release())
    cap = cm.capacity(data.frame, classify(data.frame, RULES, data.refs), PARAMS)
    assert len(cap) == 271
    assert cap["dwellings"].sum() == 23_324
    assert 40 < cap["available_cheap"].sum() < PARAMS.need_min
    assert not np.isnan(cap["available"]).any()


def test_a_need_not_given_is_not_compared_with():
    """Issue 14.7: the file's need is Aalborg's; elsewhere it is not given until typed."""
    params = PARAMS.replace(need_given=False)
    assert cm.need_range(params) == "–"
    text = cm.need_text(100.0, params)
    assert "Der er ikke angivet et behov at sammenligne med" in text and "250" not in text
    lines = " ".join(cm.assumptions(RULES, params))
    assert "250" not in lines and "ikke angivet et behov" in lines
    cap = run(_two_departments(), params=params)
    assert set(cm.export_table(cap, params, RULES)["Behov (billige boliger om året)"]) == {"ikke angivet"}


def test_need_range_and_source():
    assert cm.need_range(PARAMS) == "250–300"
    assert cm.need_range(PARAMS.replace(need_min=1200.0, need_max=1200.0)) == "1.200"
    assert "(Fælles udlejningsaftale 2023–2025)" in " ".join(cm.assumptions(RULES, PARAMS))
    typed = PARAMS.replace(need_min=50.0, need_max=60.0, need_source="angivet på siden Anvisning")
    assert "50–60 billige boliger om året (angivet på siden Anvisning)" in " ".join(cm.assumptions(RULES, typed))
