"""What a Danish user types into a number field (:func:`trappetrin.numbers.read_typed`).

``1,5`` and ``1.5`` are 1.5, ``32,5`` is 32.5; an out-of-range or unreadable value is refused
with a Danish message naming the allowed range, never scaled (the old number field made 15 of
``1,5``). The browser reads the same text the same way (tests/e2e/test_typed_numbers.py).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trappetrin.errors import UserError
from trappetrin.numbers import AmbiguousNumber, input_text, parse_typed, range_text, read_typed

# (typed text, whole-number field?, value or None for refused) — shared with the browser's parity test.
CASES = [
    ("1,5", False, 1.5),
    ("1.5", False, 1.5),
    ("32,5", False, 32.5),
    ("32.5", False, 32.5),
    ("32,5 %", False, 32.5),
    (" 30 ", False, 30.0),
    ("0,125", False, 0.125),
    ("0.125", False, 0.125),
    ("1.234,5", False, 1234.5),
    ("1 234,5", False, 1234.5),
    ("1,234.5", False, 1234.5),
    ("\u22121,5", False, -1.5),
    ("1.500", False, None),  # 1,5 or 1500?
    ("32.500", False, None),
    ("1.500", True, 1500.0),
    ("1.500.000", True, 1_500_000.0),
    ("2", True, 2.0),
    ("2,0", True, 2.0),
    ("1,5", True, 1.5),  # read; refused by the range check as not whole
    ("1.5", True, 1.5),
    ("1e3", False, None),
    ("1,5e1", False, None),
    ("abc", False, None),
    ("1,2,3", False, None),
    ("12 5", False, None),
    ("1..5", False, None),
    ("", False, "blank"),
    ("   ", True, "blank"),
]


@pytest.mark.parametrize(("text", "integer", "expected"), CASES)
def test_parse_typed(text, integer, expected):
    if expected is None:
        with pytest.raises(ValueError):
            parse_typed(text, integer=integer)
    elif expected == "blank":
        assert parse_typed(text, integer=integer) is None
    else:
        assert parse_typed(text, integer=integer) == expected


def test_ambiguous_is_its_own_error():
    with pytest.raises(AmbiguousNumber):
        parse_typed("1.500")


def test_in_range_values_are_applied_exactly():
    assert read_typed("1,5", minimum=0, maximum=None) == 1.5
    assert read_typed("32,5", minimum=0, maximum=100) == 32.5
    assert read_typed("3", minimum=1, maximum=4, integer=True) == 3.0


@pytest.mark.parametrize(
    ("text", "kwargs", "words"),
    [
        ("325", {"minimum": 0, "maximum": 100}, ["325", "uden for det tilladte område", "et tal fra 0 til 100"]),
        ("−1", {"minimum": 0, "maximum": 100}, ["−1", "et tal fra 0 til 100"]),
        ("10", {"minimum": 20, "maximum": None}, ["10", "et tal på mindst 20"]),
        ("1,5", {"minimum": 1, "maximum": 4, "integer": True}, ["1,5 er ikke et helt tal", "et helt tal fra 1 til 4"]),
        ("5", {"minimum": 1, "maximum": 4, "integer": True}, ["et helt tal fra 1 til 4"]),
        ("tredive", {"minimum": 0, "maximum": 100}, ["»tredive« er ikke et tal", "fra 0 til 100", "32,5"]),
        ("1.500", {"minimum": 0, "maximum": 100}, ["»1.500«", "1,500", "1500", "fra 0 til 100"]),
        ("", {"minimum": 0, "maximum": 100}, ["tomt", "fra 0 til 100"]),
        ("0,5", {"minimum": 1.57, "maximum": 100}, ["0,5", "fra 1,57 til 100"]),
    ],
)
def test_refusals_are_danish_and_name_the_range(text, kwargs, words):
    with pytest.raises(UserError) as exc:
        read_typed(text, **kwargs)
    message = str(exc.value)
    for word in words:
        assert word in message, message
    assert "." not in message.split("Skriv")[0].replace("»1.500«", "").rstrip(". ")  # no English decimal point


def test_range_text():
    assert range_text(0, 100) == "et tal fra 0 til 100"
    assert range_text(1, 4, True) == "et helt tal fra 1 til 4"
    assert range_text(20, None, True) == "et helt tal på mindst 20"
    assert range_text(0, 2.5) == "et tal fra 0 til 2,5"
    assert range_text(None, None) == "et tal"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_input_text_reads_back_exactly(x):
    """What a field shows is a Danish number (no "." decimal point) that reads back as the very value."""
    text = input_text(x)
    assert "." not in text and "e" not in text.lower()
    assert parse_typed(text) == x


def test_input_text_examples():
    assert input_text(32.5) == "32,5"
    assert input_text(30.0) == "30"
    assert input_text(1500) == "1500"
    assert input_text(1.57) == "1,57"
