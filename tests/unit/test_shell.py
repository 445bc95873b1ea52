"""The middleware of serve.py (ui/shell.py): the page says it is Danish; Streamlit's code from memory."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import streamlit

from ui.shell import PageShell, StaticAssets

INDEX = (Path(streamlit.__file__).parent / "static" / "index.html").read_bytes()


def serve(
    path: str,
    body: bytes,
    content_type: bytes,
    *,
    method: str = "GET",
    scope_type: str = "http",
    chunks: int = 1,
    extra_headers: tuple = (),
) -> list[dict]:
    """Run PageShell around an app answering ``body`` (in ``chunks`` parts); the messages it sends.

    The app refuses to answer a page request that still allows compression: PageShell must take
    ``accept-encoding`` away, or the app (Streamlit gzips some page paths) would compress the page.
    """

    async def app(scope, receive, send):
        if (
            not any(p in scope["path"] for p in ("static", "_stcore", "."))
            and scope["type"] == "http"
            and scope["method"] == "GET"
        ):
            assert b"accept-encoding" not in dict(scope["headers"]), "a page must be asked for uncompressed"
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    *extra_headers,
                ],
            }
        )
        size = -(-len(body) // chunks)
        for i in range(chunks):
            await send(
                {"type": "http.response.body", "body": body[i * size : (i + 1) * size], "more_body": i < chunks - 1}
            )

    request = [(b"accept-encoding", b"gzip, deflate, br"), (b"accept", b"text/html")]
    return request_through(PageShell(app), {"type": scope_type, "path": path, "method": method, "headers": request})


def request_through(middleware, scope: dict) -> list[dict]:
    """Send one request ``scope`` through an ASGI ``middleware``; the messages it sends back."""
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.disconnect"}

    # In a thread of its own: in a worker that also ran browser tests, Playwright's loop is running here.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, middleware(scope, receive, send)).result()
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


def call(middleware, path: str, *, method: str = "GET") -> tuple[list[dict], list[str]]:
    """One request through ``middleware``: the messages sent and the paths the inner app was asked for."""
    asked: list[str] = []

    async def app(scope, receive, send):
        asked.append(scope["path"])
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b"from streamlit"})

    sent = request_through(middleware(app), {"type": "http", "path": path, "method": method, "headers": []})
    return sent, asked


def test_streamlits_code_is_answered_from_memory_with_its_headers(tmp_path):
    root = tmp_path / "static"
    (root / "static" / "js").mkdir(parents=True)
    (root / "static" / "css").mkdir()
    (root / "static" / "js" / "index.abc.js").write_bytes(b"console.log(1)")
    (root / "static" / "css" / "index.abc.css").write_bytes(b"body{}")
    (root / "secret.txt").write_bytes(b"not an asset")
    shell = {}

    def middleware(app):
        shell.setdefault("one", StaticAssets(app, directory=root))
        shell["one"].app = app
        return shell["one"]

    sent, asked = call(middleware, "/static/js/index.abc.js")
    assert asked == [] and body_of(sent) == b"console.log(1)"
    headers = dict(sent[0]["headers"])
    assert sent[0]["status"] == 200
    assert headers[b"content-type"] == b"application/javascript" and headers[b"content-length"] == b"14"
    assert headers[b"cache-control"] == b"public, immutable, max-age=31536000"
    assert dict(call(middleware, "/static/css/index.abc.css")[0][0]["headers"])[b"content-type"] == b"text/css"

    (root / "static" / "js" / "index.abc.js").write_bytes(b"changed on disk")
    assert body_of(call(middleware, "/static/js/index.abc.js")[0]) == b"console.log(1)"  # read once

    for path in (
        "/static/../secret.txt",
        "/static/js/../../secret.txt",
        "/static//js/index.abc.js",
        "/static/js",
        "/static/nope.js",
        "/secret.txt",
        "/static\\js\\index.abc.js",
    ):
        sent, asked = call(middleware, path)
        assert asked == [path] and body_of(sent) == b"from streamlit", path
    sent, asked = call(middleware, "/static/js/index.abc.js", method="POST")
    assert asked == ["/static/js/index.abc.js"]


def test_the_installed_streamlits_main_bundle_is_served_as_it_is_on_disk():
    index = INDEX.decode()
    src = index.split('<script type="module" crossorigin src="./', 1)[1].split('"', 1)[0]
    sent, asked = call(StaticAssets, "/" + src)
    assert asked == [] and body_of(sent) == (Path(streamlit.__file__).parent / "static" / src).read_bytes()
