"""Oversigt: the map of every department by step, counts per colour and the red/yellow list."""

import pandas as pd
import streamlit as st

from trappetrin import formatting
from trappetrin.geo import ATTRIBUTION
from ui import fmt, maplinks, session, url
from ui.overview_view import overview
from ui.page import go_to_department, preamble
from ui.tables import html_table

FILTER_KEYS = ("filter_org", "filter_area", "filter_hood", "filter_colour")
#: The filters in the link: widget key → query parameter (values joined by "|").
FILTER_URL = {"filter_org": "org", "filter_area": "omraade", "filter_hood": "bydel", "filter_colour": "farve"}
REFIT_KEY = "kort_refit"
#: At most this many rows in the red/yellow list on the page (the exports hold them all).
LIST_ROWS = 200


def seed_filters(options: dict[str, list]) -> None:
    """Filters from a link (not the ones this session wrote itself) go into the widgets once."""
    written = st.session_state.setdefault(url.WRITTEN, {})
    for key, url_key in FILTER_URL.items():
        value = st.query_params.get(url_key)
        if value is None or written.get(url_key) == value:
            continue
        st.session_state[key] = [v for v in value.split("|") if v in options[key]]
        written[url_key] = value


def write_filters(values: dict[str, list]) -> None:
    """Mirror the filters into the link, so it gives a colleague the same selection."""
    for key, url_key in FILTER_URL.items():
        url.set_url(url_key, "|".join(str(v) for v in values[key]) or None)


def page() -> None:
    ctx = preamble("Oversigt")

    res = ctx.result()
    frame = res.data.frame
    rules = res.rules
    outcome = pd.Series(res.result.outcome, index=frame.index)

    area_names = sorted(set(frame["area_name"].dropna()) | set(frame["local_area_name"].dropna()))
    codes = [o.code for o in rules.outcomes]
    seed_filters(
        {
            "filter_org": list(frame["organisation"].dropna().unique()),
            "filter_area": area_names,
            "filter_hood": list(frame["neighbourhood"].dropna().unique()),
            "filter_colour": codes,
        }
    )

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
                select_all=False,
            )
            areas = st.multiselect(
                "Område", area_names, key="filter_area", persist_state="session", placeholder="Alle", select_all=False
            )
            hoods = st.multiselect(
                "Bydel",
                sorted(frame["neighbourhood"].dropna().unique()),
                key="filter_hood",
                persist_state="session",
                placeholder="Alle",
                select_all=False,
            )
            colours = st.multiselect(
                "Farve",
                codes,
                format_func=lambda c: fmt.outcome_label(rules, c),
                key="filter_colour",
                persist_state="session",
                placeholder="Alle",
                select_all=False,
            )
        filter_line = st.empty()
        st.space("stretch")
        # Back to the view that fits every department shown (after zooming and panning).
        national = ctx.municipality is None and frame["municipality"].nunique() > 1
        if st.button(
            "Hele landet" if national else "Hele kommunen",
            icon=":material/zoom_out_map:",
            key="hele_kommunen",
            help="Vis alle de viste afdelinger på kortet igen.",
        ):
            st.session_state[REFIT_KEY] = st.session_state.get(REFIT_KEY, 0) + 1  # the map below is made after this
        # The basemap switch in a popover at the row's end: the map starts a row higher, and the
        # button says when the basemap is on.
        with st.popover(
            "Baggrundskort: til" if st.session_state.get("basemap") else "Baggrundskort",
            icon=":material/layers:",
            key="kortvalg",
        ):
            basemap = st.toggle(
                "Baggrundskort (Carto, kræver internet)",
                key="basemap",
                persist_state="session",
                help="Kommunens land, sognegrænser og stednavne vises altid; baggrundskortet lægges under dem.",
            )
    if basemap and not maplinks.carto_reachable():
        st.info(
            "Baggrundskortet (Carto) kan ikke hentes – der er ingen forbindelse til internettet. "
            "Kortet vises med kommunens land, sognegrænser og stednavne i stedet.",
            icon=":material/cloud_off:",
        )
        basemap = False

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
    write_filters({"filter_org": orgs, "filter_area": areas, "filter_hood": hoods, "filter_colour": colours})
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

    absent = res.data.absent
    if len(absent):  # departments in the register the release has no data for: said, never hidden
        with st.expander(
            f"{formatting.integer(len(frame))} af {formatting.integer(res.data.register_size)} afdelinger i registret "
            f"har data i udgivelse {fmt.plain(ctx.release)}",
            icon=":material/report:",
        ):
            st.caption(
                "Afdelingerne herunder står i afdelingsregistret, men udgivelsen har ingen tal for dem. De har "
                "ingen farve i denne udgivelse og står i eksporten med farven »Ingen data«."
            )
            html_table(
                pd.DataFrame(
                    {
                        "Afdelings-id": absent.index,
                        "Afdeling": absent["name"].to_numpy(),
                        "Boligorganisation": absent["organisation"].to_numpy(),
                    }
                ),
                label="Afdelinger uden data",
                max_height=240 if len(absent) > 6 else None,
            )

    if not shown:
        st.warning(
            "Ingen afdelinger passer til de valgte filtre. Fjern et eller flere filtre for at se afdelinger.",
            icon=":material/filter_alt_off:",
        )
        st.stop()

    counts = outcome[mask].value_counts()
    left, right = st.columns([5, 4], gap="medium")
    with left:
        chart, ry_all = overview(
            res, ctx.release, basemap=basemap, only=shown, refit=st.session_state.get(REFIT_KEY, 0)
        )
        # The legend beside the map: symbol, colour and count per step.
        legend = "".join(
            f'<span class="tt-legend-item"><span class="tt-dot" style="background:{o.color}">'
            f"{fmt.plain(rules.map_symbol(o.code))}</span>{fmt.plain(o.label)}"
            f" <b>{formatting.integer(counts.get(o.code, 0))}</b></span>"
            for o in (rules.outcome(c) for c in rules.severity_order())
        )
        st.html(
            "<style>.tt-legend{display:flex;flex-wrap:wrap;gap:.25rem .9rem;font-size:.875rem;align-items:center}"
            ".tt-legend-item{display:inline-flex;align-items:center;gap:.3rem;white-space:nowrap}"
            ".tt-dot{display:inline-flex;justify-content:center;align-items:center;width:1.15rem;height:1.15rem;"
            "border-radius:50%;border:1px solid #282828;color:#fff;font-size:.7rem;font-weight:700;"
            "text-shadow:0 0 2px #000}</style>"
            f'<div class="tt-legend" role="list" aria-label="Trin på kortet">{legend}</div>',
            width="content",
        )
        event = st.pydeck_chart(chart, on_select="rerun", selection_mode="single-object", key="map", height=560)
        if national:
            st.caption(
                "Hele landet: én cirkel pr. kommune, delt efter afdelingernes farver. "
                "Klik på en kommune for at se dens afdelinger."
            )
        else:
            st.caption(
                f"Tal på punkterne: {fmt.map_legend(res.rules)}. "
                "Punktets størrelse følger antal boliger. Klik på en afdeling for at åbne den. " + ATTRIBUTION
            )
        objects = (event.selection.get("objects") or {}) if event and event.selection else {}
        if national and objects.get("municipalities"):
            session.view()[url.MUNICIPALITY_KEY] = objects["municipalities"][0]["municipality"]
            st.rerun()
        picked = objects.get("departments") or [
            {"dept_id": (f.get("properties") or {}).get("dept_id")} for f in objects.get("footprints") or []
        ]
        if picked and picked[0].get("dept_id"):
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
            total = len(ry)
            # The whole country has ~1,800 red and yellow departments: as one HTML table they cost the
            # browser seconds on the first page (sanitised and laid out at once). The most severe first
            # are shown; the rest are in the exports (bench/first_page.py, "Hele landet").
            ry = ry.head(LIST_ROWS)
            ry = ry.assign(Farve=fmt.badge_labels(rules, ry["Farve"]))
            # The organisation in small type under the department's name, and the reason (the rule with
            # its gates and values, trappetrin.explain) under the colour: three columns fit the right-hand
            # column at 1280 px, where a reason column of its own was cut off at the side.
            html_table(
                ry[["Afdelings-id", "Afdeling", "Boligorganisation", "Farve", "Begrundelse"]],
                label="Røde og gule afdelinger",
                max_height=520 if len(ry) > 4 else None,
                beneath={"Afdeling": "Boligorganisation", "Farve": "Begrundelse"},
                links={"Afdeling": ("Afdelings-id", maplinks.department_href(url.link_params()))},
            )
            shown_rows = (
                f"De første {formatting.integer(len(ry))} af {formatting.integer(total)} afdelinger (røde først)."
                if total > len(ry)
                else f"{formatting.integer(total)} afdelinger."
            )
            st.caption(
                f"{shown_rows} Klik på et navn for at åbne afdelingen. Hele farvelisten kan hentes under Eksport."
            )
        opened = maplinks.helpers()
        if opened:
            go_to_department(opened)


page()
