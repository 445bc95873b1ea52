"""Trappetrin's server: Streamlit's ASGI app around ``app.py``, ready when it says it is.

``streamlit run serve.py`` (what ``run.sh`` does) serves exactly the app of ``streamlit run app.py``,
with one difference: a lifespan hook warms the server up before it accepts its first connection
(imports pandas, DuckDB, pydeck and altair, opens the database, classifies the newest release: see
``ui/warmup.py``). A health check that answers "ok" then means the app is ready, and the first
visitor does not wait about a second for that work.

Its health check also fails (503, in Danish) while the database file is damaged
(``ui/health.py``). It also serves Streamlit's browser code from memory and its HTML page with ``lang="da"``
(``ui/shell.py``).
"""

from __future__ import annotations

from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware

from ui.health import DatabaseHealth
from ui.shell import PageShell, StaticAssets


@asynccontextmanager
async def lifespan(_app):
    from ui.warmup import warm_up  # imported here: the runtime has started, so caches are real

    warm_up()
    yield


app = st.App(
    "app.py",
    lifespan=lifespan,
    middleware=[Middleware(DatabaseHealth), Middleware(StaticAssets), Middleware(PageShell)],
)
