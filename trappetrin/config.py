"""Where Trappetrin keeps its files: database path, rule sets and reference data."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
RULES_DIR = DATA_DIR / "rules"
INDICATORS_FILE = DATA_DIR / "indicators.toml"
REFERENCE_FILE = DATA_DIR / "reference.toml"
DEFAULT_DB = DATA_DIR / "trappetrin.duckdb"

#: The rule set adopted when a database is first built.
DEFAULT_RULE_SET = "trappetrin"


def db_path() -> Path:
    """Return the DuckDB file in use: ``$TRAPPETRIN_DB`` or ``data/trappetrin.duckdb``."""
    return Path(os.environ.get("TRAPPETRIN_DB") or DEFAULT_DB)


def boundary_path() -> Path | None:
    """Return the user's municipality boundary file (``$TRAPPETRIN_BOUNDARY``), if configured."""
    value = os.environ.get("TRAPPETRIN_BOUNDARY")
    return Path(value) if value else None
