"""Revisionsspor: who did what and when (imports, deletions, restores, rule sets, exports).

Admins only (the router registers the page for the ``audit`` permission; the page checks it
again). Read-only: filters by action, person and period, and the filtered trail as CSV for Danish
Excel (fetching it from real data is itself recorded, as an export). The audit trail is
append-only; nothing in the app updates or deletes it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from trappetrin import formatting
from trappetrin.audit import readable
from trappetrin.export import to_csv_danish
from trappetrin.store import AUDIT_ACTIONS
from ui.downloads import audited_download
from ui.page import preamble

ACTION_KEY, WHO_KEY, PERIOD_KEY = "revision_handling", "revision_hvem", "revision_periode"
ALL = "Alle"


def page() -> None:
    # Admins only: the router does not offer the page to others; a direct run is refused too.
    ctx = preamble(
        "Revisionsspor",
        sidebar=False,
        permission="audit",
        refusal="til revisionssporet",
        needs_data=False,
        caption=False,
    )
    st.caption(
        "Hvem gjorde hvad og hvornår: indlæsninger, sletninger, gendannelser, gemte og vedtagne regelsæt "
        "og eksport af ikke-demodata. Sporet kan kun tilføjes til – ingen kan rette eller slette i det."
    )

    store = ctx.store
    everything = store.audit_log()
    if everything.empty:
        st.info("Revisionssporet er tomt: der er endnu ikke registreret nogen handlinger.", icon=":material/history:")
        st.stop()

    first = pd.Timestamp(everything["logged_at"].min()).date()
    today = date.today()
    with st.container(horizontal=True):
        actions = st.multiselect(
            "Handling",
            list(AUDIT_ACTIONS),
            format_func=AUDIT_ACTIONS.get,
            key=ACTION_KEY,
            placeholder="Alle handlinger",
            select_all=False,
        )
        people = [ALL] + sorted(everything["actor"].dropna().astype(str).unique())
        who = st.selectbox("Hvem", people, key=WHO_KEY)
        period = st.date_input(
            "Periode", value=(first, today), min_value=first, max_value=today, key=PERIOD_KEY, format="DD.MM.YYYY"
        )

    since = until = None
    if isinstance(period, (tuple, list)) and len(period) >= 1:
        since = datetime.combine(period[0], time.min)
        if len(period) == 2:
            until = datetime.combine(period[1] + timedelta(days=1), time.min)  # the whole last day
    log = store.audit_log(actions=actions or None, actor=None if who == ALL else who, since=since, until=until)
    table = readable(log)

    st.markdown(f"**{formatting.integer(len(table))} hændelser** (af {formatting.integer(len(everything))} i alt)")
    csv_name = f"revisionsspor_{today:%Y-%m-%d}.csv"
    st.download_button(
        "Hent som CSV (dansk Excel)",
        audited_download(ctx, "csv", csv_name, to_csv_danish(table), subject="revisionsspor"),
        file_name=csv_name,
        mime="text/csv",
        key="dl_revision",
        on_click="ignore",
        icon=":material/download:",
        help="De viste hændelser: semikolon, UTF-8 med BOM; åbner direkte i dansk Excel.",
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="revision_tabel",
    )


page()
