"""The empty-database guidance: register, then releases, then the ministry's lists, each with its template.

Drawn by every page's empty state (:func:`ui.page.no_data_notice`) and at the top of the Data page
until the database can be classified. The order and the status of each step come from
:mod:`trappetrin.getting_started`.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from trappetrin.config import DATA_DIR
from trappetrin.getting_started import Step, steps
from trappetrin.store import Store
from ui.auth import current_actor

TEMPLATES = DATA_DIR / "templates"


def render_steps(store: Store, *, key: str, link: bool = True) -> list[Step]:
    """The three steps in order, each with its state and its template for download; returns them."""
    todo = steps(store)
    first_open = next((s.number for s in todo if not s.done), None)
    for step in todo:
        with st.container(border=True, key=f"{key}_step_{step.number}"):
            mark = "✓" if step.done else ("→" if step.number == first_open else "·")
            st.markdown(f"**{mark} {step.number}. {step.title}** – {step.status}")
            st.caption(step.what)
            path = TEMPLATES / step.template
            with st.container(horizontal=True):
                if path.exists():
                    st.download_button(
                        f"Skabelon: {step.template}",
                        path.read_bytes(),
                        file_name=step.template,
                        mime="text/csv",
                        key=f"{key}_template_{step.kind}",
                        icon=":material/download:",
                        on_click="ignore",
                    )
                if link and step.number == first_open and current_actor().can("import"):
                    try:
                        st.page_link("pages/data.py", label="Indlæs på siden Data", icon=":material/upload_file:")
                    except StreamlitAPIException:  # a page run outside app.py's router has no Data page
                        pass
    return todo
