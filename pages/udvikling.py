"""Udvikling: an indicator across releases, colour histories, changes and early warnings.

Every number comes from trappetrin.trends, which leaves out the values of departments under the
discretion limit (per release) and keeps them out of every aggregate.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from trappetrin import catalogue, formatting, trends
from trappetrin.explain import NO_DATA_LABEL
from trappetrin.rules import OP_LABELS, RuleSet
from ui import fmt
from ui.cache import HASH_FUNCS
from ui.charts import colour_history_chart, signed, trend_chart, unit_suffix
from ui.context import Context
from ui.loaders import classified, colour_history, page_key, store
from ui.page import preamble
from ui.url import DEPARTMENT_KEY, link_params

SCOPE_LABELS = {"kommune": "Kommune", "område": "Område", "organisation": "Boligorganisation", "afdeling": "Afdeling"}
DISCRETION_TEXT = "Afdelingen er under diskretionsgrænsen; værdier vises ikke."
DEFAULT_INDICATOR = "pct_outside_labour"
MARGIN_STEPS = [x / 2 for x in range(0, 21)]  # 0–10 procentpoint in steps of ½
RELATIVE_MARGIN_STEPS = [x / 20 for x in range(0, 21)]  # 0–1 procentpoint in steps of 0,05


def _colour(rules: RuleSet, code: str) -> str:
    """An outcome's label; "Ingen data" for a department without data in that release."""
    return NO_DATA_LABEL if code == trends.NO_DATA else fmt.outcome_label(rules, code)


def _pp(x: float) -> str:
    return f"{formatting.short(x, 2)} pp"


# --- cached computations: keyed on the database, its releases and the rule set's content ---------


def _results(labels: tuple[str, ...], rules: RuleSet) -> dict:
    """Each release classified once (shared with every page through ui.loaders.classified)."""
    return {label: classified(label, rules) for label in labels}


@st.cache_data(show_spinner=False, hash_funcs=HASH_FUNCS, max_entries=128)
def _trend(
    db: str, version: str, labels: tuple[str, ...], rules: RuleSet, indicator: str, scope: str, key: str | None
) -> pd.DataFrame:
    return trends.indicator_trend(store(), rules, indicator, scope, key, results=_results(labels, rules))


@st.cache_data(show_spinner=False, hash_funcs=HASH_FUNCS, max_entries=32)
def _changes(db: str, version: str, labels: tuple[str, ...], rules: RuleSet, label: str) -> pd.DataFrame:
    return trends.changes_since_previous(store(), rules, label, results=_results(labels, rules))


@st.cache_data(show_spinner=False, hash_funcs=HASH_FUNCS, max_entries=64)
def _warnings(
    db: str, version: str, labels: tuple[str, ...], rules: RuleSet, label: str, margins: tuple[tuple[str, float], ...]
) -> pd.DataFrame:
    return trends.early_warning(store(), rules, label, dict(margins), results=_results(labels, rules))


@st.cache_data(show_spinner=False)
def _areas(db: str, version: str) -> pd.DataFrame:
    return store().areas()


def _trend_section(frame: pd.DataFrame, db: str, version: str, labels: tuple[str, ...], rules: RuleSet) -> None:
    """An indicator across releases for the municipality, an area, an organisation or a department."""
    indicators = catalogue.indicators()
    st.subheader("Indikator over tid")
    pick_indicator, pick_scope = st.columns([1, 1], vertical_alignment="bottom")
    pick_key, pick_compare = st.columns([1, 1], vertical_alignment="bottom")
    codes = list(indicators)
    indicator = pick_indicator.selectbox(
        "Indikator",
        codes,
        index=codes.index(DEFAULT_INDICATOR) if DEFAULT_INDICATOR in codes else 0,
        format_func=catalogue.label,
        key="udv_indicator",
        persist_state="session",
    )
    scope = pick_scope.radio(
        "Niveau",
        list(SCOPE_LABELS),
        format_func=SCOPE_LABELS.get,
        horizontal=True,
        key="udv_scope",
        persist_state="session",
    )
    key: str | None = None
    series_name = trends.KOMMUNE
    if scope == "område":
        areas = _areas(db, version)
        # Only areas with departments in view (the municipality picked, on national data).
        present = set(frame["area_id"].dropna()) | set(frame["local_area_id"].dropna())
        areas = areas[areas["area_id"].isin(present)]
        names = dict(zip(areas["area_id"], areas["name"]))
        kinds = dict(zip(areas["area_id"], areas["kind"]))
        key = pick_key.selectbox(
            "Område",
            list(names),
            key="udv_area",
            persist_state="session",
            format_func=lambda a: f"{names[a]} ({kinds[a]})",
        )
        series_name = names.get(key, key or "")
    elif scope == "organisation":
        key = pick_key.selectbox(
            "Boligorganisation", sorted(frame["organisation"].dropna().unique()), key="udv_org", persist_state="session"
        )
        series_name = key or ""
    elif scope == "afdeling":
        key = pick_key.selectbox(
            "Afdeling",
            list(frame.index),
            key="udv_dept",
            persist_state="session",
            format_func=lambda d: f"{d} – {frame.at[d, 'name']}",
        )
        series_name = f"{key} {frame.at[key, 'name']}" if key in frame.index else (key or "")
    if scope == "afdeling" and key in frame.index:
        pick_key.page_link(
            "pages/afdeling.py",
            label="Åbn afdelingen",
            icon=":material/apartment:",
            query_params=link_params(**{DEPARTMENT_KEY: key}),
        )
    compare = pick_compare.toggle(
        "Vis kommunen til sammenligning",
        value=True,
        key="udv_compare",
        persist_state="session",
        disabled=scope == "kommune",
    )

    ind = indicators[indicator]
    suffix = unit_suffix(ind.unit)
    decimals = 0 if ind.unit == "antal" else 1
    cond = trends.threshold_condition(rules, indicator)
    trend = _trend(db, version, labels, rules, indicator, scope, key)
    if key is None and scope != "kommune":
        st.info("Vælg hvad udviklingen skal vises for.")
    elif scope == "afdeling" and trend["value"].isna().all():
        if trend["masked"].any():
            st.info(DISCRETION_TEXT, icon=":material/visibility_off:")
        else:
            st.info("Der er ingen værdier for afdelingen i de indlæste udgivelser.")
    elif trend["value"].isna().all():
        st.info("Ingen afdelinger over diskretionsgrænsen har værdier her; der er intet at vise.")
    else:
        lines = [trend.assign(series=series_name)]
        if compare and scope != "kommune":
            lines.append(_trend(db, version, labels, rules, indicator, "kommune", None).assign(series=trends.KOMMUNE))
        data = pd.concat(lines, ignore_index=True)
        threshold_text = cond.threshold_text(ind.unit) if cond is not None else None
        chart = trend_chart(
            data,
            releases=list(labels),
            title=ind.label,
            y_title="Procent" if ind.unit == "%" else ind.unit.capitalize(),
            unit=ind.unit,
            threshold_op=OP_LABELS[cond.op] if cond is not None else None,
            threshold_text=threshold_text,
            decimals=decimals,
        )
        where = "hele kommunen" if scope == "kommune" else series_name
        st.altair_chart(
            chart,
            key="udv_trend_chart",
            alt=f"{ind.label} for {where} i hver udgivelse"
            + (f", med grænsen {threshold_text} som stiplet linje" if threshold_text else ""),
        )
        notes = []
        if cond is None:
            notes.append("Regelsættet har ingen grænse for denne indikator.")
        elif cond.is_relative:
            notes.append("Grænsen følger landsgennemsnittet og kan derfor flytte sig fra år til år.")
        if scope == "afdeling" and trend["masked"].any():
            notes.append(
                f"I {formatting.integer(trend['masked'].sum())} udgivelser var afdelingen under diskretionsgrænsen; "
                "de værdier vises ikke."
            )
        if scope != "afdeling":
            notes.append(
                "Gennemsnit vægtet med indikatorens egen nævner; afdelinger under diskretionsgrænsen indgår ikke."
            )
        notes.append("Udgivelser uden nye tal (fx ministeriets lister) viser de seneste tal før dem.")
        st.caption(" ".join(notes))
        with st.expander("Tal bag grafen"):
            table = pd.DataFrame(
                {
                    "Udgivelse": trend["release"],
                    "Tal fra": trend["values_release"].fillna("–"),
                    "Værdi": [formatting.short(v, decimals) + (suffix if pd.notna(v) else "") for v in trend["value"]],
                    "Grænse": [formatting.short(t, 2) + (suffix if pd.notna(t) else "") for t in trend["threshold"]],
                }
            )
            if scope != "afdeling":
                table["Afdelinger"] = [formatting.integer(n) for n in trend["departments"]]
            st.dataframe(table, hide_index=True, width="stretch")


def _history_section(labels: tuple[str, ...], rules: RuleSet) -> None:
    """Each department's colour in every release (under the rule set in view)."""
    st.subheader("Farver over tid")
    history = colour_history(labels, rules)
    with st.container(horizontal=True):
        orgs = st.multiselect(
            "Boligorganisation",
            sorted(history["organisation"].dropna().unique()),
            key="udv_hist_org",
            persist_state="session",
            placeholder="Alle",
            select_all=False,
        )
        only_changed = st.toggle(
            "Kun afdelinger der har skiftet farve", value=True, key="udv_hist_changed", persist_state="session"
        )
    shown = history
    if orgs:
        shown = shown[shown["organisation"].isin(orgs)]
    if only_changed:
        n_colours = shown.groupby("dept_id")["outcome"].nunique()
        shown = shown[shown["dept_id"].isin(n_colours.index[n_colours > 1])]
    if shown.empty:
        st.info(
            "Ingen afdelinger passer til filtrene."
            + (" Slå »Kun afdelinger der har skiftet farve« fra for at se alle." if only_changed else "")
        )
    else:
        n_depts = shown["dept_id"].nunique()
        st.altair_chart(
            colour_history_chart(shown, rules, releases=list(labels)),
            key="udv_history_chart",
            alt=f"Farven for {formatting.integer(n_depts)} afdelinger i hver udgivelse",
        )
        st.caption(
            f"{formatting.integer(n_depts)} afdelinger. {fmt.symbol_legend(rules)}. "
            "Farverne er beregnet med samme regelsæt for alle udgivelser."
        )


def _changes_section(ctx: Context, db: str, version: str, labels: tuple[str, ...], rules: RuleSet) -> None:
    """Departments whose colour changed since the previous release, and why."""
    prev = trends.previous_release(ctx.store, ctx.release)
    st.subheader("Ændringer siden forrige udgivelse")
    if prev is None:
        st.info(f"{fmt.plain(ctx.release)} er den første udgivelse; der er ingen forrige at sammenligne med.")
    else:
        changes = _changes(db, version, labels, rules, ctx.release)
        st.caption(
            f"Fra udgivelse {fmt.plain(prev)} til {fmt.plain(ctx.release)}, begge beregnet med regelsættet "
            f"{fmt.plain(ctx.rules_label)}."
        )
        if changes.empty:
            st.info("Ingen afdelinger har skiftet farve.")
        else:
            table = pd.DataFrame(
                {
                    "Afdeling": changes["dept_id"] + " " + changes["name"],
                    "Fra → Til": [
                        f"{_colour(ctx.rules, a)} → {_colour(ctx.rules, b)}"
                        for a, b in zip(changes["from"], changes["to"])
                    ],
                    "Hvorfor": changes["why"],
                    "Boligorganisation": changes["organisation"],
                }
            )
            st.dataframe(
                table,
                hide_index=True,
                width="stretch",
                column_config={"Hvorfor": st.column_config.TextColumn(width="large")},
            )
            n_missing = int(((changes["from"] == trends.NO_DATA) | (changes["to"] == trends.NO_DATA)).sum())
            st.caption(
                f"{formatting.integer(len(changes) - n_missing)} afdelinger har skiftet farve."
                + (
                    f" {formatting.integer(n_missing)} har kun data i den ene udgivelse (»{NO_DATA_LABEL}«)."
                    if n_missing
                    else ""
                )
            )


def _warning_section(ctx: Context, db: str, version: str, labels: tuple[str, ...], rules: RuleSet) -> None:
    """Early warning: departments close to meeting a criterion they do not meet yet, or moving towards it."""
    st.subheader("Tidlig varsling")
    relative = sorted(
        {c.indicator for s in rules.criteria_sets for c in s.criteria if c.is_relative}
        | {g.indicator for r in rules.rules for g in r.gates if g.is_relative}
    )
    with st.container(horizontal=True):
        margin = st.select_slider(
            "Margen (procentpoint)",
            options=MARGIN_STEPS,
            value=2.0,
            format_func=_pp,
            key="udv_margin",
            persist_state="session",
            help="Afdelinger der ikke opfylder et kriterie, men er højst så langt fra grænsen, eller som bevæger sig "
            "hurtigt nok mod grænsen til at nå inden for margenen ved næste udgivelse med samme udvikling.",
        )
        margins = {"*": margin}
        if relative:
            rel_label = ", ".join(catalogue.label(i).lower() for i in relative)
            margins.update(
                dict.fromkeys(
                    relative,
                    st.select_slider(
                        "Margen ved grænser i forhold til landsgennemsnittet",
                        options=RELATIVE_MARGIN_STEPS,
                        value=0.2,
                        format_func=_pp,
                        key="udv_margin_relative",
                        persist_state="session",
                        help=f"Gælder {rel_label}, hvis grænse ligger omkring 1–2 %, "
                        "så 2 procentpoint ville omfatte alle.",
                    ),
                )
            )
        colours = st.multiselect(
            "Farve",
            [o.code for o in rules.outcomes if o.code != (rules.discretion.outcome if rules.discretion else None)],
            format_func=lambda c: fmt.outcome_label(rules, c),
            key="udv_warn_colour",
            persist_state="session",
            placeholder="Alle",
            select_all=False,
        )
    warnings = _warnings(db, version, labels, rules, ctx.release, tuple(sorted(margins.items())))
    if colours:
        warnings = warnings[warnings["outcome"].isin(colours)]
    if warnings.empty:
        st.info("Ingen afdelinger er tæt på eller på vej mod en grænse med de valgte marginer.")
    else:

        def _signal(near: bool, approaching: bool) -> str:
            return " og ".join(t for t, on in (("Tæt på grænsen", near), ("På vej mod grænsen", approaching)) if on)

        units = warnings["indicator"].map(lambda i: catalogue.unit(i))
        table = pd.DataFrame(
            {
                "Afdeling": warnings["dept_id"] + " " + warnings["name"],
                "Kriterie": warnings["label"],
                "Værdi": [
                    formatting.short(v, 0 if u == "antal" else 1) + unit_suffix(u)
                    for v, u in zip(warnings["value"], units)
                ],
                "Grænse": [
                    f"{OP_LABELS[op]} {formatting.short(t, 2)}{unit_suffix(u)}"
                    for op, t, u in zip(warnings["op"], warnings["threshold"], units)
                ],
                "Afstand": [formatting.short(d, 2) for d in warnings["distance"]],
                "Ændring siden forrige": [signed(c, 1) for c in warnings["change"]],
                "Signal": [_signal(n, a) for n, a in zip(warnings["near"], warnings["approaching"])],
                "Farve nu": fmt.outcome_labels(rules, warnings["outcome"]),
            }
        )
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            height=min(600, 38 + 35 * len(table)),
            column_config={
                "Afstand": st.column_config.TextColumn(
                    help="Hvor langt værdien er fra at opfylde kriteriet, i procentpoint"
                ),
                "Ændring siden forrige": st.column_config.TextColumn(
                    help="Ændring i værdien siden forrige udgivelse med nye tal"
                ),
            },
        )
        st.caption(
            f"{formatting.integer(table['Afdeling'].nunique())} afdelinger, "
            f"{formatting.integer(len(table))} kriterier. "
            "Afdelinger under "
            "diskretionsgrænsen indgår ikke."
        )


def page() -> None:
    ctx = preamble("Udvikling")
    (db, version), labels, rules = page_key(), tuple(ctx.releases), ctx.rules
    _trend_section(ctx.result().data.frame, db, version, labels, rules)
    _history_section(labels, rules)
    _changes_section(ctx, db, version, labels, rules)
    _warning_section(ctx, db, version, labels, rules)


page()
