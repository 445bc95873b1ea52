"""Login and roles in the app: who is acting, and what their role lets them see.

Two modes, decided by ``.streamlit/secrets.toml``:

* **Login** (an ``[auth]`` section exists): every page needs ``st.login`` (OIDC). The role comes
  from the roles file (:func:`trappetrin.auth.load_roles`) by e-mail, IdP group or domain; a user
  without a role sees only a message and a log-out button.
* **Local** (no ``[auth]``): no login; the local user is admin, and the sidebar says so.

Pages call :func:`current_actor`; the domain layer checks the same actor again on every write.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from trappetrin.auth import ROLE_LABELS, Actor, actor_from_claims, load_roles, local_actor
from trappetrin.errors import UserError

LOCAL_BANNER = "Lokal tilstand – ingen login; alle funktioner er åbne"


def _secrets_unreadable() -> bool:
    """True when a secrets file exists but cannot be read (e.g. a TOML error)."""
    try:
        "auth" in st.secrets  # noqa: B015 - reading is the test
        return False
    except Exception:
        files = st.get_option("secrets.files") or []
        return any(Path(f).is_file() for f in files)


def auth_configured() -> bool:
    """True when ``[auth]`` is configured in the secrets (``st.secrets``, so AppTest can set it).

    Fails closed: a secrets file that exists but cannot be read counts as configured, so a typo
    never turns a server with login into an open local installation (:func:`gate` says why).
    """
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all (StreamlitSecretNotFoundError), or an unreadable one
        return _secrets_unreadable()


def _claims() -> dict:
    try:
        return dict(st.user.to_dict())
    except Exception:  # no script run context
        return {}


def logged_in_actor() -> tuple[bool, Actor | None]:
    """(logged in?, the actor or None when the logged-in user has no role). Login mode only."""
    claims = _claims()
    if not claims.get("is_logged_in"):
        return False, None
    return True, actor_from_claims(claims, load_roles())


def gate():
    """The screen to show instead of the app, or None when the app may run.

    Login mode only: the login screen for anyone not logged in, a "no role" screen for a user the
    roles file does not know, and an error for a roles file that cannot be read (fail closed).
    """
    if not auth_configured():
        return None
    if _secrets_unreadable():
        return lambda: st.error(
            "Filen .streamlit/secrets.toml kan ikke læses, så login kan ikke startes. "
            "Appen er lukket, indtil filen er rettet (se serverens log).",
            icon=":material/error:",
        )
    try:
        logged_in, actor = logged_in_actor()
    except UserError as exc:
        message = str(exc)
        return lambda: st.error(message, icon=":material/error:")
    if not logged_in:
        return login_screen
    if actor is None:
        return no_role_screen
    return None


def current_actor() -> Actor:
    """Who is acting on this run. In login mode, stops the page for anyone not logged in or without a role."""
    if not auth_configured():
        return local_actor(os.environ.get("USER") or os.environ.get("USERNAME") or None)
    screen = gate()
    if screen is not None:
        from ui.router import ensure_router

        ensure_router()  # a page file run alone (first deep link): rerun through app.py's gate
        screen()
        st.stop()
    return logged_in_actor()[1]


def login_screen() -> None:
    st.title("Trappetrin")
    st.markdown(
        "Fælles udlejningsaftale, Aalborg. Monitoreringslisten er fortrolig for aftalens parter: "
        "log ind med din organisations konto for at fortsætte."
    )
    st.button("Log ind", key="auth_login", type="primary", icon=":material/login:", on_click=st.login)


def no_role_screen() -> None:
    claims = _claims()
    who = claims.get("email") or claims.get("preferred_username") or "din konto"
    st.title("Trappetrin")
    st.warning(
        f"{_plain(who)} er logget ind, men har ingen rolle i Trappetrin. Bed administratoren om at give dig adgang.",
        icon=":material/lock:",
    )
    st.button("Log ud", key="auth_logout", icon=":material/logout:", on_click=st.logout)


def sidebar_identity(actor: Actor) -> None:
    """The sidebar line on every page: the local-mode banner, or who is logged in with which role."""
    with st.sidebar:
        if not auth_configured():
            st.warning(LOCAL_BANNER, icon=":material/lock_open:")
            return
        st.caption(f"Logget ind som {_plain(actor.label)} · {ROLE_LABELS[actor.role]}")
        st.button("Log ud", key="auth_logout_sidebar", icon=":material/logout:", on_click=st.logout)


def _plain(text: object) -> str:
    """User-controlled text (names, e-mails) shown literally in Markdown."""
    import re

    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])", r"\\\1", str(text))
