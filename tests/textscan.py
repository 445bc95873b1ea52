"""Find what a Danish reader must never see: English numbers, ISO dates, None/nan, internal keys, English.

:func:`problems` scans one text; :func:`app_texts` collects every text an AppTest run shows (all
element protos, every string field, dataframe cells, chart specs, map tooltips); :func:`frame_problems`
checks a table's cells, including numeric columns that the browser would write the English way.

The rules (issue 14.3):

- a decimal point: ``\\d+\\.\\d{1,2}`` as a number (``454.2``, ``1.5``), not a date (``05.12.2026``)
  nor a time (``kl. 13.21``) nor a grouped number (``1.234``);
- an ungrouped number from 1.000 up (``23324``), outside years (1900–2099) and ids (tokens with
  letters, release labels such as ``2026-11``, the cells of id columns);
- an ISO date (``2026-12-05``): dates are written ``05.12.2026``;
- ``None``, ``nan``, ``NaN``, ``NaT``, ``<NA>``;
- an internal key: ``snake_case`` names (``pct_outside_labour``) and parameter keys (``c.forebyggelse.x``);
- Streamlit's own English (``Select all``, ``Upload``, ``Drag and drop``, ``per file``, …).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd

DECIMAL_POINT = re.compile(r"(?<![\w.,:/#-])\d+\.\d{1,2}(?![\d.])")
TIME = re.compile(r"kl\. \d{2}\.\d{2}")
UNGROUPED = re.compile(r"(?<![\w.,:/#+-])\d{4,}(?![\w.,]\d|[\w-])")
ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")
MISSING_WORDS = re.compile(r"(?<![\w-])(None|nan|NaN|NaT|<NA>|null|undefined)(?![\w-])")
SNAKE = re.compile(r"(?<![\w./@:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./@-])")
PARAM_KEY = re.compile(r"(?<![\w./])[cdgk]\.[a-z_]+(?:\.[a-z0-9_]+)?(?![\w])")
ENGLISH = re.compile(
    r"Select all|Select \d+ matches|\bUpload\b|Drag and drop|per file|Browse files|Choose an option|No results"
    r"|\bkind:|\bsource:|\bvalues:|\bformat:"
)
#: Tokens that are ids, not numbers: letters and digits mixed (hashes, file names), URLs, emails.
ID_TOKEN = re.compile(r"\S*[A-Za-z_]\S*\d\S*|\S*\d\S*[A-Za-z_]\S*|https?://\S+|\S+@\S+")
RELEASE_LABEL = re.compile(r"(?<![\w-])\d{4}-\d{2}(?![\w-])")
#: Version numbers of licences and formats ("CC BY 4.0", "v1.2") are names, not quantities.
VERSION = re.compile(r"(?:\bCC BY(?:-SA)?|\bODbL|\b[vV]|\bversion|§) ?\d+(?:\.\d+)*")
#: Columns that hold ids, whatever their numbers look like.
ID_COLUMN = re.compile(r"(?i)(-id|\bid|kontrolsum|nøgle|postnummer|cvr)\b")


def _is_year(token: str) -> bool:
    return len(token) == 4 and 1900 <= int(token) <= 2099


def problems(text: object, where: str = "") -> list[str]:
    """Every problem in ``text`` as ``where: kind: excerpt``."""
    if text is None or isinstance(text, bytes):
        return []
    s = str(text)
    found: list[str] = []

    def add(kind: str, m: re.Match) -> None:
        a, b = max(m.start() - 25, 0), min(m.end() + 25, len(s))
        found.append(f"{where}: {kind}: …{s[a:b]}…")

    for m in MISSING_WORDS.finditer(s):
        add("missing value", m)
    for m in ENGLISH.finditer(s):
        add("English", m)
    for m in PARAM_KEY.finditer(s):
        add("internal key", m)
    for m in SNAKE.finditer(s):
        add("internal key", m)
    for m in ISO_DATE.finditer(s):
        add("ISO date", m)
    plain = VERSION.sub(" ", TIME.sub(" ", s))
    plain = ID_TOKEN.sub(" ", plain)
    plain = RELEASE_LABEL.sub(" ", plain)
    for m in DECIMAL_POINT.finditer(plain):
        add("decimal point", m)
    for m in UNGROUPED.finditer(plain):
        if not _is_year(m.group()):
            add("ungrouped number", m)
    return found


def frame_problems(frame: pd.DataFrame, where: str, *, ids: Iterable[str] = ()) -> list[str]:
    """Problems in a table: its headers and text cells, and numeric columns the browser writes in English.

    A numeric column is shown by the data grid the English way (``454.2``, ``23324``), so any
    fraction, or any whole number from 1.000 up outside an id or year column, is a problem.
    """
    ids = set(ids)
    found = []
    for column in frame.columns:
        found += problems(column, f"{where} header")
        values = frame[column]
        if column in ids or ID_COLUMN.search(str(column)):
            continue
        if pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_numeric_dtype(values):
            v = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
            v = v[~np.isnan(v)]
            if (v != np.round(v)).any():
                found.append(f"{where}[{column}]: numbers with a decimal point in the grid: {v[v != np.round(v)][:3]}")
            big = v[(np.abs(v) >= 1000) & ~((v >= 1900) & (v <= 2099))]
            if len(big):
                found.append(f"{where}[{column}]: ungrouped numbers in the grid: {big[:3]}")
            if values.isna().any():
                found.append(f"{where}[{column}]: a missing number (the grid writes None)")
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            found.append(f"{where}[{column}]: a date column (the grid writes it ISO)")
            continue
        for i, cell in enumerate(values):
            if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
                found.append(f"{where}[{column}] row {i}: a missing cell (the grid writes None)")
            elif not isinstance(cell, str):
                found += problems(cell, f"{where}[{column}] row {i}")
                if isinstance(cell, float | int | np.number) and abs(float(cell)) >= 1000:
                    found.append(f"{where}[{column}] row {i}: a number object in a text column: {cell}")
            else:
                found += problems(cell, f"{where}[{column}] row {i}")
    return found


# --- what an AppTest run shows ---------------------------------------------------------------

#: Proto fields that never reach a reader (identifiers, styling, code, data blobs).
_SKIP_FIELDS = {
    "id",
    "form_id",
    "key",
    "url",
    "deferred_file_id",
    "icon",
    "type",
    "css",
    "style",
    "spec",
    "data",
    "datasets",
    "json",
    "theme",
    "mapbox_token",
    "tooltip",
    "selection_mode",
    "value",  # widget values: scanned through the options and the element's own value below
    "default",
    "format",
    "page_script_hash",
    "page_name",
    "url_path",
    "main_script_path",
    "vega_lite_chart",
    "arrow_data",
    "element_hash",
    "widget_id",
    "label_visibility",
    "width",
    "height",
    "sort",
    "placeholder_image",
    "step",
    "min",
    "max",
    "min_value",
    "max_value",
    "column_order",
    "columns",
    "editing_mode",
    "selection",
    "use_container_width",
    "unsafe_allow_html",
    "allow_html",
    "is_dev_mode",
    "file_name",
    "mime",
    "kind",
    "position",
    "icon_position",
    "orientation",
    "component_name",
    "js_content",
    "css_content",
    "js_source_path",
    "css_source_path",
}


def _strings(message, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, text) for every string field of a proto message, recursively."""
    for field, value in message.ListFields():
        name = field.name
        if name in _SKIP_FIELDS:
            continue
        where = f"{path}.{name}" if path else name
        scalar = isinstance(value, str | bytes | bool | int | float) or hasattr(value, "ListFields")
        items = [value] if scalar else list(value)
        if field.type == field.TYPE_MESSAGE:
            for item in items:
                if hasattr(item, "ListFields"):
                    yield from _strings(item, where)
        elif field.type == field.TYPE_STRING:
            for item in items:
                yield where, item


def _walk(node) -> Iterator:
    children = getattr(node, "children", None)
    if children:
        for child in children.values():
            yield from _walk(child)
    if getattr(node, "proto", None) is not None:
        yield node


def _json_strings(value, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for v in value[:400]:
            yield from _json_strings(v, path)
    elif isinstance(value, str):
        yield path, value


#: Fields of a map layer's rows that a reader sees in the tooltip.
MAP_TEXT_FIELDS = {"name", "organisation", "colour_label", "why", "label", "text", "municipality"}


def app_problems(at, page: str) -> list[str]:
    """Every problem in what the run ``at`` shows on ``page``."""
    found: list[str] = []
    for node in _walk(at._tree):
        kind = node.type if isinstance(getattr(node, "type", None), str) else type(node).__name__
        proto = node.proto
        for field, text in _strings(proto):
            # Markdown links and CSS in st.html are not reader text.
            text = re.sub(r"\]\([^)]*\)", "]", text)
            text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
            text = re.sub(r'(?:href|src|class|style|data-[\w-]+|aria-[\w-]+|role|id)="[^"]*"', " ", text)
            found += problems(text, f"{page} {kind}.{field}")
        # A data editor's cells are typed back and parsed (trappetrin.followup's editor takes ISO
        # dates); they are input, not display, so only its headers are checked (above).
        editable = bool(getattr(proto, "editing_mode", 0))
        if kind in ("arrow_data_frame", "arrow_table", "dataframe", "table") and not editable:
            try:
                value = node.value
            except Exception:  # noqa: BLE001 - an element without a readable frame
                continue
            if isinstance(value, pd.DataFrame):
                found += frame_problems(value.reset_index(drop=value.index.name is None), f"{page} {kind}")
        if type(proto).__name__ == "DateInput" and proto.format != "DD.MM.YYYY":
            found.append(f"{page} date input {proto.label!r}: shows dates as {proto.format}, not DD.MM.YYYY")
        if type(proto).__name__ == "MultiSelect" and proto.select_all != 0:
            found.append(f"{page} multiselect {proto.label!r}: Streamlit's English 'Select all' row is on")
        if kind == "metric":
            found += problems(getattr(node, "value", ""), f"{page} metric value")
        if type(proto).__name__ == "DeckGlJsonChart" or kind == "deck_gl_json_chart":
            spec = json.loads(proto.json)
            for layer in spec.get("layers", []):
                data = layer.get("data")
                if isinstance(data, list):
                    for row in data[:2000]:
                        for k in MAP_TEXT_FIELDS & set(row):
                            found += problems(row[k], f"{page} map {layer.get('id')}.{k}")
        if type(proto).__name__ == "ArrowVegaLiteChart" or kind == "arrow_vega_lite_chart":
            spec = json.loads(proto.spec)
            number = (spec.get("config") or {}).get("locale", {}).get("number", {})
            if number.get("decimal") != "," or number.get("thousands") != ".":
                found.append(f"{page} chart: no Danish number locale in the chart's config")
            for path, text in _json_strings({k: v for k, v in spec.items() if k not in ("datasets", "data")}, "spec"):
                if path.endswith((".title", ".text", ".labelExpr")):
                    found += problems(text, f"{page} chart {path}")
    return found


# --- text exports ------------------------------------------------------------------------------

#: A number cell of a CSV for Danish Excel: data Excel reads as a number (decimal comma, no grouping).
CSV_NUMBER = re.compile(r"[-−]?\d+(?:,\d+)?")


def csv_problems(data: bytes, where: str, *, sep: str = ";") -> list[str]:
    """Problems in a CSV for Danish Excel: every header and text cell; number cells must use a decimal comma.

    A cell that is just a number (``1231``, ``27,6``) is data Excel reads as a number and writes
    with the reader's own grouping, so only its decimal mark is checked; numbers inside text
    (``1231 beboere``) must be grouped like any text.
    """
    import csv
    import io

    text = data.decode("utf-8-sig")
    found = []
    for r, row in enumerate(csv.reader(io.StringIO(text), delimiter=sep)):
        for c, cell in enumerate(row):
            if CSV_NUMBER.fullmatch(cell):
                continue
            found += problems(cell, f"{where} row {r} col {c}")
    return found


def xlsx_problems(data: bytes, where: str) -> list[str]:
    """Problems in a workbook's text cells (number cells are numbers: Excel writes them in the reader's locale)."""
    import io

    import openpyxl

    found = []
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    for sheet in book.worksheets:
        for r, row in enumerate(sheet.iter_rows(values_only=True)):
            for c, cell in enumerate(row):
                if isinstance(cell, str):
                    found += problems(cell, f"{where} {sheet.title} row {r} col {c}")
                elif hasattr(cell, "year"):
                    found.append(f"{where} {sheet.title} row {r} col {c}: a date cell, not Danish text: {cell}")
    return found
