"""One demo database per test process, copied wherever a test needs one.

Building the Aalborg demo (271 departments, every release, the follow-up data) takes a second or
two of CPU; the suite used to build it some twenty times per worker. :func:`demo_copy` builds it
once per process (each pytest-xdist worker is one) into a private temporary folder and copies the
closed file to wherever a test wants its own database.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from trappetrin.bootstrap import open_with_demo

_lock = threading.Lock()
_built: Path | None = None


def demo_file() -> Path:
    """The process's demo database file (built on first use). Never open it for writing: copy it."""
    global _built
    with _lock:
        if _built is None:
            folder = Path(tempfile.mkdtemp(prefix="trappetrin-demo-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            path = folder / "demo.duckdb"
            open_with_demo(path).close()
            _built = path
        return _built


def demo_copy(path: Path | str) -> Path:
    """A fresh copy of the demo database at ``path`` (its folder is created); returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_file(), path)
    return path
