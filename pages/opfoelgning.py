"""Opfølgning: the agreement's follow-up (§7.2) for a period, against the previous period and the
model, with the Statusrapport (PDF/XLSX) and, for admins, a table editor for the follow-up rows."""

from datetime import date

import streamlit as st

from trappetrin import followup as fu
from trappetrin.errors import UserError
from ui import fmt
from ui import followup_view as view
from ui.auth import current_actor
from ui.capacity_view import params_from_session
from ui.page import demo_caption, preamble


def page() -> None:
    ctx = preamble("Opfølgning", caption=False)
    st.caption(
        "Aftalens opfølgning (§ 7.2) til den strategiske arbejdsgruppe: boliger stillet til rådighed for og "
        "anvendt af boliganvisningen, fleksibel udlejning og fogedsager – for en periode, mod forrige periode "
        "og mod trappetrinsmodellen."
    )
    s = ctx.store
    span = fu.data_span(s)
    if span is None:
        st.info(
            "Der er endnu ingen opfølgningsdata. Indlæs dem på siden **Data** (fleksibel udlejning, boliger "
            "stillet til rådighed, boliger anvendt, fogedsager); skabelonerne ligger under fanen Skabeloner.",
            icon=":material/database:",
        )
    period = view.period_picker(span or (date.today(), date.today()))
    if period is None:
        st.stop()
    if ctx.is_demo:
        st.caption("Demodata (fiktive afdelinger og opfølgningstal)" + f" · regelsæt {fmt.plain(ctx.rules_label)}")
    else:
        demo_caption(ctx)
    params = params_from_session()
    try:
        summary = view.summary(ctx, period, params)
    except UserError as exc:
        st.error(fmt.error_text(exc))
        st.stop()
    figures = summary.figures
    if not any(figures[k] for k in fu.FOLLOWUP_FIGURES):
        where = f"{fmt.plain(ctx.municipality)} Kommune" if ctx.municipality else "databasen"
        st.info(
            f"Der er ingen opfølgningstal for {where} i {period.label()} eller perioden før, så tallene "
            "herunder er 0. Trappetrinsmodellens forventning gælder stadig.",
            icon=":material/info:",
        )
    view.overview(ctx, summary)
    view.sections(ctx, summary)
    if current_actor().can("export"):
        view.report_downloads(ctx, period, params)
    else:
        st.info("Statusrapporten kan hentes af roller, der må eksportere.", icon=":material/lock:")
    if current_actor().can("import"):
        view.editor(ctx)


page()
