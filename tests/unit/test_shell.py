"""The page shell middleware (ui/shell.py): the page says it is Danish."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import streamlit

from ui.shell import PageShell

INDEX = (Path(streamlit.__file__).parent / "static" / "index.html").read_bytes()


def serve(path: str, body: bytes, content_type: bytes, *, method: str = "GET", scope_type: str = "http",
          chunks: int = 1, extra_headers: tuple = ()) -> list[dict]:
    """Run PageShell around an app answering ``body`` (in ``chunks`` parts); the messages it sends.

    The app refuses to answer a page request that still allows compression: PageShell must take
    ``accept-encoding`` away, or the app (Streamlit gzips some page paths) would compress the page.
    """

    async def app(scope, receive, send):
        if not any(p in scope["path"] for p in ("static", "_stcore", ".")) and scope["type"] == "http" \
                and scope["method"] == "GET":
            assert b"accept-encoding" not in dict(scope["headers"]), "a page must be asked for uncompressed"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                                *extra_headers]})
        size = -(-len(body) // chunks)
        for i in range(chunks):
            await send({"type": "http.response.body", "body": body[i * size:(i + 1) * size],
                        "more_body": i < chunks - 1})

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.disconnect"}

    shell = PageShell(app)
    request = [(b"accept-encoding", b"gzip, deflate, br"), (b"accept", b"text/html")]
    scope = {"type": scope_type, "path": path, "method": method, "headers": request}
    # In a thread of its own: in a worker that also ran browser tests, Playwright's loop is running here.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, shell(scope, receive, send)).result()
    return sent


def body_of(sent: list[dict]) -> bytes:
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_streamlits_page_is_english_until_rewritten():
    """What the middleware relies on in the installed Streamlit: exactly one lang="en" to replace."""
    assert INDEX.count(b'lang="en"') == 1 and b'<html lang="en">' in INDEX


def test_every_page_path_gets_the_danish_shell():
    for path in ("/", "/scenarie", "/afdeling"):
        sent = serve(path, INDEX, b"text/html", chunks=3)
        page = body_of(sent)
        assert page == INDEX.replace(b'<html lang="en">', b'<html lang="da">')
        start = sent[0]
        assert dict(start["headers"])[b"content-length"] == str(len(page)).encode()
        assert [k for k, _ in start["headers"]].count(b"content-length") == 1


def test_everything_else_passes_through_untouched():
    script = b'console.log("<html lang=\\"en\\"></head>")'
    cases = [
        ("/static/js/index.js", script, b"text/javascript", {}),
        ("/_stcore/health", b"ok", b"text/plain", {}),
        ("/", INDEX, b"text/html", {"method": "POST"}),
        ("/", INDEX, b"text/html", {"extra_headers": ((b"content-encoding", b"gzip"),)}),
        ("/", INDEX, b"text/html", {"scope_type": "websocket"}),
        ("/favicon.png", b"\x89PNG", b"image/png", {}),
    ]
    for path, body, kind, options in cases:
        assert body_of(serve(path, body, kind, **options)) == body, path
