"""Packaging: requirements*.txt pin exactly what pyproject.toml's [project] declares (issue 16.6)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pins(path: Path) -> set[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line and not line.startswith("-r")}


def _normalise(pins) -> set[str]:
    """Compare names as pip does: case-insensitive, ``-``/``_``/``.`` alike."""
    return {re.sub(r"[-_.]+", "-", pin.lower()) for pin in pins}


def test_requirements_txt_matches_project_dependencies():
    assert _normalise(_pins(ROOT / "requirements.txt")) == _normalise(PYPROJECT["project"]["dependencies"])


def test_requirements_dev_txt_matches_dev_extra():
    dev = _pins(ROOT / "requirements-dev.txt")
    assert _normalise(dev) == _normalise(PYPROJECT["project"]["optional-dependencies"]["dev"])


def test_every_requirement_is_pinned_exactly_and_in_constraints():
    constraints = _normalise(_pins(ROOT / "constraints.txt"))
    for pin in _pins(ROOT / "requirements.txt") | _pins(ROOT / "requirements-dev.txt"):
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+(\[[a-z,]+\])?==[0-9][0-9A-Za-z.]*", pin), pin
        assert _normalise([re.sub(r"\[.*\]", "", pin)]) <= constraints, f"{pin} is not in constraints.txt"


def test_console_script_points_at_the_cli():
    assert PYPROJECT["project"]["scripts"] == {"trappetrin": "trappetrin.cli:main"}
