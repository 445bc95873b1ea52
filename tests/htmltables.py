"""The plain HTML tables of a page (ui/tables.py) read back as data, for tests."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd


class TableParser(HTMLParser):
    """Collects the tables of an HTML text: per table its rows of cell texts, and per row whether it
    starts with a row header (``<th scope="row">``).

    Text in small type under a cell's own (``<span class="tt-sub">``, ``beneath=`` in ui.tables) is
    read as a cell of its own right after it, so the columns come back as the frame had them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.row_header: list[list[bool]] = []
        self._cell: list[str] | None = None
        self._sub: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([]), self.row_header.append([])
        elif tag == "tr":
            self.tables[-1].append([]), self.row_header[-1].append(False)
        elif tag in ("th", "td"):
            self._cell, self._sub = [], None
            if ("scope", "row") in attrs:
                self.row_header[-1][-1] = True
        elif tag == "span" and self._cell is not None and "tt-sub" in (dict(attrs).get("class") or ""):
            self._sub = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            if self._sub is not None:
                self.tables[-1][-1].append("".join(self._sub).strip())
            self._cell = self._sub = None

    def handle_data(self, data):
        if self._sub is not None:
            self._sub.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def html_tables(at) -> list[pd.DataFrame]:
    """The plain HTML tables (``ui.tables``) on the page, in order, as frames of their cell texts.

    A table with row headers gets its first column as the index (as ``st.table`` showed it).
    """
    frames = []
    for element in at.get("html"):
        parser = TableParser()
        parser.feed(element.proto.body)
        for rows, headers in zip(parser.tables, parser.row_header):
            frame = pd.DataFrame(rows[1:], columns=rows[0])
            frames.append(frame.set_index(rows[0][0]) if any(headers[1:]) else frame)
    return frames


def integer(text: str) -> int:
    """A whole number as the tables write it in Danish ("8.000")."""
    return int(text.replace(".", ""))
