"""Shared pytest set-up for all test tiers (unit, app, e2e).

- Puts the repository root on ``sys.path`` (pyproject's ``pythonpath``
  does the same) so tests can ``import trappetrin`` and ``import tests.support.browser``.
- Registers Hypothesis profiles: ``dev`` (default) and ``ci`` (used when
  ``CI`` is set): no per-example deadline, since timings on 2 busy cores
  under pytest-xdist are noisy; ``ci`` is also derandomized so CI results
  are reproducible. Choose another with ``HYPOTHESIS_PROFILE=...``.
- Marks every test under ``tests/app`` with the ``app`` marker
  (``tests/e2e/conftest.py`` does the same for ``e2e``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

_APP_DIR = REPO_ROOT / "tests" / "app"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Add the ``app`` marker to tests collected from ``tests/app``."""
    for item in items:
        if Path(item.path).is_relative_to(_APP_DIR):
            item.add_marker(pytest.mark.app)
