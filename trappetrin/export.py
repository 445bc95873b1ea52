"""File formats for the colour list: CSV for Danish Excel, plain CSV and XLSX."""

from __future__ import annotations

import io

import pandas as pd


def to_csv_danish(table: pd.DataFrame) -> bytes:
    """CSV as Danish Excel opens it: semicolons, decimal comma, UTF-8 with BOM, CRLF."""
    text = table.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def to_csv_plain(table: pd.DataFrame) -> bytes:
    """Plain CSV: commas, decimal point, UTF-8 without BOM."""
    return table.to_csv(index=False).encode("utf-8")


def to_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX workbook with one sheet per entry; column widths fitted to the content."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "A2"
            for i, column in enumerate(table.columns, start=1):
                width = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
                sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = min(60, width + 2)
    return buffer.getvalue()
