"""Reading import files: bytes → decoded text or workbook → a frame of text cells.

Files come as users have them: CSV in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode-tekst")
or Windows-1252 (also mixed line by line with UTF-8), separated by ``;``, ``,`` or tabs; or XLSX
with a chosen sheet and a header row that need not be the first (the header search looks for a
department-id header in the first rows). Every kind of table import reads through
:func:`read_table`, and so does ``check-areas`` (:func:`trappetrin.areas.read_area_file`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from .. import spreadsheet
from ..errors import UserError
from ..export import restore_neutralised
from .columns import is_id_header
from .problems import Problem, file_problem, problems_error

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
        ``checksum`` (sha256 of the bytes), ``row_problems`` (:class:`~.problems.Problem` for rows
        whose field count does not fit the header; every kind reports them) and ``ragged_rows``.

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
        found_id = any(is_id_header(c) for c in rows[head]) if head < len(rows) else False
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
    if header_row is not None or (head < len(rows) and any(is_id_header(c) for c in rows[head])):
        return None
    for i, row in enumerate(rows[HEADER_SEARCH_ROWS:], start=HEADER_SEARCH_ROWS + 1):
        if any(is_id_header(c) for c in row):
            return i
    return None


def _find_header(rows: list[list[str]], header_row: int | None, name: str) -> int:
    """0-based index of the header row."""
    if header_row is not None:
        if not 1 <= header_row <= max(len(rows), 1):
            raise UserError(f"Filen '{name}' har ingen overskriftsrække {header_row}; den har {len(rows)} rækker.")
        return header_row - 1
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(is_id_header(c) for c in row):
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
                Problem(
                    name,
                    number,
                    None,
                    None,
                    f"rækken har {len(cells)} felt{'er' if len(cells) != 1 else ''}, men overskriften har {width}",
                    "samme antal felter i hver række (er semikolon og komma blandet, "
                    "eller mangler der anførselstegn om en værdi med skilletegn?)",
                )
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
                has_id = head < len(rows) and any(is_id_header(c) for c in rows[head])
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
            file_problem(
                where,
                f"{len(cells)} celle{'r' if len(cells) != 1 else ''} med formel uden gemt resultat ({shown})",
                "beregnede værdier: åbn filen i Excel, lad den regne, og gem den igen (eller gem som CSV)",
            )
        )
    merged = [rng for rng, _first, last in info.merged if last >= header_row]
    if merged:
        shown = ", ".join(merged[: spreadsheet.SHOWN]) + (
            f" og {len(merged) - spreadsheet.SHOWN} flere" if len(merged) > spreadsheet.SHOWN else ""
        )
        problems.append(
            file_problem(
                where,
                f"flettede celler i tabellen ({shown})",
                "én værdi i hver celle; ophæv fletningen i Excel (Flet og centrer → Ophæv fletning) og udfyld cellerne",
            )
        )
    if problems:
        raise problems_error(f"Filen '{where}' kan ikke indlæses ({len(problems)} fejl). Intet er gemt.", problems)


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
