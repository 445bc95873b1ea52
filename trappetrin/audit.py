"""The audit trail as a reader sees it: Danish labels for actions and details, Danish dates and numbers.

The trail stores details as JSON with short keys (``{"kind": "afdelingsdata", "values": 5420}``).
Revisionsspor, the Data page's log, its CSV and ``trappetrin log`` show them through here, so no
internal key, ``None`` or ``nan`` reaches anyone.
"""

from __future__ import annotations

import json

import pandas as pd

from . import formatting
from .store import AUDIT_ACTIONS

#: Detail key → Danish label. Keys not listed are shown with their underscores as spaces.
DETAIL_LABELS = {
    "kind": "Type",
    "source": "Kilde",
    "kilde": "Kilde",
    "values": "Værdier",
    "list_rows": "Listerækker",
    "list_year": "Listeår",
    "source_crs": "Koordinatsystem",
    "title": "Titel",
    "tables": "Tabeller",
    "created_at": "Oprettet",
    "created_by": "Oprettet af",
    "format": "Format",
    "regelsæt": "Regelsæt",
    "total": "I alt",
    "row_id": "Række",
    "before": "Før",
    "after": "Efter",
    "report": "Rapport",
    "tvillinger": "Tvillinger",
}
#: Details that hold a year or an id: written as they are, never grouped (2024, not 2.024).
PLAIN_DETAILS = {"list_year", "source_crs"}
#: Details that hold a time stamp (ISO text in the JSON).
TIME_DETAILS = {"created_at"}

#: Audit-trail column → Danish header, in the order Revisionsspor shows them.
COLUMNS = {
    "logged_at": "Tidspunkt",
    "actor": "Hvem",
    "action": "Handling",
    "object": "Objekt",
    "file_name": "Fil",
    "checksum": "Kontrolsum",
    "n_rows": "Rækker",
    "details": "Detaljer",
}


def action_label(action: object) -> str:
    if formatting.is_missing(action):
        return formatting.MISSING
    return AUDIT_ACTIONS.get(str(action), str(action))


def _kind_names() -> dict[str, str]:
    """Follow-up data kinds (``offered`` …) by their Danish names; the import kinds are Danish already."""
    from .followup_spec import KIND_NAMES

    return dict(KIND_NAMES)


def _detail_value(key: str, value: object) -> str:
    if value is None or value == "":
        return formatting.MISSING
    if isinstance(value, dict):  # e.g. a corrected row: column → value
        return ", ".join(f"{k} {_detail_value(k, v)}" for k, v in value.items()) or formatting.MISSING
    if key == "kind" and isinstance(value, str):
        return _kind_names().get(value, value)
    if key in PLAIN_DETAILS:
        return formatting.verbatim(value)
    if key in TIME_DETAILS:
        return formatting.datetime(value)
    return formatting.text(value)


def details_text(raw: object) -> str:
    """The JSON details as ``Type: afdelingsdata; Kilde: Beboerdata`` (plain text); "–" for none."""
    if formatting.is_missing(raw) or raw == "":
        return formatting.MISSING
    try:
        data = json.loads(str(raw))
    except ValueError:
        return str(raw)
    if not isinstance(data, dict):
        return formatting.text(data)
    if not data:
        return formatting.MISSING
    return "; ".join(
        f"{DETAIL_LABELS.get(k, k.replace('_', ' ').capitalize())}: {_detail_value(k, v)}" for k, v in data.items()
    )


def readable(log: pd.DataFrame, columns: dict[str, str] | None = None) -> pd.DataFrame:
    """The trail as Danish text: headers, action labels, details, dates and numbers; "–" for missing."""
    columns = columns or COLUMNS
    out = log[list(columns)].copy()
    if "action" in out:
        out["action"] = out["action"].map(action_label)
    if "details" in out:
        out["details"] = out["details"].map(details_text)
    if "logged_at" in out:
        out["logged_at"] = [formatting.datetime(v) for v in pd.to_datetime(out["logged_at"])]
    return formatting.table(out).rename(columns=columns)
