"""Tvillinger: each department against its most comparable departments, and who stands out.

Two views, each a link: one department against its twins (chart, table, the twins with their
distance and matching variables), and the municipality's departments that stand out most from
their twins on one indicator. The method is in trappetrin/twins.py and stated on the page.
Discretion: trappetrin.twins leaves out every value of a department under the discretion limit and
every aggregate over fewer than three twins with values.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from trappetrin import catalogue, formatting, twins
from trappetrin.export import to_csv_danish
from ui import fmt
from ui import twins_view as tv
from ui.auth import current_actor
from ui.context import Context
from ui.downloads import audited_download
from ui.loaders import municipalities
from ui.page import department_not_in_view, department_picker, preamble
from ui.session import kept_widget
from ui.url import DEPARTMENT_KEY, link_params, seed_from_url, set_url

VIEWS = {"afdeling": "Én afdeling", "kommune": "Kommunens afdelinger"}


def _parse_n(text: str) -> int | None:
    try:
        n = int(text)
    except ValueError:
        return None
    return n if twins.MIN_N <= n <= twins.MAX_N else None


def _parse_vars(text: str) -> list[str] | None:
    try:
        return twins.check_variables([v for v in text.split(",") if v])
    except ValueError:
        return None


def _self_link(**extra: str) -> str:
    """A relative link to this page with the current view and ``extra``."""
    from urllib.parse import urlencode

    params = {k: v for k, v in link_params(**extra).items() if v is not None}
    return "tvillinger?" + urlencode(params)


def _department_table(listing: pd.DataFrame, link_help: str) -> None:
    """A list of departments whose "Afdeling" column links to them (the link's ``afd=<id>`` is its text)."""
    st.dataframe(
        listing,
        hide_index=True,
        width="stretch",
        column_config={
            "Afdeling": st.column_config.LinkColumn("Afdeling", display_text=r"afd=([^&]+)", help=link_help)
        },
    )


@dataclass(frozen=True)
class Choices:
    """What the user picked above the views: each is kept in the link."""

    view: str  # "afdeling" or "kommune"
    variables: list[str]  # matched on
    n: int  # twins per department
    scope: str  # where twins are sought: "kommune" or "land"

    @property
    def matched_on(self) -> str:
        return ", ".join(tv.short_label(v).lower() for v in self.variables)

    @property
    def where(self) -> str:
        return "hele landet" if self.scope == "land" else "kommunen"


def _choices(several_places: bool) -> Choices:
    """View, basis, variables, number and scope: seeded from the link, kept for the session, written back."""

    seed_from_url(tv.VIEW_KEY, list(VIEWS))
    view = st.segmented_control(
        "Visning",
        list(VIEWS),
        format_func=VIEWS.get,
        **kept_widget(tv.VIEW_KEY),
        default=None if tv.VIEW_KEY in st.session_state else "afdeling",
        required=True,
    )
    view = view or "afdeling"

    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    seed_from_url(tv.BY_KEY, list(tv.BY_LABELS))
    with left:
        by = st.radio(
            "Find tvillinger efter",
            list(tv.BY_LABELS),
            format_func=tv.BY_LABELS.get,
            **kept_widget(tv.BY_KEY),
            horizontal=True,
            help="Stamdata: opførelsesår, antal boliger, boligareal, husleje pr. m², andel familieboliger og "
            "beliggenhed. Socioøkonomi: de fire listekriterier og andelen af ikke-vestlige. "
            "Vælg selv: vælg variablene enkeltvis.",
        )
    seed_from_url(tv.N_KEY, list(range(twins.MIN_N, twins.MAX_N + 1)), parse=_parse_n)
    with middle:
        n = st.slider(
            "Antal tvillinger",
            twins.MIN_N,
            twins.MAX_N,
            value=None if tv.N_KEY in st.session_state else twins.DEFAULT_N,
            **kept_widget(tv.N_KEY),
        )
    scope = "kommune"
    if several_places:
        seed_from_url(tv.SCOPE_KEY, list(twins.SCOPES))
        with right:
            scope = st.radio(
                "Søg i",
                list(twins.SCOPES),
                format_func=twins.SCOPES.get,
                **kept_widget(tv.SCOPE_KEY),
                help="Kommunen: tvillinger fra afdelingens egen kommune. Hele landet: fra alle afdelinger i databasen.",
            )
    if by == tv.CUSTOM:
        seed_from_url(tv.VARS_KEY, parse=_parse_vars)
        options = [*twins.STAMDATA_VARIABLES, *twins.SOCIO_VARIABLES]
        chosen = st.multiselect(
            "Variable",
            options,
            default=None if tv.VARS_KEY in st.session_state else twins.variables_for("stamdata"),
            format_func=twins.variable_label,
            **kept_widget(tv.VARS_KEY),
            placeholder="Vælg mindst én variabel",
            select_all=False,
        )
        if not chosen:
            st.warning("Vælg mindst én variabel at finde tvillinger efter.")
            st.stop()
        variables = twins.check_variables(chosen)
        set_url(tv.VARS_KEY, ",".join(variables))
    else:
        variables = twins.variables_for(by)
        set_url(tv.VARS_KEY, None)
    set_url(tv.VIEW_KEY, None if view == "afdeling" else view)
    set_url(tv.BY_KEY, None if by == "stamdata" else by)
    set_url(tv.N_KEY, None if n == twins.DEFAULT_N else str(n))
    set_url(tv.SCOPE_KEY, None if scope == "kommune" else scope)
    return Choices(view, variables, n, scope)


def _one_department(ctx: Context, frame: pd.DataFrame, choices: Choices, can_export: bool) -> None:
    """One department against its twins: chart, table, the twins with their distance, the file."""
    variables, n, scope = choices.variables, choices.n, choices.scope
    matched_on, where = choices.matched_on, choices.where
    ids = list(frame.index)
    dept = department_picker(ids, lambda d: f"{d} – {frame.at[d, 'name']}" if d in frame.index else str(d))
    if dept not in frame.index:
        department_not_in_view(ctx, dept, "pages/tvillinger.py")
    row = frame.loc[dept]
    grey = tv.masked_for(ctx, frame)
    is_grey = bool(grey[frame.index.get_loc(dept)])
    res = tv.find(ctx, dept, variables, n, scope)
    st.header(fmt.plain(row["name"]))
    st.markdown(
        f"**Boligorganisation:** {fmt.plain(row['organisation'])} · **Kommune:** {fmt.plain(row['municipality'])}"
    )
    if res.reason:
        st.info(res.reason, icon=":material/group_off:")
        st.stop()
    pool = tv.pool_frame(ctx, scope)
    pool_grey = tv.masked_for(ctx, pool)
    dist = res.twins["distance"]
    st.markdown(
        f"**{formatting.integer(len(res.twins))} tvillinger** i {where}, fundet efter {matched_on} "
        f"blandt {formatting.integer(res.pool_size)} afdelinger. Afstand fra {formatting.number(dist.min(), 2)} "
        f"til {formatting.number(dist.max(), 2)}."
    )
    if len(res.twins) < n:
        st.caption(f"Der er kun {formatting.integer(len(res.twins))} afdelinger at sammenligne med.")

    st.subheader("Indikatorer mod tvillingerne")
    cmp = twins.compare(pool, pool_grey, dept, res.twins.index)
    if is_grey:
        st.info(
            "Afdelingen er under diskretionsgrænsen; dens værdier og placering vises ikke. "
            "Tvillingernes median og spænd vises, hvor mindst "
            f"{twins.MIN_TWINS_WITH_VALUES} tvillinger har værdier.",
            icon=":material/visibility_off:",
        )
    if cmp["median"].notna().any():
        values = twins.indicator_values(pool, pool_grey).loc[res.twins.index]
        st.altair_chart(
            tv.comparison_chart(cmp, values, str(row["name"])),
            key="tv_chart",
            alt=f"{row['name']} mod tvillingernes spænd og median for hver indikator",
        )
        st.caption(
            "Bjælken er tvillingernes spænd (laveste–højeste), stregen deres median, de grå prikker de enkelte "
            "tvillinger og den lilla rude afdelingen selv."
        )
    else:
        st.info(
            f"Færre end {twins.MIN_TWINS_WITH_VALUES} tvillinger har værdier, så der vises ingen median eller spænd."
        )
    st.dataframe(tv.comparison_table(cmp), hide_index=True, width="stretch")

    st.subheader("Tvillingerne")
    rows = pool.loc[list(res.twins.index)]
    twin_grey = pd.Series(pool_grey, index=pool.index).loc[list(res.twins.index)]
    listing = pd.DataFrame(
        {
            "Nr.": [formatting.integer(r) for r in res.twins["rank"]],
            "Afdeling": [_self_link(**{DEPARTMENT_KEY: i}) for i in res.twins.index],
            "Navn": rows["name"].to_numpy(),
            "Boligorganisation": rows["organisation"].to_numpy(),
            **({"Kommune": rows["municipality"].to_numpy()} if scope == "land" else {}),
            "Afstand": [formatting.number(d, 2) for d in res.twins["distance"]],
        }
    )
    for v in variables:
        shown = [
            formatting.MISSING if (g and v in twins.SOCIO_VARIABLES) else tv.value_text(v, x)
            for x, g in zip(rows[v] if v in rows else [None] * len(rows), twin_grey)
        ]
        listing[tv.short_label(v)] = shown
    own = {
        "Nr.": "",
        "Afdeling": _self_link(**{DEPARTMENT_KEY: dept}),
        "Navn": f"{row['name']} (afdelingen selv)",
        "Boligorganisation": row["organisation"],
        **({"Kommune": row["municipality"]} if scope == "land" else {}),
        "Afstand": formatting.number(0, 2),
    }
    for v in variables:
        own[tv.short_label(v)] = (
            formatting.MISSING if (is_grey and v in twins.SOCIO_VARIABLES) else tv.value_text(v, row.get(v))
        )
    listing = pd.concat([pd.DataFrame([own]), listing], ignore_index=True)
    _department_table(listing, "Åbn afdelingens tvillinger")
    n_grey = int(twin_grey.sum())
    st.caption(
        "Afstand: 0 er en eksakt tvilling; 1 svarer til én standardafvigelse i gennemsnit over de valgte variable."
        + (
            f" {formatting.integer(n_grey)} af tvillingerne er under diskretionsgrænsen og vises uden værdier."
            if n_grey
            else ""
        )
    )
    table = twins.twin_table(
        pool, pool_grey, res, release=ctx.release, source=ctx.result().data.source, is_demo=ctx.is_demo
    )
    file_name = f"tvillinger-{dept}-{ctx.release}.csv"
    if can_export:
        st.download_button(
            "Hent tvillingerne (CSV til dansk Excel)",
            audited_download(ctx, "csv", file_name, lambda: to_csv_danish(table), details={"tvillinger": dept}),
            file_name=file_name,
            mime="text/csv",
            icon=":material/download:",
        )
    st.page_link(
        "pages/afdeling.py",
        label="Åbn afdelingen",
        icon=":material/apartment:",
        query_params=link_params(**{DEPARTMENT_KEY: dept}),
    )


def _standouts(ctx: Context, frame: pd.DataFrame, choices: Choices, several_places: bool, can_export: bool) -> None:
    """The departments in view that stand out most from their twins on one indicator."""
    variables, n, scope = choices.variables, choices.n, choices.scope
    matched_on, where = choices.matched_on, choices.where
    codes = list(twins.COMPARE_INDICATORS)
    seed_from_url(tv.INDICATOR_KEY, codes)
    indicator = st.selectbox(
        "Indikator",
        codes,
        index=None if tv.INDICATOR_KEY in st.session_state else 0,
        format_func=catalogue.label,
        **kept_widget(tv.INDICATOR_KEY),
    )
    indicator = indicator or codes[0]
    set_url(tv.INDICATOR_KEY, None if indicator == codes[0] else indicator)
    pairs, reasons, pos = tv.find_all(ctx, variables, n, scope)
    top = twins.standouts(pos, indicator, top=15)
    place = f"{ctx.municipality} Kommune" if ctx.municipality else ("hele landet" if several_places else "kommunen")
    st.markdown(
        f"De afdelinger i {place}, der skiller sig mest ud fra deres {formatting.integer(n)} tvillinger "
        f"(fundet i {where} efter {matched_on}) på **{catalogue.label(indicator).lower()}**."
    )
    if top.empty:
        st.info(f"Ingen afdelinger har både en værdi og mindst {twins.MIN_TWINS_WITH_VALUES} tvillinger med værdier.")
    else:
        names = frame["name"]
        better = catalogue.indicators()[indicator].better
        top["Navn"] = top["dept_id"].map(names)
        top["Retning"] = [
            ("Over" if d > 0 else "Under") + " tvillingerne" + ("" if w is None else (" (værre)" if w else " (bedre)"))
            for d, w in zip(top["deviation"], top["worse"])
        ]
        chart_data = pd.DataFrame(
            {
                "Afdeling": [f"{i} {names.get(i, '')}" for i in top["dept_id"]],
                "deviation": top["deviation"].to_numpy(),
                "Afvigelse": [formatting.number(d, 2, sign=True) for d in top["deviation"]],
                "Værdi": [tv.value_text(indicator, v) for v in top["value"]],
                "Tvillingernes median": [tv.value_text(indicator, v) for v in top["median"]],
                "Retning": top["Retning"].to_numpy(),
            }
        )
        colour = alt.Color(
            "Retning:N",
            scale=alt.Scale(
                domain=sorted(set(chart_data["Retning"])),
                range=["#762a83" if "værre" in r else "#4a6fa5" for r in sorted(set(chart_data["Retning"]))],
            ),
            legend=alt.Legend(orient="bottom", title=None),
        )
        chart = (
            alt.Chart(chart_data)
            .mark_bar()
            .encode(
                y=alt.Y("Afdeling:N", sort=None, title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False)),
                x=alt.X(
                    "deviation:Q",
                    title="Afvigelse fra tvillingernes median (standardafvigelser)",
                    axis=alt.Axis(labelExpr="replace(replace(datum.label, '.', ','), '-', '\u2212')"),
                ),
                color=colour,
                tooltip=["Afdeling", "Værdi", "Tvillingernes median", "Afvigelse", "Retning"],
            )
            .properties(height=28 * len(chart_data) + 40)
        )
        st.altair_chart(
            chart, key="tv_standouts", alt=f"De {len(chart_data)} afdelinger, der afviger mest fra deres tvillinger"
        )
        listing = pd.DataFrame(
            {
                "Afdeling": [_self_link(**{DEPARTMENT_KEY: i, tv.VIEW_KEY: "afdeling"}) for i in top["dept_id"]],
                "Navn": top["Navn"].to_numpy(),
                "Værdi": chart_data["Værdi"],
                "Tvillingernes median": chart_data["Tvillingernes median"],
                "Spænd": [
                    f"{tv.value_text(indicator, a)} – {tv.value_text(indicator, b)}"
                    for a, b in zip(top["low"], top["high"])
                ],
                "Placering": [
                    twins.position_text(int(h), int(lo), int(k))
                    for h, lo, k in zip(top["higher"], top["lower"], top["n_with_values"])
                ],
                "Afvigelse": chart_data["Afvigelse"],
                "Retning": top["Retning"].to_numpy(),
            }
        )
        _department_table(listing, "Åbn afdelingen mod sine tvillinger")
        st.caption(
            "Afvigelse: afdelingens værdi minus tvillingernes median, i standardafvigelser for indikatoren blandt "
            "afdelingerne med værdier. "
            + (
                "For denne indikator er lavere bedre."
                if better == "lower"
                else "For denne indikator er højere bedre."
                if better == "higher"
                else ""
            )
            + " Afdelinger under diskretionsgrænsen og afdelinger med færre end "
            f"{twins.MIN_TWINS_WITH_VALUES} tvillinger med værdier indgår ikke."
        )
    without = len(reasons)
    if without:
        st.caption(f"{formatting.integer(without)} afdelinger har ingen tvillinger med de valgte variable.")

    def _positions_csv() -> bytes:  # built when fetched: every department and indicator
        pool = tv.pool_frame(ctx, scope)
        table = twins.position_table(
            pool,
            tv.masked_for(ctx, pool),
            pairs,
            reasons,
            variables=variables,
            scope=scope,
            release=ctx.release,
            source=ctx.result().data.source,
            is_demo=ctx.is_demo,
        )
        return to_csv_danish(table)

    file_name = f"tvillinger-placering-{ctx.release}.csv"
    if can_export:
        st.download_button(
            "Hent alle afdelingers placering (CSV til dansk Excel)",
            audited_download(ctx, "csv", file_name, _positions_csv, details={"tvillinger": "alle"}),
            file_name=file_name,
            mime="text/csv",
            icon=":material/download:",
        )


def page() -> None:
    ctx = preamble("Tvillinger")
    st.caption(
        "Hver afdeling sammenlignes med de afdelinger, der ligner den mest (dens tvillinger), som i "
        "Landsbyggefondens Tvillingeværktøj. Det viser, hvilke afdelinger der skiller sig ud fra "
        "sammenlignelige afdelinger – et varsel ud over trappetrinnenes grænser."
    )

    frame = ctx.result().data.frame
    if frame.empty:
        st.info("Udgivelsen har ingen afdelinger.")
        st.stop()
    several_places = len(municipalities()) > 1
    can_export = current_actor().can("export")  # files are exports: the viewer role has none

    choices = _choices(several_places)
    with st.expander("Sådan findes tvillingerne"):
        st.markdown(tv.METHOD_TEXT)

    if choices.view == "afdeling":
        _one_department(ctx, frame, choices, can_export)
    else:
        _standouts(ctx, frame, choices, several_places, can_export)


page()
