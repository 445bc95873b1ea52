"""Looking inside a file before parsing it: size limits, XLSX structure, text encodings.

A spreadsheet is checked here before openpyxl (or the CSV reader) sees it, so a hostile or broken
file is refused in Danish within seconds and bounded memory:

- the file itself may be at most :data:`MAX_FILE_BYTES`;
- an XLSX's entries are inspected through the zip directory: their declared uncompressed size
  (which :mod:`zipfile` enforces while reading, so it cannot lie) may not exceed
  :data:`MAX_UNCOMPRESSED`, and no large entry may be compressed more than :data:`MAX_RATIO`
  times (a deflate bomb);
- each sheet that is read is first streamed with ``iterparse`` (constant memory) to find the cells
  actually used, merged ranges and formulas without a cached value; a sheet reaching beyond
  :data:`MAX_ROWS` rows, :data:`MAX_COLUMNS` columns or :data:`MAX_CELLS` cells is refused before
  any cell is materialised.

No Streamlit here.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from .errors import UserError

#: Largest file read at all (bytes). A national release of ~10.000 departments is about 2 MB.
MAX_FILE_BYTES = 25 * 1024 * 1024
#: Largest total uncompressed size of an XLSX's entries.
MAX_UNCOMPRESSED = 80 * 1024 * 1024
#: Largest compression ratio of an entry above :data:`RATIO_FLOOR` bytes uncompressed.
MAX_RATIO = 150
RATIO_FLOOR = 2 * 1024 * 1024
#: Most rows, columns and cells (of the used rectangle) a sheet (or CSV file) may span. Denmark has
#: about 8.000 social-housing departments; 20.000 rows keeps the worst refused file near 5 s.
MAX_ROWS = 20_000
MAX_COLUMNS = 300
MAX_CELLS = 2_000_000
#: At most this many cells are named in one message.
SHOWN = 5

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_CHUNK = 4 * 1024 * 1024
# Sheet XML, searched as bytes (an optional namespace prefix on every tag).
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTR_R = re.compile(rb'\br="([^"]*)"')
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_REF_ATTR = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="\$?([A-Z]{1,3})\$?(\d{1,7})"')
# A cell holding a formula and no (or an empty) cached value.
_FORMULA_ONLY = re.compile(
    rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v></(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([^\"]+)\"")


def _grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB".replace(".", ",").replace(",0 MB", " MB")


def check_size(size: int, name: str) -> None:
    """Refuse a file larger than :data:`MAX_FILE_BYTES` before it is read."""
    if size > MAX_FILE_BYTES:
        raise UserError(
            f"Filen '{name}' er for stor ({megabytes(size)}; der indlæses højst {megabytes(MAX_FILE_BYTES)}) – "
            "forventet en tabel med én række pr. afdeling (en udgivelse for hele landet fylder omkring 2 MB). "
            "Er det den rigtige fil?"
        )


def is_encrypted_office(data: bytes) -> bool:
    """An Office file protected with a password: an OLE container holding an ``EncryptedPackage``."""
    return data.startswith(_OLE_MAGIC) and "EncryptedPackage".encode("utf-16-le") in data


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the bytes look like UTF-16 text without a byte order mark."""
    sample = data[:8192]
    if len(sample) < 4 or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd > 0.6 and zeros_even < 0.05:
        return "utf-16-le"
    if zeros_even > 0.6 and zeros_odd < 0.05:
        return "utf-16-be"
    return None


def column_letters(number: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


def _column_number(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col


def parse_ref(ref: str) -> tuple[int, int] | None:
    """``'B12'`` → (row 12, column 2)."""
    m = _CELL_REF.match(ref.strip().upper())
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


@dataclass
class SheetInfo:
    """One worksheet as found in the workbook, and (after :meth:`Workbook.scan`) its cells."""

    name: str
    state: str  # visible, hidden or veryHidden
    path: str  # entry in the zip
    max_row: int = 0
    max_column: int = 0
    cells: int = 0
    merged: list[tuple[str, int, int]] = field(default_factory=list)  # (range, first row, last row)
    formulas_without_value: list[str] = field(default_factory=list)  # cell refs
    scanned: bool = False

    @property
    def visible(self) -> bool:
        return self.state == "visible"


class Workbook:
    """An XLSX opened for inspection only (the zip directory and streamed XML)."""

    def __init__(self, data: bytes, name: str):
        self.name = name
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise UserError(
                f"Filen '{name}' er ikke en gyldig Excel-projektmappe (zip-strukturen er beskadiget eller "
                "filen er kun delvist gemt/hentet) – gem den igen fra Excel som .xlsx eller .csv."
            ) from None
        self._check_sizes()
        self.sheets = self._sheets()

    def _check_sizes(self) -> None:
        total = 0
        for info in self.zip.infolist():
            total += info.file_size
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise UserError(
                    f"Filen '{self.name}' pakker {megabytes(info.file_size)} sammen i "
                    f"{_grouped(info.compress_size)} bytes (delen '{info.filename}') – det ligner en zip-bombe, "
                    "ikke en regneark-tabel, og den læses ikke. Gem tabellen igen fra Excel."
                )
        if total > MAX_UNCOMPRESSED:
            raise UserError(
                f"Filen '{self.name}' fylder {megabytes(total)} udpakket, mere end de "
                f"{megabytes(MAX_UNCOMPRESSED)}, der kan læses – forventet en tabel med én række pr. "
                "afdeling. Slet overflødige ark og kolonner, eller gem tabellen som CSV."
            )

    def _xml(self, entry: str):
        try:
            return ElementTree.fromstring(self.zip.read(entry))
        except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise UserError(
                f"Filen '{self.name}' er ikke en gyldig Excel-projektmappe (delen '{entry}' mangler eller er "
                "beskadiget) – gem den igen fra Excel som .xlsx eller .csv."
            ) from None

    def _sheets(self) -> list[SheetInfo]:
        book = self._xml("xl/workbook.xml")
        rels = {}
        try:
            rel_root = self._xml("xl/_rels/workbook.xml.rels")
            for rel in rel_root.iter(f"{_PKG_REL}Relationship"):
                target = rel.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                rels[rel.get("Id")] = target
        except UserError:
            pass
        out = []
        for i, sheet in enumerate(book.iter(f"{_MAIN}sheet"), start=1):
            path = rels.get(sheet.get(f"{_REL}id"), f"xl/worksheets/sheet{i}.xml")
            out.append(SheetInfo(name=sheet.get("name", f"Ark{i}"), state=sheet.get("state", "visible"), path=path))
        return out

    def scan(self, sheet: SheetInfo) -> SheetInfo:
        """Stream the sheet's XML once: extent, merged ranges, formulas without a cached value.

        The XML is read in chunks of whole rows and searched with regular expressions (C speed,
        constant memory: no element tree is built). Raises a :class:`UserError` as soon as the
        sheet reaches beyond the limits.
        """
        if sheet.scanned:
            return sheet
        where = f"Filen '{self.name}', ark '{sheet.name}'"
        try:
            stream = self.zip.open(sheet.path)
        except KeyError:
            raise UserError(
                f"{where}: arket mangler i filen (projektmappen er beskadiget) – gem den igen fra Excel."
            ) from None
        try:
            with stream:
                buffer, row_number = b"", 0
                while True:
                    chunk = stream.read(_CHUNK)
                    buffer += chunk
                    cut = buffer.rfind(b"</row>") + 6 if chunk else len(buffer)
                    if cut >= 6 or not chunk:
                        row_number = self._scan_rows(sheet, buffer[:cut], row_number)
                        if not chunk:
                            break
                        buffer = buffer[cut:]
                    elif len(buffer) > MAX_UNCOMPRESSED:  # pragma: no cover - sizes are checked before
                        break
        except (zipfile.BadZipFile, EOFError, OSError, ValueError):
            raise UserError(
                f"{where}: arket kan ikke pakkes ud (filen er beskadiget eller kun delvist gemt) – "
                "gem projektmappen igen fra Excel."
            ) from None
        sheet.scanned = True
        return sheet

    def _scan_rows(self, sheet: SheetInfo, text: bytes, row_number: int) -> int:
        """Cells, formulas and merged ranges in ``text`` (whole rows, or the sheet's tail).

        Every cell counts towards the extent, filled or only formatted: openpyxl would pad up to
        it either way. The searches run in C (``findall``); Python only sees the matches.
        """
        refs = _CELL_REF_ATTR.findall(text)
        tags = text.count(b"<c ") + text.count(b"<c>") or len(_CELL_TAG.findall(text))
        if len(refs) < tags:
            row_number = self._scan_without_refs(sheet, text, row_number)
        elif refs:
            rows = [int(r) for _, r in refs]
            letters = {c for c, _ in refs}
            top = max(rows)
            widest = max(len(c) for c in letters)
            last = max((c for c in letters if len(c) == widest), key=_column_number)
            right = _column_number(last)
            sheet.cells += len(refs)
            if (
                top > MAX_ROWS
                or right > MAX_COLUMNS
                or max(sheet.max_row, top) * max(sheet.max_column, right) > MAX_CELLS
            ):
                # Name one cell beyond the limits: the lowest, or the rightmost.
                c, r = refs[rows.index(top)] if right <= MAX_COLUMNS else next(ref for ref in refs if ref[0] == last)
                sheet.max_row, sheet.max_column = max(sheet.max_row, top), max(sheet.max_column, right)
                self._limits(sheet, f"{c.decode()}{int(r)}", int(r), _column_number(c))
            sheet.max_row, sheet.max_column = max(sheet.max_row, top), max(sheet.max_column, right)
            row_number = max(row_number, top)
        if b"<f" in text or b":f" in text:
            for attrs in _FORMULA_ONLY.findall(text):
                ref = _ATTR_R.search(attrs)
                sheet.formulas_without_value.append(ref.group(1).decode("ascii", "replace") if ref else "?")
        if b"mergeCell" not in text:
            return row_number
        for merge in _MERGE.finditer(text):
            rng = merge.group(1).decode("ascii", "replace")
            first, _, last = rng.partition(":")
            a, b = parse_ref(first), parse_ref(last or first)
            if a and b:
                sheet.merged.append((rng, a[0], b[0]))
        return row_number

    def _scan_without_refs(self, sheet: SheetInfo, text: bytes, row_number: int) -> int:
        """The slow path for sheets whose cells omit ``r`` (allowed, rare): count positions."""
        for row in _ROW.finditer(text):
            m = _ATTR_R.search(row.group(1))
            row_number = int(m.group(1)) if m and m.group(1).isdigit() else row_number + 1
            col = 0
            for cell in _CELL.finditer(row.group(2) or b""):
                ref = _ATTR_R.search(cell.group(1))
                pos = parse_ref(ref.group(1).decode("ascii", "replace")) if ref else None
                r, col = pos if pos else (row_number, col + 1)
                sheet.cells += 1
                sheet.max_row, sheet.max_column = max(sheet.max_row, r), max(sheet.max_column, col)
                self._limits(sheet, f"{column_letters(col)}{r}", r, col)
        return row_number

    def _limits(self, sheet: SheetInfo, ref: str, row: int, col: int) -> None:
        if row > MAX_ROWS or col > MAX_COLUMNS or sheet.max_row * sheet.max_column > MAX_CELLS:
            raise UserError(
                f"Filen '{self.name}', ark '{sheet.name}': arket har en celle (udfyldt eller formateret) "
                f"helt ude i {ref} "
                f"(række {_grouped(row)}, kolonne {_grouped(col)}); der læses højst {_grouped(MAX_ROWS)} rækker, "
                f"{MAX_COLUMNS} kolonner og {_grouped(MAX_CELLS)} celler i alt – slet indholdet uden for "
                "tabellen, eller gem tabellen som CSV."
            )

    def close(self) -> None:
        self.zip.close()
