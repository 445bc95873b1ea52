"""The view in the URL: query parameters mirror the user's choices, so every view is a link.

The sidebar's choices (release, rule set, municipality), a department and the scenario's
parameters (``p.<key>=<value>``) are written to the query parameters; defaults are left out, so a
plain link stays plain. A link opened in a new session seeds the session's kept choices
(:mod:`ui.session`) once; a value this session wrote itself is not read back, so the user's
latest choice wins over the address line.
"""

from __future__ import annotations

import streamlit as st

from trappetrin.errors import UserError
from trappetrin.rules import RuleSet
from trappetrin.scenario import URL_PREFIX, from_query, url_number
from ui import fmt
from ui.session import keep, restore, scenario_key, view

RELEASE_KEY = "udgivelse"
RULES_KEY = "regelsaet"
MUNICIPALITY_KEY = "kommune"
DEPARTMENT_KEY = "afd"
ALL_MUNICIPALITIES = "alle"  # the selector's (and the URL's) value for the whole country

WRITTEN = "_url_written"  # the URL values this session last wrote: key → text


def new_in_url(key: str) -> str | None:
    """The URL's value for ``key`` when it came from a link rather than from this session."""
    value = st.query_params.get(key)
    if value is None or st.session_state.get(WRITTEN, {}).get(key) == value:
        return None
    return value


def seed_from_url(key: str, valid: list | None = None, parse=None) -> None:
    """Keep a value from a link (a fresh session, or a link within the app), then restore it.

    A value this session wrote to the URL itself is not read back, so the user's latest choice
    wins over the address line. ``parse`` turns the URL's text into the widget's value (None:
    not a valid value), e.g. a number or a list.
    """
    value = new_in_url(key)
    if value is not None and parse is not None:
        value = parse(value)
    if value is not None and (valid is None or value in valid):
        keep(key, value)
    restore(key, valid)


def set_url(key: str, value: str | None) -> None:
    """Show ``value`` in the URL under ``key`` (None removes it) and remember it was ours."""
    written = st.session_state.setdefault(WRITTEN, {})
    ours = key in written and written[key] == value
    written[key] = value
    if value is None:
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != value or not ours:
        # A value that came with a link is written once more: after a page_link to the page it
        # is on, Streamlit (1.67) runs with the link's query but shows the old one in the address
        # bar until the script writes to it.
        st.query_params[key] = value


def seed_scenario(base: RuleSet) -> None:
    """Seed scenario values from a link, once per session and parameter; report a bad link."""
    query = {k: v for k in st.query_params.keys() if k.startswith(URL_PREFIX) and (v := new_in_url(k)) is not None}
    if not query:
        return
    try:
        values = from_query(base, query)
    except UserError as exc:
        st.warning(fmt.error_text(exc), icon=":material/link_off:")
        return
    kept_values = view()
    for key, value in values.items():
        kept_values[scenario_key(key)] = value


def sync_url(release: str | None, choice: str | None, overrides: dict[str, float]) -> None:
    """Mirror the view into the URL (defaults are left out, so a plain link stays plain)."""
    set_url(RELEASE_KEY, release)
    set_url(RULES_KEY, choice)
    sync_scenario_url(overrides)


def sync_scenario_url(overrides: dict[str, float]) -> None:
    """Mirror the scenario into the URL as ``p.<key>=<value>``, one parameter each."""
    wanted = {scenario_key(k): url_number(v) for k, v in overrides.items()}
    for key in [k for k in st.query_params.keys() if k.startswith(URL_PREFIX) and k not in wanted]:
        set_url(key, None)
    for key, value in wanted.items():
        set_url(key, value)


def link_params(**extra: str) -> dict[str, str]:
    """The current view's query parameters plus ``extra``: for links to another page."""
    return {k: st.query_params.get(k) for k in st.query_params.keys() if k != DEPARTMENT_KEY} | extra
