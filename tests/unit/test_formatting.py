"""The one Danish formatter: grouping, decimal comma, one minus sign, half-up, one date style."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from trappetrin import formatting as f


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),
        (23324, 0, "23.324"),
        (454.2, 1, "454,2"),
        (2.675, 2, "2,68"),  # half away from zero, not banker's 2,67
        (0.125, 2, "0,13"),
        (-3.25, 1, "\u22123,3"),
        (-0.04, 1, "0,0"),  # no negative zero
        (1_000_000, 0, "1.000.000"),
        (np.float64(8000), 0, "8.000"),
    ],
)
def test_number(value, decimals, expected):
    assert f.number(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, math.nan, float("inf"), pd.NA, pd.NaT, np.nan])
def test_missing_is_a_dash(missing):
    assert f.number(missing) == f.MISSING == "–"
    assert f.percent(missing) == "–"
    assert f.date(missing) == "–"
    assert f.text(missing) == "–"


def test_trim_and_sign():
    assert f.number(30.0, 2, trim=True) == "30"
    assert f.number(1.50, 2, trim=True) == "1,5"
    assert f.number(1.5, 1, sign=True) == "+1,5"
    assert f.number(-1.5, 1, sign=True) == "\u22121,5"
    assert f.number(0, 1, sign=True) == "0,0"


def test_percent_share_amount():
    assert f.percent(37.2) == "37,2\u00a0%"
    assert f.percent(48, 0) == "48\u00a0%"
    assert f.share(0.372) == "37,2\u00a0%"
    assert f.amount(5400) == "5.400\u00a0kr."


def test_one_date_style():
    assert f.date(dt.date(2026, 12, 5)) == "05.12.2026"
    assert f.date("2026-12-05") == "05.12.2026"
    assert f.datetime(dt.datetime(2026, 12, 5, 13, 21)) == "05.12.2026 kl. 13.21"
    assert f.datetime(pd.Timestamp("2026-01-02 09:05")) == "02.01.2026 kl. 09.05"


def test_text_of_any_cell():
    assert f.text(True) == "ja"
    assert f.text(12345) == "12.345"
    assert f.text(3.10) == "3,1"
    assert f.text("Vejgaard") == "Vejgaard"
