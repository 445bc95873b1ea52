"""Scenarios: a rule set with changed parameters, compared with another to find the movers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import catalogue, formatting
from .engine import Classification
from .errors import UserError
from .numbers import parse_number
from .rules import OP_LABELS, REFERENCE_LABELS, Outcome, Parameter, RuleSet

#: Query-parameter prefix for scenario values in a shareable URL (``?p.c.forebyggelse.income=60``).
URL_PREFIX = "p."


def to_query(base: RuleSet, scenario: RuleSet) -> dict[str, str]:
    """The parameters where ``scenario`` differs from ``base``, as URL query parameters."""
    return {URL_PREFIX + k: url_number(new) for k, (_old, new) in base.diff(scenario).items()}


@dataclass(frozen=True)
class Bounds:
    """The values a scenario may give one parameter."""

    minimum: float
    maximum: float | None
    integer: bool


def bounds(rules: RuleSet, param: Parameter) -> Bounds:
    """Allowed range of ``param``: counts are whole numbers within the number of criteria,
    thresholds and factors are not negative, and the discretion limit never goes below the rule
    set's own (departments under it have suppressed data that no scenario may bring on screen)."""
    if param.kind == "min_met":
        # 0 of n would give every department the rule's colour: not a threshold anyone means.
        n = len(rules.criteria_set(param.criteria_set).criteria) if param.criteria_set else 0
        return Bounds(min(1.0, float(param.value)), float(n), True)
    if is_flag_gate(param):
        on, off = flag_values(param)
        return Bounds(min(on, param.value), max(off, param.value), False)
    if param.kind == "discretion":
        return Bounds(float(param.value), None, float(param.value).is_integer())
    if catalogue.unit(param.indicator or "") == "%" and param.kind != "factor":
        return Bounds(0.0, 100.0, False)
    return Bounds(0.0, None, False)


# --- structural parameters: yes/no and k of n --------------------------------------------------

#: How a sentence names the departments of an outcome: "Afdelinger … er røde".
COLOUR_WORDS = {"red": "røde", "yellow": "gule", "green": "grønne", "grey": "grå"}


def is_flag_gate(param: Parameter) -> bool:
    """A gate on a 0/1 flag (on the ministry's list): its only sensible values mean yes or no."""
    return param.kind == "gate" and catalogue.is_flag(param.indicator) and param.op in (">=", ">")


def flag_values(param: Parameter) -> tuple[float, float]:
    """(the value that means yes, the value that means no) of a flag gate.

    ``≥ 1`` lets the flagged departments through, ``≥ 2`` none; with ``>``: ``> 0`` and ``> 1``.
    """
    return (1.0, 2.0) if param.op == ">=" else (0.0, 1.0)


def flag_is_on(param: Parameter, value: float | None = None) -> bool:
    """Whether a flag gate at ``value`` (default its own) lets the flagged departments through."""
    value = param.value if value is None else float(value)
    return value <= 1.0 if param.op == ">=" else value < 1.0


def is_choice(param: Parameter) -> bool:
    """Structural parameters are picked from a few choices (yes/no, 1–n), not typed as numbers."""
    return param.kind == "min_met" or is_flag_gate(param)


def choices(rules: RuleSet, param: Parameter) -> list[float]:
    """The values a structural parameter is picked from (its own value always among them)."""
    if is_flag_gate(param):
        on, off = flag_values(param)
        own = param.value
        return [own if flag_is_on(param) else on, off if flag_is_on(param) else own]
    b = bounds(rules, param)
    return sorted({float(k) for k in range(int(b.minimum), int(b.maximum or 0) + 1)} | {float(param.value)})


def choice_text(rules: RuleSet, param: Parameter, value: float) -> str:
    """Short Danish text of one choice: ``Ja``/``Nej``, ``2``."""
    if is_flag_gate(param):
        return "Ja" if flag_is_on(param, value) else "Nej"
    return formatting.short(value)


def _rule_colour(rules: RuleSet, param: Parameter) -> str:
    rule = next(r for r in rules.rules if r.id == param.rule)
    return COLOUR_WORDS.get(rule.outcome, f"»{rules.outcome(rule.outcome).label}«")


def choice_meaning(rules: RuleSet, param: Parameter, value: float | None = None) -> str:
    """What a structural parameter's value means, spelled out in Danish.

    ``Afdelinger i et område på ministeriets liste er røde.`` / ``… er ikke røde af den grund.``;
    ``Gule, når mindst 2 af de 4 kriterier er opfyldt.``
    """
    value = param.value if value is None else float(value)
    colour = _rule_colour(rules, param)
    if is_flag_gate(param):
        where = catalogue.FLAGS[param.indicator]
        if flag_is_on(param, value):
            return f"Afdelinger {where} er {colour}."
        return f"Afdelinger {where} er ikke {colour} af den grund; de får farve efter de øvrige regler."
    n = len(rules.criteria_set(param.criteria_set).criteria) if param.criteria_set else 0
    k = int(value)
    rule = next(r for r in rules.rules if r.id == param.rule)
    also = " (og betingelserne ovenfor holder)" if rule.gates else ""
    if k <= 0:
        need = "uanset hvor mange af kriterierne der er opfyldt"
    elif k == 1:
        need = f"når mindst ét af de {n} kriterier er opfyldt"
    elif k == n:
        need = f"når alle {n} kriterier er opfyldt"
    else:
        need = f"når mindst {k} af de {n} kriterier er opfyldt"
    return f"{colour.capitalize()}, {need}{also}."


def check_overrides(base: RuleSet, overrides: dict[str, float]) -> list[str]:
    """Danish problems with scenario values outside what :func:`bounds` allows (empty when fine)."""
    params = {p.key: p for p in base.parameters()}
    problems = []
    for key, value in overrides.items():
        if key not in params:
            problems.append(f"ukendt parameter '{key}'")
            continue
        b = bounds(base, params[key])
        if value < b.minimum or (b.maximum is not None and value > b.maximum):
            upper = f" og højst {formatting.short(b.maximum)}" if b.maximum is not None else ""
            problems.append(f"{key} = {formatting.short(value)} skal være mindst {formatting.short(b.minimum)}{upper}")
        elif b.integer and not float(value).is_integer():
            problems.append(f"{key} = {formatting.short(value)} skal være et helt tal")
    return problems


def from_query(base: RuleSet, query: dict[str, str]) -> dict[str, float]:
    """Scenario overrides read back from URL query parameters; ignores unrelated parameters.

    A value that is not a number, or a key the rule set does not have, is a :class:`UserError`
    (a colleague's link for another rule set should say so rather than silently do nothing).
    """
    known = base.parameter_values()
    overrides, problems = {}, []
    for raw_key, raw_value in query.items():
        if not raw_key.startswith(URL_PREFIX):
            continue
        key = raw_key[len(URL_PREFIX) :]
        if key not in known:
            problems.append(f"ukendt parameter '{key}'")
            continue
        try:
            value = parse_number(raw_value)
        except ValueError:
            value = None
        if value is None:
            problems.append(f"'{raw_value}' er ikke et tal ({key})")
            continue
        overrides[key] = value
    problems += check_overrides(base, overrides)
    if problems:
        raise UserError(f"Linket passer ikke til regelsættet '{base.name}'.", problems=problems)
    return overrides


def url_number(x: float) -> str:
    """A number as it stands in a link: ``35``, ``1.5``."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def transition_matrix(before: Classification, after: Classification) -> pd.DataFrame:
    """Counts of departments from each outcome (rows) to each outcome (columns)."""
    order = [o.code for o in after.rules.outcomes]
    n = len(order)
    b = pd.Categorical(before.outcome, categories=order).codes.astype(np.int64)
    a = pd.Categorical(after.outcome, categories=order).codes.astype(np.int64)
    known = (b >= 0) & (a >= 0)  # an outcome the after rule set does not know is left out, as crosstab did
    cells = np.bincount(b[known] * n + a[known], minlength=n * n).reshape(n, n)
    return pd.DataFrame(cells, index=pd.Index(order, name="før"), columns=pd.Index(order, name="efter"))


def counts(result: Classification) -> pd.Series:
    order = [o.code for o in result.rules.outcomes]
    return pd.Series(result.outcome).value_counts().reindex(order, fill_value=0)


def movers(before: Classification, after: Classification) -> pd.DataFrame:
    """Departments whose outcome differs, with the conditions that changed verdict for them.

    Both classifications must cover the same rows in the same order (the same release). For
    each mover, ``causes`` lists the gates/criteria whose met-status flipped between the two
    rule sets, with the department's value and the old and new threshold; when no condition
    flipped, the cause is a changed "at least k" count or discretion limit, said in words.
    Departments masked in either classification are listed without values. ``ui/static/movers.js``
    repeats this and :func:`describe_causes` in the browser (kept equal by
    ``tests/unit/test_movers_parity.py``): change both.
    """
    if not before.ids.equals(after.ids):
        raise ValueError("movers() needs two classifications of the same rows")
    moved = np.flatnonzero(before.outcome != after.outcome)
    old = {r.key: r for r in before.conditions}
    rows = []
    changed_params = before.rules.diff(after.rules)
    for i in moved:
        causes = []
        masked = bool(before.masked[i] or after.masked[i])
        if not masked:
            for new in after.conditions:
                prev = old.get(new.key)
                if prev is None or prev.met[i] == new.met[i]:
                    continue
                causes.append(
                    {
                        "key": new.key,
                        "indicator": new.condition.indicator,
                        "label": catalogue.label(new.condition.indicator),
                        "op": new.condition.op,
                        "value": float(new.value[i]),
                        "old_threshold": float(prev.threshold[i]),
                        "new_threshold": float(new.threshold[i]),
                        "met_before": bool(prev.met[i]),
                        "met_after": bool(new.met[i]),
                    }
                )
        rows.append(
            {
                "id": before.ids[i],
                "from": before.outcome[i],
                "to": after.outcome[i],
                "causes": causes,
                "cause_text": describe_causes(causes, changed_params, masked),
            }
        )
    return pd.DataFrame(rows, columns=["id", "from", "to", "causes", "cause_text"])


def describe_causes(causes: list[dict], changed: dict[str, tuple[float, float]], masked: bool) -> str:
    """Danish text for a mover's causes, e.g. ``Kun grundskole 61,2 %: > 62 → > 60 (nu opfyldt)``."""
    if masked:
        return "Diskretionsgrænsen er ændret" if "d.minimum" in changed else "Under diskretionsgrænsen"
    parts = []
    for c in causes:
        if catalogue.is_flag(c["indicator"]):  # a yes/no (the ministry's list): no thresholds to show
            answer = "ja" if c["value"] >= 1 else "nej"
            parts.append(f"{c['label']}: {answer} ({'tæller nu med' if c['met_after'] else 'tæller ikke længere med'})")
            continue
        unit = " %" if catalogue.unit(c["indicator"]) == "%" else ""
        op = OP_LABELS[c["op"]]
        state = "nu opfyldt" if c["met_after"] else "ikke længere opfyldt"
        parts.append(
            f"{c['label']} {formatting.short(c['value'])}{unit}: {op} {formatting.short(c['old_threshold'])}"
            f" → {op} {formatting.short(c['new_threshold'])} ({state})"
        )
    counts_changed = [k for k in changed if k.startswith("k.")]
    if not parts and counts_changed:
        parts.append("Krav til antal opfyldte kriterier er ændret")
    return "; ".join(parts) if parts else "Regelrækkefølgen giver et andet udfald"


# --- presenting parameters ------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterGroup:
    """Parameters that belong together on screen: the discretion limit, a criteria set or a rule."""

    title: str
    outcome: str | None  # the outcome a rule gives, for rule groups
    parameters: tuple[Parameter, ...]


def parameter_groups(rules: RuleSet) -> list[ParameterGroup]:
    """Every parameter of ``rules`` exactly once, grouped by discretion, criteria set and rule."""
    params = rules.parameters()
    groups: list[ParameterGroup] = []
    discretion = tuple(p for p in params if p.kind == "discretion")
    if discretion:
        groups.append(ParameterGroup("Diskretion", rules.discretion.outcome if rules.discretion else None, discretion))
    for cset in rules.criteria_sets:
        members = tuple(p for p in params if p.key.startswith(f"c.{cset.id}."))
        if members:
            groups.append(ParameterGroup(cset.label or cset.id, None, members))
    for rule in rules.rules:
        members = tuple(p for p in params if p.rule == rule.id)
        if members:
            groups.append(ParameterGroup(rule.label or rule.id, rule.outcome, members))
    return groups


def parameter_label(rules: RuleSet, param: Parameter) -> str:
    """Short Danish label of a parameter with its comparison, e.g. ``Kun grundskole (> … %)``."""
    if param.kind == "min_met":
        n = len(rules.criteria_set(param.criteria_set).criteria) if param.criteria_set else 0
        return f"Antal af de {n} kriterier der skal være opfyldt"
    if is_flag_gate(param):
        return f"Afdelinger {catalogue.FLAGS[param.indicator]} er {_rule_colour(rules, param)}"
    name = _condition_label(rules, param)
    op = OP_LABELS.get(param.op, param.op)
    if param.kind == "factor":
        return f"{name} ({op} … × {REFERENCE_LABELS.get(param.reference, param.reference)})"
    if param.kind == "discretion":
        return f"Diskretionsgrænse: {name} ({op} …)"
    unit = _unit_text(param.indicator)
    return f"{name} ({op} …{unit})"


def parameter_text(
    rules: RuleSet, param: Parameter, value: float | None = None, refs: dict[str, float] | None = None
) -> str:
    """Danish text of a parameter's rule at ``value`` (default: its own), e.g. ``≥ 2 × landsgennemsnittet (1,57 %)``.

    ``refs`` (a release's reference values) adds the absolute threshold of a relative one.
    """
    value = param.value if value is None else float(value)
    if param.kind == "min_met":
        n = len(rules.criteria_set(param.criteria_set).criteria) if param.criteria_set else 0
        return f"mindst {formatting.short(value)} af {n}"
    if is_flag_gate(param):
        return "ja" if flag_is_on(param, value) else "nej"
    op = OP_LABELS.get(param.op, param.op)
    if param.kind == "factor":
        text = f"{op} {formatting.short(value)} × {REFERENCE_LABELS.get(param.reference, param.reference)}"
        if refs and param.reference in refs:
            text += f" ({formatting.short(value * refs[param.reference])}{_unit_text(param.indicator)})"
        return text
    return f"{op} {formatting.short(value)}{_unit_text(param.indicator)}"


def parameter_name(rules: RuleSet, param: Parameter) -> str:
    """Where a parameter sits, in Danish: ``Forebyggelseskriterier …: Kun grundskole`` style."""
    if param.kind == "discretion":
        return f"Diskretionsgrænse: {_condition_label(rules, param)}"
    if is_flag_gate(param):  # "Afdelinger i et område på ministeriets liste er røde: ja → nej"
        return parameter_label(rules, param)
    if param.kind == "min_met":
        rule = next(r for r in rules.rules if r.id == param.rule)
        return f"{rule.label or rule.id}: mindst antal opfyldte kriterier"
    if param.criteria_set is not None:
        return f"{rules.criteria_set(param.criteria_set).label}: {_condition_label(rules, param)}"
    rule = next(r for r in rules.rules if r.id == param.rule)
    return f"{rule.label or rule.id}: {_condition_label(rules, param)}"


def diff_table(before: RuleSet, after: RuleSet, refs: dict[str, float] | None = None) -> pd.DataFrame:
    """The parameters that differ between two rule sets, in Danish: Parameter, Før, Efter.

    Parameters only one of the rule sets has are listed with an empty other side.
    """
    mine = {p.key: p for p in before.parameters()}
    theirs = {p.key: p for p in after.parameters()}
    rows = []
    for key in list(mine) + [k for k in theirs if k not in mine]:
        a, b = mine.get(key), theirs.get(key)
        if a is not None and b is not None and a.value == b.value:
            continue
        rows.append(
            {
                "Parameter": parameter_name(before if a is not None else after, a or b),
                "Før": parameter_text(before, a, refs=refs) if a is not None else "",
                "Efter": parameter_text(after, b, refs=refs) if b is not None else "",
                "Nøgle": key,
            }
        )
    return pd.DataFrame(rows, columns=["Parameter", "Før", "Efter", "Nøgle"])


def content_fingerprint(rules: RuleSet) -> str:
    """A hash of what a rule set decides, ignoring its name, version, title and description.

    Two rule sets with the same content fingerprint classify every department alike, so a
    scenario that matches a stored rule set need not be saved again.
    """
    presentation = set(Outcome.PRESENTATION)  # how outcomes look does not change what they decide
    payload = rules.model_dump(
        mode="json",
        exclude={
            "name": True,
            "version": True,
            "title": True,
            "description": True,
            "outcomes": {"__all__": presentation},
        },
    )
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _condition_label(rules: RuleSet, param: Parameter) -> str:
    own = None
    if param.kind in ("threshold", "factor", "gate") and param.criteria_set is not None:
        cid = param.key.split(".", 2)[2]
        own = next((c.label for c in rules.criteria_set(param.criteria_set).criteria if c.id == cid), None)
    elif param.kind in ("gate", "factor") and param.rule is not None:
        gid = param.key.split(".", 2)[2]
        rule = next(r for r in rules.rules if r.id == param.rule)
        own = next((g.label for g in rule.gates if g.id == gid), None)
    return own or catalogue.label(param.indicator or "")


def _unit_text(indicator: str | None) -> str:
    unit = catalogue.unit(indicator or "")
    return " %" if unit == "%" else ""
