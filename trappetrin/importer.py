"""Importing department-indicator releases: read a file, validate it, preview, commit.

The flow is ``read_table`` → ``validate_indicator_release`` (a :class:`Plan`, or a
:class:`UserError` listing every problem at once) → ``preview`` → ``commit`` (one transaction).
Nothing is written before ``commit``, and ``commit`` writes all or nothing.

Files come as users have them: CSV in UTF-8 (with or without BOM) or Windows-1252, separated by
``;``, ``,`` or tabs, with Danish numbers (``12,5``, ``1.234``, ``12,5 %``); or XLSX with a chosen
sheet and a header row that need not be the first. Headers are matched through Danish and English
aliases (see ``data/templates/README.md``); unknown headers can be pointed at fields with a mapping.

No Streamlit here: the Data page and the command line both call these functions.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import catalogue, formatting, spreadsheet
from .auth import Actor, require
from .colours import classify_release
from .engine import classify
from .errors import UserError
from .export import restore_neutralised, to_csv_danish
from .numbers import parse_number
from .rules import RuleSet
from .store import ReleaseData, Store

#: Sources a department-indicator release can come from.
VALUE_SOURCES = ("Tvillingeværktøj", "Beboerdata")

#: Cells that mean "no value" (blank, or suppressed for discretion by the data supplier).
MISSING_MARKERS = frozenset({"", "-", "–", "—", "*", ".."})

#: Most problems listed in one error (a file with every cell wrong stays readable).
MAX_PROBLEMS = 500

#: A progress callback: (fraction done 0–1, Danish text).
Progress = Callable[[float, str], None]


def _no_progress(fraction: float, text: str) -> None:
    return None


EARLIEST_DATE = date(2000, 1, 1)
FUTURE_DAYS = 31

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


def _is_id_header(cell: str) -> bool:
    return match_header(cell) in ID_FIELDS


# --- reading files ------------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def read_source(source: str | Path | bytes, file_name: str | None = None) -> tuple[bytes, str]:
    """The bytes of an upload or a file, and the name messages use; an empty file is a user error."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), file_name or "upload"
    else:
        path = Path(source)
        name = file_name or path.name
        try:
            spreadsheet.check_size(path.stat().st_size, name)
            data = path.read_bytes()
        except FileNotFoundError:
            raise UserError(f"Filen '{name}' findes ikke ({path}).") from None
        except IsADirectoryError:
            raise UserError(f"'{name}' er en mappe, ikke en fil ({path}).") from None
        except PermissionError:
            raise UserError(f"Filen '{name}' kan ikke læses: du har ikke adgang til den ({path}).") from None
        except OSError as exc:  # the system's own text is English: give its number only
            raise UserError(f"Filen '{name}' kan ikke læses (systemfejl nr. {exc.errno}).") from None
    spreadsheet.check_size(len(data), name)
    if not data.strip():
        raise UserError(f"Filen '{name}' er tom.")
    return data, name


def read_table(
    source: str | Path | bytes, file_name: str | None = None, sheet: str | None = None, header_row: int | None = None
) -> pd.DataFrame:
    """Read a CSV or XLSX file into a frame of text cells.

    Parameters
    ----------
    source
        A path, or the file's bytes (an upload).
    file_name
        The name shown in messages (and used for the file type); defaults to the path's name.
    sheet
        XLSX only: the sheet to read. Default: the first sheet with a department-id header.
    header_row
        The spreadsheet row number (1-based) of the header. Default: the first row with a
        department-id header (e.g. ``afdelings_id``), else the first non-empty row.

    Returns
    -------
    pandas.DataFrame
        Text cells (``""`` when empty), one column per header, indexed by spreadsheet row number.
        ``attrs`` holds ``file_name``, ``format``, ``encoding``, ``delimiter``, ``decimal`` (the
        decimal mark for :func:`parse_number`), ``header_row``, ``sheet``, ``sheets``,
        ``checksum`` (sha256 of the bytes) and ``row_problems`` (rows whose field count does not
        fit the header; reported by :func:`validate_indicator_release`).

    Raises
    ------
    UserError
        When the file is empty, cannot be read, or is not what its name says.
    """
    data, name = read_source(source, file_name)
    suffix = Path(name).suffix.lower()
    is_zip = data.startswith(_ZIP_MAGIC)
    if spreadsheet.is_encrypted_office(data):
        raise UserError(
            f"Filen '{name}' er beskyttet med en adgangskode (krypteret) og kan ikke læses. "
            "Åbn den i Excel, fjern adgangskoden (Filer → Oplysninger → Beskyt projektmappe → Krypter med "
            "adgangskode → slet den), og gem den igen som .xlsx eller .csv."
        )
    if data.startswith(_OLE_MAGIC):
        raise UserError(
            f"Filen '{name}' er i Excels gamle .xls-format, som ikke kan læses. "
            "Åbn den i Excel og gem den som .xlsx (Excel-projektmappe) eller .csv."
        )
    if suffix in _EXCEL_SUFFIXES:
        if not is_zip:
            looks = "en tekstfil (fx CSV)" if _looks_like_text(data) else "hverken en Excel-projektmappe eller tekst"
            raise UserError(
                f"Filen '{name}' hedder {suffix}, men er ikke en Excel-projektmappe; den ligner {looks}. "
                "Gem den igen fra Excel som .xlsx, eller giv den det rigtige navn (.csv)."
            )
        table = _read_xlsx(data, name, sheet, header_row)
    elif suffix == "" and is_zip:
        table = _read_xlsx(data, name, sheet, header_row)
    elif suffix in _TEXT_SUFFIXES or suffix == "":
        if is_zip:
            raise UserError(
                f"Filen '{name}' hedder {suffix}, men er en Excel-projektmappe "
                "eller anden zip-fil. Omdøb den til .xlsx, eller gem den som CSV fra Excel."
            )
        table = _read_csv(data, name, header_row)
    else:
        raise UserError(
            f"Filen '{name}' har en filtype ({suffix}), der ikke kan indlæses. Brug CSV (.csv) eller Excel (.xlsx)."
        )
    table.attrs["file_name"] = name
    table.attrs["checksum"] = hashlib.sha256(data).hexdigest()
    return table


def _looks_like_text(data: bytes) -> bool:
    text = _decode(data)[0]
    return text is not None and not _CONTROL.search(text)


def _decode(data: bytes) -> tuple[str | None, str]:
    """Text and encoding: UTF-16 with or without BOM (Excel's "Unicode-tekst"), UTF-8 (with or
    without BOM), else Windows-1252 line by line where UTF-8 lines are mixed in (a file pasted
    together from two sources), else Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    bare = spreadsheet.utf16_without_bom(data)
    if bare:
        try:
            return data.decode(bare), bare
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(data):
        # Some lines are UTF-8, others not: decode each line by itself, so that neither kind turns
        # into mojibake ("Ã¦" for "æ").
        lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
        out = []
        for line in lines:
            try:
                out.append(line.decode("utf-8"))
            except UnicodeDecodeError:
                out.append(line.decode("cp1252", errors="replace"))
        return "\n".join(out), "utf-8+cp1252"
    for encoding in ("cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None, ""  # pragma: no cover - latin-1 decodes everything


#: A UTF-8 encoded letter outside ASCII (two to four bytes).
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
#: Text that was UTF-8 read as Windows-1252 ("Ã¦", "Ã¸", "Ã¥", "â€“").
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u0152-\u02dc\u2013-\u203a]|â€")


def _read_csv(data: bytes, name: str, header_row: int | None) -> pd.DataFrame:
    text, encoding = _decode(data)
    if text is not None and not text.strip():
        raise UserError(f"Filen '{name}' er tom.")
    if text is None or _CONTROL.search(text):
        raise UserError(
            f"Filen '{name}' er ikke en tekstfil (den indeholder binære data). "
            "Vælg den rigtige fil, eller gem den som CSV fra Excel."
        )
    lines = text.count("\n") + 1
    if lines > spreadsheet.MAX_ROWS + HEADER_SEARCH_ROWS:
        raise UserError(
            f"Filen '{name}' har {lines:,} linjer; der læses højst {spreadsheet.MAX_ROWS:,} rækker – forventet "
            "én række pr. afdeling (hele landet har omkring 10.000). Er det den rigtige fil?".replace(",", ".")
        )
    # The separator is chosen on the first lines (each candidate parses them); the file is split once.
    sample = "\n".join(text.split("\n", SNIFF_LINES + (header_row or 0))[: SNIFF_LINES + (header_row or 0)])
    best: tuple | None = None
    for delimiter in (";", ",", "\t"):
        rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        head = _find_header(rows, header_row, name) if header_row is None or header_row <= len(rows) else 0
        found_id = any(_is_id_header(c) for c in rows[head]) if head < len(rows) else False
        score = (found_id, len(rows[head]) if head < len(rows) else 0)
        if best is None or score > best[0]:
            best = (score, delimiter)
    delimiter = best[1]
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    head = _find_header(rows, header_row, name)
    decimal = _guess_decimal(rows[head + 1 :], "," if delimiter in (";", "\t") else ".")
    garbled = [c for c in (rows[head] if head < len(rows) else []) if _MOJIBAKE.search(str(c))]
    if garbled:
        raise UserError(
            f"Filen '{name}' har overskrifter med forkerte tegn ({', '.join(repr(c) for c in garbled[:5])}): "
            "filen er gemt i UTF-8 og bagefter læst eller gemt som Windows-tegnsæt, så 'æøå' er blevet til 'Ã¦Ã¸Ã¥'. "
            "Kolonnerne kan ikke genkendes sikkert – gem filen igen fra Excel som 'CSV UTF-8'."
        )
    table = _frame(rows, head, name)
    table.attrs.update(
        format="csv",
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        sheet=None,
        sheets=[],
        late_header_row=_late_header(rows, head, header_row),
    )
    return table


_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,(\d{1,2}|\d{4,})\s*%?$")
_POINT_DECIMAL = re.compile(r"^[+-]?\d+\.(\d{1,2}|\d{4,})\s*%?$")


def _guess_decimal(rows: list[list[str]], default: str) -> str:
    """The decimal mark the file's numbers use: a comma-separated file may still write "12,5"
    (quoted), and then "2.000" is two thousand, not two. Marks followed by exactly three digits
    could be thousands and do not count."""
    comma = point = 0
    for row in rows[:2000]:
        for cell in row:
            text = str(cell).strip()
            if _COMMA_DECIMAL.match(text):
                comma += 1
            elif _POINT_DECIMAL.match(text):
                point += 1
    if comma > point:
        return ","
    if point > comma:
        return "."
    return default


#: Lines of a CSV file its separator is chosen on.
SNIFF_LINES = 200

#: Rows searched for the header row; a header further down needs ``header_row``.
HEADER_SEARCH_ROWS = 50


def _late_header(rows: list[list[str]], head: int, header_row: int | None) -> int | None:
    """The row number of a department-id header below the rows searched, when none was found
    above it (the user must then give the header row)."""
    if header_row is not None or (head < len(rows) and any(_is_id_header(c) for c in rows[head])):
        return None
    for i, row in enumerate(rows[HEADER_SEARCH_ROWS:], start=HEADER_SEARCH_ROWS + 1):
        if any(_is_id_header(c) for c in row):
            return i
    return None


def _find_header(rows: list[list[str]], header_row: int | None, name: str) -> int:
    """0-based index of the header row."""
    if header_row is not None:
        if not 1 <= header_row <= max(len(rows), 1):
            raise UserError(f"Filen '{name}' har ingen overskriftsrække {header_row}; den har {len(rows)} rækker.")
        return header_row - 1
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(_is_id_header(c) for c in row):
            return i
    for i, row in enumerate(rows):
        if any(str(c).strip() for c in row):
            return i
    return 0


def _frame(rows: list[list[str]], head: int, name: str, *, pad_short: bool = False) -> pd.DataFrame:
    """Rows below the header as a frame of stripped text indexed by spreadsheet row number.

    A CSV row with another number of fields than the header is a problem (mixed separators,
    missing quotes); ``pad_short`` (XLSX) fills short rows with empty cells instead.
    """
    header = [str(c).strip() for c in rows[head]] if head < len(rows) else []
    while header and header[-1] == "":
        header.pop()
    columns: list[str] = []
    for i, h in enumerate(header, start=1):
        h = h or f"kolonne {i}"
        base, k = h, 2
        while h in columns:
            h, k = f"{base} ({k})", k + 1
        columns.append(h)
    width = len(columns)
    records, index, row_problems, ragged = [], [], [], []
    for number, row in enumerate(rows[head + 1 :], start=head + 2):
        # A cell exported as text ("'=…", see export.neutralise) comes back as what was exported.
        cells = [restore_neutralised(str(c).strip()) for c in row]
        if not any(cells):
            continue
        if len(cells) > width and not any(cells[width:]):
            cells = cells[:width]
        if pad_short and len(cells) < width:
            cells += [""] * (width - len(cells))
        if len(cells) != width:
            ragged.append(number)
            row_problems.append(
                f"{name}, række {number}: rækken har {len(cells)} felt{'er' if len(cells) != 1 else ''}, "
                f"men overskriften har {width} "
                "– forventet samme antal felter i hver række (er semikolon og komma blandet, "
                "eller mangler der anførselstegn om en værdi med skilletegn?)."
            )
            cells = (cells + [""] * width)[:width]
        records.append(cells)
        index.append(number)
    table = pd.DataFrame(records, columns=columns, index=pd.Index(index, name="row", dtype="int64"), dtype=object)
    table.attrs.update(header_row=head + 1, row_problems=row_problems, ragged_rows=ragged)
    return table


def _read_xlsx(data: bytes, name: str, sheet: str | None, header_row: int | None) -> pd.DataFrame:
    import openpyxl  # late: only XLSX needs it

    workbook = spreadsheet.Workbook(data, name)  # sizes and structure checked before openpyxl parses
    try:
        infos = {s.name: s for s in workbook.sheets}
        if not infos:
            raise UserError(f"Filen '{name}' har ingen ark – forventet en projektmappe med en tabel.")
        if sheet is not None:
            if sheet not in infos:
                raise UserError(
                    f"Filen '{name}' har intet ark med navnet '{sheet}'. Arkene hedder: {', '.join(infos)}."
                )
            chosen = [sheet]
        else:
            # Hidden sheets are never read unless asked for by name: they are often stale copies.
            chosen = [s.name for s in workbook.sheets if s.visible]
            if not chosen:
                raise UserError(
                    f"Filen '{name}' har kun skjulte ark ({', '.join(infos)}) – vis arket med tabellen i Excel, "
                    "eller vælg det ved navn (--sheet)."
                )
        for info in workbook.sheets:
            # Every sheet, before openpyxl: it reads a sheet without <dimension> to its end on opening.
            workbook.scan(info)
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any parser error is the file's fault; its English text is not shown
            raise UserError(
                f"Filen '{name}' kan ikke læses som Excel-projektmappe (.xlsx); den er beskadiget eller gemt "
                "i et format, der ligner .xlsx uden at være det. Gem den igen fra Excel som .xlsx eller .csv."
            ) from None
        try:
            first: tuple | None = None
            for sheet_name in chosen:
                info = workbook.scan(infos[sheet_name])
                if info.max_row == 0:
                    rows: list[list[str]] = []
                else:
                    rows = [
                        [_cell_text(getattr(c, "value", None), getattr(c, "number_format", None)) for c in row]
                        for row in book[sheet_name].iter_rows(max_row=info.max_row, max_col=info.max_column)
                    ]
                head = _find_header(rows, header_row, name) if rows else 0
                has_id = head < len(rows) and any(_is_id_header(c) for c in rows[head])
                if first is None or has_id:
                    first = (sheet_name, rows, head, info)
                if has_id:
                    break
        finally:
            book.close()
    finally:
        workbook.close()
    sheet_name, rows, head, info = first
    where = f"{name} (ark '{sheet_name}')"
    _check_sheet(where, info, head + 1)
    table = _frame(rows, head, where, pad_short=True)
    hidden = [s.name for s in workbook.sheets if not s.visible and s.name != sheet_name]
    table.attrs.update(
        format="xlsx",
        encoding="",
        delimiter="",
        decimal=",",
        sheet=sheet_name,
        sheets=[s.name for s in workbook.sheets if s.visible or s.name == sheet],
        hidden_sheets=hidden,
    )
    if rows:
        table.attrs["late_header_row"] = _late_header(rows, head, header_row)
    return table


def _check_sheet(where: str, info: spreadsheet.SheetInfo, header_row: int) -> None:
    """Refuse what openpyxl would read silently wrong: formulas without a cached value (read as
    empty) and merged cells in the table (Excel shows one value, the file may hold others)."""
    problems = []
    if info.formulas_without_value:
        cells = info.formulas_without_value
        shown = ", ".join(cells[: spreadsheet.SHOWN]) + (
            f" og {len(cells) - spreadsheet.SHOWN} flere" if len(cells) > spreadsheet.SHOWN else ""
        )
        problems.append(
            f"{where}: {len(cells)} celle{'r' if len(cells) != 1 else ''} med formel uden gemt resultat ({shown}) "
            "– forventet beregnede værdier: åbn filen i Excel, lad den regne, og gem den igen (eller gem som CSV)."
        )
    merged = [rng for rng, _first, last in info.merged if last >= header_row]
    if merged:
        shown = ", ".join(merged[: spreadsheet.SHOWN]) + (
            f" og {len(merged) - spreadsheet.SHOWN} flere" if len(merged) > spreadsheet.SHOWN else ""
        )
        problems.append(
            f"{where}: flettede celler i tabellen ({shown}) – forventet én værdi i hver celle; ophæv "
            "fletningen i Excel (Flet og centrer → Ophæv fletning) og udfyld cellerne."
        )
    if problems:
        raise UserError(f"Filen '{where}' kan ikke indlæses ({len(problems)} fejl). Intet er gemt.", problems=problems)


def _cell_text(value: object, number_format: str | None = None) -> str:
    """An XLSX cell as text in the Danish number format :func:`parse_number` reads with ``,``.

    A number formatted as a percentage (Excel stores 12,5 % as 0.125) is given in percent.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)) and number_format and "%" in number_format:
        # Shown as a percentage in Excel: read as one, and say so (a count in such a cell is refused).
        return _cell_text(float(Decimal(repr(value)) * 100)) + " %"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).replace(".", ",")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


# --- validating ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A validated release, ready for :func:`preview` and :func:`commit`."""

    values: pd.DataFrame  # long: dept_id, indicator, value (NaN where the file has no value)
    label: str
    source: str
    reference_date: date
    file_name: str
    checksum: str
    rows: int  # departments (data rows) in the file
    columns: dict[str, str] = field(default_factory=dict)  # field → column used
    ignored_columns: list[str] = field(default_factory=list)
    missing_indicators: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)  # indicators the rule set reads, left out on purpose

    @property
    def departments(self) -> list[str]:
        return list(dict.fromkeys(self.values["dept_id"]))

    @property
    def n_values(self) -> int:
        """Cells stored (one per department and indicator column, blank ones included)."""
        return len(self.values)

    @property
    def n_known(self) -> int:
        """Values actually given (not blank, not suppressed)."""
        return int(self.values["value"].notna().sum())


def resolve_columns(
    table: pd.DataFrame,
    mapping: dict[str, str] | None = None,
    file_name: str = "filen",
    *,
    known: list[str] | None = None,
    match: Callable[[str], str | None] | None = None,
    label: Callable[[str], str] | None = None,
) -> tuple[dict[str, str], list[str], list[str]]:
    """Which column holds which field: (field → column, ignored columns, problems).

    A column headed exactly as the template heads a field (label or code, any case) is always
    that field. Then the user's ``mapping`` (field → column); other columns are matched by their
    header. ``known``, ``match`` and ``label`` default to the indicator release's fields; the
    other kinds of import (:mod:`trappetrin.imports`) pass their own.
    """
    known = sorted(field_names()) if known is None else list(known)
    match = match or match_header
    label = label or field_label
    problems: list[str] = []
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
                f"{file_name}: kortlægningen nævner et ukendt felt '{fld}' – forventet et af: {', '.join(known)}."
            )
            continue
        if str(column) not in columns:
            problems.append(
                f"{file_name}: kolonnen '{column}', som feltet '{label(fld)}' er kortlagt til, "
                f"findes ikke i filen – forventet en af: {', '.join(columns) or 'ingen kolonner'}."
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
                f"{file_name}: flere kolonner ({', '.join(repr(c) for c in cols)}) er alle "
                f"'{label(fld)}' – forventet én; slet eller omdøb de andre, eller kortlæg feltet."
            )
        used[fld] = cols[0]
    ignored = [c for c in columns if c not in set(used.values())]
    return used, ignored, problems


def _parse_date(value: object) -> date | None:
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


#: Problems with an import parameter (not the file) start with the field as the page names it.
LABEL_FIELD = "Feltet 'Udgivelsens mærke': "
SOURCE_FIELD = "Feltet 'Kilde': "
DATE_FIELD = "Feltet 'Opgørelsesdato': "
PARTIAL_FIELD = "Feltet 'Delvis udgivelse': "
_FIELD_PROBLEM = re.compile(r"^Feltet '([^']+)': ")


def _check_release(
    store: Store, label: str, source: str, reference_date: object, today: date | None
) -> tuple[str, str, date | None, list[str]]:
    problems: list[str] = []
    label = str(label or "").strip()
    if not label:
        problems.append(f"{LABEL_FIELD}Udgivelsen mangler et mærke – forventet fx '2026-11'.")
    elif store.scalar("SELECT count(*) FROM releases WHERE label = ?", [label]):
        problems.append(
            f"{LABEL_FIELD}Udgivelsen '{label}' findes allerede, og en gemt udgivelse kan ikke ændres – "
            "forventet et nyt mærke (eller slet den gamle udgivelse først)."
        )
    src = next((s for s in VALUE_SOURCES if s.casefold() == str(source or "").strip().casefold()), None)
    if src is None:
        problems.append(
            f"{SOURCE_FIELD}Kilden '{source}' kan ikke bruges til afdelingsdata – "
            f"forventet {' eller '.join(VALUE_SOURCES)}."
        )
    day = _parse_date(reference_date)
    today = today or date.today()
    if day is None:
        problems.append(
            f"{DATE_FIELD}Opgørelsesdatoen '{reference_date}' er ikke en gyldig dato – forventet fx 2026-11-15."
        )
    elif day < EARLIEST_DATE:
        problems.append(
            f"{DATE_FIELD}Opgørelsesdatoen {formatting.date(day)} ligger før 2000 – "
            "forventet en dato fra 2000 til i dag."
        )
    elif day > today + timedelta(days=FUTURE_DAYS):
        problems.append(
            f"{DATE_FIELD}Opgørelsesdatoen {formatting.date(day)} ligger mere end {FUTURE_DAYS} dage ude i fremtiden – "
            f"forventet senest {formatting.date(today + timedelta(days=FUTURE_DAYS))}."
        )
    return label, src or "", day, problems


def validate_indicator_release(
    store: Store,
    table: pd.DataFrame,
    *,
    file_name: str | None = None,
    label: str,
    source: str,
    reference_date: object,
    mapping: dict[str, str] | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    rules: RuleSet | None = None,
    allow_missing: Iterable[str] = (),
) -> Plan:
    """Check a table from :func:`read_table` as a department-indicator release.

    Every problem is collected (file, row, column, value and what is expected) and raised at once
    as one :class:`UserError`; nothing is written. ``today`` is for tests; ``progress`` is called
    with (fraction done, Danish text) for a progress bar.

    ``rules`` is the rule set in use (default: the adopted one): a file without a column for an
    indicator it reads is refused, unless that indicator is in ``allow_missing`` (a deliberate
    partial release, recorded in :attr:`Plan.partial`).
    """
    progress = progress or _no_progress
    name = file_name or table.attrs.get("file_name") or "filen"
    problems: list[str] = list(table.attrs.get("row_problems", []))
    label, source, day, release_problems = _check_release(store, label, source, reference_date, today)
    problems += release_problems
    decimal = table.attrs.get("decimal", "auto")

    if len(table.columns) == 0:
        problems.append(
            f"{name}: filen har ingen overskriftsrække – forventet en række med kolonnenavne som 'Afdelings-id' øverst."
        )
        _raise(name, problems)
    if len(table) == 0:
        problems.append(f"{name}: filen har overskrifter, men ingen datarækker – forventet én række pr. afdeling.")

    used, ignored, column_problems = resolve_columns(table, mapping, name)
    problems += column_problems
    has_id = "dept_id" in used or ("org_no" in used and "dept_no" in used)
    if not has_id:
        half = [f for f in ("org_no", "dept_no") if f in used]
        hint = (
            f" Filen har {field_label(half[0])} (kolonnen '{used[half[0]]}'), men mangler "
            f"{field_label('dept_no' if half[0] == 'org_no' else 'org_no')}."
            if half
            else ""
        )
        late = table.attrs.get("late_header_row")
        if late:
            hint += (
                f" Overskriftsrækken ser ud til at være række {late} – der søges kun i de første "
                f"{HEADER_SEARCH_ROWS} rækker; angiv den med --header-row {late} (på siden: 'Overskriftsrække')."
            )
        problems.append(
            f"{name}: filen mangler en kolonne med afdelings-id (fx 'afdelings_id' eller 'Afdelings-id') "
            f"eller både organisationsnummer ('org_nr') og afdelingsnummer ('afd_nr').{hint} "
            f"Fundne kolonner: {', '.join(map(str, table.columns))}."
        )
    codes = [c for c in catalogue.indicators() if c in used]
    partial, rule_problems = _needed_columns(store, used, rules, allow_missing, name)
    problems += rule_problems
    if not codes:
        problems.append(
            f"{name}: filen har ingen kendte indikatorkolonner – forventet mindst én af fx "
            f"{', '.join(repr(field_label(c)) for c in list(catalogue.indicators())[:3])}; "
            "se skabelonen, eller kortlæg kolonnerne."
        )
    if not has_id or not codes or len(table) == 0:
        _raise(name, problems)

    checksum = table.attrs.get("checksum") or hashlib.sha256(table.to_csv().encode()).hexdigest()
    earlier = store.scalar("SELECT label FROM releases WHERE checksum = ? ORDER BY release_id LIMIT 1", [checksum])
    if earlier is not None:
        problems.append(
            f"{name}: præcis den samme fil (samme sha256-kontrolsum) er allerede indlæst som "
            f"udgivelsen '{earlier}' – forventet en ny fil."
        )
    # Rows with the wrong number of fields are reported once above, not cell by cell.
    table = table.drop(index=[r for r in table.attrs.get("ragged_rows", []) if r in table.index])
    progress(0.05, "Kontrollerer afdelinger")
    found: list[tuple[float, int, str]] = []  # (row, column position, message): listed in sheet order
    ids = _department_ids(store, table, used, name, found)
    values = _parse_values(table, used, codes, name, decimal, progress, found)
    problems += [message for _, _, message in sorted(found, key=lambda item: item[:2])]
    cells = values.size
    if not problems and cells and not values.notna().to_numpy().any():
        problems.append(
            f"{name}: filen har ingen værdier – alle {cells} celler i indikatorkolonnerne "
            f"({', '.join(used[c] for c in codes)}) er tomme eller skjult ('*', '..', '-') – forventet "
            "mindst én værdi (er det den rigtige fil, eller er alt skjult af diskretionshensyn?)."
        )
    if problems:
        _raise(name, problems)

    long = pd.DataFrame(
        {
            "dept_id": np.repeat(ids.to_numpy(dtype=object), len(codes)),
            "indicator": np.tile(np.array(codes, dtype=object), len(ids)),
            "value": values.to_numpy(dtype=float).reshape(-1),
        }
    )
    return Plan(
        values=long,
        label=label,
        source=source,
        reference_date=day,
        file_name=name,
        checksum=checksum,
        rows=len(ids),
        columns={f: c for f, c in used.items()},
        ignored_columns=ignored,
        missing_indicators=[c for c in catalogue.indicators() if c not in used],
        partial=partial,
    )


def missing_rule_columns(headers: list[str], mapping: dict[str, str] | None, rules: RuleSet | None) -> list[str]:
    """Indicators ``rules`` reads that no header (after the mapping) names: the Data page offers
    these as a deliberate partial release before the file is checked."""
    if rules is None or rules.scope != "afdeling":
        return []
    used, _, _ = resolve_columns(pd.DataFrame(columns=[str(h) for h in headers]), mapping)
    return [c for c in rules.indicators if c in catalogue.indicators() and c not in used]


def partial_indicators(store: Store, label: str, rules: RuleSet) -> list[str]:
    """Indicators ``rules`` reads that the values release ``label`` has no column for (a partial
    release; empty for a complete one and for releases without values)."""
    return partial_releases(store, rules).get(label, [])


def partial_releases(store: Store, rules: RuleSet | None) -> dict[str, list[str]]:
    """Every partial values release: label → the indicators ``rules`` reads that it lacks (one query)."""
    if rules is None or rules.scope != "afdeling":
        return {}
    needed = [c for c in rules.indicators if c in catalogue.indicators()]
    present = store.query(
        "SELECT r.label, list(DISTINCT v.indicator) AS indicators FROM releases r "
        "JOIN indicator_values v USING (release_id) GROUP BY r.label"
    )
    out = {}
    for label, have in zip(present["label"], present["indicators"]):
        lacking = [c for c in needed if c not in set(have)]
        if lacking:
            out[str(label)] = lacking
    return out


def _needed_columns(
    store: Store, used: dict[str, str], rules: RuleSet | None, allow_missing: Iterable[str], name: str
) -> tuple[list[str], list[str]]:
    """(indicators deliberately left out, problems): every indicator the rule set reads needs a
    column, unless it is allowed to be missing."""
    allowed = [str(a).strip() for a in allow_missing if str(a).strip()]
    problems = [
        f"{PARTIAL_FIELD}'{a}' er ikke en indikator – forventet en af: {', '.join(catalogue.indicators())}."
        for a in allowed
        if a not in catalogue.indicators()
    ]
    if rules is None:
        try:
            rules = store.adopted_rule_set()
        except UserError:
            rules = None
    if rules is None or rules.scope != "afdeling":
        return [], problems
    needed = [c for c in rules.indicators if c in catalogue.indicators()]
    partial = [c for c in needed if c not in used and c in allowed]
    lacking = [c for c in needed if c not in used and c not in allowed]
    if lacking:
        what = ", ".join(f"{catalogue.label(c)} ('{field_label(c)}')" for c in lacking)
        flags = " ".join(f"--allow-missing {c}" for c in lacking)
        problems.append(
            f"{name}: filen mangler {'en kolonne' if len(lacking) == 1 else f'{len(lacking)} kolonner'}, som "
            f"regelsættet '{rules.name}' bruger: {what} – forventet en kolonne med den overskrift (se skabelonen); "
            f"er udgivelsen bevidst delvis, så vælg 'Delvis udgivelse' for "
            f"{'indikatoren' if len(lacking) == 1 else 'indikatorerne'} (kommandolinjen: {flags})."
        )
    return partial, problems


def _raise(name: str, problems: list[str]) -> None:
    """One error for every problem; the headline says what to correct: the file, and/or the
    fields (label, source, date …) whose problems start with ``Feltet '…':``."""
    n = len(problems)
    shown = problems[:MAX_PROBLEMS]
    if n > MAX_PROBLEMS:
        shown.append(f"… og {n - MAX_PROBLEMS} fejl mere af samme slags.")
    fields = list(dict.fromkeys(m.group(1) for p in problems if (m := _FIELD_PROBLEM.match(p))))
    in_file = any(not _FIELD_PROBLEM.match(p) for p in problems)
    what = []
    if in_file:
        what.append("filen")
    if fields:
        quoted = [f"'{f}'" for f in fields]
        what.append(f"feltet {quoted[0]}" if len(fields) == 1 else f"felterne {', '.join(quoted[:-1])} og {quoted[-1]}")
    raise UserError(
        f"Filen '{name}' kan ikke indlæses ({n} fejl). Intet er gemt; ret {' og '.join(what)} og prøv igen.",
        problems=shown,
    )


def _department_ids(
    store: Store, table: pd.DataFrame, used: dict[str, str], name: str, found: list[tuple[float, int, str]]
) -> pd.Series:
    """The department id of every row, checked against the register; problems added to ``found``
    as (row, column position, message), duplicates after every row."""
    position = {c: i for i, c in enumerate(table.columns)}
    register = store.query("SELECT dept_id, org_no, dept_no FROM departments")
    known = set(register["dept_id"])
    ids = pd.Series("", index=table.index, dtype=object)
    if "dept_id" in used:
        column = used["dept_id"]
        for row, raw in table[column].items():
            text = str(raw).strip()
            if not text:
                found.append(
                    (
                        row,
                        position[column],
                        f"{name}, række {row}, kolonne '{column}': afdelings-id mangler "
                        "– forventet et id fra afdelingsregistret, fx '101-003'.",
                    )
                )
            elif text not in known:
                found.append(
                    (
                        row,
                        position[column],
                        f"{name}, række {row}, kolonne '{column}': afdelingen '{text}' "
                        "findes ikke i afdelingsregistret – forventet en kendt afdeling (opdatér registret "
                        "først, hvis afdelingen er ny).",
                    )
                )
            else:
                ids[row] = text
    else:
        by_number = {(int(o), int(d)): i for i, o, d in register.itertuples(index=False)}
        org_col, dept_col = used["org_no"], used["dept_no"]
        for row in table.index:
            numbers = []
            for fld, column in (("org_no", org_col), ("dept_no", dept_col)):
                text = str(table.at[row, column]).strip()
                try:
                    value = parse_number(text, ",")
                except ValueError:
                    value = None
                if value is None or not float(value).is_integer():
                    found.append(
                        (
                            row,
                            position[column],
                            f"{name}, række {row}, kolonne '{column}': '{text}' er ikke "
                            f"et gyldigt {field_label(fld)} – forventet et helt tal.",
                        )
                    )
                    numbers.append(None)
                else:
                    numbers.append(int(value))
            if None in numbers:
                continue
            dept = by_number.get(tuple(numbers))
            if dept is None:
                found.append(
                    (
                        row,
                        position[org_col],
                        f"{name}, række {row}, kolonne '{org_col}'/'{dept_col}': "
                        f"afdeling {numbers[1]} i boligorganisation {numbers[0]} findes ikke i "
                        "afdelingsregistret – forventet en kendt afdeling.",
                    )
                )
            else:
                ids[row] = dept
    known_ids = ids[ids != ""]
    for dept, rows in known_ids.groupby(known_ids).groups.items():
        if len(rows) > 1:
            where = ", ".join(f"række {r}" for r in rows)
            found.append(
                (
                    float("inf"),
                    0,
                    f"{name}: afdelingen '{dept}' optræder flere gange ({where}) – forventet én række pr. afdeling.",
                )
            )
    return ids


def _parse_values(
    table: pd.DataFrame,
    used: dict[str, str],
    codes: list[str],
    name: str,
    decimal: str,
    progress: Progress,
    found: list[tuple[float, int, str]],
) -> pd.DataFrame:
    """Numbers of every indicator column (NaN for blank cells); problems added to ``found``.

    Each value is checked against its unit and the plausibility rules (``data/plausibility.toml``):
    its range, and that a subgroup count is never larger than its group in the same row.
    """
    out = pd.DataFrame(index=table.index, columns=codes, dtype=float)
    cache: dict[str, float | None | ValueError] = {}
    position = {c: i for i, c in enumerate(table.columns)}
    example = "12.5" if decimal == "." else "12,5"
    rules = catalogue.plausibility()
    for k, code in enumerate(codes):
        column = used[code]
        ind = catalogue.indicators()[code]
        progress(0.1 + 0.9 * k / len(codes), f"Kontrollerer {field_label(code)}")
        parsed = np.full(len(table), np.nan)
        for i, (row, raw) in enumerate(table[column].items()):
            text = str(raw).strip()
            if text in MISSING_MARKERS:
                continue
            if text not in cache:
                try:
                    cache[text] = parse_number(text, decimal)
                except ValueError as exc:
                    cache[text] = exc
            value = cache[text]
            if value is None:
                continue
            problem = _value_problem(code, ind.unit, value, example, text, decimal, rules.ranges.get(code))
            if problem is None:
                parsed[i] = value
            else:
                found.append(
                    (int(row), position[column], f"{name}, række {row}, kolonne '{column}': '{text}' {problem}")
                )
        out[code] = parsed
    for part, whole in rules.parts:
        if part not in out or whole not in out:
            continue
        bigger = out[part].to_numpy() > out[whole].to_numpy()
        for row in out.index[bigger]:
            column = used[part]
            found.append(
                (
                    int(row),
                    position[column],
                    f"{name}, række {row}, kolonne '{column}': '{table.at[row, column]}' er større end "
                    f"'{used[whole]}' ({table.at[row, used[whole]]}) – forventet at {catalogue.label(part)} "
                    f"højst er {catalogue.label(whole)} (er kolonnerne byttet om?).",
                )
            )
    progress(1.0, "Kontrol færdig")
    return out


#: A count written with one mark before exactly three digits: "2.000" is 2 000 in Danish, 2 in English.
_AMBIGUOUS_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([.,])\d{3}$")


def _value_problem(
    code: str,
    unit: str,
    value: float | ValueError,
    example: str,
    text: str = "",
    decimal: str = ",",
    limits: tuple[float, float] | None = None,
) -> str | None:
    """What is wrong with one parsed value (None if nothing)."""
    if isinstance(value, ValueError):
        return f"er ikke et tal – forventet et tal som {example}{' (eller tom)' if unit == '%' else ''}."
    if unit == "antal":
        if text.endswith("%"):
            return (
                "er formateret som procent – forventet et antal (helt tal); fjern procentformatet "
                "i Excel (en procentformateret celle gemmes som hundrededele)."
            )
        m = _AMBIGUOUS_THOUSANDS.match(text)
        if m and m.group(1) == decimal:
            other = "." if decimal == "," else ","
            return (
                f"kan læses både som {text.replace(decimal, '.').rstrip('0').rstrip('.')} og som "
                f"{text.replace(decimal, '')} – filen bruger '{decimal}' som decimaltegn; forventet et antal "
                f"uden tusindtalsseparator (fx {text.replace(decimal, '')}) eller med '{other}'."
            )
    low, high = limits if limits is not None else (0.0, 100.0 if unit == "%" else float("inf"))
    if unit == "%":
        if (low, high) == (0.0, 100.0):
            if not 0 <= value <= 100:
                return "ligger uden for 0–100 – forventet en andel i procent mellem 0 og 100."
        elif value < low:
            return f"er negativ – forventet en procent på {_plain(low)} eller derover."
    elif unit == "antal":
        if value < 0:
            return "er negativ – forventet et antal på 0 eller derover."
        if not float(value).is_integer():
            return "er ikke et helt tal – forventet et antal (helt tal)."
    if value < low or value > high:
        return (
            f"er ikke en mulig værdi for én afdeling – forventet {_plain(low)} til {_plain(high)}"
            f"{' %' if unit == '%' else ''} (plausibilitetsreglerne i data/plausibility.toml)."
        )
    return None


def _plain(x: float) -> str:
    """A limit as Danish text (whole numbers grouped with '.')."""
    if float(x).is_integer():
        return f"{int(x):,}".replace(",", ".")
    return str(x).replace(".", ",")


# --- preview ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """What a commit would change, under one rule set."""

    plan: Plan
    previous_label: str | None  # the values release the new one follows (newest at or before it)
    departments: pd.DataFrame  # dept_id, name: departments with values in the new release
    missing: pd.DataFrame  # dept_id, name: in the previous values release, not in the new one
    added: pd.DataFrame  # dept_id, name: in the new release, not in the previous one
    changes: pd.DataFrame  # dept_id, name, before, after (outcome codes), before_label, after_label
    counts: pd.DataFrame  # per outcome: before, after (number of departments)
    data: ReleaseData  # the new release as the store would resolve it


def plan_release_data(store: Store, plan: Plan) -> ReleaseData:
    """The plan resolved as :meth:`Store.release_data` would resolve it once stored."""
    return store.resolve_as_of(plan.label, plan.source, plan.reference_date, plan.label, plan.values)


def preview(store: Store, plan: Plan, rules: RuleSet) -> Preview:
    """Departments with values, departments missing since the previous release, colour changes.

    Only ids, names and outcomes leave here (no values), so showing it respects discretion.
    """
    if rules.scope != "afdeling":
        raise UserError(
            f"Regelsættet '{rules.name}' gælder for {rules.scope}r, ikke afdelinger; "
            "vælg et regelsæt for afdelinger til forhåndsvisningen."
        )
    rel = store.releases()
    rel = rel[pd.to_datetime(rel["reference_date"]).dt.date <= plan.reference_date]
    values_rel = rel[rel["n_values"] > 0]
    previous_values = None if values_rel.empty else str(values_rel.iloc[-1]["label"])
    classifiable = set(store.release_labels())
    before_rel = rel[rel["label"].isin(classifiable)]
    before_label = None if before_rel.empty else str(before_rel.iloc[-1]["label"])

    data = plan_release_data(store, plan)
    after = pd.Series(classify(data.frame, rules, data.refs).outcome, index=data.frame.index)
    names = store.query("SELECT dept_id, name FROM departments").set_index("dept_id")["name"]

    new_ids = pd.Index(plan.departments)
    if previous_values is not None:
        old_ids = pd.Index(
            store.query(
                "SELECT DISTINCT v.dept_id FROM indicator_values v JOIN releases r USING (release_id) "
                "WHERE r.label = ? ORDER BY 1",
                [previous_values],
            )["dept_id"]
        )
    else:
        old_ids = pd.Index([], dtype=object)

    def named(ids) -> pd.DataFrame:
        ids = sorted(ids)
        return pd.DataFrame({"dept_id": ids, "name": [names.get(i, "") for i in ids]})

    if before_label is not None:
        res = classify_release(store, before_label, rules)
        before = pd.Series(res.result.outcome, index=res.data.frame.index)
    else:
        before = pd.Series([], dtype=object)
    common = after.index.intersection(before.index)
    changed = common[before[common].to_numpy() != after[common].to_numpy()]
    labels = {o.code: o.label for o in rules.outcomes}
    changes = named(changed)
    changes["before"] = [before[i] for i in changes["dept_id"]]
    changes["after"] = [after[i] for i in changes["dept_id"]]
    changes["before_label"] = changes["before"].map(labels)
    changes["after_label"] = changes["after"].map(labels)
    order = [o.code for o in rules.outcomes]
    counts = pd.DataFrame(
        {
            "before": before.value_counts().reindex(order, fill_value=0),
            "after": after.value_counts().reindex(order, fill_value=0),
        }
    ).astype(int)
    counts.index.name = "outcome"
    return Preview(
        plan=plan,
        previous_label=previous_values,
        departments=named(new_ids),
        missing=named(old_ids.difference(new_ids)),
        added=named(new_ids.difference(old_ids)),
        changes=changes,
        counts=counts,
        data=data,
    )


# --- commit -------------------------------------------------------------------------------------


def commit(store: Store, plan: Plan, *, actor: Actor, progress: Progress | None = None) -> str:
    """Store the release and its values in one transaction, with its audit record; return its label.

    Needs the ``import`` permission. Nothing is written if anything fails (the label was taken
    meanwhile, a department left the register, the database refuses). Readers keep reading the
    old state until the commit; a second import waits for the write lock.
    """
    require(actor, "import")
    progress = progress or _no_progress
    try:
        with store.transaction() as cur:
            if cur.execute("SELECT count(*) FROM releases WHERE label = ?", [plan.label]).fetchone()[0]:
                raise UserError(
                    f"Udgivelsen '{plan.label}' findes allerede, og en gemt udgivelse kan ikke ændres. Intet er gemt."
                )
            # Checked again here: another import of the same file may have committed since the plan.
            earlier = cur.execute(
                "SELECT label FROM releases WHERE checksum = ? ORDER BY release_id LIMIT 1", [plan.checksum]
            ).fetchone()
            if plan.checksum and earlier is not None:
                raise UserError(
                    f"{plan.file_name}: præcis den samme fil (samme sha256-kontrolsum) er allerede indlæst som "
                    f"udgivelsen '{earlier[0]}' – forventet en ny fil. Intet er gemt."
                )
            release_id = cur.execute(
                "INSERT INTO releases (label, source, reference_date, list_year, n_values, imported_at, imported_by, "
                "file_name, checksum) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?) RETURNING release_id",
                [
                    plan.label,
                    plan.source,
                    plan.reference_date,
                    plan.n_values,
                    datetime.now(),
                    actor.label,
                    plan.file_name,
                    plan.checksum,
                ],
            ).fetchone()[0]
            values = plan.values.assign(release_id=int(release_id))[["release_id", "dept_id", "indicator", "value"]]
            progress(0.1, f"Gemmer {plan.n_values} værdier")
            cur.insert_frame("indicator_values", values)
            store.log_event(
                actor.label,
                "import",
                plan.label,
                file_name=plan.file_name,
                checksum=plan.checksum,
                n_rows=plan.rows,
                details={
                    "kind": "afdelingsdata",
                    "source": plan.source,
                    "values": plan.n_values,
                    **({"partial": plan.partial} if plan.partial else {}),
                },
                cur=cur,
            )
    except duckdb.Error as exc:
        raise UserError(
            f"Udgivelsen '{plan.label}' fra '{plan.file_name}' kunne ikke gemmes, og intet er gemt: {exc}"
        ) from None
    progress(1.0, f"Udgivelsen '{plan.label}' er gemt")
    return plan.label


def import_release(
    store: Store,
    source: str | Path | bytes,
    *,
    file_name: str | None = None,
    label: str,
    release_source: str,
    reference_date: object,
    actor: Actor,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    rules: RuleSet | None = None,
    allow_missing: Iterable[str] = (),
) -> Plan:
    """Read, validate and commit in one call (the command line's path). Returns the plan stored."""
    report = progress or _no_progress
    report(0.0, "Læser filen")
    table = read_table(source, file_name, sheet=sheet, header_row=header_row)
    plan = validate_indicator_release(
        store,
        table,
        label=label,
        source=release_source,
        reference_date=reference_date,
        mapping=mapping,
        today=today,
        progress=lambda f, t: report(0.1 + 0.7 * f, t),
        rules=rules,
        allow_missing=allow_missing,
    )
    commit(store, plan, actor=actor, progress=lambda f, t: report(0.8 + 0.2 * f, t))
    return plan


# --- export -------------------------------------------------------------------------------------


def template_columns() -> list[str]:
    """The template's headers: id, name (ignored on import), then every indicator as 'label (unit)'."""
    return ["Afdelings-id", "Afdeling"] + [field_label(c) for c in catalogue.indicators()]


def export_release_template(store: Store, label: str, rules: RuleSet | None = None) -> bytes:
    """A stored values release in the template layout, as Danish Excel opens CSV.

    Discretion: every value of a department under the discretion limit of ``rules`` (default:
    the adopted rule set) is left empty; the department's row stays, so it imports as grey.
    """
    row = store._release_row(label)
    if int(row["n_values"]) == 0:
        raise UserError(f"Udgivelsen '{label}' ({row['source']}) har ingen afdelingsværdier at eksportere.")
    long = store.query(
        "SELECT v.dept_id, v.indicator, v.value FROM indicator_values v JOIN releases r USING (release_id) "
        "WHERE r.label = ?",
        [label],
    )
    wide = long.pivot(index="dept_id", columns="indicator", values="value").sort_index()
    codes = list(catalogue.indicators())
    wide = wide.reindex(columns=codes)
    rules = rules or store.adopted_rule_set()
    if rules.discretion is not None:
        d = wide[rules.discretion.indicator].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            masked = ~(d >= rules.discretion.minimum)
        wide.loc[masked, :] = np.nan
    names = store.query("SELECT dept_id, name FROM departments").set_index("dept_id")["name"]
    out = pd.DataFrame({"Afdelings-id": wide.index, "Afdeling": wide.index.map(names).fillna("")})
    for code in codes:
        values = wide[code].to_numpy(dtype=float)
        if catalogue.unit(code) == "antal" and np.all(np.isnan(values) | (values == np.round(values))):
            out[field_label(code)] = pd.array(np.where(np.isnan(values), None, values), dtype="Int64")
        else:
            out[field_label(code)] = values
    return to_csv_danish(out)
