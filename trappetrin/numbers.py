"""Parsing numbers as Danish (and English) spreadsheets write them."""

from __future__ import annotations

import math
import re

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def parse_number(text: object, decimal: str = "auto") -> float | None:
    """Parse a number as spreadsheets write it: ``12,5``, ``1.234,5``, ``12,5 %``, ``1,234.5``.

    Parameters
    ----------
    text
        The cell. ``None``, NaN and blank text give ``None``.
    decimal
        ``","`` for a Danish file (dots group thousands), ``"."`` for an English one (commas
        group thousands), or ``"auto"``: with both marks the last one is the decimal mark, a lone
        comma is a decimal comma, and a lone dot is a decimal point unless it occurs twice.

    Raises
    ------
    ValueError
        When the text is not a number.
    """
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return None if isinstance(text, float) and math.isnan(text) else float(text)
    s = str(text).strip().removesuffix("%").strip().replace("\u2212", "-")
    if _SPACES.search(s):
        # Inner spaces may only group thousands ("1 234,5"), never join digits ("12 5"), and a
        # number written with them has no exponent ("0 000e0").
        head = re.match(r"[+-]?[\d\s\u00a0\u202f]*", s).group()
        if (
            _SPACES.search(s[len(head) :])
            or re.search(r"[eE]", s)
            or not re.fullmatch(r"[+-]?\d{1,3}([\s\u00a0\u202f]\d{3})+", head)
        ):
            raise ValueError(text)
        s = _SPACES.sub("", s)
    if s == "":
        return None
    if decimal == "auto":
        if "," in s and "." in s:
            decimal = "," if s.rfind(",") > s.rfind(".") else "."
        elif "," in s:
            decimal = ","
        else:
            decimal = "." if s.count(".") <= 1 else ","
    group = "." if decimal == "," else ","
    if group in s:
        # A grouping mark must split the integer part into blocks of three digits, and only that;
        # a number written with grouped thousands has no exponent ("0.000,e0"), as with spaces.
        integer, _, fraction = s.partition(decimal)
        if (
            group in fraction
            or re.search(r"[eE]", s)
            or not re.fullmatch(r"\d{1,3}(" + re.escape(group) + r"\d{3})+", integer.lstrip("+-"))
        ):
            raise ValueError(text)
        s = s.replace(group, "")
    if s.count(decimal) > 1:
        raise ValueError(text)
    s = s.replace(decimal, ".")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", s):
        raise ValueError(text)
    value = float(s)
    if math.isinf(value):
        raise ValueError(text)
    return value
