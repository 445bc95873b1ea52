"""Number fields that take a Danish number: ``1,5`` and ``1.5`` are 1.5, ``32,5`` is 32.5.

Streamlit's ``st.number_input`` is a browser number field: in a Danish browser it cannot take a
decimal comma (``1,5`` became 15). A field here is a ``st.text_input`` read by
:func:`trappetrin.numbers.read_typed` when the user presses Enter or leaves it. A value it can
read and that lies in the allowed range is applied (kept with :func:`ui.session.keep`, so it
outlives the page and, for scenario parameters, goes into the link) and shown again with a
decimal comma; anything else is refused with a Danish message naming the allowed range, the
typed text stays in the field and the value in force does not change.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from trappetrin.errors import UserError
from trappetrin.numbers import input_text, range_text, read_typed

from . import session

ERRORS_KEY = session.FIELD_ERRORS_KEY  # field key → the Danish message for the text it holds (refused)


@dataclass(frozen=True)
class Allowed:
    """The values a field takes."""

    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    optional: bool = False  # a blank field means "not given" rather than a mistake

    @property
    def text(self) -> str:
        return range_text(self.minimum, self.maximum, self.integer)


def errors() -> dict[str, str]:
    return st.session_state.setdefault(ERRORS_KEY, {})


def error(key: str) -> str | None:
    """The message for the refused text field ``key`` holds, if it holds one."""
    return errors().get(key)


def _apply(key: str, allowed: Allowed) -> None:
    """``on_change``: apply what was typed, or keep the message saying why not."""
    if allowed.optional and not str(st.session_state.get(key) or "").strip():
        errors().pop(key, None)
        session.forget(key)  # blank: not given
        return
    try:
        value = read_typed(
            st.session_state.get(key), minimum=allowed.minimum, maximum=allowed.maximum, integer=allowed.integer
        )
    except UserError as exc:
        errors()[key] = str(exc)
        return
    errors().pop(key, None)
    session.keep(key, value)
    st.session_state[key] = input_text(value)


def set_value(key: str, value: float | None) -> None:
    """Put ``value`` into field ``key`` (from a callback, before the field is drawn); None forgets it."""
    errors().pop(key, None)
    if value is None:
        session.forget(key)
        st.session_state.pop(key, None)
    else:
        session.keep(key, float(value))
        st.session_state[key] = input_text(value)


def value(key: str, default: float | None) -> float | None:
    """The value in force for field ``key``: the last one applied, else ``default``."""
    kept = session.kept(key)
    if kept is None:
        return None if default is None else float(default)
    return float(kept)


def number_field(
    label: str,
    key: str,
    default: float | None,
    allowed: Allowed,
    *,
    help: str | None = None,
    show_error: bool = True,
    placeholder: str | None = None,
) -> float | None:
    """Draw the field keyed ``key``; return the value in force (None: an optional field left blank).

    ``show_error=False`` leaves the message (:func:`error`) for the caller to place.
    """
    current = value(key, default)
    if key not in errors():  # a refused text stays as typed; otherwise the field shows the value in force
        st.session_state[key] = "" if current is None else input_text(current)
    st.text_input(
        label,
        key=key,
        on_change=_apply,
        args=(key, allowed),
        help=help,
        placeholder=placeholder or allowed.text[0].upper() + allowed.text[1:],
    )
    message = error(key)
    if show_error and message:
        st.error(message, icon=":material/error:")
    return current
