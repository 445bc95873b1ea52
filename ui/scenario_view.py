"""Streamlit pieces of the Scenarie page: parameter inputs, effect tables and the save/adopt actions.

The scenario lives in the widgets keyed ``p.<parameter key>``, kept for the session and mirrored
into the URL by :mod:`ui.url`. The page builds the scenario from the widgets' own values, so a
fragment rerun needs nothing else.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from trappetrin import formatting
from trappetrin.colours import ReleaseResult
from trappetrin.errors import UserError
from trappetrin.preview import engine_payload
from trappetrin.rules import Parameter, RuleSet
from trappetrin.scenario import (
    URL_PREFIX,
    bounds,
    choice_meaning,
    choice_text,
    choices,
    content_fingerprint,
    counts,
    flag_is_on,
    is_choice,
    is_flag_gate,
    movers,
    parameter_groups,
    parameter_label,
    parameter_text,
    transition_matrix,
)
from ui import auth, fmt, loaders, number_entry, session, url
from ui.cache import HASH_FUNCS
from ui.fmt import md, plain  # noqa: F401 - md and plain are used here and by the pages as sv.md, sv.plain
from ui.number_entry import Allowed

CURRENT = "Aktuelt scenarie"
MOVERS_KEY = "scenarie_flyttere"
ENGINE_KEY = "scenarie_motor"
FLASH_KEY = "_scenarie_besked"
SAVE_NAME_KEY = "scenarie_gem_navn"
SAVE_TITLE_KEY = "scenarie_gem_titel"
ADOPT_NAME_KEY = "scenarie_vedtag_navn"
ADOPT_CONFIRM_KEY = "scenarie_vedtag_bekraeft"
NAME_MAX = 80
TITLE_MAX = 200
MATRIX_CORNER = "Før ↓ · Efter →"
TABLE_MAX_ROWS = 12  # longer tables scroll inside TABLE_MAX_HEIGHT pixels
TABLE_MAX_HEIGHT = 460
GRID_ABOVE_ROWS = 300  # longer tables are a data grid (st.dataframe), which draws only the rows in view
MOVER_COLUMNS = ["Afdelings-id", "Afdeling", "Boligorganisation", "Fra", "Til", "Årsag"]


# --- small helpers ---------------------------------------------------------------------------


def current_user() -> str:
    """Who is acting, as the audit trail records it (the logged-in e-mail, else the local account)."""
    return auth.current_actor().label


def widget_key(param: Parameter) -> str:
    return URL_PREFIX + param.key


# --- parameters ------------------------------------------------------------------------------


def allowed(rules: RuleSet, param: Parameter) -> Allowed:
    """The values a parameter's field takes: :func:`trappetrin.scenario.bounds`, the same check a
    shared link goes through; in particular the discretion limit cannot go below the rule set's own."""
    b = bounds(rules, param)
    return Allowed(b.minimum, b.maximum, b.integer)


def parameter_inputs(base: RuleSet, adopted: RuleSet, refs: dict[str, float]) -> dict[str, float]:
    """Draw one field per parameter of ``base``, grouped; return key → value in force.

    Thresholds are typed (a Danish number: ``32,5``); structural parameters, the ministry list's
    yes/no and the k of n, are picked from their few choices.
    """
    adopted_params = {p.key: p for p in adopted.parameters()}
    same_as_adopted = content_fingerprint(base) == content_fingerprint(adopted)
    values: dict[str, float] = {}
    for group in parameter_groups(base):
        with st.container(border=True):
            title = md(group.title)
            if group.outcome is not None:
                title = f"{md(fmt.outcome_label(base, group.outcome))} · {title}"
            st.markdown(f"**{title}**")
            for param in group.parameters:
                values[param.key] = _parameter_input(
                    base, param, adopted_params.get(param.key), adopted, same_as_adopted, refs
                )
    return values


def _parameter_input(
    base: RuleSet,
    param: Parameter,
    adopted_param: Parameter | None,
    adopted: RuleSet,
    same_as_adopted: bool,
    refs: dict[str, float],
) -> float:
    adopted_text = (
        parameter_text(adopted, adopted_param, refs=refs)
        if adopted_param is not None
        else "findes ikke i det vedtagne regelsæt"
    )
    help_text = f"Vedtaget: {md(adopted_text)}"
    if not same_as_adopted:
        help_text += (
            f"  \nRegelsæt i visning ({plain(base.name)} v{base.version}): {md(parameter_text(base, param, refs=refs))}"
        )
    key = widget_key(param)
    if is_choice(param):
        value = _choice_input(base, param, key, help_text)
    else:
        help_text += f"  \nTilladt: {allowed(base, param).text}. Skriv decimaler med komma eller punktum (32,5)."
        value = number_entry.number_field(
            parameter_label(base, param),
            key,
            param.value,
            allowed(base, param),
            help=help_text,
            show_error=False,
        )
    changed = value != param.value
    parts = []
    if is_choice(param):
        parts.append(choice_meaning(base, param, value))
    elif param.kind == "factor" or changed:
        parts.append(f"Nu: {parameter_text(base, param, value, refs)}")
    parts.append(f"Vedtaget: {adopted_text}")
    caption = " · ".join(md(p) for p in parts)
    message = number_entry.error(key)
    if message:  # in the caption's place, so the elements below keep theirs
        st.error(message, icon=":material/error:")
    else:
        st.caption(f"**Ændret** · {caption}" if changed else caption)
    return value


def _choice_input(base: RuleSet, param: Parameter, key: str, help_text: str) -> float:
    """A structural parameter as a row of choices (Ja/Nej, 1–4); the value in force."""
    options = choices(base, param)
    kept = session.kept(key)
    current = float(param.value if kept is None else kept)
    if current not in options:  # e.g. a link's "≥ 1,5" on the list flag: the choice it means
        if is_flag_gate(param):
            current = options[0] if flag_is_on(param, current) else options[1]
        else:
            current = min(options, key=lambda o: abs(o - current))
        session.keep(key, current)
    st.session_state[key] = current
    st.radio(
        parameter_label(base, param),
        options,
        key=key,
        format_func=lambda v: choice_text(base, param, v),
        horizontal=True,
        on_change=_keep_choice,
        args=(key,),
        help=help_text,
    )
    return current


def _keep_choice(key: str) -> None:
    session.keep(key, float(st.session_state[key]))


def overrides_from(base: RuleSet, values: dict[str, float]) -> dict[str, float]:
    """The values that differ from ``base``: the scenario's overrides."""
    current = base.parameter_values()
    return {k: float(v) for k, v in values.items() if k in current and float(v) != current[k]}


def values_in_state(base: RuleSet, *, restore: bool = False) -> dict[str, float]:
    """Parameter values in force: the ones the user applied this session, else the rule set's.

    (Kept with :func:`ui.session.keep` when a field's text was read and accepted, or a choice
    picked, so callbacks, which run before the widgets, see them too.) ``restore`` is accepted
    for callers of the earlier API and changes nothing.
    """
    out = {}
    for p in base.parameters():
        v = session.kept(widget_key(p))
        out[p.key] = p.value if v is None else float(v)
    return out


def set_inputs(rules: RuleSet, drop: set[str] = frozenset()) -> None:
    """Put every parameter input at ``rules``' values (call from a callback, before the widgets).

    Keeping the value (rather than forgetting it) keeps a link's seed from coming back;
    a value equal to the rule set's own is no override, so it leaves the URL.
    """
    for p in rules.parameters():
        if is_choice(p):
            session.keep(widget_key(p), float(p.value))
            st.session_state[widget_key(p)] = float(p.value)
        else:
            number_entry.set_value(widget_key(p), p.value)
    for key in drop:
        number_entry.set_value(URL_PREFIX + key, None)


def reset_to_adopted(base: RuleSet, adopted: RuleSet) -> None:
    """Callback of "Nulstil til vedtaget": the adopted rule set with no changed parameters."""
    if (base.name, base.version) != (adopted.name, adopted.version):
        st.session_state[url.RULES_KEY] = f"{adopted.name}@{adopted.version}"
        session.remember(url.RULES_KEY)
    adopted_keys = set(adopted.parameter_values())
    set_inputs(adopted, drop={k for k in base.parameter_values() if k not in adopted_keys})
    st.rerun()  # the whole app: the sidebar shows the rule set and scenario too


# --- effects ---------------------------------------------------------------------------------


@st.cache_resource(max_entries=128, show_spinner=False, hash_funcs=HASH_FUNCS)
def _scenario(base: RuleSet, overrides: tuple[tuple[str, float], ...]) -> RuleSet:
    return base.with_overrides(dict(overrides))


def scenario_rules(base: RuleSet, overrides: dict[str, float]) -> RuleSet:
    """``base`` with ``overrides`` (cached on content: validating a rule set is the slow part)."""
    return _scenario(base, tuple(sorted(overrides.items()))) if overrides else base


@dataclass(frozen=True)
class Effects:
    """What changes between two rule sets for one release; shared from the cache, never mutated."""

    before: ReleaseResult
    after: ReleaseResult
    movers: pd.DataFrame
    matrix: pd.DataFrame

    @property
    def moved(self) -> set[str]:
        return set(self.movers["Afdelings-id"])


@st.cache_resource(max_entries=128, show_spinner=False, hash_funcs=HASH_FUNCS)
def _effects(db: str, version: str, release: str, before: RuleSet, after: RuleSet) -> Effects:
    b, a = loaders.classified(release, before), loaders.classified(release, after)
    return Effects(b, a, movers_frame(b, a), matrix_frame(b, a))


def effects(release: str, before: RuleSet, after: RuleSet, version: str | None = None) -> Effects:
    """Movers and transition matrix for one release under two rule sets, cached on their content.

    ``version`` is :func:`ui.loaders.data_version` when the caller already has it.
    """
    return _effects(*loaders.page_key(version), release, before, after)


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=HASH_FUNCS)
def _scenario_deck(db: str, version: str, release: str, before: RuleSet, after: RuleSet):
    from ui.mapview import deck

    eff = _effects(db, version, release, before, after)
    chart = deck(eff.after, highlight=eff.moved, lean=is_lean(eff.after))
    spec = chart.to_json()
    # The cached deck never changes: spare st.pydeck_chart serialising it again on every rerun.
    chart.to_json = lambda: spec
    return chart


def is_lean(res: ReleaseResult) -> bool:
    """Whether the Scenarie map of ``res`` is the lean one (tooltips and numbers on movers only)."""
    from ui.mapview import LEAN_ABOVE

    return len(res.data.frame) > LEAN_ABOVE


def scenario_deck(release: str, before: RuleSet, after: RuleSet, version: str | None = None):
    """The map under ``after`` with the departments that move ringed (cached: building it is slow)."""
    return _scenario_deck(*loaders.page_key(version), release, before, after)


def outcome_order(rules: RuleSet) -> list[str]:
    return rules.severity_order()


def movers_frame(before: ReleaseResult, after: ReleaseResult) -> pd.DataFrame:
    """The departments that change colour, in Danish, with symbols and the cause in words.

    A department under the discretion limit in either classification shows no values: its
    cause text comes from :func:`trappetrin.scenario.movers`, which leaves them out.
    """
    moved = movers(before.result, after.result)
    if moved.empty:
        return pd.DataFrame(columns=MOVER_COLUMNS)
    frame = after.data.frame
    ids = moved["id"].to_numpy()
    rank = after.rules.severity_rank()
    out = pd.DataFrame(
        {
            "Afdelings-id": ids,
            "Afdeling": frame.loc[ids, "name"].to_numpy(),
            "Boligorganisation": frame.loc[ids, "organisation"].to_numpy(),
            "Fra": fmt.short_outcome_labels(before.rules, moved["from"]),  # short: the column is narrow
            "Til": fmt.short_outcome_labels(after.rules, moved["to"]),
            "Årsag": moved["cause_text"].to_numpy(),
            "_to": moved["to"].map(lambda c: rank.get(c, len(rank))).to_numpy(),
            "_from": moved["from"].map(lambda c: rank.get(c, len(rank))).to_numpy(),
        }
    )
    return out.sort_values(["_from", "_to", "Afdelings-id"]).drop(columns=["_from", "_to"]).reset_index(drop=True)


def matrix_frame(before: ReleaseResult, after: ReleaseResult) -> pd.DataFrame:
    """The transition matrix in Danish: one row per colour before ("Før"), one column per colour after."""
    matrix = transition_matrix(before.result, after.result)
    order = [c for c in outcome_order(after.rules) if c in matrix.index]
    matrix = matrix.loc[order, order]
    columns = {MATRIX_CORNER: fmt.outcome_labels(before.rules, matrix.index)}
    columns.update((fmt.outcome_label(after.rules, code), matrix[code].to_numpy(dtype=int)) for code in matrix.columns)
    return pd.DataFrame(columns)  # built at once: adding columns one by one costs ~1 ms each


def counts_frame(before: ReleaseResult, after: ReleaseResult) -> pd.DataFrame:
    """Departments per colour under two rule sets ("Før", "Efter"), with the difference."""
    b, a = counts(before.result), counts(after.result)
    order = outcome_order(after.rules)
    b = b.reindex(order, fill_value=0)
    a = a.reindex(order, fill_value=0)
    return pd.DataFrame(
        {
            "Farve": fmt.outcome_labels(after.rules, order),
            "Før": b.to_numpy(dtype=int),
            "Efter": a.to_numpy(dtype=int),
            "Forskel": (a - b).to_numpy(dtype=int),
        }
    )


def colour_metrics(before: ReleaseResult, after: ReleaseResult) -> None:
    """One metric per colour: departments after, the change from before as delta (before in the help).

    Counts are grouped and the minus sign is U+2212 (``trappetrin.formatting``: ``8.000``,
    ``−1.234``). Streamlit reads a delta's direction from a leading "-", so arrow and colour are given
    explicitly.
    """
    from trappetrin.formatting import integer

    b, a = counts(before.result), counts(after.result)
    order = outcome_order(after.rules)
    flagged = set(after.rules.flagged_codes())  # more departments here is worse: the delta shows red
    masked = {after.rules.discretion.outcome} if after.rules.discretion else set()
    for column, code in zip(st.columns(len(order)), order):
        with column:
            now, then = int(a.get(code, 0)), int(b.get(code, 0))
            delta = now - then
            if delta == 0 or code in masked:
                colour = "gray"
            else:
                colour = "red" if (delta > 0) == (code in flagged) else "green"
            outcome = after.rules.outcome(code)
            st.metric(
                f"{after.rules.symbol(code)} {outcome.label}".strip(),
                integer(now),
                delta=integer(delta, sign=True) if delta else "±0",
                delta_color=colour,
                delta_arrow="off" if delta == 0 else ("up" if delta > 0 else "down"),
                border=True,
                help=f"{fmt.outcome_label(after.rules, code)}: {integer(then)} afdelinger før, {integer(now)} efter.",
            )


def table(frame: pd.DataFrame, *, key: str) -> None:
    """A read-only table in a container keyed ``key`` (display tables carry no key of their own).

    A plain HTML table (``st.table``), not the data grid: these tables are small, their text wraps
    instead of being cut off, they read well on a projector, and the browser draws them in the same
    frame as the text around them (the grid paints its canvas later, after the map's redraw).
    Long tables scroll inside a fixed height with the header kept in view; from GRID_ABOVE_ROWS
    rows on (national data) the data grid is used instead, since an HTML table draws every row.
    """
    with st.container(key=key):
        if len(frame) > GRID_ABOVE_ROWS:  # hundreds of rows (national data): the grid draws only those in view
            st.dataframe(frame, hide_index=True, width="stretch", height=TABLE_MAX_HEIGHT)
        else:
            st.table(frame, hide_index=True, height=TABLE_MAX_HEIGHT if len(frame) > TABLE_MAX_ROWS else "content")


def show_movers(frame: pd.DataFrame, *, key: str, empty_text: str) -> None:
    """The movers table (plain text cells), or a notice when nobody moves, in a container keyed ``key``."""
    if frame.empty:
        with st.container(key=key):
            st.info(empty_text, icon=":material/check_circle:")
        return
    table(frame, key=key)


# --- the live movers list --------------------------------------------------------------------

_STATIC = Path(__file__).parent / "static"
# The live list shows MOVER_COLUMNS with the organisation in small type under the department's name.
LIVE_COLUMNS = ["Afdelings-id", "Afdeling", "Fra", "Til", "Årsag"]
_MOVERS_HTML = (
    '<div class="tt-movers" data-source="server">'
    '<p class="tt-count" aria-live="polite"><strong></strong></p>'
    '<div class="tt-empty" role="status" hidden></div>'
    '<div class="tt-scroll" hidden><table><thead><tr>'
    + "".join(f'<th scope="col">{c}</th>' for c in LIVE_COLUMNS)
    + "</tr></thead><tbody></tbody></table></div>"
    '<button class="tt-more" type="button" hidden></button></div>'
)


@functools.cache
def _components():
    """The movers list and its engine: one JavaScript module (``ui/static/movers.js``), two components."""
    js = (_STATIC / "movers.js").read_text(encoding="utf-8")
    movers_list = st.components.v2.component(
        "trappetrin_flyttere",
        html=_MOVERS_HTML,
        js=js,
        css=(_STATIC / "movers.css").read_text(encoding="utf-8"),
        isolate_styles=False,
    )
    engine = st.components.v2.component("trappetrin_motor", js=js)
    return movers_list, engine


def input_class(key: str) -> str:
    """The CSS class Streamlit gives the element of a keyed widget (``st-key-`` + key, other signs as ``-``)."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=HASH_FUNCS)
def _engine_data(db: str, version: str, release: str, base: RuleSet) -> tuple[str, dict]:
    """(id, payload) of the browser engine for one release under the rule set in view (shared: never mutate)."""
    before = loaders.classified(release, base)
    codes = [o.code for o in base.outcomes]
    labels = dict(zip(codes, fmt.short_outcome_labels(base, codes)))
    payload = engine_payload(before.data, before.result, labels)
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16], payload


def engine_id(release: str, base: RuleSet, version: str) -> str:
    """Which engine payload the movers list computes with (see :func:`movers_engine`)."""
    return _engine_data(*loaders.page_key(version), release, base)[0]


def movers_engine(release: str, base: RuleSet, version: str) -> None:
    """Draw the (invisible) engine the movers list computes with in the browser.

    Drawn outside the Scenarie fragment, so its data (every unmasked department's values) goes to
    the browser once per page run, not on every threshold change.
    """
    ident, payload = _engine_data(*loaders.page_key(version), release, base)
    _components()[1](data={"mode": "engine", "id": ident, "payload": payload}, key=ENGINE_KEY)


def live_movers(
    eff: Effects, base: RuleSet, scenario: RuleSet, engine: str | None, *, error: bool, key: str, empty_text: str
) -> None:
    """The count line and the movers table, drawn by ``ui/static/movers.js``.

    The rows are the server's (``eff.movers``, at most GRID_ABOVE_ROWS of them; "Vis alle" computes
    the rest in the browser). When a parameter input is changed, the browser shows the new movers
    at once with its copy of the engine, and this list replaces them when the rerun arrives.
    """
    rows = eff.movers.head(GRID_ABOVE_ROWS)
    inputs = {}
    for p in base.parameters():
        b = bounds(base, p)
        inputs[p.key] = {
            "cls": input_class(widget_key(p)),
            "min": b.minimum,
            "max": b.maximum,
            "integer": b.integer,
            "choice": is_choice(p),  # picked, not typed: the browser waits for the server's answer
        }
    _components()[0](
        data={
            "mode": "movers",
            "engine": engine,
            "params": scenario.parameter_values(),
            "base": base.parameter_values(),
            "inputs": inputs,
            "rows": rows[MOVER_COLUMNS].astype(str).to_numpy().tolist(),
            "total": len(eff.movers),
            "max_rows": GRID_ABOVE_ROWS,
            "empty_text": empty_text,
            "error": error,
        },
        key=key,
    )


# --- stored rule sets ------------------------------------------------------------------------


def stored_rule_set(choice: str) -> RuleSet:
    """A stored rule set by ``name@version``."""
    return loaders.stored_rule_set(choice)


def department_choices() -> list[str]:
    """Stored rule sets that classify departments, as ``name@version``, newest version first."""
    return loaders.facts().choices


def find_stored(rules: RuleSet, prefer: RuleSet | None = None) -> tuple[str, int] | None:
    """A stored rule set with the same content as ``rules`` (``prefer`` first), if any."""
    target = content_fingerprint(rules)
    if prefer is not None and content_fingerprint(prefer) == target:
        return prefer.name, prefer.version
    for choice, fingerprint in loaders.facts().fingerprints.items():
        if fingerprint == target:
            return loaders.parse_choice(choice)
    return None


def rule_set_history() -> pd.DataFrame:
    """The stored rule sets with who created and adopted them, in Danish."""
    idx = loaders.store().rule_set_index()
    out = pd.DataFrame(
        {
            "Navn": idx["name"].astype(str),
            "Version": idx["version"].astype(int),
            "Titel": idx["title"].astype(str),
            "Gemt": idx["created_at"].map(formatting.datetime),
            "Gemt af": idx["created_by"].astype(str),
            "Gældende": np.where(idx["adopted"].astype(bool), "Ja, vedtaget", ""),
            "Senest vedtaget": idx["adopted_at"].map(formatting.datetime),
            "Vedtaget af": idx["adopted_by"].fillna(formatting.MISSING).astype(str),
        }
    )
    return out.sort_values(["Navn", "Version"], ascending=[True, False]).reset_index(drop=True)


def adopted_row() -> pd.Series | None:
    """The rule set in force (name, version, title, adopted_at, adopted_by), if any is marked adopted."""
    idx = loaders.store().rule_set_index()
    hit = idx[idx["adopted"].astype(bool)].sort_values("adopted_at")
    return None if hit.empty else hit.iloc[-1]


# --- actions (callbacks) ---------------------------------------------------------------------


def flash(kind: str, text: str) -> None:
    """Keep a message for the next run (callbacks cannot place elements where they belong)."""
    st.session_state[FLASH_KEY] = (kind, text)


def show_flash(error: str | None = None) -> None:
    """Show (once) the message a callback left, and ``error`` if given."""
    kind, text = st.session_state.pop(FLASH_KEY, (None, None))
    if error:
        st.error(error, icon=":material/error:")
    if kind == "success":
        st.success(text, icon=":material/check_circle:")
    elif kind == "error":
        st.error(text, icon=":material/error:")


def _clean_name(raw: object) -> str:
    name = str(raw or "").strip()
    if not name:
        raise UserError("Giv scenariet et navn.")
    if len(name) > NAME_MAX:
        raise UserError(f"Navnet er for langt ({len(name)} tegn); højst {NAME_MAX} tegn.")
    return name


def _default_title(base: RuleSet, overrides: dict[str, float]) -> str:
    return f"Scenarie ud fra {base.name} v{base.version} ({fmt.n_params(len(overrides))})"


# --- a scenario that changes the colour of most departments ---------------------------------

MASS_SHARE = 0.5  # more than this share of the departments changing colour asks for confirmation
MASS_CONFIRM_PREFIX = "scenarie_stor_bekraeft."


@dataclass(frozen=True)
class MassChange:
    """How many departments a scenario gives another colour, when that is most of them."""

    moved: int
    total: int

    @property
    def text(self) -> str:
        from trappetrin.formatting import integer, percent

        return (
            f"Scenariet giver {integer(self.moved)} af {integer(self.total)} afdelinger "
            f"({percent(100 * self.moved / self.total, 0)}) en anden farve end {{}}."
        )


def mass_change(release: str, base: RuleSet, scenario: RuleSet) -> MassChange | None:
    """A :class:`MassChange` when ``scenario`` moves more than MASS_SHARE of the departments in view."""
    eff = effects(release, base, scenario)
    total = len(eff.after.data.frame)
    moved = len(eff.movers)
    return MassChange(moved, total) if total and moved > MASS_SHARE * total else None


def mass_confirm_key(scenario: RuleSet) -> str:
    """Key of the confirmation tick for this very scenario (another scenario needs its own tick)."""
    return MASS_CONFIRM_PREFIX + content_fingerprint(scenario)


def _refuse_unconfirmed_mass_change(release: str | None, base: RuleSet, scenario: RuleSet, what: str) -> bool:
    """In a save/adopt callback: True (and a message) when the scenario moves most departments unconfirmed."""
    if release is None or st.session_state.get(mass_confirm_key(scenario)):
        return False
    change = mass_change(release, base, scenario)
    if change is None:
        return False
    flash(
        "error",
        change.text.format(f"{plain(base.name)} v{base.version}")
        + f" Sæt flueben i bekræftelsen under »Stor ændring« for at {what} det alligevel.",
    )
    return True


def save_scenario(base: RuleSet, release: str | None = None) -> None:
    """Callback of "Gem scenarie": store the scenario as the next version of the given name.

    A scenario that changes the colour of most departments is saved only once confirmed.
    """
    try:
        name = _clean_name(st.session_state.get(SAVE_NAME_KEY))
        title = str(st.session_state.get(SAVE_TITLE_KEY) or "").strip()[:TITLE_MAX]
        overrides = overrides_from(base, values_in_state(base))
        scenario = base.with_overrides(overrides)
        if _refuse_unconfirmed_mass_change(release, base, scenario, "gemme"):
            return
        saved = loaders.store().save_rule_set(
            scenario, actor=auth.current_actor(), name=name, title=title or _default_title(base, overrides)
        )
    except UserError as exc:
        flash("error", fmt.error_text(exc))
        return
    flash("success", f"Scenariet er gemt som {plain(saved.name)} version {saved.version}.")
    st.rerun()  # the whole app: the sidebar lists the new version


def adopt_scenario(base: RuleSet, release: str | None = None) -> None:
    """Callback of "Vedtag scenariet": save if needed, adopt, and show the adopted rule set unchanged.

    A scenario that changes the colour of most departments is adopted only once confirmed.
    """
    if not st.session_state.get(ADOPT_CONFIRM_KEY):
        flash("error", "Sæt flueben i bekræftelsen for at vedtage scenariet.")
        return
    actor = auth.current_actor()
    user = actor.label
    try:
        overrides = overrides_from(base, values_in_state(base))
        scenario = base.with_overrides(overrides)
        if _refuse_unconfirmed_mass_change(release, base, scenario, "vedtage"):
            return
        stored = find_stored(scenario, prefer=base)
        if stored is None:
            name = _clean_name(st.session_state.get(ADOPT_NAME_KEY))
            saved = loaders.store().save_rule_set(
                scenario, actor=actor, name=name, title=_default_title(base, overrides)
            )
            stored = (saved.name, saved.version)
        name, version = stored
        loaders.store().adopt_rule_set(name, version, actor=actor)
    except UserError as exc:
        flash("error", fmt.error_text(exc))
        return
    st.cache_data.clear()
    adopted = stored_rule_set(f"{name}@{version}")
    st.session_state[url.RULES_KEY] = f"{name}@{version}"
    set_inputs(adopted, drop={k for k in base.parameter_values() if k not in adopted.parameter_values()})
    st.session_state[ADOPT_CONFIRM_KEY] = False
    flash(
        "success",
        f"{plain(name)} version {version} er nu det vedtagne regelsæt "
        f"(vedtaget af {plain(user)} {formatting.datetime(datetime.now())}).",
    )
    st.rerun()  # the whole app: the sidebar and every page use the new rule set
