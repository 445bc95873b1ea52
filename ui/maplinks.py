"""Oversigt's browser helpers: list rows that open a department, and a tooltip kept inside the map.

One JavaScript-only component (``ui/static/oversigt.js``, no element of its own on the page): a
click on a department's name in the red/yellow list comes back as the trigger value ``open``
(the department's id), so the page opens it in the same session, as a click on its point does.
The same script keeps the map's tooltip inside the map.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

_JS = Path(__file__).parent / "static" / "oversigt.js"
KEY = "oversigt_links"


@functools.cache
def _component():
    return st.components.v2.component("trappetrin_oversigt", js=_JS.read_text(encoding="utf-8"))


def helpers() -> str | None:
    """Mount the helpers; the id of a department whose link in the list was just clicked, else None."""
    result = _component()(key=KEY, on_open_change=lambda: None)
    return getattr(result, "open", None) if result is not None else None


def department_href(params: dict[str, str]):
    """A function: department id → the Afdeling page's address with the view's parameters."""

    def href(dept_id: str) -> str:
        return "afdeling?" + urlencode({**params, "afd": dept_id})

    return href


CARTO_STYLE = "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json"


@st.cache_data(ttl=300, show_spinner=False)
def carto_reachable() -> bool:
    """Whether Carto's basemap answers from here (checked at most every 5 minutes, 2 s timeout).

    The server's view of the internet stands in for the browser's: when the server cannot reach
    Carto, the page says so and keeps its own layers instead of an empty map.
    """
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(CARTO_STYLE, method="HEAD"), timeout=2) as answer:
            return answer.status < 400
    except Exception:  # noqa: BLE001 - any failure means: no basemap
        return False
