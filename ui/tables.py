"""Plain HTML tables: one element per table instead of one per cell.

``st.table`` draws every cell as its own Markdown element (a React component with its own parser
and styles). Oversigt's two tables hold ~320 cells, and on a first page view those cost the
browser ~0.5 s (``bench/rerun.py``, cold start). Their cells are plain text, so they are written
here as one escaped HTML table each (``st.html``), styled like ``st.table`` by
``ui/static/table.css``: header row, first column as row headers when asked, numbers right-aligned
with Danish thousands separators, and a fixed height that scrolls with the header kept in view.

The tables carry the class ``tt-table`` (the e2e tests and the benchmarks find them by it).
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pandas as pd
import streamlit as st

from trappetrin import formatting

_CSS = Path(__file__).parent / "static" / "table.css"


@cache
def _css() -> str:
    return _CSS.read_text(encoding="utf-8")


def _cell(value) -> str:
    if not isinstance(value, str) and formatting.is_missing(value):
        return formatting.MISSING
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, numbers.Integral) or (isinstance(value, numbers.Real) and float(value).is_integer()):
        return formatting.integer(value)
    if isinstance(value, numbers.Real):
        return formatting.number(value, 1, trim=True)
    return str(value)


def table_html(
    frame: pd.DataFrame,
    *,
    label: str,
    row_headers: bool = False,
    max_height: int | None = None,
    beneath: dict[str, str] | None = None,
    links: dict[str, tuple[str, Callable[[str], str]]] | None = None,
) -> str:
    """The HTML of one table (without its stylesheet); every text is escaped.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to show, columns in order; the index is not shown (``reset_index()`` first to show it).
    label : str
        Accessible name of the table (Danish), e.g. "Pr. farve".
    row_headers : bool, default False
        Mark the first column's cells as row headers (``<th scope="row">``).
    max_height : int, optional
        Pixels; a longer table scrolls inside this height, its header row staying in view.
    beneath : dict, optional
        ``{column: other column}``: the other column's text is written in small type under the
        column's own, in the same cell (say the organisation under the department's name), so a
        narrow page needs one column less.
    links : dict, optional
        ``{column: (id column, href)}``: the column's text is a link to ``href(id)`` carrying the id
        as ``data-afd`` (Oversigt's list opens a department with it; see ``ui/static/oversigt.js``).
    """
    beneath = beneath or {}
    links = links or {}
    under = set(beneath.values())
    columns = [c for c in frame.columns if c not in under]
    numeric = {
        c: pd.api.types.is_numeric_dtype(frame[c].dtype) and not pd.api.types.is_bool_dtype(frame[c].dtype)
        for c in frame.columns
    }

    def sub(text: str) -> str:
        return f'<span class="tt-sub">{html.escape(text)}</span>'

    head = "".join(
        f'<th scope="col"{" class=tt-num" if numeric[c] else ""}>{html.escape(str(c))}'
        f"{sub(str(beneath[c])) if c in beneath else ''}</th>"
        for c in columns
    )
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for i, c in enumerate(columns):
            tag = "th" if row_headers and i == 0 else "td"
            attrs = (' scope="row"' if tag == "th" else "") + (" class=tt-num" if numeric[c] else "")
            extra = sub(_cell(record[beneath[c]])) if c in beneath else ""
            text = html.escape(_cell(record[c]))
            if c in links:
                ident = _cell(record[links[c][0]])
                href = html.escape(links[c][1](ident), quote=True)
                afd = html.escape(ident, quote=True)
                text = f'<a class="tt-link" href="{href}" target="_self" data-afd="{afd}">{text}</a>'
            cells.append(f"<{tag}{attrs}>{text}{extra}</{tag}>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    style = f' style="max-height: {int(max_height)}px"' if max_height else ""
    name = html.escape(label, quote=True)
    # A scrolling box is a focusable region, so keyboard users can scroll it too.
    scroll = f' tabindex="0" role="region" aria-label="{name}"' if max_height else ""
    return (
        f'<div class="tt-table"{style}{scroll}><table aria-label="{name}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def html_table(
    frame: pd.DataFrame,
    *,
    label: str,
    row_headers: bool = False,
    max_height: int | None = None,
    beneath: dict[str, str] | None = None,
    links: dict[str, tuple[str, Callable[[str], str]]] | None = None,
) -> None:
    """Draw ``frame`` as one plain HTML table styled like ``st.table`` (see :func:`table_html`)."""
    st.html(
        f"<style>{_css()}</style>"
        + table_html(frame, label=label, row_headers=row_headers, max_height=max_height, beneath=beneath, links=links)
    )
