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


# --- what a user types into a number field ----------------------------------------------------

# A lone dot with exactly three digits after it: "1.500" is 1,5 to an English reader and 1500 to a
# Danish one. In a field that takes decimals it is refused rather than guessed.
_AMBIGUOUS = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")


class AmbiguousNumber(ValueError):
    """Text that reads as two different numbers (``1.500``: 1,5 or 1500)."""


def parse_typed(text: object, *, integer: bool = False) -> float | None:
    """A number as a Danish user types it into a field: ``1,5`` and ``1.5`` both mean 1.5.

    ``32,5``, ``32,5 %``, ``1.234,5`` and ``1234.5`` are read as a Danish reader means them.
    In a whole-number field (``integer``) a dot groups thousands (``1.500`` = 1500); elsewhere
    ``1.500`` could be either, and raises :class:`AmbiguousNumber`. Blank text gives ``None``.
    ``ui/static/movers.js`` (``parseTyped``) reads the same text the same way.

    Raises
    ------
    ValueError
        When the text is not a number (:class:`AmbiguousNumber` when it is two).
    """
    s = "" if text is None else str(text).strip()
    if re.search(r"[eE]", s):
        raise ValueError(text)  # nobody types an exponent into a Danish form; "1e3" is a typo
    if integer:
        try:
            return parse_number(s, decimal=",")
        except ValueError:
            return parse_number(s)  # "1.5" in a whole-number field: read, and refused by the caller
    if _AMBIGUOUS.fullmatch(s.removesuffix("%").strip()):
        raise AmbiguousNumber(text)
    return parse_number(s)


def input_text(value: float) -> str:
    """A number as a field shows it for editing: decimal comma, no grouping, no trailing zeros.

    ``32,5``, ``1500``, ``2``: the text reads back (:func:`parse_typed`) as exactly ``value``.
    """
    from decimal import Decimal

    value = float(value)
    if value.is_integer():
        return str(int(value))
    text = format(Decimal(repr(value)), "f")  # the shortest exact text, written out (no exponent)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def range_text(minimum: float | None, maximum: float | None, integer: bool = False) -> str:
    """The allowed values in Danish: ``et tal fra 0 til 100``, ``et helt tal fra 1 til 4``."""
    from .formatting import number

    def n(x: float) -> str:
        return number(x, 6, trim=True)

    kind = "et helt tal" if integer else "et tal"
    if minimum is not None and maximum is not None:
        return f"{kind} fra {n(minimum)} til {n(maximum)}"
    if minimum is not None:
        return f"{kind} på mindst {n(minimum)}"
    if maximum is not None:
        return f"{kind} på højst {n(maximum)}"
    return kind


def read_typed(
    text: object, *, minimum: float | None = None, maximum: float | None = None, integer: bool = False
) -> float:
    """The number in ``text`` (see :func:`parse_typed`), checked against the allowed range.

    Raises
    ------
    UserError
        In Danish, naming what was typed and the allowed range; nothing is rounded or scaled.
    """
    from .errors import UserError
    from .formatting import number

    allowed = range_text(minimum, maximum, integer)
    shown = str(text).strip() if text is not None else ""
    try:
        value = parse_typed(text, integer=integer)
    except AmbiguousNumber:
        head, _, tail = shown.partition(".")
        raise UserError(
            f"»{shown}« kan læses både som {head},{tail} og som {head}{tail}. "
            f"Skriv {head},{tail} eller {head}{tail}. Tilladt er {allowed}."
        ) from None
    except ValueError:
        raise UserError(f"»{shown}« er ikke et tal. Skriv {allowed}, fx med decimalkomma: 32,5.") from None
    if value is None:
        raise UserError(f"Feltet er tomt. Skriv {allowed}.")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise UserError(f"{number(value, 6, trim=True)} er uden for det tilladte område. Skriv {allowed}.")
    if integer and not float(value).is_integer():
        raise UserError(f"{number(value, 6, trim=True)} er ikke et helt tal. Skriv {allowed}.")
    return float(value)
