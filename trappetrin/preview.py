"""What the browser needs to recompute a scenario's movers itself, while the server reruns.

The Scenarie page shows the movers the server computed (:func:`trappetrin.scenario.movers`). So
that a threshold change shows its movers at once, the browser also holds a copy of the rule
engine (``ui/static/movers.js``) and the data it needs: :func:`engine_payload` builds that data
as plain JSON. The server's list replaces the browser's as soon as it arrives; the two are the
same (``tests/unit/test_movers_parity.py`` runs the JavaScript engine against this one).

Discretion: departments under the discretion limit of the rule set in view get no indicator
values at all, not even the one the limit is measured on. No scenario can lower that limit
(:func:`trappetrin.scenario.bounds`), so such a department is grey in every scenario and the
browser needs nothing but its id, name and organisation.
"""

from __future__ import annotations

import math

import numpy as np

from . import catalogue
from .engine import Classification, indicator_array
from .rules import OP_LABELS, RuleSet
from .store import ReleaseData


def _numbers(values: np.ndarray, keep: np.ndarray) -> list[float | None]:
    """JSON numbers for the kept rows, ``None`` for the others and for missing values."""
    return [float(v) if k and not math.isnan(v) else None for v, k in zip(values.tolist(), keep.tolist())]


def engine_payload(data: ReleaseData, base: Classification, outcome_labels: dict[str, str]) -> dict:
    """The rule set, references and indicator values for recomputing movers in the browser.

    Parameters
    ----------
    data
        The release in view (for the municipality in view).
    base
        ``data`` classified under the rule set in view: its mask decides whose values stay out.
    outcome_labels
        Short Danish label per outcome code, as the movers table shows it (``◆ Gul``).

    Returns
    -------
    dict
        ``rules`` (the rule set as data), ``ids``, ``names``, ``organisations``, ``masked``
        (under the rule set in view), ``values`` (indicator → number or ``None`` per row, ``None``
        for every masked row), ``refs`` (reference → number, or → list per row when the frame has
        that column), ``indicators`` (label, unit, and whether it is a yes/no flag), ``ops`` (Danish operator signs),
        ``outcomes`` (labels, and the severity order the list is sorted by).
    """
    rules: RuleSet = base.rules
    frame = data.frame
    keep = ~np.asarray(base.masked, dtype=bool)
    values = {name: _numbers(indicator_array(frame, name), keep) for name in rules.indicators}
    refs: dict[str, object] = {}
    for name in rules.references:
        if name in frame.columns:  # row by row, as the engine reads it
            refs[name] = _numbers(indicator_array(frame, name), keep)
        else:
            refs[name] = float(data.refs[name])
    return {
        "rules": rules.model_dump(mode="json"),
        "ids": [str(i) for i in frame.index],
        "names": [str(n) for n in frame["name"]],
        "organisations": [str(o) for o in frame["organisation"]],
        "masked": [not k for k in keep.tolist()],
        "values": values,
        "refs": refs,
        "indicators": {
            name: {"label": catalogue.label(name), "unit": catalogue.unit(name), "flag": catalogue.is_flag(name)}
            for name in rules.indicators
        },
        "ops": OP_LABELS,
        "outcomes": {"labels": outcome_labels, "severity": rules.severity_order()},
    }
