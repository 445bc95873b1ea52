"""The server's health check answers for the database too.

Streamlit's ``/_stcore/health`` says "ok" as soon as its runtime runs, also when every page fails
because the database file is damaged. :class:`DatabaseHealth` (an ASGI middleware, installed by
``serve.py``) answers that route itself: 503 with the Danish message naming the file and the
restore command when the store cannot be opened or a damaged block was met; otherwise it passes
the request on to Streamlit (which says "ok" when its runtime is ready).

Streamlit's own page in the browser asks the same route before it connects, and would never
connect (nor show the Danish message) on a 503. Its requests carry the browser's
``Sec-Fetch-Mode`` header, which monitoring probes (curl, Docker, Kubernetes, load balancers) do
not send; those requests go on to Streamlit unchanged.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("trappetrin.health")
HEALTH_SUFFIX = "/_stcore/health"


def database_problem() -> str | None:
    """Why the app cannot serve its database (Danish), or None when it can."""
    from trappetrin.errors import UserError
    from ui import loaders

    try:
        loaders.store().check_health()
    except UserError as exc:
        return exc.message
    except Exception as exc:  # noqa: BLE001 - anything else is unhealthy too, and logged
        log.warning("Sundhedstjekket af databasen fejlede", exc_info=True)
        return f"Databasen kan ikke bruges: {type(exc).__name__}"
    return None


class DatabaseHealth:
    """ASGI middleware: ``GET /_stcore/health`` fails (503) while the database cannot be used."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") in ("GET", "HEAD")
            and scope["path"].endswith(HEALTH_SUFFIX)
            and not any(name == b"sec-fetch-mode" for name, _ in scope.get("headers", ()))
        ):
            problem = await run_in_threadpool(database_problem)
            if problem is not None:
                await PlainTextResponse(problem, status_code=503)(scope, receive, send)
                return
        await self.app(scope, receive, send)
