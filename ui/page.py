"""What every page starts with (:func:`preamble`) and the answers pages share.

Each file in ``pages/`` defines ``page()`` and calls it; ``page()`` begins with :func:`preamble`,
which draws the shared sidebar, the title and, where the page needs them, the permission check,
the empty state and the line saying which data are in view, and returns the page context.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from trappetrin.auth import ROLE_LABELS
from ui import fmt
from ui.auth import current_actor
from ui.context import Context, context
from ui.loaders import store
from ui.session import keep, kept_widget
from ui.url import DEPARTMENT_KEY, MUNICIPALITY_KEY, link_params, seed_from_url, set_url


def preamble(
    title: str,
    *,
    sidebar: bool = True,
    permission: str | None = None,
    refusal: str = "",
    needs_data: bool = True,
    caption: bool = True,
) -> Context:
    """Start a page: the context (and the shared sidebar), the title, then stop or go on.

    ``permission``: what the user's role must allow (the router does not offer the page
    otherwise; a direct run is refused too, naming ``refusal``, e.g. "til at eksportere").
    ``needs_data``: with no release to show, the empty state (:func:`no_data_notice`) and stop.
    ``caption``: the line saying which data, release and rule set are in view (:func:`demo_caption`).
    """
    ctx = context(sidebar=sidebar)
    st.title(title)
    if permission is not None:
        actor = current_actor()
        if not actor.can(permission):
            st.error(f"Din rolle ({ROLE_LABELS[actor.role]}) giver ikke adgang {refusal}.", icon=":material/lock:")
            st.stop()
    if needs_data and ctx.release is None:
        no_data_notice()
        st.stop()
    if caption:
        demo_caption(ctx)
    return ctx


def no_data_notice() -> None:
    """The empty state when no release can be shown: what to import, in which order, with templates."""
    from ui.getting_started import render_steps

    st.info(
        "Der er endnu ingen data i databasen at vise. Indlæs filerne i denne rækkefølge – "
        "afdelingsregistret først, så udgivelser med afdelingsdata, så ministeriets lister:",
        icon=":material/database:",
    )
    render_steps(store(), key="empty")
    st.caption("Eller byg demodatabasen med `python -m trappetrin demo` for at prøve programmet.")


def demo_caption(ctx: Context) -> None:
    """One line under a page title saying which data, release and rule set are in view."""
    who = "Demodata (fiktive afdelinger)" if ctx.is_demo else "Data"
    where = f" · {fmt.plain(ctx.municipality)} Kommune" if ctx.municipality else ""
    st.caption(f"{who}{where} · udgivelse {fmt.plain(ctx.release)} · regelsæt {fmt.plain(ctx.rules_label)}")


def department_picker(ids: list, label_of: Callable[[str], str], *, help: str | None = None) -> str | None:
    """The department picker of Afdeling and Tvillinger: kept for the session and in the link (``?afd=<id>``).

    A link (Oversigt's click-through, Udvikling's "Åbn afdelingen", a hand-made URL) may carry any
    text; ``accept_new_options`` lets it through, so an unknown id is answered
    (:func:`department_not_in_view`) rather than silently replaced by the first department.
    ``label_of`` gives an id's text in the list.
    """
    seed_from_url(DEPARTMENT_KEY)
    dept = st.selectbox(
        "Afdeling",
        ids,
        **kept_widget(DEPARTMENT_KEY),
        accept_new_options=True,
        format_func=label_of,
        placeholder="Vælg en afdeling",
        help=help,
    )
    set_url(DEPARTMENT_KEY, dept)
    return dept


def go_to_department(dept_id: str) -> None:
    """Open the Afdeling page for one department, keeping release, rule set and scenario."""
    keep(DEPARTMENT_KEY, dept_id)
    st.switch_page("pages/afdeling.py", query_params=link_params(**{DEPARTMENT_KEY: dept_id}))


def department_not_in_view(ctx: Context, dept: str, page: str) -> None:
    """Answer a link to a department that is not in view, then stop the page.

    A department of another municipality (a link from "Hele landet", or a nationwide twin) gets a
    link to ``page`` with that municipality picked; an unknown one is said to be unknown.
    """
    home = ctx.store.department_municipality(str(dept)) if ctx.municipality else None
    if home is not None and home != ctx.municipality:
        st.warning(
            f"Afdelingen »{fmt.plain(dept)}« ligger i {fmt.plain(home)} Kommune, og siderne viser nu "
            f"{fmt.plain(ctx.municipality)} Kommune. Skift kommune for at se den."
        )
        st.page_link(
            page,
            label=f"Vis afdelingen i {fmt.plain(home)} Kommune",
            icon=":material/swap_horiz:",
            query_params=link_params(**{DEPARTMENT_KEY: str(dept), MUNICIPALITY_KEY: home}),
        )
    else:
        st.warning(
            f"Afdelingen »{fmt.plain(dept)}« findes ikke i udgivelse {fmt.plain(ctx.release)}. "
            "Vælg en afdeling på listen."
        )
    st.stop()
