"""What the user chose, kept for the session: survives switching pages, which forgets widgets.

A widget whose value should outlive its page calls :func:`remember` on change and :func:`restore`
before it is drawn; other values (a typed number, a scenario parameter) are kept with
:func:`keep` and read with :func:`kept`. The URL side of the same choices is :mod:`ui.url`.
"""

from __future__ import annotations

import streamlit as st

from trappetrin.rules import RuleSet
from trappetrin.scenario import URL_PREFIX

_VIEW = "_view"  # what the user chose, kept for the session: widget key → value

#: Number fields' refused texts: field key → Danish message (see ui.number_entry).
FIELD_ERRORS_KEY = "_tal_fejl"


def view() -> dict:
    """The session's kept choices (widget key → value)."""
    return st.session_state.setdefault(_VIEW, {})


def remember(key: str) -> None:
    """``on_change`` of a widget whose value should outlive the page: keep the user's choice."""
    view()[key] = st.session_state.get(key)


def kept_widget(key: str) -> dict:
    """A widget's ``key`` and the ``on_change`` that keeps its value for the session (:func:`remember`)."""
    return {"key": key, "on_change": remember, "args": (key,)}


def restore(key: str, valid: list | None = None) -> None:
    """Before drawing a widget: give it the session's value again (a page switch forgets it).

    A kept value that is no longer valid (e.g. a deleted release) is dropped instead.
    """
    kept_values = view()
    if key not in kept_values:
        return
    if kept_values[key] is None or (valid is not None and kept_values[key] not in valid):
        del kept_values[key]
        st.session_state.pop(key, None)
    else:
        st.session_state[key] = kept_values[key]


def forget(key: str) -> None:
    view().pop(key, None)


def keep(key: str, value) -> None:
    """Keep ``value`` for the session under ``key`` (as :func:`remember` keeps a widget's value)."""
    view()[key] = value


def kept(key: str):
    """The value kept under ``key`` for the session (None when there is none)."""
    return view().get(key)


def scenario_key(param_key: str) -> str:
    """Session and URL key of one scenario parameter, e.g. ``p.c.forebyggelse.outside_labour``."""
    return URL_PREFIX + param_key


def scenario_overrides(base: RuleSet) -> dict[str, float]:
    """The scenario in the session: parameters of ``base`` whose value differs from it."""
    out, kept_values = {}, view()
    for p in base.parameters():
        value = kept_values.get(scenario_key(p.key))
        if value is not None and float(value) != p.value:
            out[p.key] = float(value)
    return out


def clear_scenario() -> None:
    """Forget every scenario value (and any refused text in a scenario field)."""
    kept_values = view()
    for key in [k for k in kept_values if k.startswith(URL_PREFIX)]:
        del kept_values[key]
    errors = st.session_state.get(FIELD_ERRORS_KEY, {})
    for key in [k for k in errors if k.startswith(URL_PREFIX)]:
        del errors[key]
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(URL_PREFIX)]:
        del st.session_state[key]
