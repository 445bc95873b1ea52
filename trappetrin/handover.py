"""The command line beside the running app: the app steps aside while a command runs.

DuckDB lets one process at a time hold a database file for writing, and while it does, no other
process may open the file at all (not even read-only). The app keeps its file open (opening it
for every page view would cost time and its caches), so without help every command of
``python -m trappetrin`` would fail with "Could not set lock" while the app runs.

The mechanism: the process that holds the database (the app) listens on a local Unix socket
beside the file (:func:`socket_path`, owner-only). A command that finds the file locked connects
and asks the app to step aside. The app waits until its running queries and writes are done,
closes the file and answers; the command then opens the file as usual, runs (reading or writing,
in its own transactions) and closes it; when its connection to the socket closes (also when the
command dies), the app opens the file again. Page views that need the database while a command
runs wait for it (see :class:`Gate`). So reading commands and writing commands both work beside
the app, in turn, each with the ordinary code path.

Only processes of the same user can connect (the socket file is 0600). The protocol is one line
each way: ``pause`` → ``ok``; then the command holds the connection open until it is done.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

log = logging.getLogger("trappetrin.handover")

#: Unix socket paths longer than this do not fit in sockaddr_un (108 bytes on Linux, 104 on macOS).
_MAX_SOCKET_PATH = 100
#: How long a command waits for the app to step aside (the app may be in the middle of an import).
WAIT_FOR_APP_S = 600.0


def socket_path(db: Path | str) -> Path:
    """Where the process holding ``db`` listens: beside the file, or in the temp folder if too long."""
    db = Path(db).resolve()
    beside = db.with_name(db.name + ".app.sock")
    if len(str(beside)) <= _MAX_SOCKET_PATH:
        return beside
    digest = hashlib.sha256(str(db).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"trappetrin-{digest}.sock"


def available() -> bool:
    return hasattr(socket, "AF_UNIX")


# --- the app's side --------------------------------------------------------------------


class Gate:
    """Many readers at a time, or one thread that has closed the database (a pause).

    Every use of the DuckDB connection takes a read lease (:meth:`read`); :meth:`exclusive`
    waits until no other thread holds one and keeps new ones out until it ends. A thread may
    nest leases, and the thread holding the exclusive side may read (it is the one reopening).
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._readers = 0
        self._owner: int | None = None  # thread holding the exclusive side
        self._depth = threading.local()

    def _mine(self) -> int:
        return getattr(self._depth, "n", 0)

    @contextlib.contextmanager
    def read(self, timeout: float | None = None, on_timeout: Callable[[], Exception] | None = None) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._mine() == 0 and self._owner not in (None, me):
                if not self._cond.wait_for(lambda: self._owner is None, timeout=timeout):
                    raise (on_timeout() if on_timeout else TimeoutError())
            self._readers += 1
            self._depth.n = self._mine() + 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._depth.n = self._mine() - 1
                self._cond.notify_all()

    @property
    def paused(self) -> bool:
        return self._owner is not None

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:  # nested (a reopen during a pause)
                yield
                return
            self._cond.wait_for(lambda: self._owner is None)
            self._owner = me
            mine = self._mine()
            self._cond.wait_for(lambda: self._readers == mine)
        try:
            yield
        finally:
            with self._cond:
                self._owner = None
                self._cond.notify_all()


class Listener:
    """The app's end: a daemon thread that lets one command at a time have the database."""

    _by_path: dict[str, Listener] = {}
    _lock = threading.Lock()

    def __init__(self, path: Path, step_aside: Callable[[], contextlib.AbstractContextManager]):
        self.path = path
        self.step_aside = step_aside
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # a stale socket of an app that died (we hold the database's lock now)
        self._sock.bind(str(path))
        os.chmod(path, 0o600)
        self._sock.listen(8)
        self.thread = threading.Thread(target=self._serve, name=f"trappetrin-handover {path.name}", daemon=True)
        self.thread.start()

    @classmethod
    def start(cls, db: Path | str, step_aside: Callable[[], contextlib.AbstractContextManager]) -> Listener | None:
        """Listen for commands on ``db`` (once per file and process; a later store takes over)."""
        if not available():
            return None
        path = socket_path(db)
        with cls._lock:
            running = cls._by_path.get(str(path))
            if running is not None and running.thread.is_alive():
                running.step_aside = step_aside
                return running
            try:
                listener = cls(path, step_aside)
            except OSError as exc:  # read-only folder and the like: commands then get the lock message
                log.warning("Kommandolinjen kan ikke få adgang via %s: %s", path, exc)
                return None
            cls._by_path[str(path)] = listener
            return listener

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            try:
                self._handle(conn)
            except Exception:  # noqa: BLE001 - one bad client must not stop the listener
                log.warning("Fejl i adgangen for kommandolinjen", exc_info=True)
            finally:
                conn.close()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        request = conn.recv(64).strip()
        if request != b"pause":
            return
        conn.settimeout(None)
        with self.step_aside():
            conn.sendall(b"ok\n")
            while conn.recv(4096):  # the command holds the connection until it is done (or dies)
                pass


# --- the command's side ----------------------------------------------------------------


def ask_app_to_step_aside(
    db: Path | str, *, wait: float = WAIT_FOR_APP_S, notice: Callable[[str], None] | None = None
) -> socket.socket | None:
    """Ask the process holding ``db`` to close it; the open socket while it has, else None.

    None means nobody listens (the lock is held by something else, e.g. another command).
    Keep the socket open while using the database; closing it hands the file back.
    """
    if not available():
        return None
    path = socket_path(db)
    if not path.exists():
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))
        conn.sendall(b"pause\n")
        conn.settimeout(1.0)
        start = time.monotonic()
        told = False
        while True:
            try:
                answer = conn.recv(16)
                break
            except TimeoutError:
                if time.monotonic() - start > wait:
                    conn.close()
                    return None
                if not told and notice is not None:
                    notice("Appen bruger databasen lige nu; kommandoen venter på sin tur …")
                    told = True
        if answer.strip() != b"ok":
            conn.close()
            return None
        conn.settimeout(None)
        return conn
    except OSError:
        conn.close()
        return None
