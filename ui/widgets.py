"""Streamlit widgets that would otherwise speak English on a Danish page.

Streamlit 1.67 writes some texts of its own widgets in English and offers no option to change them:
the file uploader's button ("Upload"), its size line ("50MB per file • CSV, XLSX") and the drop hint
("Drag and drop a file here"). :func:`file_uploader` draws the same widget with those texts replaced
by Danish ones in CSS (the only way in; the English text is hidden, not removed, so the widget and
its accessible name work as before). The multiselect's English "Select all" row is switched off
where the widget is made (``select_all=False``), which is an option Streamlit has.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from trappetrin import formatting

#: What Streamlit's uploader says, and what it says here.
UPLOAD_BUTTON = "Vælg fil"
DROP_HINT = "Træk en fil hertil"


def _types_text(types: Sequence[str] | None) -> str:
    return ", ".join(t.lstrip(".").upper() for t in types or ())


def uploader_css(max_mb: float, types: Sequence[str] | None) -> str:
    """The style sheet that gives the uploader Danish texts (exposed for the tests)."""
    limit = f"Højst {formatting.integer(max_mb)} MB pr. fil"
    if types:
        limit += f" · {_types_text(types)}"
    zone = '[data-testid="stFileUploaderDropzone"]'
    hint = '[data-testid="stFileUploaderDropzoneInstructions"]'
    return (
        "<style>"
        # The size and type line.
        f"{hint} *{{font-size:0 !important}}"
        f'{hint}::after{{content:"{limit}";font-size:.875rem;color:var(--st-gray-70,#6b7280)}}'
        # The button: its label hidden, the Danish one drawn after it.
        f"{zone} button *{{display:none}}"
        f'{zone} button::after{{content:"{UPLOAD_BUTTON}";font-size:.875rem}}'
        # While a file is dragged over the page.
        f"{zone} > div:not({hint}) > span{{font-size:0}}"
        f'{zone} > div:not({hint}) > span::after{{content:"{DROP_HINT}";font-size:.875rem}}'
        "</style>"
    )


def file_uploader(label: str, *, type: Sequence[str] | None = None, **kwargs):  # noqa: A002 - Streamlit's name
    """``st.file_uploader`` with Danish button and size texts (see the module docstring)."""
    max_mb = kwargs.get("max_upload_size") or st.get_option("server.maxUploadSize")
    st.html(uploader_css(max_mb, type))
    return st.file_uploader(label, type=type, **kwargs)
