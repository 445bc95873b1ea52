"""Streamlit glue for the Opfølgning page: period picker, the five items with charts and a map,
the Statusrapport downloads and the admin's table editor. The logic is in
:mod:`trappetrin.followup` and :mod:`trappetrin.report`; every number shown is formatted by
:mod:`trappetrin.formatting` (charts get pre-formatted tooltip strings and Danish axis labels).

Follow-up figures are shown per organisation and per step; the map shows departments with
dwellings used by the allocation, coloured by step, with counts and no indicator values.
"""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st

from trappetrin import followup as fu
from trappetrin import formatting as f
from trappetrin import geo
from trappetrin import report as rp
from trappetrin.capacity import CapacityParams, load_params
from trappetrin.errors import UserError
from trappetrin.rules import RuleSet

from . import auth, downloads, fmt, loaders
from .cache import HASH_FUNCS
from .charts import danish_numbers
from .context import Context
from .mapview import BLANK_STYLE, boundary_layer, hex_to_rgb, view_for

PERIOD_KEY = "fu_period"
CUSTOM = "Egen periode"
NOW_COLOUR = "#3182bd"
PREV_COLOUR = "#9ecae1"
PDF_MIME = "application/pdf"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- period ---------------------------------------------------------------------------------------


def period_choices(span: tuple[date, date]) -> dict[str, fu.Period]:
    """Whole years and halves the follow-up data touch, newest first."""
    out: dict[str, fu.Period] = {}
    for year in range(span[1].year, span[0].year - 1, -1):
        for p in (
            fu.year_period(year),
            fu.Period(date(year, 7, 1), date(year, 12, 31)),
            fu.Period(date(year, 1, 1), date(year, 6, 30)),
        ):
            out[p.label()] = p
    return out


def period_picker(span: tuple[date, date]) -> fu.Period | None:
    choices = period_choices(span)
    with st.container(horizontal=True, key="fu_period_row"):
        choice = st.selectbox(
            "Periode",
            [*choices, CUSTOM],
            key=PERIOD_KEY,
            width=260,
            help="Et år eller et halvår (arbejdsgruppen mødes i 2. og 4. kvartal), eller en periode du vælger. "
            "Forrige periode er lige så lang og ligger lige før.",
        )
        if choice != CUSTOM:
            return choices[choice]
        start = st.date_input("Fra", value=date(span[1].year, 1, 1), format="DD.MM.YYYY", key="fu_from", width=180)
        end = st.date_input("Til", value=date(span[1].year, 12, 31), format="DD.MM.YYYY", key="fu_to", width=180)
    try:
        return fu.Period(start, end)
    except UserError as exc:
        st.warning(fmt.error_text(exc), icon=":material/event_busy:")
        return None


# --- data ------------------------------------------------------------------------------------------


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=HASH_FUNCS)
def _summary(
    db: str, generation: int, period: fu.Period, rules: RuleSet, params: CapacityParams, municipality: str | None
) -> fu.Summary:
    return fu.summarise(loaders.store(), rules, period, params, municipality=municipality)


def summary(ctx: Context, period: fu.Period, params: CapacityParams) -> fu.Summary:
    """The follow-up of the municipality in view (its departments, their organisations' rows)."""
    return _summary(*loaders.write_key(), period, ctx.rules, params, ctx.municipality)


@st.cache_resource(max_entries=8, show_spinner=False, hash_funcs=HASH_FUNCS)
def _report(db: str, generation: int, period: fu.Period, rules: RuleSet, params: CapacityParams) -> rp.Report:
    return rp.build_report(loaders.store(), rules, period, params=params)


# --- overview ----------------------------------------------------------------------------------------


def _delta(now: float, before: float) -> dict:
    """The metric's delta as Danish text (U+2212 minus), with the arrow set from the sign
    (Streamlit reads the sign of English text only)."""
    if before == 0 and now == 0:
        return {}
    d = now - before
    arrow = "up" if d > 0 else "down" if d < 0 else "off"
    return {"delta": f"{f.integer(d, sign=True)} mod forrige periode", "delta_arrow": arrow}


def overview(ctx: Context, summary: fu.Summary) -> None:
    res = ctx.result(release=summary.release)
    counts = res.summary()["departments"]
    st.markdown(
        f"**Periode: {summary.period.label()}** ({f.date(summary.period.start)}–{f.date(summary.period.end)}) · "
        f"forrige periode {summary.previous.label()} · farver og model efter udgivelse {fmt.plain(summary.release)}"
    )
    with st.container(horizontal=True, key="fu_colours"):
        for o in ctx.rules.outcomes:
            st.metric(f"{o.label} ({o.step})", f.integer(counts.get(o.code, 0)), border=True, help="Afdelinger.")
    x = summary.figures
    with st.container(horizontal=True, key="fu_figures"):
        st.metric(
            "Stillet til rådighed",
            f.integer(x["offered"]),
            **_delta(x["offered"], x["offered_prev"]),
            delta_color="off",
            border=True,
            help=f"Boliger meldt ind til boliganvisningen. Modellen forventer {f.integer(x['model_available'])} "
            "i perioden.",
        )
        st.metric(
            "Anvendt af boliganvisningen",
            f.integer(x["used"]),
            **_delta(x["used"], x["used_prev"]),
            delta_color="off",
            border=True,
            help=_need_text(summary),
        )
        st.metric(
            "Fleksible udlejninger",
            f.integer(x["flex"]),
            **_delta(x["flex"], x["flex_prev"]),
            delta_color="off",
            border=True,
        )
        st.metric(
            "Fogedsager",
            f.integer(x["evictions"]),
            **_delta(x["evictions"], x["evictions_prev"]),
            delta_color="off",
            border=True,
        )
    partial = {k: n for k, n in summary.partial.items() if n}
    if partial:
        st.caption(
            "Ikke talt med (ligger kun delvis i perioden): "
            + ", ".join(f"{fu.KIND_NAMES[k].lower()} {f.integer(n)} rækker" for k, n in partial.items())
        )


# --- charts ------------------------------------------------------------------------------------------


def _bars(rows: list[tuple[str, float, str]], *, title: str, extra=None, height: int = 220) -> alt.Chart:
    data = pd.DataFrame(rows, columns=["Periode", "Boliger", "farve"])
    data["tekst"] = [f.integer(v) for v in data["Boliger"]]
    base = alt.Chart(data).encode(
        x=alt.X("Periode:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("Boliger:Q", title=title, axis=alt.Axis(format=",~r")),
    )
    chart = base.mark_bar().encode(
        color=alt.Color("farve:N", scale=None), tooltip=[alt.Tooltip("Periode:N"), alt.Tooltip("tekst:N", title=title)]
    ) + base.mark_text(dy=-6).encode(text="tekst:N")
    if extra is not None:
        chart = chart + extra
    return chart.properties(height=height)


def _rule(value: float, label: str, colour: str = "#444444") -> alt.Chart:
    data = pd.DataFrame({"y": [value], "tekst": [f"{label}: {f.integer(value)}"]})
    rule = alt.Chart(data).mark_rule(strokeDash=[6, 4], color=colour).encode(y="y:Q", tooltip=["tekst:N"])
    text = alt.Chart(data).mark_text(align="left", x=4, dy=-6, color=colour).encode(y="y:Q", text="tekst:N")
    return rule + text


def _need_text(summary: fu.Summary) -> str:
    """The need in the period and where it comes from, or that none is given for these departments."""
    x = summary.figures
    if not summary.need_source:
        return "Der er intet behov angivet for de viste afdelinger; det kan skrives på siden Anvisning."
    years = x["years"]
    return (
        f"Behovet er {f.integer(x['need_min'])}–{f.integer(x['need_max'])} billige boliger i perioden "
        f"({f.integer(x['need_min'] / years)}–{f.integer(x['need_max'] / years)} om året; {summary.need_source})."
    )


def _band(lo: float, hi: float, label: str) -> alt.Chart:
    data = pd.DataFrame({"lo": [lo], "hi": [hi], "tekst": [f"{label}: {f.integer(lo)}–{f.integer(hi)}"]})
    band = alt.Chart(data).mark_rect(opacity=0.25, color="#fd8d3c").encode(y="lo:Q", y2="hi:Q", tooltip=["tekst:N"])
    text = alt.Chart(data).mark_text(align="left", x=4, dy=-6, color="#a63603").encode(y="hi:Q", text="tekst:N")
    return band + text


def _per_org_chart(per_org: pd.DataFrame, col: str, summary: fu.Summary, title: str) -> alt.Chart:
    rows = []
    for org, r in per_org.iterrows():
        rows.append({"Boligorganisation": org, "Periode": summary.period.label(), "Antal": r[col]})
        rows.append({"Boligorganisation": org, "Periode": summary.previous.label(), "Antal": r[col + "_prev"]})
    data = pd.DataFrame(rows)
    data["tekst"] = [f.integer(v) for v in data["Antal"]]
    order = per_org.sort_values(col, ascending=False).index.tolist()
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("Boligorganisation:N", sort=order, title=None),
            yOffset=alt.YOffset("Periode:N", sort=[summary.period.label(), summary.previous.label()]),
            x=alt.X("Antal:Q", title=title, axis=alt.Axis(format=",~r")),
            color=alt.Color(
                "Periode:N",
                scale=alt.Scale(
                    domain=[summary.period.label(), summary.previous.label()], range=[NOW_COLOUR, PREV_COLOUR]
                ),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=["Boligorganisation:N", "Periode:N", alt.Tooltip("tekst:N", title=title)],
        )
        .properties(height=alt.Step(9))
    )


def sections(ctx: Context, summary: fu.Summary) -> None:
    x = summary.figures
    now, prev = summary.period.label(), summary.previous.label()
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Boliger stillet til rådighed")
        st.altair_chart(
            danish_numbers(
                _bars(
                    [(prev, x["offered_prev"], PREV_COLOUR), (now, x["offered"], NOW_COLOUR)],
                    title="Boliger",
                    extra=_rule(x["model_available"], "Model") if pd.notna(x["model_available"]) else None,
                )
            ),
            key="fu_chart_offered",
        )
        st.caption(
            f"Modellen (siden Anvisning, udgivelse {fmt.plain(summary.release)}) forventer "
            f"{f.integer(x['model_available'])} boliger til anvisning i perioden, heraf "
            f"{f.integer(x['model_cheap'])} billige; meldt ind: {f.integer(x['offered'])}, heraf "
            f"{f.integer(x['offered_cheap'])} billige. Gennemsnitlig husleje {f.amount(x['mean_rent_offered'])}"
        )
    with right:
        st.subheader("Boliger anvendt mod behovet")
        st.altair_chart(
            danish_numbers(
                _bars(
                    [(prev, x["used_prev"], PREV_COLOUR), (now, x["used"], NOW_COLOUR)],
                    title="Boliger",
                    extra=_band(x["need_min"], x["need_max"], "Behov") if summary.need_source else None,
                )
            ),
            key="fu_chart_used",
        )
        st.caption(
            f"{_need_text(summary)} Anvendt: {f.integer(x['used'])}, heraf {f.integer(x['used_cheap'])} "
            f"billige. Gennemsnitlig husleje {f.amount(x['mean_rent_used'])}"
        )
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Fleksibel udlejning pr. organisation")
        st.altair_chart(
            danish_numbers(_per_org_chart(summary.per_org, "flex", summary, "Fleksible udlejninger")),
            key="fu_chart_flex",
        )
        crit = summary.criteria.reset_index()
        if not crit.empty:
            st.dataframe(
                pd.DataFrame(
                    {
                        "Kriterium": crit["criterion"].astype(str),
                        now: [f.integer(v) for v in crit["flex"]],
                        prev: [f.integer(v) for v in crit["flex_prev"]],
                    }
                ),
                hide_index=True,
                key="fu_criteria",
            )
    with right:
        st.subheader("Fogedsager pr. organisation")
        st.altair_chart(
            danish_numbers(_per_org_chart(summary.per_org, "evictions", summary, "Fogedsager")),
            key="fu_chart_evictions",
        )
    st.subheader("Hvor de anvendte boliger ligger, efter trin")
    _map(ctx, summary)
    by_step = summary.by_step.reset_index()
    outcomes = {o.code: o for o in ctx.rules.outcomes}
    st.dataframe(
        pd.DataFrame(
            {
                "Farve": fmt.outcome_labels(ctx.rules, by_step["outcome"]),
                "Stillet til rådighed": [f.integer(v) for v in by_step["offered"]],
                "Anvendt": [f.integer(v) for v in by_step["used"]],
                "Tilladt anvisning": ["ja" if outcomes[c].allocation else "nej" for c in by_step["outcome"]],
            }
        ),
        hide_index=True,
        key="fu_by_step",
    )
    with st.expander("Tal pr. boligorganisation"):
        org = summary.per_org
        st.dataframe(
            pd.DataFrame(
                {
                    "Boligorganisation": org.index,
                    "Stillet til rådighed": [f.integer(v) for v in org["offered"]],
                    "Anvendt": [f.integer(v) for v in org["used"]],
                    "Fleksible udlejninger": [f.integer(v) for v in org["flex"]],
                    f"Fleksible ({prev})": [f.integer(v) for v in org["flex_prev"]],
                    "Fogedsager": [f.integer(v) for v in org["evictions"]],
                    f"Fogedsager ({prev})": [f.integer(v) for v in org["evictions_prev"]],
                }
            ),
            hide_index=True,
            key="fu_per_org",
        )


def allocation_deck(points: pd.DataFrame, imported_boundary: dict | None) -> pdk.Deck:
    """The map of departments with dwellings used by the allocation, over the land they lie in.

    The land is that of the municipality the departments lie in (Aalborg's from ``geo/``, or a
    configured or imported boundary), and none for a municipality without one or for several:
    never Aalborg's under another municipality's departments.
    """
    cols = ["name", "organisation", "colour_label", "used_text", "offered_text", "lon", "lat", "color", "radius"]
    geography = geo.geography(imported_boundary, municipality=geo.municipality_of(points))
    boundary = boundary_layer(geography)
    layers = [] if boundary is None else [boundary]
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            points[cols],
            id="allocated",
            pickable=True,
            get_position=["lon", "lat"],
            get_fill_color="color",
            get_radius="radius",
            radius_min_pixels=4,
            radius_max_pixels=24,
            stroked=True,
            get_line_color=[40, 40, 40],
            line_width_min_pixels=1,
        )
    )
    tooltip = {
        "html": "<b>{name}</b><br/>{organisation}<br/>{colour_label}<br/>Anvendt: {used_text}<br/>"
        "Stillet til rådighed: {offered_text}",
        "style": {"fontSize": "13px"},
    }
    return pdk.Deck(layers=layers, initial_view_state=view_for(points), map_style=BLANK_STYLE, tooltip=tooltip)


def _map(ctx: Context, summary: fu.Summary) -> None:
    points = summary.allocated[(summary.allocated["used"] > 0)].dropna(subset=["lat", "lon"]).reset_index()
    if points.empty:
        st.caption("Ingen anvendte boliger med kendt afdeling i perioden.")
        return
    colours = {o.code: hex_to_rgb(o.color) for o in ctx.rules.outcomes}
    points["color"] = [colours.get(c, [120, 120, 120]) for c in points["outcome"]]
    points["radius"] = 60 + 40 * points["used"].clip(upper=12)
    points["colour_label"] = fmt.outcome_labels(ctx.rules, points["outcome"])
    points["used_text"] = [f.integer(v) for v in points["used"]]
    points["offered_text"] = [f.integer(v) for v in points["offered"]]
    st.pydeck_chart(allocation_deck(points, loaders.stored_boundary()), key="fu_map", height=420)
    st.caption(
        f"{f.integer(len(points))} afdelinger med anvendte boliger i perioden; prikkens størrelse følger antallet, "
        f"farven afdelingens trin i udgivelse {fmt.plain(summary.release)}."
    )


# --- report ------------------------------------------------------------------------------------------


def report_downloads(ctx: Context, period: fu.Period, params: CapacityParams) -> None:
    scope = rp.report_municipality(loaders.municipalities())  # cached; None: every department
    st.subheader("Statusrapport")
    st.caption(
        f"Rapport til arbejdsgruppens møde for {period.label()}: farvefordeling og kort, skift siden sidste år, "
        "listestatus, nøgletal, anvisning, fleksibel udlejning og fogedsager, og Om data."
        + (" Mærket som demodata." if ctx.is_demo else "")
        + (f" Rapporten dækker aftalens kommune, {scope} Kommune, uanset den valgte kommune." if scope else "")
    )
    stem = f"statusrapport_{period.start:%Y%m%d}-{period.end:%Y%m%d}"

    # The report covers the agreement's municipality; another municipality's parameters (a need
    # typed for it, or none) are not the report's.
    report_params = params if scope is None or scope == ctx.municipality else load_params()

    def build(kind: str):
        def make() -> bytes:
            report = _report(*loaders.write_key(), period, ctx.rules, report_params)
            return rp.to_pdf(report) if kind == "pdf" else rp.to_xlsx(report)

        return downloads.audited_download(
            ctx, kind, f"{stem}.{kind}", make, subject=f"statusrapport {period.label()}", details={"report": True}
        )

    with st.container(horizontal=True, key="fu_downloads"):
        st.download_button(
            "Statusrapport (PDF)",
            build("pdf"),
            file_name=f"{stem}.pdf",
            mime=PDF_MIME,
            key="fu_dl_pdf",
            on_click="ignore",
            icon=":material/picture_as_pdf:",
            type="primary",
        )
        st.download_button(
            "Statusrapport (XLSX)",
            build("xlsx"),
            file_name=f"{stem}.xlsx",
            mime=XLSX_MIME,
            key="fu_dl_xlsx",
            on_click="ignore",
            icon=":material/grid_on:",
        )


# --- the editor ---------------------------------------------------------------------------------------


def editor(ctx: Context) -> None:
    with st.expander("Ret opfølgningsdata (administrator)", icon=":material/edit:"):
        st.caption(
            "Ret en række direkte i tabellen og tryk Gem. Rettelserne kontrolleres som ved indlæsning "
            "(afdelingsregister, datoer, tal med decimalkomma); ved fejl gemmes intet. Hver rettet række "
            "skrives i revisionssporet med før og efter."
        )
        kind = st.selectbox("Slags", list(fu.FOLLOWUP_KINDS), format_func=fu.KIND_NAMES.get, key="fu_edit_kind")
        rows = fu.followup_rows(ctx.store, kind)
        if rows.empty:
            st.caption("Ingen rækker af denne slags.")
            return
        years = sorted({d.year for d in rows["period_start"]}, reverse=True)
        year = st.selectbox("År", years, key="fu_edit_year", format_func=str)
        rows = rows[[d.year == year for d in rows["period_start"]]]
        frame = fu.editor_frame(rows, kind)
        frame.insert(1, "Boligorganisation", rows["organisation"].fillna("").to_numpy())
        edited = st.data_editor(
            frame,
            hide_index=True,
            num_rows="fixed",
            disabled=["Række-id", "Boligorganisation"],
            column_config={c: st.column_config.TextColumn(c) for c in frame.columns if c != "Række-id"},
            key=f"fu_editor_{kind}_{year}",
            height=320,
        )
        if st.button("Gem rettelser", key="fu_edit_save", icon=":material/save:", type="primary"):
            try:
                changed = fu.edit_rows(
                    ctx.store, kind, edited.drop(columns=["Boligorganisation"]), actor=auth.current_actor()
                )
            except UserError as exc:
                st.error(fmt.plain(exc.message), icon=":material/error:")
                for problem in exc.problems or []:
                    st.markdown(f"- {fmt.plain(problem)}")
                return
            if changed:
                st.success(f"{f.integer(len(changed))} rækker er rettet og skrevet i revisionssporet.")
            else:
                st.info("Ingen ændringer at gemme.")
