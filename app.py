"""Trappetrin: the router. Pages live in pages/, logic in trappetrin/, shared UI glue in ui/.

Only the pages the user's role may use are registered, so the others are neither in the menu nor
reachable by URL (an unknown URL opens the default page). With login configured, nobody gets a
page before logging in (see ui/auth.py).
"""

from pathlib import Path

import streamlit as st

from trappetrin.errors import UserError
from ui.auth import current_actor, gate, sidebar_identity
from ui.fmt import plain

HERE = Path(__file__).resolve().parent
# A local icon: a Material icon name would make the browser fetch it from Google's font server.
st.set_page_config(page_title="Trappetrin", page_icon=str(HERE / "ui" / "favicon.png"), layout="wide")

# (file, title, icon, url path, the permission the page needs)
PAGES = [
    ("pages/oversigt.py", "Oversigt", ":material/map:", "oversigt", "view"),
    ("pages/scenarie.py", "Scenarie", ":material/tune:", "scenarie", "scenario"),
    ("pages/udvikling.py", "Udvikling", ":material/trending_up:", "udvikling", "view"),
    ("pages/afdeling.py", "Afdeling", ":material/apartment:", "afdeling", "view"),
    ("pages/tvillinger.py", "Tvillinger", ":material/compare_arrows:", "tvillinger", "view"),
    ("pages/anvisning.py", "Anvisning", ":material/home_work:", "anvisning", "view"),
    ("pages/opfoelgning.py", "Opfølgning", ":material/fact_check:", "opfoelgning", "view"),
    ("pages/eksport.py", "Eksport", ":material/download:", "eksport", "export"),
    ("pages/data.py", "Data", ":material/database:", "data", "import"),  # when the page exists
    ("pages/revision.py", "Revisionsspor", ":material/history:", "revision", "audit"),
]

DEFAULT = "oversigt"
assert PAGES[0][3] == DEFAULT

screen = gate()  # login mode: the login screen, or "no role", instead of the app
if screen is not None:
    # One hidden page, so Streamlit never falls back to listing (and running) the pages/ folder.
    st.navigation([st.Page(screen, title="Log ind", url_path="login")], position="hidden").run()
    st.stop()

actor = current_actor()
sidebar_identity(actor)
pages = [
    # The default page is served at the root URL, where Streamlit ignores its url_path; it gets a
    # name of its own ("start"), so that /oversigt can be the hidden alias below.
    st.Page(file, title=title, icon=icon, url_path="start" if url == DEFAULT else url, default=(url == DEFAULT))
    for file, title, icon, url, permission in PAGES
    if actor.can(permission) and (HERE / file).exists()
]
if any(url == DEFAULT and actor.can(permission) for _, _, _, url, permission in PAGES):
    # /oversigt (links, bookmarks) opens Oversigt instead of "Page not found".
    pages.append(st.Page(PAGES[0][0], title=PAGES[0][1], url_path=DEFAULT, visibility="hidden"))
try:
    st.navigation(pages).run()
except UserError as exc:  # a damaged or busy database and the like: one Danish message, no traceback
    st.error(plain(exc.message), icon=":material/error:")
