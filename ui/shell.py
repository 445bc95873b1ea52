"""The HTML page the browser loads first, in Danish.

Streamlit serves one ``index.html`` for every page path, with ``<html lang="en">``. The UI is
Danish, and screen readers (which voice), hyphenation and spell-checking go by this attribute.
:class:`PageShell` is an ASGI middleware (``serve.py`` installs it) that sets ``lang="da"`` on
that page and changes nothing else. Responses that are not HTML pages (scripts, styles, the
health check, WebSocket traffic, uploads and downloads) pass through untouched. The page itself
is sent uncompressed (~8 KB).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Paths that are never an HTML page: Streamlit's own endpoints and static files.
_NOT_PAGES = ("/_stcore/", "/static/", "/component/", "/media/", "/app/static/", "/auth/", "/oauth2callback")


def rewrite(page: bytes) -> bytes:
    """``index.html`` with ``lang="da"``."""
    return page.replace(b'<html lang="en">', b'<html lang="da">', 1)


class PageShell:
    """ASGI middleware: Streamlit's HTML page with ``lang="da"`` (see the module docstring).

    Parameters
    ----------
    app : ASGI application
        The app to wrap (Streamlit's).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        last = path.rsplit("/", 1)[-1]
        if scope["type"] != "http" or scope.get("method") != "GET" or path.startswith(_NOT_PAGES) or "." in last:
            await self.app(scope, receive, send)
            return

        # Ask the app for the page uncompressed (Streamlit gzips some page paths), so it can be rewritten.
        scope = {**scope, "headers": [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"]}
        held: dict[str, Any] = {}

        async def send_page(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                is_plain_html = (b"text/html" in headers.get(b"content-type", b"")
                                 and b"content-encoding" not in headers)
                if is_plain_html:
                    held["start"], held["body"] = message, []
                    return
            elif message["type"] == "http.response.body" and "start" in held:
                held["body"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = rewrite(b"".join(held["body"]))
                start = held.pop("start")
                start["headers"] = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                start["headers"].append((b"content-length", str(len(body)).encode()))
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, send_page)
