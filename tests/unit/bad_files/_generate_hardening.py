"""Regenerate the corpus files of issue 19 (files once accepted with wrong data, files that
exhausted memory, unclear messages): ``.venv/bin/python tests/unit/bad_files/_generate_hardening.py``.
Their cases are in ``manifest.toml`` (section "hardening"); each must be refused with nothing written.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
H = "Afdelings-id;Afdeling;Beboere (antal);Beboere 18–64 år (antal);Uden for arbejdsmarked og uddannelse (%)"
OK1 = "101-003;Demo-afd. 3;248;169;19,9"
OK2 = "101-007;Demo-afd. 7;43;28;27,2"
SD = "Organisationsnummer;Afdelingsnummer;Afdeling;Familieboliger;BAB-boliger"


def csv(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def save(book: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def sheet_rows(ws, rows: list[list]) -> None:
    for row in rows:
        ws.append(row)


def hidden_stale_first_sheet() -> bytes:
    """The first sheet (hidden) is an old copy that would import; the visible one has an error."""
    book = openpyxl.Workbook()
    old = book.active
    old.title = "Gammel"
    sheet_rows(old, [["afdelings_id", "beboere"], ["101-003", 999], ["101-007", 999]])
    old.sheet_state = "hidden"
    new = book.create_sheet("Data")
    sheet_rows(new, [["afdelings_id", "beboere"], ["101-003", 248], ["101-007", "fyrre"]])
    return save(book)


def only_hidden_sheets() -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Skjult"
    sheet_rows(ws, [["afdelings_id", "beboere"], ["101-003", 248]])
    book.create_sheet("Skjult2").sheet_state = "hidden"
    # openpyxl refuses to save a workbook without a visible sheet; hide the first one afterwards.
    visible, hidden = b'sheetId="1" state="visible"', b'sheetId="1" state="hidden"'
    return _patch(save(book), "xl/workbook.xml", lambda x: x.replace(visible, hidden))


def formula_without_value() -> bytes:
    """openpyxl writes formulas without a cached result, as a script or a web export would."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Ark1"
    sheet_rows(ws, [["afdelings_id", "beboere", "beboere_18_64"], ["101-003", 248, "=B2*0.68"], ["101-007", 43, 28]])
    return save(book)


def merged_cells() -> bytes:
    """A merged range over cells that still hold values underneath (Excel shows only the first)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Ark1"
    sheet_rows(ws, [["afdelings_id", "beboere"], ["101-003", 248], ["101-007", 43]])
    data = save(book)
    return _patch(
        data,
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(
            b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="B2:B3"/></mergeCells>'
        ),
    )


def count_as_percent() -> bytes:
    """Residents typed into cells formatted as percent: 2,48 shown as 248 %, once stored as 248."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Ark1"
    sheet_rows(ws, [["afdelings_id", "beboere"], ["101-003", 2.48], ["101-007", 0.43]])
    for row in (2, 3):
        ws.cell(row, 2).number_format = "0%"
    return save(book)


def far_away_cell() -> bytes:
    """A tiny workbook with one cell at the last row and column Excel allows."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Ark1"
    sheet_rows(ws, [["afdelings_id", "beboere"], ["101-003", 248]])
    ws["XFD1048576"] = "x"
    return save(book)


def deflate_bomb() -> bytes:
    """A valid workbook whose sheet is padded with megabytes of whitespace that compress ~1000:1."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Ark1"
    sheet_rows(ws, [["afdelings_id", "beboere"], ["101-003", 248]])
    data = save(book)
    return _patch(
        data, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"<sheetData>", b"<sheetData>" + b" " * 4_000_000)
    )


def truncated_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet_rows(book.active, [["afdelings_id", "beboere"], ["101-003", 248]])
    data = save(book)
    return data[: len(data) // 2]


def encrypted_xlsx() -> bytes:
    """What Excel writes for a password-protected workbook: an OLE container with an
    ``EncryptedPackage`` stream (only the parts the reader looks at)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50 + "EncryptedPackage".encode("utf-16-le")
    return header + directory + b"\x00" * 200


def _patch(data: bytes, entry: str, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == entry:
                body = change(body)
            dst.writestr(info.filename, body)
    return out.getvalue()


def square(lon: float, lat: float, d: float = 0.05) -> list:
    return [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]


def geojson(name: str, lon: float, lat: float) -> bytes:
    feature = {
        "type": "Feature",
        "properties": {"navn": name},
        "geometry": {"type": "Polygon", "coordinates": square(lon, lat)},
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


PREAMBLE = [f"Note {i};;;;" for i in range(1, 56)]

FILES: dict[str, bytes] = {
    "xlsx_hidden_stale_first_sheet.xlsx": hidden_stale_first_sheet(),
    "xlsx_only_hidden_sheets.xlsx": only_hidden_sheets(),
    "xlsx_formula_without_value.xlsx": formula_without_value(),
    "xlsx_merged_cells.xlsx": merged_cells(),
    "xlsx_count_as_percent.xlsx": count_as_percent(),
    "xlsx_far_away_cell.xlsx": far_away_cell(),
    "xlsx_deflate_bomb.xlsx": deflate_bomb(),
    "xlsx_truncated.xlsx": truncated_xlsx(),
    "xlsx_encrypted.xlsx": encrypted_xlsx(),
    # Header in UTF-8, one data row pasted in from a Windows-1252 file.
    "mixed_utf8_cp1252.csv": csv(H, OK1) + "101-007;Demo-afd. 7 Æblehaven;43;høj;27,2\r\n".encode("cp1252"),
    # UTF-8 headers read once as Windows-1252 and saved again: 'Beboere 18â€“64 Ã¥r'.
    "mojibake_headers.csv": csv(H.encode("utf-8").decode("cp1252", errors="replace"), OK1),
    # Comma-separated with a decimal point: '2.000' would be two.
    "thousands_in_point_decimal_file.csv": csv(
        "afdelings_id,beboere,pct_outside_labour", "101-003,2.000,19.9", "101-007,43,27.25"
    ),
    "absurd_residents.csv": csv(H, "101-003;Demo-afd. 3;999.999.999.999;169;19,9", OK2),
    "absurd_income.csv": csv("afdelings_id;indkomst", "101-003;1e300", "101-007;88,5"),
    "subgroup_larger_than_total.csv": csv(H, "101-003;Demo-afd. 3;248;300;19,9", OK2),
    "all_values_suppressed.csv": csv(H, "101-003;Demo-afd. 3;*;*;*", "101-007;Demo-afd. 7;*;*;*"),
    "utf16_without_bom.txt": "Afdelings-id\tBeboere\r\n101-003\t248\r\n101-007\tfyrre\r\n".encode("utf-16-le"),
    "header_after_row_55.csv": csv(*PREAMBLE, H, OK1, OK2),
    "missing_rule_columns.csv": csv(H, OK1, OK2),
    "sd_empty_longitude.csv": csv(SD + ";Breddegrad;Længdegrad", "101;3;Demo-afd. 3 Enghaven;120;0;57,0085;"),
    "sd_malmo.csv": csv(SD + ";Breddegrad;Længdegrad", "101;3;Demo-afd. 3 Enghaven;120;0;55,6050;13,0038"),
    "sd_gothenburg.csv": csv(SD + ";Breddegrad;Længdegrad", "101;3;Demo-afd. 3 Enghaven;120;0;57,7089;11,9746"),
    "geo_malmo.geojson": geojson("Malmö", 12.98, 55.58),
    "geo_gothenburg.geojson": geojson("Göteborg", 11.95, 57.69),
    "geo_broken_ring.geojson": b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
    b'"geometry":{"type":"Polygon","coordinates":[[[9.9,57.0],[9.91,57.0]]]}}]}',
}


def main() -> None:
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
