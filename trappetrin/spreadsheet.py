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
#: Most rows, columns and cells (of the used rectangle) a sheet may span.
MAX_ROWS = 100_000
MAX_COLUMNS = 300
MAX_CELLS = 2_000_000
#: At most this many cells are named in one message.
SHOWN = 5

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


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

        Raises a :class:`UserError` as soon as the sheet reaches beyond the limits.
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
        last_row = 0
        try:
            with stream:
                for _event, elem in ElementTree.iterparse(stream, events=("end",)):
                    tag = elem.tag
                    if tag == f"{_MAIN}c":
                        ref = elem.get("r")
                        pos = parse_ref(ref) if ref else None
                        if pos is None:
                            pos = (last_row or 1, sheet.max_column + 1)
                            ref = f"{column_letters(pos[1])}{pos[0]}"
                        row, col = pos
                        value = elem.find(f"{_MAIN}v")
                        inline = elem.find(f"{_MAIN}is")
                        has_value = (value is not None and (value.text or "") != "") or inline is not None
                        if elem.find(f"{_MAIN}f") is not None and not has_value:
                            sheet.formulas_without_value.append(ref)
                        if has_value:
                            sheet.cells += 1
                            sheet.max_row = max(sheet.max_row, row)
                            sheet.max_column = max(sheet.max_column, col)
                            self._limits(sheet, ref, row, col)
                        elem.clear()
                    elif tag == f"{_MAIN}row":
                        r = elem.get("r")
                        last_row = int(r) if r and r.isdigit() else last_row + 1
                        elem.clear()
                    elif tag == f"{_MAIN}mergeCell":
                        rng = elem.get("ref", "")
                        first, _, last = rng.partition(":")
                        a, b = parse_ref(first), parse_ref(last or first)
                        if a and b:
                            sheet.merged.append((rng, a[0], b[0]))
                    elif tag == f"{_MAIN}sheetData":
                        elem.clear()
        except ElementTree.ParseError:
            raise UserError(
                f"{where}: arkets indhold er beskadiget (ikke gyldig XML) – gem projektmappen igen fra Excel."
            ) from None
        except (zipfile.BadZipFile, EOFError, OSError, ValueError):
            raise UserError(
                f"{where}: arket kan ikke pakkes ud (filen er beskadiget eller kun delvist gemt) – "
                "gem projektmappen igen fra Excel."
            ) from None
        sheet.scanned = True
        return sheet

    def _limits(self, sheet: SheetInfo, ref: str, row: int, col: int) -> None:
        if row > MAX_ROWS or col > MAX_COLUMNS or sheet.max_row * sheet.max_column > MAX_CELLS:
            raise UserError(
                f"Filen '{self.name}', ark '{sheet.name}': arket har en udfyldt celle helt ude i {ref} "
                f"(række {_grouped(row)}, kolonne {_grouped(col)}); der læses højst {_grouped(MAX_ROWS)} rækker, "
                f"{MAX_COLUMNS} kolonner og {_grouped(MAX_CELLS)} celler i alt – slet indholdet uden for "
                "tabellen, eller gem tabellen som CSV."
            )

    def close(self) -> None:
        self.zip.close()
