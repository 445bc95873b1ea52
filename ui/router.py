"""The routing workaround: every page runs through app.py's ``st.navigation``, deep links too.

Its own module so that ``ui.context`` and ``ui.auth`` can both use it without importing each
other (tested end to end in tests/e2e/test_navigation.py).
"""

from __future__ import annotations

import streamlit as st


def ensure_router() -> None:
    """Run the page through app.py's ``st.navigation``, also for the first deep link.

    Until some session has run app.py, Streamlit treats a folder named ``pages/`` as the old
    (v1) multipage app: a fresh server answers ``/eksport`` by running the page file alone,
    with file names as the navigation. Switching the flag off (as ``st.navigation`` does) and
    rerunning makes Streamlit run app.py, which resolves the same URL to the registered page.
    Relies on Streamlit's internal ``PagesManager`` (pinned version; tested in tests/e2e).
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
