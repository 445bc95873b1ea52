"""Opening a database with the demo data built in: the store, the demo builders and the demo follow-up.

Its own module so that :mod:`trappetrin.store` stays below everything that reads and writes
through it: the demo follow-up data (:mod:`trappetrin.followup_demo`) are drawn from releases
classified out of the store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .followup_demo import add_demo_followup
from .store import Store, open_store


def open_with_demo(
    path: Path | str | None = None, *, national: bool = False, notice: Callable[[str], None] | None = None
) -> Store:
    """Open the store and build the demo data into it when it has no departments.

    Aalborg's demo (:func:`trappetrin.demo.build_demo`), or with ``national`` every municipality
    (:func:`trappetrin.demo_national.build_national`). A demo database without follow-up rows gets
    the agreement's demo follow-up data (§7.2) too, also one built before they existed.
    ``notice`` hears (in Danish) when opening waits for the app or another program.
    """
    store = open_store(path, notice=notice)
    if not store.scalar("SELECT count(*) FROM departments"):
        if national:
            from .demo_national import build_national

            store.load_demo(build_national())
        else:
            from .demo import build_demo

            store.load_demo(build_demo())
    add_demo_followup(store)  # demo databases only
    return store
