"""Problems found in an import file, carried as data and rendered to Danish only at the edge.

A :class:`Problem` says where (file, row, column), what the cell held, what is wrong and what is
expected. Validators collect them (:class:`Collector` keeps them in sheet order) and
:func:`raise_problems` raises one :class:`~trappetrin.errors.UserError` listing all of them: its
``problems`` are the Danish sentences (:func:`render`, the one place they are written), its
``details`` the :class:`Problem` objects, from which the Data page builds its table
(:func:`problem_table`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ..errors import UserError

#: Most problems listed in one error (a file with every cell wrong stays readable).
MAX_PROBLEMS = 500

#: Page fields (not the file) problems can be about, as the Data page names them.
LABEL_FIELD = "Udgivelsens mærke"
SOURCE_FIELD = "Kilde"
DATE_FIELD = "Opgørelsesdato"
PARTIAL_FIELD = "Delvis udgivelse"
YEAR_FIELD = "Listeår"


@dataclass(frozen=True)
class Problem:
    """One problem of an import.

    ``row`` is the spreadsheet's row number (None for the whole file or column); ``value`` the
    cell's text as the message quotes it (None when the message does not quote one); ``problem``
    what is wrong (a sentence of its own when ``expected`` is empty); ``expected`` what would be
    right. ``field`` names a field on the page instead of the file (the release's label, date …);
    ``other_column`` a second column the problem is about (org. number with department number).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    problem: str
    expected: str = ""
    field: str | None = None
    other_column: str | None = None


def sentence(problem: str, expected: str = "") -> str:
    """What is wrong and what is expected, as one Danish sentence."""
    return f"{problem} – forventet {expected}." if expected else problem


def where(p: Problem) -> str:
    """The place of a problem in Danish: "fil.csv, række 3, kolonne 'x'"."""
    out = p.file
    if p.row is not None:
        out += f", række {p.row}"
    if p.column is not None:
        out += f", kolonne '{p.column}'" + (f"/'{p.other_column}'" if p.other_column is not None else "")
    return out


def render(p: Problem) -> str:
    """A problem as the Danish line users read (the command line, the error box, the audit)."""
    head = f"Feltet '{p.field}': " if p.field else f"{where(p)}: " if p.file else ""
    value = f"'{p.value}' " if p.value is not None else ""
    return f"{head}{value}{sentence(p.problem, p.expected)}"


def raise_problems(name: str, problems: Iterable[Problem]) -> None:
    """Raise one error for every problem; the headline says what to correct: the file, and/or the
    fields on the page (label, source, date …) some problems are about."""
    problems = list(problems)
    n = len(problems)
    shown = problems[:MAX_PROBLEMS]
    if n > MAX_PROBLEMS:
        shown.append(file_problem("", f"… og {n - MAX_PROBLEMS} fejl mere af samme slags."))
    fields = list(dict.fromkeys(p.field for p in problems if p.field))
    in_file = any(not p.field for p in problems)
    what = []
    if in_file:
        what.append("filen")
    if fields:
        quoted = [f"'{f}'" for f in fields]
        what.append(f"feltet {quoted[0]}" if len(fields) == 1 else f"felterne {', '.join(quoted[:-1])} og {quoted[-1]}")
    raise problems_error(
        f"Filen '{name}' kan ikke indlæses ({n} fejl). Intet er gemt; ret {' og '.join(what)} og prøv igen.", shown
    )


def problems_error(message: str, problems: list[Problem]) -> UserError:
    """A :class:`UserError` with ``message`` as headline and ``problems`` rendered and kept."""
    return UserError(message, problems=[render(p) for p in problems], details=problems)


class Collector:
    """Problems of a file's cells, listed in sheet order (row, then column) whatever the order
    they were found in; problems about several rows (duplicates) come after every row."""

    def __init__(self, table: pd.DataFrame, name: str):
        self.name = name
        self.position = {c: i for i, c in enumerate(table.columns)}
        self._found: list[tuple[float, int, Problem]] = []

    def add(self, row, column: str, value: str | None, problem: str, expected: str = "", **more) -> None:
        """A problem of one cell."""
        self._found.append(
            (
                int(row),
                self.position.get(column, 0),
                Problem(self.name, int(row), column, value, problem, expected, **more),
            )
        )

    def add_file(self, problem: str, expected: str = "") -> None:
        """A problem of several rows (listed after the cells)."""
        self._found.append((float("inf"), 0, file_problem(self.name, problem, expected)))

    def __bool__(self) -> bool:
        return bool(self._found)

    def problems(self) -> list[Problem]:
        return [p for _, _, p in sorted(self._found, key=lambda item: item[:2])]


# --- problems as a table ------------------------------------------------------------------------

TABLE_COLUMNS = ["Fil", "Række", "Kolonne", "Værdi", "Problem", "Forventet"]


def problem_table(error: UserError) -> pd.DataFrame:
    """The problems of an import error as (Fil, Række, Kolonne, Værdi, Problem, Forventet) rows.

    Built from the error's :class:`Problem` objects; an error without them (not an import's)
    gives one row per problem line with the text as the problem.
    """
    details = [p for p in getattr(error, "details", ()) if isinstance(p, Problem)]
    if details:
        rows = [
            {
                "Fil": p.file,
                "Række": p.row,
                "Kolonne": p.column or "",
                "Værdi": p.value or "",
                "Problem": f"Feltet '{p.field}': {p.problem}" if p.field else p.problem,
                "Forventet": p.expected.rstrip("."),
            }
            for p in details
        ]
    else:
        rows = [
            {"Fil": "", "Række": None, "Kolonne": "", "Værdi": "", "Problem": text, "Forventet": ""}
            for text in error.problems or [error.message]
        ]
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    frame["Række"] = pd.array(frame["Række"], dtype="Int64")
    return frame


#: Identical problems in at least this many rows become one line ("257 rækker: …").
COLLAPSE_FROM = 3
#: Row numbers named in a collapsed line before "…".
ROWS_NAMED = 5


def collapse_problems(table: pd.DataFrame, least: int = COLLAPSE_FROM) -> pd.DataFrame:
    """The problem table with repeated identical problems (same file, column, problem and
    expectation; any row and value) as one line whose ``Række`` says how many rows and which,
    e.g. "2, 3, 4, 5, 6 … (257 rækker)". ``Række`` becomes text ("" where there is none); the
    order of first appearance is kept."""
    key = ["Fil", "Kolonne", "Problem", "Forventet"]
    out = []
    groups = table.groupby(key, sort=False, dropna=False)
    for _, group in groups:
        if len(group) >= least:
            rows = [str(r) for r in group["Række"] if pd.notna(r)]
            named = ", ".join(rows[:ROWS_NAMED]) + (" …" if len(rows) > ROWS_NAMED else "")
            values = list(dict.fromkeys(group["Værdi"]))
            first = group.iloc[0].to_dict()
            first["Række"] = f"{named} ({len(group)} rækker)" if rows else f"{len(group)} gange"
            first["Værdi"] = values[0] if len(values) == 1 else f"{values[0]} m.fl."
            out.append((group.index[0], first))
        else:
            for index, record in group.iterrows():
                record = record.to_dict()
                record["Række"] = "" if pd.isna(record["Række"]) else str(record["Række"])
                out.append((index, record))
    out.sort(key=lambda item: item[0])
    return pd.DataFrame([r for _, r in out], columns=list(table.columns))


def file_problem(file: str, problem: str, expected: str = "") -> Problem:
    """A problem of the whole file (its header, its columns, several rows)."""
    return Problem(file, None, None, None, problem, expected)


def field_problem(field: str, problem: str, expected: str = "") -> Problem:
    """A problem with a field on the page (the release's label, source, date …), not the file."""
    return Problem("", None, None, None, problem, expected, field=field)
