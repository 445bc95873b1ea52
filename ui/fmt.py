"""Danish presentation helpers shared by the pages: outcome labels with their symbol, Markdown escaping.

Symbols come from the rule set (``[[outcome]] symbol``), so another step model changes data, not code.
"""

from __future__ import annotations

import re

from trappetrin.rules import RuleSet

#: Characters that start Markdown (or Streamlit's ``:colour[…]``, ``:icon:``) anywhere in a line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]#|<>~$&]|:(?=[\w/]))")
#: A list item or quote at the start of a line ("- ", "+ ", "> ", "1. ", "1) ").
_MARKDOWN_LINE_START = re.compile(r"(?m)^(\s*)([-+>]|\d+[.)])")
_MARKDOWN_EMPHASIS = re.compile(r"([\\`*_\[\]<~$])")


def plain(text: object) -> str:
    """Escape user-typed text (names) so Markdown shows it literally: no links, emphasis or HTML."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], escaped)


def md(text: object) -> str:
    """Light escaping for the product's own labels (rule and indicator texts) inside Markdown."""
    return _MARKDOWN_EMPHASIS.sub(r"\\\1", str(text))


def outcome_label(rules: RuleSet, code: str) -> str:
    """``▲ Rød (Trin 3)`` style label for an outcome code."""
    try:
        o = rules.outcome(code)
    except StopIteration:
        return code
    step = f" ({o.step})" if o.step else ""
    return f"{rules.symbol(code)} {o.label}{step}".strip()


def _legend(rules: RuleSet, symbol) -> str:
    parts = []
    for code in rules.severity_order():
        o = rules.outcome(code)
        mark = symbol(code)
        if mark:
            parts.append(f"{mark} {o.label.lower()}" + (f" ({o.step.lower()})" if o.step else ""))
    return ", ".join(parts)


def symbol_legend(rules: RuleSet) -> str:
    """``▲ rød (trin 3), ◆ gul (trin 2), …``: what the table and chart symbols mean, from the rule set."""
    return _legend(rules, rules.symbol)


def map_legend(rules: RuleSet) -> str:
    """``3 rød (trin 3), 2 gul (trin 2), …``: what the numbers on the map points mean, from the rule set."""
    return _legend(rules, rules.map_symbol)


def outcome_labels(rules: RuleSet, codes) -> list[str]:
    return [outcome_label(rules, c) for c in codes]


def short_outcome_labels(rules: RuleSet, codes) -> list[str]:
    """``◆ Gul`` style labels (symbol and colour, no step) for narrow table columns.

    A no-break space keeps the symbol and the colour on one line when the column is narrow.
    """
    names = {o.code: o.label for o in rules.outcomes}
    return [f"{rules.symbol(c)}\u00a0{names.get(c, c)}".strip() for c in codes]


def badge_labels(rules: RuleSet, labels) -> list[str]:
    """Prefix Danish colour names (as in the colour list) with their step symbol.

    A no-break space keeps the symbol and the colour on one line in narrow columns.
    """
    by_label = {o.label: rules.symbol(o.code) for o in rules.outcomes}
    return [f"{by_label.get(label, '')}\u00a0{label}".strip() for label in labels]


__all__ = [
    "outcome_label",
    "outcome_labels",
    "short_outcome_labels",
    "badge_labels",
    "plain",
    "md",
    "symbol_legend",
    "map_legend",
]


def n_params(n: int) -> str:
    """ "1 ændret parameter", "3 ændrede parametre"."""
    return "1 ændret parameter" if n == 1 else f"{n} ændrede parametre"


def error_text(exc: BaseException) -> str:
    """A (Danish) error for st.error/st.warning as plain text: its message and its problems as a list.

    Messages quote file names, cells and URL values; escaped, none of them becomes a link or bold.
    """
    message = getattr(exc, "message", None) or str(exc)
    problems = getattr(exc, "problems", None) or []
    return plain(message) + "".join(f"\n- {plain(p)}" for p in problems)
