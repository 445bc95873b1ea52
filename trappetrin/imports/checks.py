"""Checks every kind of table import shares: blank cells, dates, numbers, department ids, the
file's header and required columns, and a fast reader of a table's cells."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date, datetime

import numpy as np
import pandas as pd

from ..numbers import parse_number
from ..store import Store
from .columns import FieldTable, field_label, kind_columns
from .problems import Collector, Problem, file_problem, raise_problems

#: Cells that mean "no value" (blank, or suppressed for discretion by the data supplier).
MISSING_MARKERS = frozenset({"", "-", "–", "—", "*", ".."})

#: A progress callback: (fraction done 0–1, Danish text).
Progress = Callable[[float, str], None]


def no_progress(fraction: float, text: str) -> None:
    """A progress callback that shows nothing."""
    return None


def parse_date(value: object) -> date | None:
    """A date given as a date, or typed as ISO or Danish day-month-year text; None if it is none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def checksum(table: pd.DataFrame) -> str:
    """The file's sha256 (from :func:`~.files.read_table`), else one of the table's text."""
    return table.attrs.get("checksum") or hashlib.sha256(table.to_csv().encode()).hexdigest()


def whole_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The table without its ragged rows (reported once as a row problem, not cell by cell)."""
    out = table.drop(index=[r for r in table.attrs.get("ragged_rows", []) if r in table.index])
    out.attrs = {**table.attrs, "checksum": checksum(table)}
    return out


def start(
    table: pd.DataFrame, fields: FieldTable, mapping: dict[str, str] | None, name: str
) -> tuple[dict[str, str], list[str], list[Problem]]:
    """(field → column, ignored columns, problems so far) for a table of a kind with ``fields``;
    a table without a header is refused at once."""
    problems: list[Problem] = list(table.attrs.get("row_problems", []))
    if len(table.columns) == 0:
        problems.append(file_problem(name, "filen har ingen overskriftsrække", "en række med kolonnenavne øverst"))
        raise_problems(name, problems)
    if len(table) == 0:
        problems.append(file_problem(name, "filen har overskrifter, men ingen datarækker", "mindst én datarække"))
    used, ignored, column_problems = kind_columns(table, fields, mapping, name)
    return used, ignored, problems + column_problems


def require_columns(
    kind: str, fields: FieldTable, used: dict[str, str], table: pd.DataFrame, name: str, problems: list[Problem]
) -> bool:
    """Whether every required field has a column; if not, the problem is added."""
    missing = [fields[f][0] for f, (_, req, _) in fields.items() if req and f not in used]
    if missing:
        problems.append(
            file_problem(
                name,
                f"filen mangler kolonnen/kolonnerne {', '.join(repr(m) for m in missing)}",
                f"skabelonens kolonner (se skabelonen for {kind}), eller kortlæg dem. "
                f"Fundne kolonner: {', '.join(map(str, table.columns))}",
            )
        )
    return not missing


class Cells:
    """A read-only view of a table's cells for row-by-row checks: ``cells[row, column]``.

    pandas' ``DataFrame.at`` builds a column Series (deep-copying ``attrs``) for every cell read:
    ~0.5 ms a cell, 25 s for an 8,000-row register. This view reads plain dicts instead.
    """

    def __init__(self, table: pd.DataFrame):
        self._cells = {c: dict(zip(table.index, table.iloc[:, i].tolist())) for i, c in enumerate(table.columns)}

    def __getitem__(self, key):
        row, column = key
        return self._cells[column][row]


def texts(column: pd.Series) -> pd.Series:
    """A column's cells as stripped text."""
    return pd.Series([str(v).strip() for v in column.tolist()], index=column.index, dtype=object)


def column_numbers(
    found: Collector,
    cells: pd.Series,
    column: str,
    decimal: str,
    *,
    integer: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    what: str = "et tal",
) -> np.ndarray:
    """Every cell of a column (stripped text, indexed by row) as a number: NaN where blank, and
    where the cell is not a fitting number, which is then a problem of its row and column.

    Each distinct text is parsed once and the range checked on the whole column, so a column of
    8,000 cells costs about as much as its distinct values.
    """
    codes, distinct = pd.factorize(cells.to_numpy(dtype=object), use_na_sentinel=False)
    values = np.full(len(distinct), np.nan)
    wrong = np.full(len(distinct), "", dtype=object)  # the problem of each distinct text ("" if none)
    plain = np.zeros(len(distinct), dtype=bool)
    if decimal in (",", "."):
        # Plain numbers ("556123,4", "-12"; no grouping, sign or exponent) are read all at once:
        # parse_number gives the very same float for them.
        shown = pd.Series(distinct, dtype=object)
        plain = shown.str.fullmatch(rf"[+-]?\d{{1,15}}(?:{re.escape(decimal)}\d{{1,15}})?").to_numpy(dtype=bool)
        values[plain] = shown[plain].str.replace(decimal, ".", regex=False).astype(float).to_numpy()
    for k in np.flatnonzero(~plain):
        text = distinct[k]
        if text in MISSING_MARKERS:
            continue
        try:
            value = parse_number(text, decimal)
        except ValueError:
            wrong[k] = "er ikke et tal"
            continue
        if value is not None:
            values[k] = value
    # Only numbers are left in ``values`` (NaN compares false): first whole numbers, then the range.
    if integer:
        wrong[~np.isnan(values) & (values != np.round(values))] = "er ikke et helt tal"
        values[wrong != ""] = np.nan
    outside = np.zeros(len(distinct), dtype=bool)
    if minimum is not None:
        outside |= values < minimum
    if maximum is not None:
        outside |= values > maximum
    wrong[outside] = "ligger uden for det mulige"
    values[wrong != ""] = np.nan
    for position in np.flatnonzero(wrong[codes] != ""):
        found.add(cells.index[position], column, cells.iloc[position], wrong[codes[position]], what)
    return values[codes]


def department_ids(store: Store, table: pd.DataFrame, used: dict[str, str], found: Collector) -> pd.Series:
    """The department id of every row (``""`` where there is none), by id or by organisation and
    department number, checked against the register; duplicates are problems too."""
    register = store.query("SELECT dept_id, org_no, dept_no FROM departments")
    known = set(register["dept_id"])
    ids = pd.Series("", index=table.index, dtype=object)
    if "dept_id" in used:
        column = used["dept_id"]
        for row, raw in table[column].items():
            text = str(raw).strip()
            if not text:
                found.add(row, column, None, "afdelings-id mangler", "et id fra afdelingsregistret, fx '101-003'")
            elif text not in known:
                found.add(
                    row,
                    column,
                    None,
                    f"afdelingen '{text}' findes ikke i afdelingsregistret",
                    "en kendt afdeling (opdatér registret først, hvis afdelingen er ny)",
                )
            else:
                ids[row] = text
    else:
        by_number = {(int(o), int(d)): i for i, o, d in register.itertuples(index=False)}
        org_col, dept_col = used["org_no"], used["dept_no"]
        cells = Cells(table[[org_col, dept_col]])
        for row in table.index:
            numbers = []
            for fld, column in (("org_no", org_col), ("dept_no", dept_col)):
                text = str(cells[row, column]).strip()
                try:
                    value = parse_number(text, ",")
                except ValueError:
                    value = None
                if value is None or not float(value).is_integer():
                    found.add(row, column, text, f"er ikke et gyldigt {field_label(fld)}", "et helt tal")
                    numbers.append(None)
                else:
                    numbers.append(int(value))
            if None in numbers:
                continue
            dept = by_number.get(tuple(numbers))
            if dept is None:
                found.add(
                    row,
                    org_col,
                    None,
                    f"afdeling {numbers[1]} i boligorganisation {numbers[0]} findes ikke i afdelingsregistret",
                    "en kendt afdeling",
                    other_column=dept_col,
                )
            else:
                ids[row] = dept
    known_ids = ids[ids != ""]
    for dept, rows in known_ids.groupby(known_ids).groups.items():
        if len(rows) > 1:
            where = ", ".join(f"række {r}" for r in rows)
            found.add_file(f"afdelingen '{dept}' optræder flere gange ({where})", "én række pr. afdeling")
    return ids
