"""Plain HTML tables (ui/tables.py): escaped text, Danish numbers, row headers, a scrolling region."""

from __future__ import annotations

import pandas as pd

from tests.htmltables import TableParser
from ui.tables import table_html


def parse(text: str) -> tuple[list[list[str]], list[bool]]:
    parser = TableParser()
    parser.feed(text)
    assert len(parser.tables) == 1
    return parser.tables[0], parser.row_header[0]


def test_every_text_is_escaped():
    """A name with markup is shown as text, never as HTML (department names come from imported files)."""
    frame = pd.DataFrame({"Afdeling": ['<img src=x onerror="alert(1)">', "Bo & Leve"], "Note": ["a<b", '"c"']})
    text = table_html(frame, label="Test <1>")
    assert "<img" not in text and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text
    assert "Bo &amp; Leve" in text and 'aria-label="Test &lt;1&gt;"' in text
    rows, _ = parse(text)
    assert rows == [["Afdeling", "Note"], ['<img src=x onerror="alert(1)">', "a<b"], ["Bo & Leve", '"c"']]


def test_numbers_are_danish_and_right_aligned():
    frame = pd.DataFrame({"Farve": ["▲ Rød (Trin 3)", "I alt"], "Boliger": [1234, 20517], "Andel": [12.25, None]})
    text = table_html(frame, label="Pr. farve", row_headers=True)
    rows, headers = parse(text)
    # trappetrin.formatting: half away from zero (12,25 → 12,3) and "–" for a missing value
    assert rows[1:] == [["▲ Rød (Trin 3)", "1.234", "12,3"], ["I alt", "20.517", "–"]]
    assert headers == [False, True, True]  # the header row, then each data row led by a row header
    assert '<th scope="row">▲ Rød (Trin 3)</th>' in text
    assert text.count("class=tt-num") == 2 * 3  # two numeric columns: header and both rows


def test_a_long_table_scrolls_in_a_focusable_region():
    frame = pd.DataFrame({"Afdelings-id": [str(i) for i in range(30)]})
    tall = table_html(frame, label="Røde og gule afdelinger", max_height=320)
    assert 'style="max-height: 320px"' in tall and 'tabindex="0" role="region"' in tall
    short = table_html(frame.head(3), label="Røde og gule afdelinger")
    assert "max-height" not in short and "tabindex" not in short
