"""The HTML page the browser loads first, in Danish.

Streamlit serves one ``index.html`` for every page path, with ``<html lang="en">``. The UI is
Danish, and screen readers (which voice), hyphenation and spell-checking go by this attribute.
:class:`PageShell` is an ASGI middleware (``serve.py`` installs it) that sets ``lang="da"`` on
that page and changes nothing else. Responses that are not HTML pages (scripts, styles, the
health check, WebSocket traffic, uploads and downloads) pass through untouched. The page itself
is sent uncompressed (~8 KB).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
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
                is_plain_html = b"text/html" in headers.get(b"content-type", b"") and b"content-encoding" not in headers
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


class StaticAssets:
    """ASGI middleware: Streamlit's browser code (``/static/…``) served from memory.

    Streamlit's own file handler answers each of the ~110 files a first page view loads in
    ~8 ms of server time (checks, a file-system thread per read); with the browser's six
    connections that queue made the page's code arrive ~0.8 s after the page itself
    (``bench/rerun.py``, cold start). These files are content-hashed and never change while the
    server runs, so each is read once and then answered from memory, with the same headers
    (its type, and cached by the browser for a year, as Streamlit does). Paths that are not a
    file inside Streamlit's static folder go on to Streamlit (which answers 404 or its page).

    Parameters
    ----------
    app : ASGI application
        The app to wrap (Streamlit's).
    directory : pathlib.Path, optional
        Streamlit's static folder (the one holding ``index.html``); found from the installed
        package by default.
    """

    def __init__(self, app: ASGIApp, directory: Path | None = None) -> None:
        import streamlit

        self.app = app
        self.root = (directory or Path(streamlit.__file__).parent / "static").resolve()
        self._files: dict[str, tuple[bytes, list[tuple[bytes, bytes]]] | None] = {}

    def _load(self, path: str) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
        relative = path.lstrip("/")
        if "\\" in relative or any(part in ("", ".", "..") for part in relative.split("/")):
            return None
        file = (self.root / relative).resolve()
        if not file.is_relative_to(self.root / "static") or not file.is_file():
            return None
        body = file.read_bytes()
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind == "text/javascript":
            kind = "application/javascript"  # what Streamlit's handler sends
        headers = [
            (b"content-type", kind.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"public, immutable, max-age=31536000"),
        ]
        return body, headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and scope.get("method") == "GET" and path.startswith("/static/"):
            if path not in self._files:
                self._files[path] = self._load(path)
            found = self._files[path]
            if found is not None:
                body, headers = found
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
