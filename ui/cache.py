"""How the app's cached loaders (``st.cache_data`` / ``st.cache_resource``) hash their arguments.

One table, :data:`HASH_FUNCS`, for every cached function in ``ui/`` and ``pages/``: a rule set is
hashed by its content (:meth:`RuleSet.fingerprint`, so an equal scenario built twice is one entry),
a classified release by what its derived figures depend on, and the small parameter records by
their ``repr``. The key every cached loader starts with (the database file and a version) is built
in :mod:`ui.loaders`.

Only ``trappetrin`` is imported here, so the loaders and every view can use it without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trappetrin.capacity import CapacityParams
from trappetrin.colours import ReleaseResult
from trappetrin.followup import Period
from trappetrin.rules import RuleSet


def rules_key(rules: RuleSet) -> str:
    """A rule set's cache key: its content, not its identity."""
    return rules.fingerprint()


def result_key(res: ReleaseResult) -> tuple:
    """What a classified release's derived figures depend on: release, rule-set content and the rows."""
    return res.data.label, res.rules.fingerprint(), tuple(res.data.frame.index)


HASH_FUNCS: dict[type, Callable[[Any], Any]] = {
    RuleSet: rules_key,
    ReleaseResult: result_key,
    CapacityParams: repr,
    Period: repr,
}
"""``hash_funcs`` for every cached function that takes one of these types as a hashed argument."""
