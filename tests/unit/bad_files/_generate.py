"""Regenerate the bad-file corpus: ``.venv/bin/python tests/unit/bad_files/_generate.py``.

Each file is small and has one kind of problem (``many_problems.csv`` has several). The expected
messages and import parameters are in ``manifest.toml`` beside this script.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
H = "Afdelings-id;Afdeling;Beboere (antal);Beboere 18–64 år (antal);Uden for arbejdsmarked og uddannelse (%)"
OK1 = "101-003;Demo-afd. 3;248;169;19,9"
OK2 = "101-007;Demo-afd. 7;43;28;27,2"


def csv(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


FILES: dict[str, bytes] = {
    "empty.csv": b"",
    "blank_lines.csv": b"\r\n   \r\n\r\n",
    "bom_only.csv": b"\xef\xbb\xbf",
    "header_only.csv": csv(H),
    "header_and_blank_rows.csv": csv(H, ";;;;", ""),
    "missing_id_column.csv": csv("Afdeling;Beboere (antal)", "Demo-afd. 3;248"),
    "org_without_dept_no.csv": csv("org_nr;beboere", "101;248"),
    "no_indicator_columns.csv": csv("afdelings_id;afdeling;bemærkning", "101-003;Demo-afd. 3;ok"),
    "text_in_number.csv": csv(H, OK1, "101-007;Demo-afd. 7;mange;28;27,2"),
    "share_140.csv": csv(H, OK1, "101-007;Demo-afd. 7;43;28;140"),
    "share_negative.csv": csv(H, "101-003;Demo-afd. 3;248;169;-5,0 %", OK2),
    "negative_count.csv": csv(H, OK1, "101-007;Demo-afd. 7;43;-28;27,2"),
    "fractional_count.csv": csv(H, "101-003;Demo-afd. 3;248,5;169;19,9", OK2),
    "infinite_value.csv": csv(H, OK1, "101-007;Demo-afd. 7;43;28;1e999"),
    "english_decimal_in_danish_file.csv": csv(H, OK1, "101-007;Demo-afd. 7;43;28;27.25"),
    "bad_thousands_group.csv": csv(H, "101-003;Demo-afd. 3;2.48;169;19,9", OK2),
    "duplicate_department.csv": csv(H, OK1, OK2, "101-003;Demo-afd. 3 igen;250;170;20,1"),
    "unknown_department.csv": csv(H, OK1, "999-999;Findes ikke;43;28;27,2"),
    "unknown_org_and_dept_no.csv": csv("org_nr;afd_nr;beboere", "101;3;248", "101;999;43"),
    "org_no_not_a_number.csv": csv("org_nr;afd_nr;beboere", "101;3;248", "HB;7;43"),
    "blank_department_id.csv": csv(H, OK1, ";Uden id;43;28;27,2"),
    "binary_garbage.csv": bytes(range(256)) * 4,
    "text_named.xlsx": csv(H, OK1, OK2),
    "garbage_named.xlsx": b"\x00\x01\x02 not a workbook \xff\xfe" * 20,
    "old_excel.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 120,
    "not_a_table.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    "mixed_separators.csv": csv(H, OK1, "101-007,Demo-afd. 7,43,28,27.2"),
    "short_row.csv": csv(H, OK1, "101-007;Demo-afd. 7;43"),
    "two_id_columns.csv": csv("afdelings_id;dept_id;beboere", "101-003;101-003;248"),
    "latin1_text_in_share.csv": csv(H, "101-003;Demo-afd. 3 Æblehaven;248;169;høj", OK2, encoding="cp1252"),
    "many_problems.csv": csv(
        H,
        "101-003;Demo-afd. 3;-1;169;19,9",
        "101-007;Demo-afd. 7;43;28;101",
        "999-001;Ukendt;12;ti;5",
        "101-007;Dublet;43;28;27,2",
    ),
    # Valid files, refused because of the import parameters (see manifest.toml).
    "valid_for_params.csv": csv(H, OK1, OK2),
}

XLSX_FILES: dict[str, dict[str, list[list]]] = {
    "xlsx_text_in_number.xlsx": {
        "Forside": [["Trappetrin – testfil"]],
        "Data": [
            ["LBF Tvillingeværktøj, testudtræk"],
            [None],
            ["Afdelings-id", "Beboere (antal)", "Uden for arbejdsmarked og uddannelse (%)"],
            ["101-003", 248, 19.9],
            ["101-007", "fyrre", 27.2],
        ],
    },
    "xlsx_share_over_100.xlsx": {
        "Ark1": [["afdelings_id", "pct_outside_labour"], ["101-003", 19.9], ["101-007", 127.5]],
    },
    "xlsx_valid_one_sheet.xlsx": {
        "Ark1": [["afdelings_id", "beboere"], ["101-003", 248], ["101-007", 43]],
    },
    "xlsx_header_only.xlsx": {"Ark1": [["afdelings_id", "beboere"]]},
}
# A real workbook given a .csv name.
FILES["xlsx_named.csv"] = xlsx({"Ark1": [["afdelings_id", "beboere"], ["101-003", 248]]})


def main() -> None:
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)
    for name, sheets in XLSX_FILES.items():
        (HERE / name).write_bytes(xlsx(sheets))


if __name__ == "__main__":
    main()
