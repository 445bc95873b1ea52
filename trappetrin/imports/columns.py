"""Column headers: the aliases each field is known by, and which column of a file holds which field.

Headers compare after :func:`normalise_header` (lower case, æøå spelt out, letters and digits
only). The department-indicator fields (the id fields and every indicator of the catalogue) have
their aliases here (``EXTRA_ALIASES``, plus each indicator's code, label and "label (unit)");
the other kinds pass their own field tables (``FIELDS`` of :mod:`.ministry`, :mod:`.register`,
:data:`trappetrin.followup_spec.FOLLOWUP_FIELDS`) to :func:`kind_columns`. A user's mapping
(field → column) is remembered per kind and headers in the store (:func:`remembered_mapping`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache

import pandas as pd

from .. import catalogue
from ..store import Store
from .problems import Problem, file_problem

ID_FIELDS = ("dept_id", "org_no", "dept_no")
FIELD_LABELS = {
    "dept_id": "afdelings-id",
    "org_no": "organisationsnummer",
    "dept_no": "afdelingsnummer",
}

#: Extra header aliases per field, Danish and English. The code itself, the catalogue label and
#: "label (unit)" are aliases too. Headers are compared after :func:`normalise_header`.
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "dept_id": (
        "afdelings_id",
        "Afdelings-id",
        "afdelingsid",
        "afd_id",
        "afd-id",
        "afdid",
        "dept_id",
        "department_id",
        "department id",
        "afdeling id",
        "afdelingens id",
    ),
    "org_no": (
        "org_nr",
        "org nr",
        "org_no",
        "orgnr",
        "boligorganisation_nr",
        "boligorganisation nr",
        "boligorganisationsnummer",
        "boligorganisationsnr",
        "organisationsnummer",
        "organisationsnr",
        "organisation_no",
        "organisation number",
        "organization number",
        "org_number",
        "bo_nr",
    ),
    "dept_no": (
        "afd_nr",
        "afd nr",
        "afdnr",
        "afdelingsnummer",
        "afdelingsnr",
        "afdeling nr",
        "dept_no",
        "department_no",
        "department number",
        "dept_number",
    ),
    "residents": (
        "beboere",
        "antal beboere",
        "antal_beboere",
        "beboere i alt",
        "beboere_i_alt",
        "residents total",
        "number of residents",
    ),
    "residents_18_64": (
        "beboere_18_64",
        "beboere 18-64",
        "beboere 18-64 år",
        "antal 18-64-årige",
        "18-64 årige",
        "beboere_18_64_aar",
        "residents 18-64",
    ),
    "residents_30_59": (
        "beboere_30_59",
        "beboere 30-59",
        "beboere 30-59 år",
        "antal 30-59-årige",
        "30-59 årige",
        "residents 30-59",
    ),
    "residents_18_plus": (
        "beboere_18_plus",
        "beboere 18+",
        "beboere over 18",
        "beboere 18 år+",
        "voksne beboere",
        "antal voksne",
        "residents 18+",
        "adult residents",
    ),
    "taxpayers_15_64": (
        "skatteydere_15_64",
        "skatteydere 15-64",
        "skatteydere",
        "antal skatteydere",
        "taxpayers",
        "taxpayers 15-64",
    ),
    "pct_outside_labour": (
        "andel_uden_beskaeftigelse",
        "andel uden beskæftigelse",
        "uden_beskaeftigelse",
        "uden for arbejdsmarked og uddannelse",
        "uden for arbejde og uddannelse",
        "andel uden for arbejdsmarkedet",
        "pct_uden_for_arbejdsmarked",
        "uden_for_arbejdsmarked",
        "outside labour",
        "outside labour market and education",
        "pct_outside_labor",
    ),
    "pct_convicted": (
        "andel_doemte",
        "andel dømte",
        "dømte",
        "pct_doemte",
        "domfaeldte",
        "andel domfældte",
        "convicted",
        "pct convicted",
    ),
    "pct_basic_education": (
        "kun_grundskole",
        "kun grundskole",
        "andel_kun_grundskole",
        "andel kun grundskole",
        "grundskole",
        "kun grundskoleuddannelse",
        "basic education",
        "basic education only",
    ),
    "income_pct_of_region": (
        "indkomst_pct_af_region",
        "indkomst i pct af regionen",
        "indkomst",
        "bruttoindkomst",
        "bruttoindkomst i pct af regionen",
        "gennemsnitlig bruttoindkomst",
        "income",
        "income pct of region",
        "income percent of region",
    ),
    "pct_nonwestern": (
        "andel_ikke_vestlige",
        "andel ikke-vestlige",
        "ikke_vestlige",
        "ikke-vestlige",
        "ikke-vestlige indvandrere og efterkommere",
        "pct_ikke_vestlige",
        "non-western",
        "nonwestern",
        "pct non-western",
    ),
    "move_out_rate": (
        "fraflytning",
        "fraflytningsprocent",
        "fraflytningsrate",
        "fraflytningspct",
        "move out rate",
        "move-out rate",
    ),
    "eviction_cases": (
        "fogedsager",
        "udsættelser",
        "antal fogedsager",
        "antal udsættelser",
        "evictions",
        "eviction cases",
    ),
}

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})


def normalise_header(text: object) -> str:
    """A header as compared with the aliases: lower case, æøå spelt out, only letters and digits."""
    s = unicodedata.normalize("NFKC", str(text)).lower().translate(_FOLD)
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "", s)


def field_names() -> list[str]:
    """Every field a column can be mapped to: the id fields, then the indicator codes."""
    return list(ID_FIELDS) + list(catalogue.indicators())


def field_label(name: str) -> str:
    """Danish label of a field, for messages and the mapping step."""
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    ind = catalogue.indicators().get(name)
    return f"{ind.label} ({ind.unit})" if ind else name


def aliases() -> dict[str, list[str]]:
    """Field → every header accepted for it (as written, before normalising)."""
    out: dict[str, list[str]] = {}
    for name in field_names():
        names = [name, *EXTRA_ALIASES.get(name, ())]
        ind = catalogue.indicators().get(name)
        if ind is not None:
            names += [ind.label, f"{ind.label} ({ind.unit})"]
        out[name] = list(dict.fromkeys(names))
    return out


@cache
def alias_index() -> dict[str, str]:
    """Normalised header → field. Raises if two fields share an alias (a catalogue mistake)."""
    index: dict[str, str] = {}
    for name, names in aliases().items():
        for alias in names:
            key = normalise_header(alias)
            if index.get(key, name) != name:
                raise ValueError(f"overskriften '{alias}' passer både til '{index[key]}' og '{name}'")
            index[key] = name
    return index


def match_header(header: object) -> str | None:
    """The field a header names, or None."""
    return alias_index().get(normalise_header(header))


def is_id_header(cell: object) -> bool:
    """Whether a header names a department id field (the header search looks for one)."""
    return match_header(cell) in ID_FIELDS


def resolve_columns(
    table: pd.DataFrame,
    mapping: dict[str, str] | None = None,
    file_name: str = "filen",
    *,
    known: list[str] | None = None,
    match: Callable[[str], str | None] | None = None,
    label: Callable[[str], str] | None = None,
) -> tuple[dict[str, str], list[str], list[Problem]]:
    """Which column holds which field: (field → column, ignored columns, problems).

    A column headed exactly as the template heads a field (label or code, any case) is always
    that field. Then the user's ``mapping`` (field → column); other columns are matched by their
    header. ``known``, ``match`` and ``label`` default to the indicator release's fields; the
    other kinds of import pass their own (:func:`kind_columns`).
    """
    known = sorted(field_names()) if known is None else list(known)
    match = match or match_header
    label = label or field_label
    problems: list[Problem] = []
    columns = [str(c) for c in table.columns]
    used: dict[str, str] = {}
    # A column headed exactly as the template heads a field (its label or code) is that field,
    # whatever a mapping (remembered from an earlier file, or given) says.
    exact: dict[str, str] = {}
    for column in columns:
        key = column.strip().casefold()
        for fld in known:
            if key in (fld.casefold(), label(fld).strip().casefold()):
                exact.setdefault(fld, column)
    exact_columns = {c: f for f, c in exact.items()}
    for fld, column in (mapping or {}).items():
        if column is None or str(column) == "":
            continue
        if fld in exact and exact[fld] != str(column) or exact_columns.get(str(column), fld) != fld:
            continue
        if fld not in known:
            problems.append(
                file_problem(
                    file_name,
                    f"kortlægningen nævner et ukendt felt '{fld}'",
                    f"et af: {', '.join(known)}",
                )
            )
            continue
        if str(column) not in columns:
            problems.append(
                file_problem(
                    file_name,
                    f"kolonnen '{column}', som feltet '{label(fld)}' er kortlagt til, findes ikke i filen",
                    f"en af: {', '.join(columns) or 'ingen kolonner'}",
                )
            )
            continue
        used[fld] = str(column)
    claimed = set(used.values())
    by_field: dict[str, list[str]] = {}
    for column in columns:
        if column in claimed:
            continue
        fld = match(column)
        if fld is not None and fld not in used:
            by_field.setdefault(fld, []).append(column)
    for fld, cols in by_field.items():
        if len(cols) > 1:
            problems.append(
                file_problem(
                    file_name,
                    f"flere kolonner ({', '.join(repr(c) for c in cols)}) er alle '{label(fld)}'",
                    "én; slet eller omdøb de andre, eller kortlæg feltet",
                )
            )
        used[fld] = cols[0]
    ignored = [c for c in columns if c not in set(used.values())]
    return used, ignored, problems


#: A kind's fields: field → (Danish label, required?, accepted headers).
FieldTable = Mapping[str, tuple[str, bool, tuple[str, ...]]]


def kind_alias_index(fields: FieldTable) -> dict[str, str]:
    """Normalised header → field, for a kind's field table (the field name and label count too)."""
    index: dict[str, str] = {}
    for fld, (label, _, names) in fields.items():
        for alias in (fld, label, *names):
            index.setdefault(normalise_header(alias), fld)
    return index


def kind_columns(
    table: pd.DataFrame, fields: FieldTable, mapping: dict[str, str] | None, name: str
) -> tuple[dict[str, str], list[str], list[Problem]]:
    """:func:`resolve_columns` with the fields of a kind's field table."""
    index = kind_alias_index(fields)
    return resolve_columns(
        table,
        mapping,
        name,
        known=list(fields),
        match=lambda column: index.get(normalise_header(column)),
        label=lambda fld: fields[fld][0],
    )


def remembered_mapping(store: Store, kind: str, headers: list[str]) -> dict[str, str]:
    """The mapping remembered for a file of ``kind`` with these headers (or like them), limited
    to columns the file has."""
    saved = store.saved_mapping(kind, headers) or {}
    return {f: c for f, c in saved.items() if c in headers}


#: Headers of the department-id fields, for the kinds' field tables.
DEPT_ALIASES = {f: (f, *EXTRA_ALIASES[f]) for f in ID_FIELDS}
