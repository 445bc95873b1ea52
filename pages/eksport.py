"""Eksport: the colour list for the release and rule set (or scenario) in view, as files.

Offers the same colour list as ``python -m trappetrin classify`` (CSV for Danish Excel, plain
CSV, XLSX with the red/yellow list and an "Om data" sheet) and the red/yellow list on its own.
Every file of one script run carries the same "Dannet" time. Departments under the discretion
limit are in every file with their colour but without a single value.
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd
import streamlit as st

from trappetrin import capacity as cap_model
from trappetrin import catalogue, formatting
from trappetrin.colours import DEMO_SOURCE_TEXT, colour_fills, colour_list, red_and_yellow
from trappetrin.errors import UserError
from trappetrin.explain import NO_DATA_LABEL
from trappetrin.export import to_csv_danish, to_csv_plain, to_xlsx
from trappetrin.scenario import parameter_name, parameter_text
from ui import fmt
from ui.capacity_view import capacity_of, params_from_session
from ui.context import Context
from ui.downloads import audited_download
from ui.page import preamble

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEMO_NOTICE = "DEMODATA – fiktive afdelinger"
DISCRETION_INDICATOR = "residents_18_64"  # the agreement's limit counts residents aged 18–64


def discretion_holds(rules, floor: float) -> bool:
    """True when the rule set hides every department under the agreement's discretion limit."""
    d = rules.discretion
    return d is not None and d.indicator == DISCRETION_INDICATOR and d.minimum >= floor


def file_stem(ctx: Context, kind: str = "farveliste") -> str:
    """``farveliste_2026-11_trappetrin-v1`` (plus ``_scenarie`` when a scenario is in view)."""
    rules = re.sub(r"[^\w.-]+", "-", ctx.base.name).strip("-") or "regelsaet"
    stem = f"{kind}_{ctx.release}_{rules}-v{ctx.base.version}"
    return stem + "_scenarie" if ctx.has_scenario else stem


def about_sheet(ctx: Context, res, generated_at: datetime, n_departments: int) -> pd.DataFrame:
    """The "Om data" key/value sheet: which data, which rules, when, and whether it is a scenario."""
    data = res.data
    rows = [
        ("Udgivelse", data.label),
        ("Kilde", data.source),
        ("Værdier fra udgivelse", data.values_label or "–"),
        ("Ministeriel liste (listeår)", str(data.list_year) if data.list_year is not None else "–"),
        ("Regelsæt", f"{ctx.base.name} – {ctx.base.title}"),
        ("Version", str(ctx.base.version)),
        ("Scenarie", "ja" if ctx.has_scenario else "nej"),
    ]
    if ctx.has_scenario:
        before = {p.key: p for p in ctx.base.parameters()}
        changed = "; ".join(
            f"{parameter_name(ctx.base, before[k])}: {parameter_text(ctx.base, before[k])} → "
            f"{parameter_text(ctx.base, before[k], v)}"
            for k, v in sorted(ctx.overrides.items())
            if k in before
        )
        rows.append(("Ændrede parametre", changed))
    rows += [
        ("Afdelinger", formatting.integer(n_departments)),
        ("Dannet", formatting.datetime(generated_at)),
        (
            "Begrundelse",
            "Den regel, der afgør farven, med dens betingelser og de opfyldte kriterier, hver med værdi og grænse",
        ),
    ]
    if len(data.absent):
        rows.append(
            (
                "Afdelinger uden data",
                f"{len(data.absent)} afdelinger i registret har ingen tal i udgivelsen; farven er »{NO_DATA_LABEL}«",
            )
        )
    if ctx.rules.discretion is not None:
        d = ctx.rules.discretion
        rows.append(
            (
                "Diskretion",
                f"Ingen værdier for afdelinger med under {formatting.short(d.minimum)} "
                f"({catalogue.label(d.indicator).lower()})",
            )
        )
    if ctx.is_demo:
        rows.append(("Datagrundlag", DEMO_NOTICE))
    return pd.DataFrame(rows, columns=["Felt", "Værdi"])


def logged(ctx: Context, kind: str, file_name: str, build):
    """The download's data; exports of real data go in the audit trail with the rule set in view."""
    return audited_download(ctx, kind, file_name, build, details={"regelsæt": ctx.rules_label})


def page() -> None:
    # The router does not offer the page to roles that may not export; a direct run is refused too.
    ctx = preamble("Eksport", permission="export", refusal="til at eksportere")

    rules = ctx.rules
    floor = catalogue.agreement()["discretion_min_residents_18_64"]
    if not discretion_holds(rules, floor):
        # Discretion is a hard rule (docs/domain.md §3): no file may carry values below the agreement's limit.
        d = rules.discretion
        now = (
            "har ingen diskretionsgrænse"
            if d is None
            else (f"bruger {catalogue.label(d.indicator).lower()} ≥ {formatting.short(d.minimum)}")
        )
        st.error(
            f"Farvelisten kan ikke eksporteres: {'scenariet' if ctx.has_scenario else 'regelsættet'} {now}. "
            f"Aftalen kræver, at afdelinger med færre end {formatting.short(floor)} beboere i alderen 18–64 år "
            "aldrig vises eller eksporteres med værdier. Sæt diskretionsgrænsen til mindst "
            f"{formatting.short(floor)} for at eksportere.",
            icon=":material/lock:",
        )
        st.stop()

    generated_at = datetime.now().replace(second=0, microsecond=0)  # one time for every file of this run
    try:
        res = ctx.result()
    except UserError as exc:  # e.g. a stored rule set that needs an indicator this release lacks
        st.error(fmt.error_text(exc), icon=":material/error:")
        st.stop()
    table = colour_list(res, generated_at=generated_at, is_demo=ctx.is_demo)
    if ctx.has_scenario:
        # A scenario list must never pass for the adopted one once it has left the app.
        table["Regelsæt"] = f"{rules.name} + scenarie"
    red_yellow = red_and_yellow(table, rules)
    cap_params = params_from_session()  # the Anvisning page's choices, else data/capacity.toml
    capacity = cap_model.export_table(capacity_of(res, cap_params), cap_params, rules)
    stem = file_stem(ctx)

    if ctx.has_scenario:
        st.warning(
            f"Farvelisten er beregnet med et **scenarie** ({fmt.n_params(len(ctx.overrides))} i forhold "
            f"til {ctx.base.name} v{ctx.base.version}), ikke med det vedtagne regelsæt. "
            "Filnavnene og kolonnen Regelsæt siger *scenarie*.",
            icon=":material/tune:",
        )

    counts = table["Farve"].value_counts()
    st.markdown(
        f"**{formatting.integer(len(table))} afdelinger** · "
        + " · ".join(
            f"{fmt.outcome_label(rules, o.code)}: {formatting.integer(counts.get(o.label, 0))}" for o in rules.outcomes
        )
        + (f" · {NO_DATA_LABEL}: {counts[NO_DATA_LABEL]}" if NO_DATA_LABEL in counts else "")
    )

    st.subheader("Hent farvelisten")
    with st.container(horizontal=True):
        st.download_button(
            "CSV til dansk Excel",
            logged(ctx, "csv", f"{stem}.csv", to_csv_danish(table)),
            file_name=f"{stem}.csv",
            mime=CSV_MIME,
            key="dl_csv_danish",
            on_click="ignore",
            icon=":material/table_view:",
            type="primary",
            help="Semikolon, decimalkomma og UTF-8 med BOM: åbner direkte i dansk Excel.",
        )
        st.download_button(
            "CSV (komma)",
            logged(ctx, "csv-komma", f"{stem}_komma.csv", to_csv_plain(table)),
            file_name=f"{stem}_komma.csv",
            mime=CSV_MIME,
            key="dl_csv_plain",
            on_click="ignore",
            icon=":material/description:",
            help="Komma og decimalpunktum, UTF-8: til andre programmer og scripts.",
        )
        sheets = {
            "Farveliste": table,
            "Røde og gule": red_yellow,
            "Anvisning": capacity,
            "Om data": about_sheet(ctx, res, generated_at, len(table)),
        }
        # Building the workbook takes most of a second: do it only when someone asks for it.
        xlsx = logged(ctx, "xlsx", f"{stem}.xlsx", lambda: to_xlsx(sheets, fills=colour_fills(rules)))
        st.download_button(
            "Excel (XLSX)",
            xlsx,
            file_name=f"{stem}.xlsx",
            mime=XLSX_MIME,
            key="dl_xlsx",
            on_click="ignore",
            icon=":material/grid_on:",
            help="Faneblade: Farveliste, Røde og gule, Anvisning (kapacitet), Om data.",
        )
        ry_name = f"{file_stem(ctx, 'roede-og-gule')}.csv"
        st.download_button(
            f"Røde og gule ({formatting.integer(len(red_yellow))}) som CSV",
            logged(ctx, "csv", ry_name, to_csv_danish(red_yellow)),
            file_name=ry_name,
            mime=CSV_MIME,
            key="dl_red_yellow",
            on_click="ignore",
            icon=":material/warning:",
            help="Aftalens samlede oversigt: kun de røde og gule afdelinger (CSV til dansk Excel).",
        )
        cap_name = f"{file_stem(ctx, 'anvisning')}.csv"
        st.download_button(
            "Anvisningskapacitet som CSV",
            logged(ctx, "csv", cap_name, to_csv_danish(capacity)),
            file_name=cap_name,
            mime=CSV_MIME,
            key="dl_capacity",
            on_click="ignore",
            icon=":material/home_work:",
            help="Forventede boliger om året til kommunal anvisning pr. farve, lejeniveau, "
            "boligområde og boligorganisation, mod behovet (se siden Anvisning).",
        )

    d = rules.discretion  # present: checked above
    grey = next((o.label for o in rules.outcomes if o.code == d.outcome), d.outcome)
    st.caption(
        f"Tomme celler: afdelinger med færre end {formatting.short(d.minimum)} beboere i alderen 18–64 år er under "
        f"diskretionsgrænsen. De står i listen som *{grey}* uden en eneste værdi – heller ikke antal opfyldte "
        "kriterier – i visningen og i alle filer."
    )
    st.caption(
        "Kolonnen Dannet er tidspunktet filen blev dannet; alle filer fra samme visning har samme tidspunkt. "
        + (f"Datagrundlag: {DEMO_SOURCE_TEXT}." if ctx.is_demo else "")
    )

    st.subheader("Forhåndsvisning")
    # As text through trappetrin.formatting: the data grid would write 454.2 and 1231 the English way.
    preview = formatting.table(table.assign(Farve=fmt.badge_labels(rules, table["Farve"])), plain=("Regelsætversion",))
    st.dataframe(preview, hide_index=True, width="stretch", height=420)


page()
