"""The indicator catalogue and reference values shipped as data in ``data/``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from .config import DATA_DIR, INDICATORS_FILE, REFERENCE_FILE

PLAUSIBILITY_FILE = DATA_DIR / "plausibility.toml"


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    denominator: str
    better: str

    @property
    def is_share(self) -> bool:
        return bool(self.denominator)


@cache
def indicators(path: Path = INDICATORS_FILE) -> dict[str, Indicator]:
    """Indicator code → :class:`Indicator`, in catalogue order."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return {row["code"]: Indicator(**row) for row in data["indicator"]}


def indicator_frame() -> pd.DataFrame:
    return pd.DataFrame([vars(i) for i in indicators().values()])


@cache
def _reference(path: Path = REFERENCE_FILE) -> dict:
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))


def reference_frame() -> pd.DataFrame:
    """Reference values per name and year (name, year, value, note).

    An entry with ``published_threshold`` and ``multiplier`` gets ``value`` = their quotient.
    """
    rows = []
    for entry in _reference()["value"]:
        entry = dict(entry)
        if "published_threshold" in entry:
            entry["value"] = entry.pop("published_threshold") / entry.pop("multiplier")
        rows.append(entry)
    return pd.DataFrame(rows)


def agreement() -> dict[str, float]:
    """The agreement's key figures (dwellings, cheap dwellings, need, allocation share …)."""
    return dict(_reference()["agreement"])


#: Labels for derived indicators that are computed by the store rather than imported.
DERIVED_LABELS = {
    "on_ministry_list": "Del af område på ministeriets liste",
    "years_parallelsamfund_before": "Antal foregående år som parallelsamfund",
}


#: Indicators that are 0 or 1 (a department is on a list or not), with how a sentence names the 1.
FLAGS = {"on_ministry_list": "i et område på ministeriets liste"}


def is_flag(code: str | None) -> bool:
    """Whether an indicator is a yes/no flag (0 or 1), not a measured number."""
    return code in FLAGS


def label(code: str) -> str:
    """Danish label of an indicator or derived value, falling back to its code."""
    ind = indicators().get(code)
    return ind.label if ind else DERIVED_LABELS.get(code, code)


def unit(code: str) -> str:
    ind = indicators().get(code)
    return ind.unit if ind else ""


@dataclass(frozen=True)
class Plausibility:
    """What one department's values can be (``data/plausibility.toml``)."""

    ranges: dict[str, tuple[float, float]]  # indicator → (min, max), inclusive
    parts: tuple[tuple[str, str], ...]  # (part, whole): the part is never larger than the whole


@cache
def plausibility(path: Path = PLAUSIBILITY_FILE) -> Plausibility:
    """The plausibility rules per indicator; every code in them must be in the catalogue."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    known = indicators()
    ranges = {code: (float(r["min"]), float(r["max"])) for code, r in data.get("range", {}).items()}
    parts = tuple((p["part"], p["whole"]) for p in data.get("part", []))
    unknown = sorted({*ranges, *(c for pair in parts for c in pair)} - set(known))
    if unknown:
        raise ValueError(f"{path}: ukendte indikatorer {', '.join(unknown)}")
    return Plausibility(ranges=ranges, parts=parts)
