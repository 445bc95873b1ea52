"""Afdeling: one department, its colour and why, its history, dwellings and what the colour means.

A department under the discretion limit shows its register facts (dwellings, area, list status)
and its grey status, but no indicator value, no criteria table and no count of criteria met.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from trappetrin import catalogue, explain, formatting
from trappetrin.colours import ReleaseResult
from trappetrin.engine import DEFAULT_RULE, DISCRETION_RULE
from trappetrin.rules import Outcome, RuleSet
from trappetrin.store import ReleaseData
from ui import fmt
from ui.charts import colour_history_chart, signed, unit_suffix
from ui.context import Context
from ui.loaders import colour_history, page_key, store
from ui.page import department_not_in_view, department_picker, preamble
from ui.tables import html_table
from ui.twins_view import afdeling_summary as twins_summary
from ui.url import DEPARTMENT_KEY, link_params

STATUS_LABELS = {
    "forebyggelse": "Forebyggelsesområde",
    "udsat": "Udsat boligområde",
    "parallelsamfund": "Parallelsamfund",
    "omdannelse": "Omdannelsesområde",
}
DISCRETION_TEXT = "Afdelingen er under diskretionsgrænsen; værdier vises ikke."
FLEXIBLE_LETTING = {
    "obligatorisk": "Obligatorisk",
    "anbefalet": "Anbefalet efter aftale",
    "mulig": "Mulig efter aftale",
}


@st.cache_data(show_spinner=False)
def _list_status(db: str, version: str) -> tuple[pd.DataFrame, list[int]]:
    return store().list_status(), store().list_years()


def _rule_text(rules: RuleSet, rule_id: str, outcome: str) -> str:
    if rule_id == DISCRETION_RULE:
        d = rules.discretion
        limit = f" (færre end {formatting.integer(d.minimum)} {catalogue.label(d.indicator).lower()})" if d else ""
        return f"Under diskretionsgrænsen{limit}"
    if rule_id == DEFAULT_RULE:
        return f"Ingen regel ramte; standardudfaldet er {rules.outcome(outcome).label.lower()}"
    rule = next((r for r in rules.rules if r.id == rule_id), None)
    return (rule.label or rule.id) if rule else rule_id


def _unbroken(text: str) -> str:
    """A number and its unit on one line in a narrow column: "19,9 %", never "19,9" over "%"."""
    return text.replace(" %", "\u00a0%")


def _value_text(indicator: str, value: float, status: str | None) -> str:
    if indicator == "on_ministry_list":
        if value >= 1:
            return "Ja" + (f" ({STATUS_LABELS.get(status, status)})" if status else "")
        return "Nej"
    decimals = 0 if catalogue.unit(indicator) == "antal" else 1
    return formatting.short(value, decimals) + (unit_suffix(catalogue.unit(indicator)) if pd.notna(value) else "")


def _register_facts(row: pd.Series) -> list[str]:
    """Organisation, neighbourhood and areas of one department (register facts, no values)."""
    area_name = row["area_name"] if pd.notna(row["area_name"]) else None
    local = row["local_area_name"] if pd.notna(row["local_area_name"]) else None
    return [
        f"**Boligorganisation:** {fmt.plain(row['organisation'])}",
        f"**Bydel:** {fmt.plain(row['neighbourhood'] or '–')}",
        f"**Område:** {fmt.plain(area_name or '–')}" + (f" · lokalt område: {fmt.plain(local)}" if local else ""),
    ]


def _colour_history(ctx: Context, rules: RuleSet, dept: str, name: str) -> pd.DataFrame:
    """The "Farve over tid" section: the department's colour in every release with data for it."""
    st.subheader("Farve over tid")
    history = colour_history(ctx.releases, ctx.rules)
    mine = history[history["dept_id"] == dept]
    if mine.empty:
        st.info("Ingen udgivelser med afdelingen.")
    else:
        st.altair_chart(
            colour_history_chart(mine, rules, releases=list(ctx.releases)),
            key="afd_history_chart",
            alt=f"Farven for {name} i hver udgivelse",
        )
        with st.expander("Som tabel, med den afgørende regel"):
            st.dataframe(
                pd.DataFrame(
                    {
                        "Udgivelse": mine["release"],
                        "Farve": fmt.outcome_labels(rules, mine["outcome"]),
                        "Afgjort af": [_rule_text(rules, r, o) for r, o in zip(mine["rule"], mine["outcome"])],
                    }
                ).iloc[::-1],
                hide_index=True,
                width="stretch",
            )
        st.caption(
            "Alle udgivelser er beregnet med samme regelsæt, så farveskift skyldes data "
            "(nye tal, en ny ministeriel liste eller et nyt landsgennemsnit)."
        )
    return mine


def _absent(ctx: Context, rules: RuleSet, dept: str, reg: pd.Series) -> None:
    """A department of the register without data in this release: its facts and last known colour, then stop."""
    st.header(fmt.plain(reg["name"]))
    st.markdown("  \n".join(_register_facts(reg)))
    history = colour_history(ctx.releases, ctx.rules)
    mine = history[history["dept_id"] == dept]
    order = {label: n for n, label in enumerate(ctx.releases)}
    earlier = mine[mine["release"].map(order) < order.get(ctx.release, len(order))]
    if earlier.empty:
        known = "Ingen tidligere udgivelse har data for afdelingen."
    else:
        last = earlier.iloc[-1]
        known = (
            f"Senest kendte farve: **{fmt.outcome_label(rules, last['outcome'])}** "
            f"i udgivelse {fmt.plain(last['release'])}."
        )
    st.warning(
        f"**{fmt.plain(explain.no_data_text(ctx.release))}.** Afdelingen står i afdelingsregistret, men udgivelsen "
        f"har ingen tal for den, så den har ingen farve her. {known}",
        icon=":material/report:",
    )
    _colour_history(ctx, rules, dept, str(reg["name"]))
    st.stop()


def _header(row: pd.Series, data: ReleaseData) -> None:
    """Who and where: the name, the register facts and the area's place on the ministry's lists."""
    st.header(fmt.plain(row["name"]))
    area_name = row["area_name"] if pd.notna(row["area_name"]) else None
    st.markdown("  \n".join(_register_facts(row)))

    status_frame, list_years = _list_status(*page_key())
    if area_name is None:
        st.caption("Afdelingen ligger ikke i et boligområde, som ministeriets lister omfatter.")
    else:
        current = row["list_status"] if pd.notna(row["list_status"]) else None
        year = data.list_year
        if year is None:
            st.caption("Der er ikke indlæst nogen af ministeriets lister endnu.")
        elif current:
            st.markdown(
                f"**Ministeriets liste {year}:** {fmt.plain(area_name)} er på listen som "
                f"**{STATUS_LABELS.get(current, current).lower()}**."
            )
        else:
            st.markdown(f"**Ministeriets liste {year}:** {fmt.plain(area_name)} er ikke på listen.")
        area_status = status_frame[status_frame["area_id"] == row["area_id"]].set_index("list_year")["status"]
        if list_years:
            with st.expander("Områdets historik på ministeriets lister"):
                st.dataframe(
                    pd.DataFrame(
                        {
                            "Listeår": [str(y) for y in list_years],
                            "Status": [
                                STATUS_LABELS.get(area_status[y], area_status[y])
                                if y in area_status.index
                                else "Ikke på listen"
                                for y in list_years
                            ],
                        }
                    ),
                    hide_index=True,
                    width="content",
                )


def _colour_and_reason(ctx: Context, res: ReleaseResult, dept: str) -> None:
    """The colour, the rule that decided it and (unless under the discretion limit) every criterion."""
    frame, result, rules, data = res.data.frame, res.result, res.rules, res.data
    row, i = frame.loc[dept], frame.index.get_loc(dept)
    code, masked = str(result.outcome[i]), bool(result.masked[i])
    st.subheader("Farve og begrundelse")
    st.markdown(f"### :{rules.text_colour(code)}[{fmt.outcome_label(rules, code)}]")
    reason = explain.reasons(result, frame, list_year=data.list_year, ids=[dept]).iloc[0]
    st.markdown(
        f"**Begrundelse:** {fmt.plain(reason)}  \n"
        f"Udgivelse {fmt.plain(data.label)}"
        + (
            f" (tal fra {fmt.plain(data.values_label)})"
            if data.values_label and data.values_label != data.label
            else ""
        )
        + f" · regelsæt {fmt.plain(ctx.rules_label)}"
    )

    if masked:
        st.info(
            DISCRETION_TEXT + " Afdelingen har for få beboere til, at tallene må vises, og den monitoreres "
            "derfor ikke (grå). Der vises hverken værdier, kriterier eller antal opfyldte kriterier.",
            icon=":material/visibility_off:",
        )
    else:
        status = row["list_status"] if pd.notna(row["list_status"]) else None
        set_labels = {s.id: s.label for s in rules.criteria_sets}
        rule_labels = {r.id: r.label or r.id for r in rules.rules}
        rows = []
        for cond in result.conditions:
            c = cond.condition
            unit = catalogue.unit(c.indicator)
            is_flag = c.indicator == "on_ministry_list"
            rows.append(
                {
                    "Indikator": c.label or catalogue.label(c.indicator),
                    "Værdi": _unbroken(_value_text(c.indicator, cond.value[i], status)),
                    "Grænse": "Ja" if is_flag else _unbroken(c.threshold_text(unit, data.refs)),
                    "Opfyldt": "✓" if cond.met[i] else "✗",
                    "Margin": "" if is_flag else _unbroken(signed(cond.margin[i], 2, unit)),
                    "Indgår i": (
                        set_labels.get(cond.owner, cond.owner)
                        if cond.kind == "criterion"
                        else f"Betingelse for reglen »{rule_labels.get(cond.owner, cond.owner)}«"
                    ),
                }
            )
        counts = [
            f"{set_labels.get(s, s)}: **{int(n[i])} af {len(rules.criteria_set(s).criteria)}** opfyldt"
            for s, n in result.counts.items()
        ]
        if counts:
            st.markdown("  \n".join(counts))
        # Plain HTML: a threshold like "≥ 2 × landsgennemsnittet (1,57 %)" wraps instead of being cut off.
        html_table(pd.DataFrame(rows), label="Kriterier og betingelser", row_headers=True)
        st.caption(
            "Margin: afstanden til grænsen i indikatorens enhed, positiv på den opfyldte side og negativ, "
            "når kriteriet ikke er opfyldt. Reglerne prøves i rækkefølge; den første regel, hvis "
            "betingelser og antal kriterier er opfyldt, afgør farven."
        )


def _dwellings_and_meaning(row: pd.Series, outcome: Outcome) -> None:
    """Dwellings by rent, and what the colour means for allocation and flexible letting."""
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Boliger efter husleje")
        bands = pd.DataFrame(
            {
                "Husleje pr. måned": ["≤ 3.500 kr.", "3.500–5.000 kr.", "Over 5.000 kr.", "I alt", "Heraf BAB-boliger"],
                "Boliger": [
                    formatting.integer(row[c])
                    for c in (
                        "dwellings_le_3500",
                        "dwellings_3500_5000",
                        "dwellings_gt_5000",
                        "dwellings",
                        "bab_dwellings",
                    )
                ],
            }
        )
        st.dataframe(bands, hide_index=True, width="stretch")
        st.caption(
            f"{formatting.integer(row['family_dwellings'])} almene familieboliger"
            + (
                f" og {formatting.integer(row['bab_dwellings'])} BAB-boliger (kommunen anviser til alle)"
                if row["bab_dwellings"]
                else ""
            )
            + (f"; opført {int(row['year_built'])}" if pd.notna(row["year_built"]) else "")
            + "."
        )

    with right:
        st.subheader("Hvad farven betyder")
        st.markdown(outcome.meaning or "Regelsættet beskriver ikke farvens betydning.")
        if outcome.allocation:
            share = (
                f" (andel: {formatting.short(outcome.allocation_share * 100, 0)} % af de ledige boliger)"
                if outcome.allocation_share
                else ""
            )
            allocation = f"Ja – boliganvisningen kan anvise borgere hertil{share}."
        else:
            allocation = "Nej – afdelingen er fritaget for kommunal anvisning."
        letting = FLEXIBLE_LETTING.get(outcome.flexible_letting, outcome.flexible_letting or "–")
        st.markdown(f"**Kommunal anvisning:** {allocation}  \n**Fleksibel udlejning:** {letting}")


def page() -> None:
    ctx = preamble("Afdeling")

    res = ctx.result()
    frame, result, rules, data = res.data.frame, res.result, res.rules, res.data
    if frame.empty:
        st.info("Udgivelsen har ingen afdelinger.")
        st.stop()
    absent = data.absent  # in the register, but no data in this release
    ids = sorted([*frame.index, *absent.index])
    dept = department_picker(
        ids,
        lambda d: (
            f"{d} – {frame.at[d, 'name']}"
            if d in frame.index
            else f"{d} – {absent.at[d, 'name']} (ingen data)"
            if d in absent.index
            else str(d)
        ),
        help="Linket til siden husker afdelingen, så det kan deles.",
    )
    if dept in absent.index:  # no data in this release: the register facts and the last known colour
        _absent(ctx, rules, dept, absent.loc[dept])
    if dept not in frame.index:
        department_not_in_view(ctx, dept, "pages/afdeling.py")

    row = frame.loc[dept]
    i = frame.index.get_loc(dept)
    code = str(result.outcome[i])
    masked = bool(result.masked[i])
    outcome = rules.outcome(code)
    _header(row, data)
    _colour_and_reason(ctx, res, dept)
    _colour_history(ctx, rules, dept, str(row["name"]))
    _dwellings_and_meaning(row, outcome)
    twins_summary(ctx, dept, masked=masked, link_params=link_params(**{DEPARTMENT_KEY: dept}))


page()
