"""The one table of import kinds, and the three steps every kind goes through.

The Data page and the command line call :func:`plan_import` (read and check a file: a plan, or
one :class:`~trappetrin.errors.UserError` listing every problem with file, row, column, value and
what is expected), :func:`preview_import` (what storing it would change) and
:func:`commit_import` (one transaction, with its audit record). Nothing is written before the
commit. Each step is the kind's own (:data:`KINDS`), found by the plan's ``kind``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..auth import Actor
from ..errors import UserError
from ..followup_spec import FOLLOWUP_KINDS
from ..getting_started import require_register
from ..rules import RuleSet
from ..store import Store
from .base import Kind
from .checks import Progress
from .followup import FollowupKind
from .geometry import GeometryKind
from .indicators import IndicatorKind
from .ministry import MinistryListKind
from .register import RegisterKind

#: Kind → its object, in the order the Data page offers them.
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        IndicatorKind(),
        MinistryListKind(),
        RegisterKind(),
        GeometryKind(),
        *(FollowupKind(name, label) for name, label in FOLLOWUP_KINDS.items()),
    )
}


def plan_import(
    store: Store,
    kind: str,
    source,
    *,
    file_name: str | None = None,
    options: dict | None = None,
    mapping: dict[str, str] | None = None,
    today: date | None = None,
    progress: Progress | None = None,
):
    """Read and check a file of ``kind``; a plan, or a :class:`UserError` listing every problem.

    ``options`` per kind: afdelingsdata ``label``, ``source``, ``reference_date`` (and ``rules``,
    the rule set in use, default the adopted one; ``allow_missing``, indicators it reads that a
    deliberately partial release leaves out); ministerliste ``list_year`` (and optionally
    ``label``, ``reference_date``); geometri ``geometry_kind`` (``kommunegraense`` or
    ``afdeling``; default from the columns). Tables also take ``sheet`` and ``header_row``.
    """
    if kind not in KINDS:
        raise UserError(f"Ukendt slags import '{kind}' – forventet en af: {', '.join(KINDS)}.")
    # Before reading the file: values or a list before the register would give one "unknown
    # department" per row (271 of them); one message naming the order is what helps.
    require_register(store, kind, file_name or (Path(source).name if isinstance(source, str | Path) else None))
    return KINDS[kind].plan(
        store, source, file_name=file_name, options=dict(options or {}), mapping=mapping, today=today, progress=progress
    )


def preview_import(store: Store, plan, rules: RuleSet):
    """What committing ``plan`` would change (a :class:`~.base.KindPreview`, or for indicators an
    :class:`~.indicators.Preview`)."""
    return KINDS[plan.kind].preview(store, plan, rules)


def commit_import(store: Store, plan, *, actor: Actor, progress: Progress | None = None) -> str:
    """Store a plan in one transaction with its audit record; return what was stored (Danish)."""
    return KINDS[plan.kind].commit(store, plan, actor=actor, progress=progress)


def fields_for(kind: str) -> dict[str, tuple[str, bool]]:
    """Field → (Danish label, required?) for the mapping step."""
    return KINDS[kind].fields()


def missing_required(store: Store, kind: str, headers: list[str], mapping: dict[str, str] | None = None) -> list[str]:
    """Required fields no header names (after the mapping): the page asks for these."""
    return KINDS[kind].missing_required(store, [str(h) for h in headers], mapping)
