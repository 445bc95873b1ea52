"""Oversigt: the map of every department by step, counts per colour and the red/yellow list."""

import pandas as pd
import streamlit as st

from trappetrin import formatting
from ui import fmt
from ui.state import context, demo_caption, go_to_department, no_data_notice, overview
from ui.tables import html_table

FILTER_KEYS = ("filter_org", "filter_area", "filter_hood", "filter_colour")

ctx = context()
st.title("Oversigt")
if ctx.release is None:
    no_data_notice()
    st.stop()
demo_caption(ctx)

res = ctx.result()
frame = res.data.frame
rules = res.rules
outcome = pd.Series(res.result.outcome, index=frame.index)

# The filters sit in a popover: the browser draws them when it is opened, so four multi-selects do
# not hold up the first page (~0.25-0.4 s on a slow machine; bench/rerun.py, cold start). The line
# beside the button says what is shown, so an active filter is never hidden.
active = sum(bool(st.session_state.get(key)) for key in FILTER_KEYS)
with st.container(horizontal=True, vertical_alignment="center"):
    with st.popover(
        f"Filtre ({active})" if active else "Filtre",
        icon=":material/filter_alt:",
        key="filtre",
        help="Vis kun nogle afdelinger: boligorganisation, område, bydel eller farve.",
    ):
        orgs = st.multiselect(
            "Boligorganisation",
            sorted(frame["organisation"].dropna().unique()),
            key="filter_org",
            persist_state="session",
            placeholder="Alle",
        )
        area_names = sorted(set(frame["area_name"].dropna()) | set(frame["local_area_name"].dropna()))
        areas = st.multiselect("Område", area_names, key="filter_area", persist_state="session", placeholder="Alle")
        hoods = st.multiselect(
            "Bydel",
            sorted(frame["neighbourhood"].dropna().unique()),
            key="filter_hood",
            persist_state="session",
            placeholder="Alle",
        )
        codes = [o.code for o in rules.outcomes]
        colours = st.multiselect(
            "Farve",
            codes,
            format_func=lambda c: fmt.outcome_label(rules, c),
            key="filter_colour",
            persist_state="session",
            placeholder="Alle",
        )
    filter_line = st.empty()
    st.space("stretch")
    # The basemap switch in a popover at the row's end: the map starts a row higher, and the
    # button says when the basemap is on. (Not measurably faster: 2.87 vs 3.01 s, noise.)
    with st.popover(
        "Baggrundskort: til" if st.session_state.get("basemap") else "Baggrundskort",
        icon=":material/layers:",
        key="kortvalg",
    ):
        basemap = st.toggle(
            "Baggrundskort (Carto, kræver internet)",
            key="basemap",
            persist_state="session",
            help="Uden baggrundskort vises bydelsnavne, og kommunegrænsen hvis en grænsefil er sat op.",
        )

mask = pd.Series(True, index=frame.index)
if orgs:
    mask &= frame["organisation"].isin(orgs)
if areas:
    mask &= frame["area_name"].isin(areas) | frame["local_area_name"].fillna("").apply(
        lambda names: any(a in names.split("; ") for a in areas)
    )
if hoods:
    mask &= frame["neighbourhood"].isin(hoods)
if colours:
    mask &= outcome.isin(colours)
shown = set(frame.index[mask])
chosen = [
    (name, values)
    for name, values in (
        ("Boligorganisation", orgs),
        ("Område", areas),
        ("Bydel", hoods),
        ("Farve", [fmt.outcome_label(rules, c) for c in colours]),
    )
    if values
]
if chosen:
    filter_line.markdown(
        f"**{formatting.integer(len(shown))} af {formatting.integer(len(frame))} afdelinger vises** · "
        + " · ".join(f"{name}: {', '.join(fmt.plain(v) for v in values)}" for name, values in chosen)
    )
else:
    filter_line.markdown(f"Alle {formatting.integer(len(frame))} afdelinger vises.")

if not shown:
    st.warning(
        "Ingen afdelinger passer til de valgte filtre. Fjern et eller flere filtre for at se afdelinger.",
        icon=":material/filter_alt_off:",
    )
    st.stop()

left, right = st.columns([5, 4], gap="medium")
with left:
    chart, ry_all = overview(res, ctx.release, basemap=basemap, only=shown)
    event = st.pydeck_chart(chart, on_select="rerun", selection_mode="single-object", key="map", height=560)
    st.caption(
        f"Tal på punkterne: {fmt.map_legend(res.rules)}. "
        "Punktets størrelse følger antal boliger. Klik på en afdeling for at åbne den."
    )
    picked = (event.selection.get("objects") or {}).get("departments") if event and event.selection else None
    if picked:
        go_to_department(picked[0]["dept_id"])

with right:
    sub = frame.loc[mask].assign(outcome=outcome[mask])
    summary = sub.groupby("outcome").agg(
        Afdelinger=("name", "size"),
        Boliger=("dwellings", "sum"),
        **{"Billige (≤ 3.500 kr.)": ("dwellings_le_3500", "sum")},
    )
    summary = summary.reindex([c for c in codes if c in summary.index])
    summary.index = fmt.outcome_labels(rules, summary.index)
    summary.index.name = "Farve"
    summary.loc["I alt"] = summary.sum()
    # Plain HTML tables, not the data grid nor st.table: small, they read well on a projector, and
    # the first page needs neither the grid's code nor a Markdown element per cell in the browser
    # (it is interactive sooner; see ui/tables.py and bench/rerun.py).
    st.subheader("Pr. farve")
    html_table(summary.astype(int).reset_index(), label="Pr. farve", row_headers=True)

    st.subheader("Samlet oversigt: røde og gule afdelinger")
    ry = ry_all[ry_all["Afdelings-id"].isin(shown)]
    if ry.empty:
        st.info("Ingen røde eller gule afdelinger blandt de viste.")
    else:
        ry = ry.assign(Farve=fmt.badge_labels(rules, ry["Farve"]))
        # The organisation in small type under the department's name: four columns fit the right-hand
        # column at 1280 px, where five scrolled sideways.
        html_table(
            ry[["Afdelings-id", "Afdeling", "Boligorganisation", "Farve", "Begrundelse"]],
            label="Røde og gule afdelinger",
            max_height=320 if len(ry) > 8 else None,
            beneath={"Afdeling": "Boligorganisation"},
        )
        st.caption(f"{formatting.integer(len(ry))} afdelinger. Hele farvelisten kan hentes under Eksport.")
