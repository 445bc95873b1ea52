"""Twins on screen: cached searches, the chart against the twins, and the summary on Afdeling.

Everything shown comes from :mod:`trappetrin.twins`, which leaves out the values of departments
under the discretion limit (as a department and as a twin) and every aggregate over fewer than
three twins with values. Numbers are formatted by :mod:`trappetrin.formatting`.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from trappetrin import catalogue, formatting, twins
from trappetrin.store import LOCATION_TYPES
from ui.context import Context
from ui.loaders import page_key, release_data_for

PAGE = "pages/tvillinger.py"
#: URL keys of the page (the department is the shared ``afd``).
VIEW_KEY = "tv"
BY_KEY = "tv.by"
VARS_KEY = "tv.var"
N_KEY = "tv.n"
SCOPE_KEY = "tv.omr"
INDICATOR_KEY = "tv.ind"
CUSTOM = "valgt"  # the basis "Vælg selv": the variables are in tv.var
BY_LABELS = {**twins.BY_CHOICES, CUSTOM: "Vælg selv"}

METHOD_TEXT = (
    "Tvillingerne er de afdelinger, der ligner afdelingen mest på de valgte variable. Hver variabel "
    "standardiseres inden for søgeområdet (kommunen eller hele landet): z = (værdi − gennemsnit) / "
    "standardafvigelse, så år, kroner og procenter vejer lige meget. Antal boliger indgår som logaritme "
    "og beliggenhed som 0 (by), 1 (forstad) og 2 (land). Afstanden er kvadratroden af gennemsnittet af de "
    "kvadrerede forskelle i z: 0 er en eksakt tvilling, 1 svarer til én standardafvigelse i gennemsnit. "
    "En afdeling er aldrig sin egen tvilling; lige afstande afgøres af afdelings-id. En afdeling uden en "
    "af variablene får ingen tvillinger. Afdelinger under diskretionsgrænsen indgår ikke, når der matches "
    "på socioøkonomi, og vises aldrig med værdier; median, spænd og placering kræver mindst "
    f"{twins.MIN_TWINS_WITH_VALUES} tvillinger med værdier."
)


def discretion_key(ctx: Context) -> tuple[str, float] | None:
    d = ctx.rules.discretion
    return None if d is None else (d.indicator, float(d.minimum))


def _masked(frame: pd.DataFrame, discretion: tuple[str, float] | None) -> np.ndarray:
    if discretion is None:
        return np.zeros(len(frame), dtype=bool)
    values = frame[discretion[0]].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return ~(values >= discretion[1])


def pool_frame(ctx: Context, scope: str) -> pd.DataFrame:
    """The departments searched: the municipality in view (kommune) or the whole database (land)."""
    return _frame(ctx.release, ctx.municipality, scope)


@st.cache_data(show_spinner=False, max_entries=64)
def _one(
    db: str, version: str, label: str, place: str | None, scope: str, discretion, variables: tuple, n: int, dept: str
) -> twins.Twins:
    frame = _frame(label, place, scope)
    return twins.find_twins(frame, _masked(frame, discretion), dept, variables=list(variables), n=n, scope=scope)


@st.cache_data(show_spinner="Finder tvillinger for alle afdelinger …", max_entries=16)
def _all(
    db: str, version: str, label: str, place: str | None, scope: str, discretion, variables: tuple, n: int
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    frame = _frame(label, place, scope)
    grey = _masked(frame, discretion)
    pairs, reasons = twins.all_twins(frame, grey, variables=list(variables), n=n, scope=scope)
    return pairs, reasons, twins.positions(frame, grey, pairs)


def _frame(label: str, place: str | None, scope: str) -> pd.DataFrame:
    return release_data_for(label, None if scope == "land" else place).frame


def find(ctx: Context, dept: str, variables: list[str], n: int, scope: str) -> twins.Twins:
    return _one(
        *page_key(),
        ctx.release,
        ctx.municipality,
        scope,
        discretion_key(ctx),
        tuple(variables),
        n,
        dept,
    )


def find_all(ctx: Context, variables: list[str], n: int, scope: str) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Every department's twins and position (departments of the municipality in view as subjects)."""
    pairs, reasons, pos = _all(
        *page_key(),
        ctx.release,
        ctx.municipality,
        scope,
        discretion_key(ctx),
        tuple(variables),
        n,
    )
    if scope == "land" and ctx.municipality is not None:
        mine = set(ctx.result().data.frame.index)
        pairs = pairs[pairs["dept_id"].isin(mine)]
        reasons = reasons[reasons.index.isin(mine)]
        pos = pos[pos["dept_id"].isin(mine)]
    return pairs, reasons, pos


def masked_for(ctx: Context, frame: pd.DataFrame) -> np.ndarray:
    return _masked(frame, discretion_key(ctx))


# --- formatting --------------------------------------------------------------------------------


def value_text(code: str, x) -> str:
    """An indicator or matching value as Danish text (missing: "–")."""
    if code == "location_type":
        return LOCATION_TYPES.get(x, formatting.MISSING) if isinstance(x, str) else formatting.MISSING
    if code in ("year_built",):
        return formatting.MISSING if formatting.is_missing(x) else str(int(round(float(x))))
    if code == "dwellings":
        return formatting.integer(x)
    if code == "rent_per_m2":
        return formatting.amount(x)
    if code == "mean_m2":
        return formatting.MISSING if formatting.is_missing(x) else f"{formatting.number(x, 1)}\u00a0m²"
    if code == "pct_family_dwellings" or catalogue.unit(code) == "%":
        return formatting.percent(x, 1)
    return formatting.number(x, 1)


def short_label(code: str) -> str:
    return twins.variable_label(code).split(" (")[0]


# --- the chart against the twins ---------------------------------------------------------------


def comparison_chart(cmp: pd.DataFrame, twin_values: pd.DataFrame, dept_name: str) -> alt.FacetChart:
    """Per indicator: each twin with a value (grey dots), the twins' range (bar), their median (tick),
    and the department (a purple diamond, not a step colour; only when it may be shown).

    Only indicators with an aggregate (enough twins with values) are drawn.
    """
    shown = cmp[cmp["median"].notna()]
    order = [catalogue.label(c) for c in shown.index]
    ranges = pd.DataFrame(
        {
            "Indikator": order,
            "low": shown["low"].to_numpy(),
            "high": shown["high"].to_numpy(),
            "median": shown["median"].to_numpy(),
            "Tvillingernes median": [formatting.percent(v) for v in shown["median"]],
            "Spænd": [
                f"{formatting.percent(a)} – {formatting.percent(b)}" for a, b in zip(shown["low"], shown["high"])
            ],
        }
    )
    dots = []
    for code in shown.index:
        for tid, v in twin_values[code].dropna().items():
            dots.append(
                {"Indikator": catalogue.label(code), "value": v, "Tvilling": tid, "Værdi": formatting.percent(v)}
            )
    dots = pd.DataFrame(dots, columns=["Indikator", "value", "Tvilling", "Værdi"]).astype({"value": float})
    own = shown[shown["value"].notna()]
    own = pd.DataFrame(
        {
            "Indikator": [catalogue.label(c) for c in own.index],
            "value": own["value"].to_numpy(),
            "Afdeling": dept_name,
            "Værdi": [formatting.percent(v) for v in own["value"]],
            "Placering": own["position"].to_numpy(),
        }
    )
    # One row per indicator, each with its own scale: convictions (~1 %) and income (~80 %) both readable.
    x_scale = alt.Scale(zero=False, nice=False, padding=14)
    x_axis = alt.Axis(title=None, labelExpr="replace(datum.label, '.', ',') + ' %'", tickCount=5)
    data = pd.concat(
        [
            ranges.assign(layer="range"),
            dots.assign(layer="dot"),
            own.assign(layer="own"),
        ],
        ignore_index=True,
    )
    chart = alt.Chart()
    bar = (
        chart.transform_filter("datum.layer == 'range'")
        .mark_rule(strokeWidth=8, opacity=0.35, color="#4a6fa5")
        .encode(
            x=alt.X("low:Q", scale=x_scale, axis=x_axis),
            x2="high:Q",
            tooltip=["Indikator:N", "Spænd:N", "Tvillingernes median:N"],
        )
    )
    median = (
        chart.transform_filter("datum.layer == 'range'")
        .mark_tick(color="#1f3b63", thickness=3, size=22)
        .encode(x=alt.X("median:Q", scale=x_scale), tooltip=["Indikator:N", "Tvillingernes median:N"])
    )
    points = (
        chart.transform_filter("datum.layer == 'dot'")
        .mark_circle(color="#6b6b6b", size=36, opacity=0.7)
        .encode(x=alt.X("value:Q", scale=x_scale), tooltip=["Indikator:N", "Tvilling:N", "Værdi:N"])
    )
    mine = (
        chart.transform_filter("datum.layer == 'own'")
        .mark_point(shape="diamond", filled=True, size=160, color="#762a83", opacity=1)
        .encode(x=alt.X("value:Q", scale=x_scale), tooltip=["Afdeling:N", "Indikator:N", "Værdi:N", "Placering:N"])
    )
    return (
        alt.layer(bar, points, median, mine, data=data)
        .properties(height=34, width=680)
        .facet(
            row=alt.Row(
                "Indikator:N",
                sort=order,
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top"),
            ),
            spacing=18,
        )
        .resolve_scale(x="independent")
    )


def comparison_table(cmp: pd.DataFrame) -> pd.DataFrame:
    """The comparison as Danish text: one row per indicator."""
    rows = []
    for code, r in cmp.iterrows():
        enough = pd.notna(r["median"])
        rows.append(
            {
                "Indikator": catalogue.label(code),
                "Afdelingen": value_text(code, r["value"]),
                "Tvillingernes median": value_text(code, r["median"]) if enough else formatting.MISSING,
                "Spænd (laveste–højeste)": (
                    f"{value_text(code, r['low'])} – {value_text(code, r['high'])}" if enough else formatting.MISSING
                ),
                "Placering": r["position"] or formatting.MISSING,
                "Tvillinger med værdi": (
                    f"{formatting.integer(r['n_with_values'])} af {formatting.integer(r['n_twins'])}"
                ),
            }
        )
    return pd.DataFrame(rows)


# --- the summary on Afdeling -------------------------------------------------------------------


def afdeling_summary(ctx: Context, dept: str, *, masked: bool, link_params: dict[str, str]) -> None:
    """A short comparison with the department's twins (master data, the municipality, n = 10)."""
    st.subheader("Sammenlignet med tvillinger")
    res = find(ctx, dept, twins.variables_for("stamdata"), twins.DEFAULT_N, "kommune")
    if res.reason:
        st.info(res.reason, icon=":material/group_off:")
    elif masked:
        st.info(
            f"Afdelingen har {formatting.integer(len(res.twins))} tvillinger på stamdata, men er under "
            "diskretionsgrænsen, så dens placering blandt dem vises ikke.",
            icon=":material/visibility_off:",
        )
    else:
        frame = ctx.result().data.frame
        cmp = twins.compare(frame, masked_for(ctx, frame), dept, res.twins.index)
        table = comparison_table(cmp)[["Indikator", "Afdelingen", "Tvillingernes median", "Placering"]]
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption(
            f"De {formatting.integer(len(res.twins))} afdelinger i kommunen, der ligner den mest på stamdata "
            "(opførelsesår, boliger, boligareal, husleje pr. m², andel familieboliger og beliggenhed)."
        )
    st.page_link(
        PAGE,
        label="Se tvillingerne og vælg andre variable",
        icon=":material/compare_arrows:",
        query_params=link_params,
    )
