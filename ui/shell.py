"""The HTML page the browser loads first: in Danish, and starting on the first page's code early.

Streamlit serves one ``index.html`` for every page path, with ``<html lang="en">``. The UI is
Danish, and screen readers (which voice), hyphenation and spell-checking go by this attribute.
:class:`PageShell` is an ASGI middleware (``serve.py`` installs it) that sets ``lang="da"`` on
that page.

It also adds one small script that, once the page's own code has loaded, imports the browser
code of the elements the first page draws (:data:`FIRST_PAGE_CHUNKS`: the map, select boxes,
buttons, HTML and the map's links component). Streamlit loads each of these only when the
first such element arrives from the server; the map's deck.gl bundle alone is ~3 MB, so a first
view fetched and ran it after the script had run, while the map's place stayed empty. Imported
early, that work is done while the browser waits for the server's first script run, and
Streamlit's own later import finds the module ready (one module instance per URL). Nothing else
changes. Responses that are not HTML pages (scripts, styles, the health check, WebSocket
traffic, uploads and downloads) pass through untouched. The page itself is sent uncompressed
(~8 KB).
"""

from __future__ import annotations

import functools
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


# Streamlit's lazily loaded browser chunks that the first page view (Oversigt) needs, by the
# name before the content hash: static/js/<name>.<hash>.js.
FIRST_PAGE_CHUNKS = ("DeckGlJsonChart", "webgl", "Selectbox", "Button", "Html", "BidiComponent")


def _static_js() -> Path:
    import streamlit

    return Path(streamlit.__file__).parent / "static" / "static" / "js"


@functools.cache
def first_page_chunks(folder: Path | None = None) -> tuple[str, ...]:
    """The file names of :data:`FIRST_PAGE_CHUNKS` in the installed Streamlit.

    Raises ``LookupError`` for a name Streamlit does not have (a renamed chunk after an upgrade:
    the test suite says so, rather than the early load silently vanishing).
    """
    folder = folder or _static_js()
    names = {p.name for p in folder.glob("*.js")}
    found = []
    for chunk in FIRST_PAGE_CHUNKS:
        matches = sorted(n for n in names if n.startswith(chunk + ".") and n.count(".") == 2)
        if len(matches) != 1:
            raise LookupError(f"Streamlit has {len(matches)} browser chunks named {chunk!r} in {folder}")
        found += matches
    return tuple(found)


def rewrite(page: bytes) -> bytes:
    """``index.html`` with ``lang="da"`` and an early load of the first page's code."""
    page = page.replace(b'<html lang="en">', b'<html lang="da">', 1)
    try:
        chunks = first_page_chunks()
    except LookupError:
        return page  # an upgrade renamed a chunk: no early load (tests/unit/test_shell.py says so)
    urls = ",".join(f'"./static/js/{name}"' for name in chunks)
    # After the page's own code has loaded (so it does not compete with it), while the browser
    # waits for the server's first script run. A failure only means the usual lazy load later.
    script = (
        '    <script type="module">addEventListener("load",()=>setTimeout(()=>'
        f"[{urls}].forEach(u=>import(u).catch(()=>{{}}))))</script>\n"
    )
    return page.replace(b"  </head>", script.encode() + b"  </head>", 1)


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
