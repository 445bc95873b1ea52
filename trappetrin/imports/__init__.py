"""Imports: a user's file → checked plan → preview → one committed transaction.

Every kind (department indicators, the ministry's lists, the department register, geometry and
the follow-up data) is one object in :data:`KINDS` with ``plan``/``preview``/``commit``; the
Data page and the command line use :func:`plan_import`, :func:`preview_import` and
:func:`commit_import`. No Streamlit here.

Modules: :mod:`.files` (decoding, CSV/XLSX, the header search), :mod:`.columns` (aliases and
mappings), :mod:`.problems` (:class:`Problem`, rendered to Danish at the edge), :mod:`.checks`
(cell checks the kinds share), :mod:`.base` (the kind interface), one module per kind
(:mod:`.indicators`, :mod:`.ministry`, :mod:`.register`, :mod:`.geometry`, :mod:`.followup`) and
:mod:`.kinds` (the table).
"""

from __future__ import annotations

from .base import KindPreview
from .columns import field_label, remembered_mapping
from .files import read_table
from .indicators import (
    VALUE_SOURCES,
    export_release_template,
    import_release,
    missing_rule_columns,
    partial_indicators,
    partial_releases,
)
from .kinds import KINDS, commit_import, fields_for, missing_required, plan_import, preview_import
from .ministry import export_list_template
from .problems import Problem, collapse_problems, problem_table
from .register import export_register_template

__all__ = [
    "KINDS",
    "VALUE_SOURCES",
    "KindPreview",
    "Problem",
    "collapse_problems",
    "commit_import",
    "export_list_template",
    "export_register_template",
    "export_release_template",
    "field_label",
    "fields_for",
    "import_release",
    "missing_required",
    "missing_rule_columns",
    "partial_indicators",
    "partial_releases",
    "plan_import",
    "preview_import",
    "problem_table",
    "read_table",
    "remembered_mapping",
]
