"""What every kind of import has: a plan (the checked file, ready to store), a preview (what
storing it would change) and a commit (one transaction with its audit record).

Each kind is one object (a :class:`Kind`) in :data:`trappetrin.imports.kinds.KINDS`; the
Data page and the command line reach every kind through that table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..auth import Actor, require
from ..rules import RuleSet
from ..store import Store
from .checks import Progress, no_progress
from .columns import FieldTable, kind_columns
from .files import read_table

#: The table file types (for the upload widget).
TABLE_SUFFIXES = ("csv", "txt", "tsv", "xlsx", "xlsm")


@dataclass(frozen=True)
class TablePlan:
    """A checked file of one kind, ready to preview and commit: the frames to store."""

    kind: str
    file_name: str
    checksum: str
    rows: int
    frames: dict[str, pd.DataFrame]
    options: dict = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # field → column used
    ignored_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class KindPreview:
    """What committing a plan would change (ids, names and colours; no values)."""

    plan: Any
    summary: list[str]
    tables: dict[str, pd.DataFrame]  # Danish title → table
    changes: pd.DataFrame | None = None  # dept_id, name, before_label, after_label


class Kind:
    """One kind of import. Subclasses set ``name``, ``label`` and ``suffixes`` and implement
    :meth:`plan`, :meth:`preview`, :meth:`store` and :meth:`fields`."""

    name: str = ""
    label: str = ""  # Danish, as the Data page offers it
    suffixes: tuple[str, ...] = TABLE_SUFFIXES
    commit_label: str = "Gem"  # the Data page's button

    def plan(
        self,
        store: Store,
        source: str | Path | bytes,
        *,
        file_name: str | None = None,
        options: dict,
        mapping: dict[str, str] | None = None,
        today: date | None = None,
        progress: Progress | None = None,
    ) -> Any:
        """Read and check a file; a plan, or a :class:`~trappetrin.errors.UserError` listing every problem."""
        raise NotImplementedError

    def preview(self, store: Store, plan: Any, rules: RuleSet) -> Any:
        """What committing ``plan`` would change."""
        raise NotImplementedError

    def store(self, store: Store, plan: Any, actor: Actor) -> str:
        """Write ``plan`` in one transaction with its audit record; what was stored, in Danish."""
        raise NotImplementedError

    def commit(self, store: Store, plan: Any, *, actor: Actor, progress: Progress | None = None) -> str:
        """Store a plan (needs the ``import`` permission); return what was stored (Danish)."""
        require(actor, "import")
        progress = progress or no_progress
        progress(0.05, "Gemmer")
        text = self.store(store, plan, actor)
        progress(1.0, text)
        return text

    def fields(self) -> dict[str, tuple[str, bool]]:
        """Field → (Danish label, required?) for the mapping step."""
        raise NotImplementedError

    def missing_required(self, store: Store, headers: list[str], mapping: dict[str, str] | None = None) -> list[str]:
        """Required fields no header names (after the mapping): the page asks for these."""
        return []


class TableKind(Kind):
    """A kind whose files are tables (CSV or XLSX): read with :func:`~.files.read_table`, then
    checked by :meth:`check`. ``field_table`` lists its fields (see :mod:`.columns`)."""

    field_table: FieldTable = {}

    def fields(self) -> dict[str, tuple[str, bool]]:
        return {f: (label, req) for f, (label, req, _) in self.field_table.items()}

    def columns_used(self, headers: list[str], mapping: dict[str, str] | None) -> dict[str, str]:
        """Field → header, for a file with ``headers`` and the user's ``mapping``."""
        used, _, _ = kind_columns(pd.DataFrame(columns=[str(h) for h in headers]), self.field_table, mapping, "filen")
        return used

    def missing_required(self, store, headers, mapping=None) -> list[str]:
        used = self.columns_used(headers, mapping)
        return [f for f, (_, req, _) in self.field_table.items() if req and f not in used]

    def plan(self, store, source, *, file_name=None, options, mapping=None, today=None, progress=None):
        table = read_table(
            source, file_name, sheet=options.get("sheet") or None, header_row=options.get("header_row") or None
        )
        return self.check(store, table, options=options, mapping=mapping, today=today, progress=progress)

    def check(
        self,
        store: Store,
        table: pd.DataFrame,
        *,
        options: dict,
        mapping: dict[str, str] | None = None,
        today: date | None = None,
        progress: Progress | None = None,
    ) -> Any:
        """Check a table from :func:`~.files.read_table`."""
        raise NotImplementedError
