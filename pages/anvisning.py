"""Anvisning: the dwellings a year the step model leaves to municipal allocation, against the need."""

import altair as alt
import pandas as pd
import streamlit as st

from trappetrin import capacity as cm
from trappetrin import formatting
from trappetrin.colours import ReleaseResult
from trappetrin.rules import RuleSet
from ui import fmt, number_entry, session
from ui.capacity_view import (
    KEYS,
    capacity_of,
    default_params,
    field_key,
    is_own_place,
    params_from_session,
    place_label,
    scenario_line,
)
from ui.charts import danish_numbers
from ui.context import Context
from ui.loaders import place_name
from ui.number_entry import Allowed
from ui.page import preamble


def _table(s: pd.DataFrame, names, params: cm.CapacityParams, cap: pd.DataFrame, total: bool = True) -> pd.DataFrame:
    """One distribution of the allocation (``s``, from :func:`trappetrin.capacity.summarise`) with a total row."""
    out = pd.DataFrame(
        {
            "Afdelinger": s["departments"].astype(int).to_numpy(),
            "Boliger": s["dwellings"].round(0).astype(int).to_numpy(),
            "Forventede ledige om året": s["vacancies"].round(1).to_numpy(),
            "Til anvisning om året": s["available"].round(1).to_numpy(),
            f"Heraf billige ({params.cheap_label})": s["available_cheap"].round(1).to_numpy(),
        },
        index=pd.Index(list(names)),
    )
    if total:
        out.loc["I alt"] = [
            len(cap),
            int(round(cap["dwellings"].sum())),
            round(cap["vacancies"].sum(), 1),
            round(cap["available"].sum(), 1),
            round(cap["available_cheap"].sum(), 1),
        ]
    return out


def _need_inputs() -> str | None:
    """The need (dwellings a year) as typed Danish numbers, for the place in view; returns that place."""
    defaults = default_params()
    place = place_name()
    own = is_own_place(place)
    whole = Allowed(0, None, integer=True, optional=not own)
    with st.container(horizontal=True, key="capacity_inputs"):
        # Typed as Danish numbers (ui.number_entry); Aalborg's need from the file applies to Aalborg
        # only: for another municipality or the whole country the user types the need.
        for name, label, help_text in (
            ("need_min", "Behov, nedre grænse (boliger om året)", None),
            ("need_max", "Behov, øvre grænse (boliger om året)", None),
        ):
            number_entry.number_field(
                label,
                field_key(name, place),
                getattr(defaults, name) if own else None,
                whole,
                help=(help_text or "")
                + (
                    f"Aalborgs skønnede behov ({defaults.need_source}). Skriv et andet tal og tryk Enter."
                    if own
                    else f"Behovet for {place_label(place)}: skriv det og tryk Enter. "
                    "Aalborgs behov gælder kun Aalborg."
                ),
                placeholder=None if own else "Ikke angivet",
            )
        st.selectbox(
            "Billig bolig = husleje",
            defaults.cheap_limits,
            index=defaults.cheap_limits.index(defaults.cheap_limit),
            format_func=lambda x: f"≤ {formatting.integer(x)} kr. om måneden",
            key=KEYS["cheap_limit"],
            persist_state="session",
        )
        number_entry.number_field(
            f"Faktisk anvist om året ({defaults.actual_use_period})" if own else "Faktisk anvist om året",
            field_key("actual_use", place),
            defaults.actual_use if own else None,
            whole,
            help="Borgere boliganvisningen faktisk anviste om året. 0 eller tom = ikke angivet."
            + ("" if own else " Aalborgs tal gælder kun Aalborg."),
            placeholder=None if own else "Ikke angivet",
        )

    typed_min, typed_max = (session.kept(field_key(n, place)) for n in ("need_min", "need_max"))
    if typed_min is not None and typed_max is not None and typed_min > typed_max:
        st.warning(
            "Behovets nedre grænse er større end den øvre; grænserne er byttet om i beregningen.",
            icon=":material/swap_horiz:",
        )
    return place


def _figures(ctx: Context, res: ReleaseResult, cap: pd.DataFrame, params: cm.CapacityParams, place: str | None) -> None:
    """Key figures, the cheap dwellings for allocation against the need, and how they are computed."""
    rules = ctx.rules
    cheap = float(cap["available_cheap"].sum())
    need = cm.need_range(params)

    # Three and two: five in a row cut the labels and "250–300" short on a 1280-pixel screen.
    m1, m2, m3 = st.columns(3)
    m4, m5 = st.columns(2)
    m1.metric(
        "Billige til anvisning",
        formatting.integer(cheap),
        border=True,
        help=f"Forventede ledige billige boliger ({params.cheap_label}) om året, som kommunen kan anvise til.",
    )
    m2.metric(
        "Behov",
        need,
        border=True,
        help="Skønnet behov for billige boliger om året til borgere med akut boligbehov"
        + (f" ({params.need_source})." if params.need_given else f": ikke angivet for {place_label(place)}."),
    )
    m3.metric(
        "Faktisk anvist",
        formatting.integer(params.actual_use) if params.actual_use > 0 else "–",
        border=True,
        help=f"Borgere boliganvisningen i gennemsnit anviste om året ({params.actual_use_period}).",
    )
    m4.metric(
        "Alle til anvisning",
        formatting.integer(cap["available"].sum()),
        border=True,
        help="Forventede ledige boliger om året, kommunen kan anvise til, uanset husleje.",
    )
    m5.metric(
        "Forventede ledige",
        formatting.integer(cap["vacancies"].sum()),
        border=True,
        help="Forventede ledige boliger om året i alle afdelinger, uanset farve.",
    )
    st.caption(f"Alle tal er boliger om året. Billige boliger har en husleje {params.cheap_label} om måneden.")

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(cm.need_text(cheap, params))
        if params.actual_use > 0:
            diff = cheap - params.actual_use
            word = "flere" if diff >= 0 else "færre"
            st.markdown(
                f"Det er {formatting.integer(abs(diff))} {word} end de "
                f"{formatting.integer(params.actual_use)} borgere, "
                f"boliganvisningen i gennemsnit anviste om året ({params.actual_use_period})."
            )

        base_cap = None
        if ctx.has_scenario:
            st.subheader("Scenariets effekt")
            base_res = ctx.result(ctx.base)
            scenario_line(f"{ctx.base.name} v{ctx.base.version}", base_res, res, params)
            base_cap = capacity_of(base_res, params)

        # Chart: where the available cheap dwellings come from, against the need band.
        bab_cheap = params.bab_band in {b.code for b in params.cheap_bands}

        def segments(c: pd.DataFrame, setting: str) -> list[dict]:
            rows = []
            non_bab = c["available_cheap"] - (c["available_bab"] if bab_cheap else 0.0)
            by_outcome = non_bab.groupby(c["outcome"], observed=False).sum()
            for i, o in enumerate(rules.outcomes):
                rows.append(
                    {
                        "Grundlag": setting,
                        "Kilde": fmt.outcome_label(rules, o.code),
                        "Rækkefølge": i,
                        "Boliger": float(by_outcome.get(o.code, 0.0)),
                    }
                )
            if bab_cheap:
                rows.append(
                    {
                        "Grundlag": setting,
                        "Kilde": "BAB-boliger (alle farver)",
                        "Rækkefølge": len(rules.outcomes),
                        "Boliger": float(c["available_bab"].sum()),
                    }
                )
            return rows

        current = "Scenarie" if ctx.has_scenario else f"{ctx.rules.name} v{ctx.rules.version}"
        rows = segments(cap, current)
        if base_cap is not None:
            rows = segments(base_cap, f"{ctx.base.name} v{ctx.base.version}") + rows
        data = pd.DataFrame(rows)
        data = data[data["Boliger"] > 0]
        data["Boliger om året"] = [formatting.number(b, 1) for b in data["Boliger"]]
        palette = {fmt.outcome_label(rules, o.code): o.color for o in rules.outcomes} | {
            "BAB-boliger (alle farver)": "#6a3d9a"
        }
        domain = [k for k in palette if k in set(data["Kilde"])]
        colours = [palette[k] for k in domain]
        totals = data.groupby("Grundlag")["Boliger"].sum()
        x_max = max([params.need_max if params.need_given else 0.0, params.actual_use, *totals.tolist()]) * 1.1 or 1.0
        x = alt.Scale(domain=[0, x_max])
        need_band = (
            alt.Chart(pd.DataFrame({"lo": [params.need_min], "hi": [params.need_max]}))
            .mark_rect(color="#4d4d4d", opacity=0.15)
            .encode(x=alt.X("lo:Q", scale=x), x2="hi:Q")
        )
        need_label = (
            alt.Chart(pd.DataFrame({"x": [params.need_min], "t": [f"Behov {need}"]}))
            .mark_text(align="left", baseline="top", dx=4, dy=4, fontWeight="bold")
            .encode(x=alt.X("x:Q", scale=x), y=alt.value(0), text="t:N")
        )
        bars = (
            alt.Chart(data)
            .mark_bar(height=28)
            .encode(
                y=alt.Y("Grundlag:N", title=None, sort=list(dict.fromkeys(data["Grundlag"]))),
                x=alt.X(
                    "sum(Boliger):Q", title=f"Billige boliger ({params.cheap_label}) om året til anvisning", scale=x
                ),
                color=alt.Color(
                    "Kilde:N",
                    scale=alt.Scale(domain=domain, range=colours),
                    legend=alt.Legend(orient="bottom", title=None, columns=2, labelLimit=300),
                ),
                order=alt.Order("Rækkefølge:Q"),
                tooltip=["Grundlag", "Kilde", alt.Tooltip("Boliger om året:N")],
            )
        )
        layers = [need_band, bars, need_label] if params.need_given else [bars]
        if params.actual_use > 0:
            actual = pd.DataFrame(
                {"x": [params.actual_use], "t": [f"Faktisk anvist {formatting.integer(params.actual_use)}"]}
            )
            layers.append(
                alt.Chart(actual).mark_rule(strokeDash=[5, 3], color="#222222").encode(x=alt.X("x:Q", scale=x))
            )
            layers.append(
                alt.Chart(actual)
                .mark_text(align="left", baseline="top", dx=4, dy=4)
                .encode(x=alt.X("x:Q", scale=x), y=alt.value(0), text="t:N")
            )
        st.altair_chart(
            danish_numbers(alt.layer(*layers).properties(height=200 if base_cap is not None else 140)), width="stretch"
        )
        st.caption(
            " ".join(
                part
                for part in [
                    f"Det grå bånd er behovet ({need} billige boliger om året)."
                    if params.need_given
                    else f"Der er ikke angivet et behov for {place_label(place)}, så der er intet bånd.",
                    "Den stiplede linje er det antal, boliganvisningen faktisk anviste."
                    if params.actual_use > 0
                    else "",
                    "Søjlen viser, hvilke afdelinger de billige boliger kommer fra.",
                ]
                if part
            )
        )

    with right:
        st.subheader("Sådan er tallene beregnet")
        st.markdown("\n".join(f"- {line}" for line in cm.assumptions(rules, params)))
        st.caption(
            "Hvilke farver der tillader anvisning, og kommunens andel, kommer fra regelsættets farvetabel. "
            "Øvrige parametre står i data/capacity.toml."
        )


def _distribution(cap: pd.DataFrame, params: cm.CapacityParams, rules: RuleSet) -> None:
    """The allocation by colour, rent level, neighbourhood, organisation and department."""
    st.subheader("Fordeling")
    tab_colour, tab_band, tab_hood, tab_org, tab_dept = st.tabs(
        ["Pr. farve", "Pr. huslejeniveau", "Pr. bydel", "Pr. boligorganisation", "Pr. afdeling"]
    )
    with tab_colour:
        s = cm.summarise(cap, "outcome", params)
        t = _table(s, fmt.outcome_labels(rules, s.index), params, cap)
        t.insert(2, "Kommunens anvisning", [cm.allocation_text(rules.outcome(c)) for c in s.index] + ["–"])
        t.index.name = "Farve"
        st.dataframe(formatting.table(t, decimals=1, trim=False), width="stretch")
        st.caption("BAB-boliger tæller med fuldt ud (100 % anvisningsret) under den farve, deres afdeling har.")
    with tab_band:
        s = cm.summarise(cap, "band", params)
        t = _table(s, s["label"], params, cap, total=False)
        t.insert(0, "Billig", ["Ja" if c else "Nej" for c in s["cheap"]])
        t = t.rename(columns={"Afdelinger": "Afdelinger med boliger i niveauet"})
        t.index.name = "Husleje om måneden"
        st.dataframe(formatting.table(t, decimals=1, trim=False), width="stretch")
    with tab_hood:
        s = cm.summarise(cap, "neighbourhood", params)
        t = _table(s, s.index, params, cap)
        t.index.name = "Bydel"
        st.dataframe(formatting.table(t, decimals=1, trim=False), width="stretch")
    with tab_org:
        s = cm.summarise(cap, "organisation", params)
        t = _table(s, s.index, params, cap)
        t.index.name = "Boligorganisation"
        st.dataframe(formatting.table(t, decimals=1, trim=False), width="stretch")
    with tab_dept:
        per = pd.DataFrame(
            {
                "Afdeling": cap["name"],
                "Boligorganisation": cap["organisation"],
                "Bydel": cap["neighbourhood"],
                "Farve": fmt.outcome_labels(rules, cap["outcome"].astype(str)),
                "Boliger": cap["dwellings"].round(0).astype(int),
                "Heraf BAB": cap["bab_dwellings"].round(0).astype(int),
                "Fraflytningsprocent brugt": cap["move_out_rate_used"].round(1),
                "Kilde til fraflytningsprocent": [
                    "afdelingens egen" if own else "kommunens gennemsnit" for own in cap["own_rate"]
                ],
                "Forventede ledige om året": cap["vacancies"].round(1),
                "Til anvisning om året": cap["available"].round(1),
                f"Heraf billige ({params.cheap_label})": cap["available_cheap"].round(1),
            }
        ).sort_values(f"Heraf billige ({params.cheap_label})", ascending=False)
        st.dataframe(formatting.table(per, decimals=1, trim=False), hide_index=True, width="stretch", height=420)
        st.caption(
            "Grå afdelinger (under diskretionsgrænsen) regnes altid med kommunens gennemsnitlige "
            "fraflytningsprocent; deres egne tal vises ikke."
        )


def page() -> None:
    ctx = preamble("Anvisning")
    st.markdown(
        "Hvor mange boliger om året lader trappetrinsmodellen kommunen anvise til borgere med et akut "
        "boligbehov? Gule og røde afdelinger er fritaget for anvisning, så en tærskel der skubber "
        "afdelinger fra grøn til gul, fjerner billige boliger fra anvisningen."
    )
    place = _need_inputs()
    params = params_from_session()
    res = ctx.result()
    cap = capacity_of(res, params)
    if cap.empty:
        st.info("Udgivelsen har ingen afdelinger med værdier, så der er intet at beregne.", icon=":material/database:")
        st.stop()
    _figures(ctx, res, cap, params, place)
    _distribution(cap, params, ctx.rules)


page()
