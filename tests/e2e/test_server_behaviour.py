"""The running server keeps its promises (issue 16.6: behaviour, not a re-read of config.toml).

A fresh ``serve.py`` on the demo database (the way ``run.sh`` starts it) is asked over plain HTTP and
Streamlit's websocket, as a browser or an attacker would: uploads need the XSRF token and stay under
the size limit, only loopback answers, the page is Danish, and the warm-up has filled the first
page's cache by the time the health check says ok. A script that fails sends no error details to
the browser, and the menu has no developer entries. Where a check could pass for the wrong reason,
a control run shows that it does see the difference.
"""

from __future__ import annotations

import fcntl
import http.client
import re
import socket
import struct
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from tests.e2e.conftest import HEALTH_TIMEOUT_S
from tests.support.browser import REPO_ROOT, StreamlitServer, free_port, spawn_streamlit, start_streamlit
from tests.support.demo import demo_copy

MAX_UPLOAD_MB = 50  # the limit README and the import page promise
SECRET = "hemmelig-detalje-7f3a"
RAISING_APP = "tests/support/raising_app.py"


@dataclass
class Server:
    process: StreamlitServer
    metrics_at_first_ok: str  # /_stcore/metrics read right after the health check first said ok

    @property
    def url(self) -> str:
        return self.process.url


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``streamlit run serve.py`` on a copy of the demo database, watched from its first health answer."""
    folder = tmp_path_factory.mktemp("server_behaviour")
    db = demo_copy(folder / "trappetrin.duckdb")
    proc = spawn_streamlit("serve.py", folder / "streamlit.log", {"TRAPPETRIN_DB": str(db)}, REPO_ROOT, free_port(), ())
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{proc.url}/_stcore/health", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if proc.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve.py did not become healthy:\n{proc.log()[-3000:]}", pytrace=False)
            time.sleep(0.05)
        with urllib.request.urlopen(f"{proc.url}/_stcore/metrics", timeout=10) as resp:
            metrics = resp.read().decode()
        yield Server(proc, metrics)
    finally:
        proc.stop()


@dataclass
class Session:
    """A websocket session as the browser opens one: its id, XSRF cookie and the messages of one run."""

    id: str
    cookie: str  # "_streamlit_xsrf=<token>"
    messages: list[bytes]

    @property
    def token(self) -> str:
        return self.cookie.split("=", 1)[1]


@contextmanager
def open_session(url: str, *, until: str = "new_session") -> Iterator[Session]:
    """Fetch the XSRF cookie, connect Streamlit's websocket as the browser does and start a script run.

    Reads messages until one of kind ``until`` (``new_session``: the session exists and has its id;
    ``script_finished``: the whole run). The session stays open inside the ``with`` block.
    """
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as resp:
        cookies = resp.headers.get_all("Set-Cookie") or []
    cookie = next(c.split(";")[0] for c in cookies if c.startswith("_streamlit_xsrf="))
    with connect(
        url.replace("http://", "ws://") + "/_stcore/stream",
        subprotocols=["streamlit", cookie.split("=", 1)[1]],
        additional_headers={"Cookie": cookie, "Origin": url},
        max_size=None,
    ) as ws:
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        rerun.rerun_script.page_script_hash = ""
        ws.send(rerun.SerializeToString())
        session = Session("", cookie, [])
        deadline = time.monotonic() + 60
        while True:
            raw = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            session.messages.append(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                session.id = msg.new_session.initialize.session_id
            if kind == until:
                break
        yield session


def put_upload(url: str, session_id: str, size: int, headers: dict[str, str]) -> int:
    """PUT one file of ``size`` bytes to the upload endpoint as st.file_uploader does; the HTTP status."""
    boundary = "----trappetrin" + uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="register.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    body = head + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
    host, port = url.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        try:
            conn.request(
                "PUT",
                f"/_stcore/upload_file/{session_id}/{uuid.uuid4()}",
                body=body,
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}", **headers},
            )
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before the whole body is sent
        return conn.getresponse().status
    finally:
        conn.close()


def _with_token(session: Session) -> dict[str, str]:
    return {"Cookie": session.cookie, "X-Xsrftoken": session.token}


def test_an_upload_without_the_xsrf_token_is_refused(server: Server):
    """The same upload into a live session: refused (403) without the token, stored (204) with it."""
    with open_session(server.url) as session:
        assert put_upload(server.url, session.id, 1000, {}) == 403
        assert put_upload(server.url, session.id, 1000, {"Cookie": session.cookie}) == 403  # cookie alone
        assert put_upload(server.url, session.id, 1000, {"Cookie": session.cookie, "X-Xsrftoken": "2|00|00|1"}) == 403
        assert put_upload(server.url, session.id, 1000, _with_token(session)) == 204


def test_an_upload_over_the_size_limit_is_refused(server: Server):
    """Just under the limit is stored; just over it is refused with 413, whole body sent or not."""
    mb = 1024 * 1024
    with open_session(server.url) as session:
        assert put_upload(server.url, session.id, MAX_UPLOAD_MB * mb - 64 * 1024, _with_token(session)) == 204
        assert put_upload(server.url, session.id, MAX_UPLOAD_MB * mb + 1, _with_token(session)) == 413


def _own_addresses() -> list[str]:
    """This machine's IPv4 addresses outside 127.0.0.0/8 (Linux: SIOCGIFADDR per interface)."""
    found = []
    for _index, name in socket.if_nameindex():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                packed = fcntl.ioctl(sock.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))
            except OSError:  # no IPv4 address on this interface
                continue
        address = socket.inet_ntoa(packed[20:24])
        if not address.startswith("127."):
            found.append(address)
    return found


def _connects(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=3):
            return True
    except OSError:
        return False


def test_the_server_answers_on_loopback_only(server: Server):
    """From another address of this same machine the port is closed; on 127.0.0.1 it is open."""
    addresses = _own_addresses()
    if not addresses:
        pytest.skip("this machine has no address outside loopback to try")
    assert _connects("127.0.0.1", server.process.port)
    with socket.create_server(("0.0.0.0", 0)) as control:  # a listener on every address is reachable there
        assert all(_connects(a, control.getsockname()[1]) for a in addresses), "the addresses do not answer at all"
    assert not any(_connects(a, server.process.port) for a in addresses), f"the app answers on {addresses}"


def test_the_page_is_danish(server: Server):
    """The HTML page itself (before any script) says lang="da", so screen readers and translators know."""
    with urllib.request.urlopen(f"{server.url}/", timeout=10) as resp:
        html = resp.read().decode()
    assert re.search(r"<html[^>]*\blang=\"da\"", html), html[:500]


def test_the_warm_up_is_done_when_the_health_check_says_ok(server: Server):
    """At the first "ok", before any visitor, the first page's classification and map are already cached."""

    def entries(name: str) -> float:
        found = re.findall(
            rf'cache_memory_bytes\{{[^}}]*cache="[\w.]*\.{name}"[^}}]*\}} (\S+)', server.metrics_at_first_ok
        )
        return sum(float(v) for v in found)

    assert entries("_classified") > 0, server.metrics_at_first_ok
    assert entries("_overview") > 0, server.metrics_at_first_ok


@pytest.fixture(scope="module")
def raising_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, StreamlitServer]]:
    """The failing page served with the app's configuration, and (control) with error details and developer menu on."""
    folder = tmp_path_factory.mktemp("raising")
    servers: dict[str, StreamlitServer] = {}
    try:
        for name, args in {
            "app": (),
            "control": ("--client.showErrorDetails", "full", "--client.toolbarMode", "developer"),
        }.items():
            servers[name] = start_streamlit(
                RAISING_APP,
                log_path=folder / f"{name}.log",
                env={"TRAPPETRIN_TEST_SECRET": SECRET},
                extra_args=args,
                timeout=HEALTH_TIMEOUT_S,
            )
        yield servers
    finally:
        for s in servers.values():
            s.stop()


def _sent_on_failure(url: str):
    """Everything the server sends the browser for one run of the failing page, and its error boxes."""
    with open_session(url, until="script_finished") as session:
        raw = b"".join(session.messages)
    boxes = []
    for m in session.messages:
        msg = ForwardMsg()
        msg.ParseFromString(m)
        if msg.WhichOneof("type") == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
            boxes.append(msg.delta.new_element.exception)
    return raw, boxes


def test_a_failing_page_sends_no_error_details(raising_servers: dict[str, StreamlitServer]):
    """The user sees that something failed, but not the message, the exception type or the traceback."""
    raw, boxes = _sent_on_failure(raising_servers["app"].url)
    assert len(boxes) == 1, "no error box at all"
    assert SECRET.encode() not in raw
    assert "RuntimeError" not in boxes[0].type + boxes[0].message
    assert not boxes[0].stack_trace, boxes[0].stack_trace
    raw, boxes = _sent_on_failure(raising_servers["control"].url)  # the check sees details when they are sent
    assert SECRET.encode() in raw and boxes[0].type == "RuntimeError"
    assert any("raising_app.py" in line for line in boxes[0].stack_trace)


def _menu_entries(browser, url: str) -> list[str]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="da-DK")
    try:
        page = context.new_page()
        page.goto(url)
        page.get_by_test_id("stMainMenu").click()
        entries = page.get_by_test_id("stMainMenuList")
        entries.wait_for()
        return [t.strip() for t in entries.inner_text().splitlines() if t.strip()]
    finally:
        context.close()


def test_the_menu_has_no_developer_entries(browser, raising_servers: dict[str, StreamlitServer]):
    """Viewer toolbar: no rerun, clear cache, deploy or developer section (the control server has them)."""
    developer = {"Rerun", "Clear cache", "Deploy", "Developer options", "Record a screencast"}
    control = _menu_entries(browser, raising_servers["control"].url)
    assert developer & set(control), control
    shown = _menu_entries(browser, raising_servers["app"].url)
    assert not developer & set(shown), shown
