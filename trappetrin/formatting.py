"""The one place that turns numbers and dates into Danish text for people to read.

Every page, table, chart label, tooltip, report and text export formats through these functions,
built on babel's ``da_DK`` locale data:

- thousands grouped with ".", decimals with "," (``1.234,5``);
- one minus sign, U+2212 (``−3,2``), also for zero-crossing differences (``+1,5`` / ``−1,5``);
- rounding half away from zero (2,675 → 2,68), never banker's rounding;
- one date style (``05.12.2026``) and one date-time style (``05.12.2026 kl. 13.21``);
- ``MISSING`` ("–") for None, NaN, NaT and ±inf: no ``None``/``nan`` ever reaches a reader.

Parsing what a user types is the other direction and lives in :mod:`trappetrin.numbers`.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers as _numbers
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import get_decimal_symbol as _babel_decimal_symbol
from babel.numbers import get_group_symbol as _babel_group_symbol
from numpy import bool_ as _np_bool

LOCALE = "da_DK"
MISSING = "–"
MINUS = "\u2212"
DECIMAL = _babel_decimal_symbol(LOCALE)  # ","
GROUP = _babel_group_symbol(LOCALE)  # "."
DATE_PATTERN = "dd.MM.y"
TIME_PATTERN = "HH.mm"


def is_missing(x: object) -> bool:
    """True for None, NaN, NaT, pandas NA and infinities."""
    if x is None:
        return True
    try:
        import pandas as pd

        if x is pd.NaT or x is pd.NA:
            return True
    except ImportError:  # pragma: no cover - pandas is a hard dependency
        pass
    if isinstance(x, float | int) and not isinstance(x, bool):
        return isinstance(x, float) and (math.isnan(x) or math.isinf(x))
    try:
        f = float(x)  # numpy scalars, Decimal
    except (TypeError, ValueError):
        return False
    return math.isnan(f) or math.isinf(f)


def _quantize(x: float, decimals: int) -> Decimal:
    try:
        d = Decimal(repr(float(x))) if not isinstance(x, Decimal) else x
        return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # pragma: no cover - guarded by is_missing
        return Decimal(0)


def number(x: object, decimals: int = 1, *, trim: bool = False, sign: bool = False) -> str:
    """``1.234,5``; ``decimals`` fixed unless ``trim`` drops trailing zeros (``1,5``, ``30``).

    ``sign`` writes a "+" before positive values (for differences); zero has no sign.
    """
    if is_missing(x):
        return MISSING
    q = _quantize(float(x), max(decimals, 0))
    if q == 0:
        q = abs(q)  # no "−0,0"
    min_dec = 0 if trim else max(decimals, 0)
    pattern = "#,##0" + ("." + "0" * min_dec + "#" * (max(decimals, 0) - min_dec) if decimals > 0 else "")
    text = _babel_decimal(q, format=pattern, locale=LOCALE, decimal_quantization=False)
    text = text.replace("-", MINUS)
    if sign and q > 0:
        text = "+" + text
    return text


def short(x: object, decimals: int = 2) -> str:
    """A rule value or threshold as written in rules and reasons: ``30``, ``1,5``, ``1,57``, ``1.000``.

    At most ``decimals`` places, trailing zeros dropped (``number(x, decimals, trim=True)``).
    """
    return number(x, decimals, trim=True)


def integer(x: object, *, sign: bool = False) -> str:
    """``23.324``: a count, grouped, rounded half away from zero."""
    return number(x, 0, sign=sign)


def percent(x: object, decimals: int = 1, *, trim: bool = False, sign: bool = False) -> str:
    """``37,2 %`` for a value already in percent (37.2), with the Danish space before %."""
    text = number(x, decimals, trim=trim, sign=sign)
    return text if text == MISSING else f"{text}\u00a0%"


def share(x: object, decimals: int = 1, *, trim: bool = False) -> str:
    """``37,2 %`` for a fraction (0.372)."""
    if is_missing(x):
        return MISSING
    return percent(float(x) * 100, decimals, trim=trim)


def amount(x: object, unit: str = "kr.") -> str:
    """``5.400 kr.``: whole currency amounts."""
    text = integer(x)
    return text if text == MISSING else f"{text}\u00a0{unit}"


def _as_datetime(x: object) -> _dt.datetime | _dt.date | None:
    if is_missing(x):
        return None
    if isinstance(x, _dt.datetime | _dt.date):
        return x
    import pandas as pd

    try:
        ts = pd.Timestamp(x)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(ts) else ts.to_pydatetime()


def date(x: object) -> str:
    """``05.12.2026``."""
    d = _as_datetime(x)
    if d is None:
        return MISSING
    day = d.date() if isinstance(d, _dt.datetime) else d
    return _babel_date(day, DATE_PATTERN, locale=LOCALE)


def datetime(x: object) -> str:
    """``05.12.2026 kl. 13.21``; a plain date when ``x`` has no time part."""
    d = _as_datetime(x)
    if d is None:
        return MISSING
    if not isinstance(d, _dt.datetime):
        return date(d)
    return f"{date(d)} kl. {d.strftime('%H.%M')}"


def text(x: object, decimals: int = 2, *, trim: bool = True) -> str:
    """Any cell value as reader text: numbers via :func:`number` (trimmed), missing as "–"."""
    if isinstance(x, str):
        return x
    if is_missing(x):
        return MISSING
    if isinstance(x, bool | _np_bool):
        return "ja" if x else "nej"
    if isinstance(x, _numbers.Integral):
        return integer(x)
    if isinstance(x, _numbers.Real):
        return number(x, decimals, trim=trim)
    if isinstance(x, _dt.datetime):
        return datetime(x)
    if isinstance(x, _dt.date):
        return date(x)
    return str(x)


def table(frame, *, plain: tuple[str, ...] = (), decimals: int = 2, trim: bool = True):
    """A copy of ``frame`` with every cell as reader text (:func:`text`), for screens and text exports.

    Fractions get ``decimals`` places (trailing zeros dropped unless ``trim`` is False; whole
    numbers are grouped integers). Columns named in ``plain`` hold ids or years: written without
    grouping (``2024``, not ``2.024``).
    Date-time columns are written with :func:`datetime`.
    """
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if column in plain:
            out[column] = [verbatim(v) for v in values]
        elif pd.api.types.is_datetime64_any_dtype(values):
            out[column] = [datetime(v) for v in values]
        else:
            out[column] = [text(v, decimals, trim=trim) for v in values]
    return out


def verbatim(x: object) -> str:
    """An id or a year as it is written: no grouping (``2024``, not ``2.024``); "–" when missing."""
    if isinstance(x, str):
        return x
    if is_missing(x):
        return MISSING
    if isinstance(x, _numbers.Real) and float(x).is_integer():
        return str(int(x))
    return str(x)


__all__ = [
    "DECIMAL",
    "GROUP",
    "LOCALE",
    "MISSING",
    "MINUS",
    "amount",
    "date",
    "datetime",
    "integer",
    "is_missing",
    "number",
    "percent",
    "share",
    "short",
    "table",
    "text",
    "verbatim",
]
