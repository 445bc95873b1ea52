"""The rule engine: comparisons at their thresholds, k-of-n, gates, references, discretion."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trappetrin.engine import classify, compare
from trappetrin.errors import UserError
from trappetrin.rules import bundled_rule_sets, load_rule_set_text

RULES = {rs.name: rs for rs in bundled_rule_sets()}
TRAPPETRIN = RULES["trappetrin"]
MINISTRY = RULES["ministeriet"]
NATIONAL = 0.78


def department(**values) -> dict:
    """A monitored department that meets no criterion unless told otherwise."""
    base = dict(
        residents_18_64=100.0,
        on_ministry_list=0.0,
        pct_outside_labour=10.0,
        pct_convicted=0.1,
        pct_basic_education=20.0,
        income_pct_of_region=90.0,
        pct_nonwestern=5.0,
    )
    return base | values


def run(rules, rows: dict[str, dict], refs=None):
    frame = pd.DataFrame.from_dict(rows, orient="index")
    return classify(frame, rules, refs if refs is not None else {"national_pct_convicted": NATIONAL})


@pytest.mark.parametrize(
    ("op", "value", "threshold", "met"),
    [
        (">", 40.0, 40.0, False),
        (">", 40.01, 40.0, True),
        (">", 39.99, 40.0, False),
        (">=", 3.0, 3.0, True),
        (">=", 2.99, 3.0, False),
        ("<", 55.0, 55.0, False),
        ("<", 54.99, 55.0, True),
        ("<=", 55.0, 55.0, True),
        ("<=", 55.01, 55.0, False),
        (">", np.nan, 1.0, False),
        ("<=", np.nan, 1.0, False),
    ],
)
def test_every_comparison_at_its_threshold(op, value, threshold, met):
    """Each operator is strict or inclusive exactly at the threshold; missing values never meet."""
    got, margin = compare(np.array([value]), op, np.array([threshold]))
    assert bool(got[0]) is met
    if not np.isnan(value):
        assert margin[0] == pytest.approx(abs(value - threshold) * (1 if met else -1) if value != threshold else 0.0)


def test_exactly_40_percent_is_not_udsat_but_40_1_is():
    """Outside labour at exactly 40.0 % does not meet the udsat criterion (strict >)."""
    area = dict(
        residents=1500.0,
        pct_outside_labour=40.0,
        pct_convicted=0.1,
        pct_basic_education=61.0,
        income_pct_of_region=80.0,
        pct_nonwestern=10.0,
        years_parallelsamfund_before=0.0,
    )
    res = run(MINISTRY, {"at": area, "above": area | {"pct_outside_labour": 40.1}})
    assert list(res.outcome) == ["ingen", "udsat"]


def test_exactly_three_times_the_national_average_is_met():
    """Convictions at exactly 3 × the national average meet the udsat criterion (≥), despite float error."""
    national = 0.1
    assert 3 * national != 0.3  # the binary product is 0.30000000000000004: the engine must cope
    area = dict(
        residents=1500.0,
        pct_outside_labour=41.0,
        pct_convicted=0.3,
        pct_basic_education=10.0,
        income_pct_of_region=80.0,
        pct_nonwestern=10.0,
        years_parallelsamfund_before=0.0,
    )
    res = run(
        MINISTRY, {"exact": area, "below": area | {"pct_convicted": 0.2999}}, {"national_pct_convicted": national}
    )
    assert list(res.outcome) == ["udsat", "ingen"]
    assert list(res.counts["udsat"]) == [2, 1]


def test_relative_threshold_follows_the_reference_value():
    """A relative threshold is factor × reference: the same value meets it or not as the average moves."""
    rows = {"a": department(pct_convicted=1.5, pct_outside_labour=31.0)}
    assert run(TRAPPETRIN, rows, {"national_pct_convicted": 0.75}).outcome[0] == "yellow"  # 1.5 ≥ 1.5
    assert run(TRAPPETRIN, rows, {"national_pct_convicted": 0.76}).outcome[0] == "green"  # 1.5 < 1.52


def test_reference_column_overrides_scalar_reference_per_row():
    """A column named like the reference gives each row its own threshold."""
    rows = {
        "a": department(pct_convicted=1.5, pct_outside_labour=31.0, national_pct_convicted=0.7),
        "b": department(pct_convicted=1.5, pct_outside_labour=31.0, national_pct_convicted=0.8),
    }
    assert list(run(TRAPPETRIN, rows, {"national_pct_convicted": 99.0}).outcome) == ["yellow", "green"]


@pytest.mark.parametrize(
    ("met", "expected"),
    [(0, "green"), (1, "green"), (2, "yellow"), (3, "yellow"), (4, "yellow")],
)
def test_k_of_n_counting(met, expected):
    """Yellow needs at least 2 of the 4 forebyggelse criteria (without the non-Western gate)."""
    hits = [
        ("pct_outside_labour", 35.0),
        ("pct_convicted", 2.0),
        ("pct_basic_education", 65.0),
        ("income_pct_of_region", 50.0),
    ]
    res = run(TRAPPETRIN, {"x": department(**dict(hits[:met]))})
    assert res.outcome[0] == expected
    assert res.counts["forebyggelse"][0] == met


@pytest.mark.parametrize(
    ("nonwestern", "criteria", "expected", "rule"),
    [
        (30.0, 1, "green", ""),  # gate is strict: exactly 30 % does not open it
        (30.1, 1, "yellow", "nonwestern_and_one"),
        (30.1, 0, "green", ""),  # the gate alone is not enough
        (80.0, 2, "yellow", "two_criteria"),  # earlier rule decides first
    ],
)
def test_gate_must_hold_and_rules_apply_in_order(nonwestern, criteria, expected, rule):
    """The non-Western gate opens the 1-criterion yellow rule only above 30 %; first matching rule wins."""
    hits = dict([("pct_outside_labour", 35.0), ("income_pct_of_region", 50.0)][:criteria])
    res = run(TRAPPETRIN, {"x": department(pct_nonwestern=nonwestern, **hits)})
    assert res.outcome[0] == expected
    assert res.rule[0] == rule


def test_ministry_list_makes_red_whatever_the_values():
    """A department in an area on the ministry list is red even with green values."""
    res = run(TRAPPETRIN, {"x": department(on_ministry_list=1.0)})
    assert (res.outcome[0], res.rule[0]) == ("red", "ministerial_list")


@pytest.mark.parametrize(("residents", "grey"), [(19.0, True), (20.0, False), (np.nan, True), (0.0, True)])
def test_discretion_limit(residents, grey):
    """Under 20 residents aged 18–64 (or unknown) is grey, masked, and nothing of it is explained."""
    res = run(TRAPPETRIN, {"x": department(residents_18_64=residents, pct_outside_labour=99.0, on_ministry_list=1.0)})
    assert (res.outcome[0] == "grey") is grey
    assert bool(res.masked[0]) is grey
    assert res.details().empty is grey
    table = res.table()
    assert pd.isna(table.loc["x", "met_forebyggelse"]) is grey


def test_details_give_value_threshold_met_and_margin():
    """Every criterion of a department is explained with value, threshold, met flag and signed margin."""
    res = run(TRAPPETRIN, {"x": department(pct_outside_labour=33.5, income_pct_of_region=70.0)})
    d = res.details().set_index("key")
    assert d.loc["c.forebyggelse.outside_labour", ["value", "threshold", "met", "margin"]].tolist() == [
        33.5,
        30.0,
        True,
        3.5,
    ]
    assert d.loc["c.forebyggelse.income", ["value", "threshold", "met", "margin"]].tolist() == [70.0, 65.0, False, -5.0]
    assert d.loc["c.forebyggelse.convicted", "threshold"] == pytest.approx(2 * NATIONAL)


def test_missing_indicator_is_a_clear_user_error():
    """Classifying data without an indicator the rule set needs names the indicator in Danish."""
    frame = pd.DataFrame({"residents_18_64": [50.0]}, index=["x"])
    with pytest.raises(UserError) as err:
        classify(frame, TRAPPETRIN, {"national_pct_convicted": NATIONAL})
    assert "pct_outside_labour" in str(err.value)
    assert "findes ikke i data" in str(err.value)


def test_ministry_statuses_in_order():
    """Omdannelse > parallelsamfund > udsat > forebyggelse; size gate of 1,000 residents applies to all."""
    udsat = dict(
        residents=1000.0,
        pct_outside_labour=45.0,
        pct_convicted=3.0,
        pct_basic_education=10.0,
        income_pct_of_region=80.0,
        pct_nonwestern=20.0,
        years_parallelsamfund_before=0.0,
    )
    rows = {
        "udsat": udsat,
        "small": udsat | {"residents": 999.0},
        "parallel": udsat | {"pct_nonwestern": 50.1},
        "parallel_at_50": udsat | {"pct_nonwestern": 50.0},
        "omdannelse": udsat | {"pct_nonwestern": 60.0, "years_parallelsamfund_before": 4.0},
        "parallel_3_years": udsat | {"pct_nonwestern": 60.0, "years_parallelsamfund_before": 3.0},
        "forebyggelse": udsat | {"pct_outside_labour": 35.0, "pct_convicted": 1.6, "pct_nonwestern": 31.0},
        "fore_no_gate": udsat | {"pct_outside_labour": 35.0, "pct_convicted": 1.6, "pct_nonwestern": 30.0},
    }
    res = run(MINISTRY, rows)
    assert dict(zip(res.ids, res.outcome)) == {
        "udsat": "udsat",
        "small": "ingen",
        "parallel": "parallelsamfund",
        "parallel_at_50": "udsat",
        "omdannelse": "omdannelse",
        "parallel_3_years": "parallelsamfund",
        "forebyggelse": "forebyggelse",
        "fore_no_gate": "ingen",
    }


def test_rule_set_validation_lists_problems_in_danish():
    """A broken rule set is refused with every problem named, in Danish."""
    text = (
        TRAPPETRIN.to_toml().replace('outcome = "yellow"', 'outcome = "purple"', 1).replace('op = "<"', 'op = "!="', 1)
    )
    with pytest.raises(UserError) as err:
        load_rule_set_text(text, source="test.toml")
    message = str(err.value)
    assert "test.toml" in message
    assert "ugyldig værdi" in message or "purple" in message


def test_threshold_must_be_absolute_or_relative_not_both():
    """A condition with both a fixed value and a factor is rejected with a Danish reason."""
    text = TRAPPETRIN.to_toml().replace("value = 30.0\n", 'value = 30.0\nfactor = 2.0\nreference = "x"\n', 1)
    with pytest.raises(UserError) as err:
        load_rule_set_text(text, source="test.toml")
    assert "enten en fast grænse" in str(err.value)


def test_overrides_change_only_the_named_parameter():
    """A scenario override changes one threshold and leaves the rest and the original untouched."""
    changed = TRAPPETRIN.with_overrides({"c.forebyggelse.outside_labour": 35.0, "k.two_criteria": 3})
    assert changed.diff(TRAPPETRIN) == {"c.forebyggelse.outside_labour": (35.0, 30.0), "k.two_criteria": (3.0, 2.0)}
    assert TRAPPETRIN.parameter_values()["c.forebyggelse.outside_labour"] == 30.0
    with pytest.raises(UserError):
        TRAPPETRIN.with_overrides({"c.nope": 1.0})


def test_rule_set_round_trips_through_toml():
    """Writing a rule set to TOML and reading it back gives the same rule set."""
    for rs in RULES.values():
        assert load_rule_set_text(rs.to_toml(), source="x") == rs


@pytest.mark.parametrize(
    ("x", "decimals", "text"),
    [
        (100, 0, "100"),
        (1500, 0, "1.500"),
        (30.0, 2, "30"),
        (1.5, 2, "1,5"),
        (1234.56, 2, "1.234,56"),
        (None, 2, "–"),
    ],
)
def test_rule_numbers_are_danish_and_keep_the_zeros_of_whole_numbers(x, decimals, text):
    """Thresholds in rule texts: trappetrin.formatting.short (rules.format_number is gone)."""
    from trappetrin.formatting import short

    assert short(x, decimals) == text


@pytest.mark.parametrize(("year", "published"), [(2019, 2.03), (2020, 2.27), (2023, 2.35)])
def test_a_department_at_exactly_the_published_conviction_limit_meets_it(year, published):
    """With the reference value of that list year, convictions at exactly the ministry's published
    limit meet '≥ 3 × national average' (a six-decimal average, 3 × 0.676667 = 2.030001, did not)."""
    from trappetrin import catalogue

    ref = catalogue.reference_frame()
    average = float(ref[(ref["name"] == "national_pct_convicted") & (ref["year"] == year)]["value"].iloc[0])
    area = dict(
        residents=1500.0,
        pct_outside_labour=41.0,
        pct_convicted=published,
        pct_basic_education=10.0,
        income_pct_of_region=80.0,
        pct_nonwestern=10.0,
        years_parallelsamfund_before=0.0,
    )
    res = run(
        MINISTRY,
        {"exact": area, "below": area | {"pct_convicted": published - 0.001}},
        {"national_pct_convicted": average},
    )
    assert list(res.outcome) == ["udsat", "ingen"]
