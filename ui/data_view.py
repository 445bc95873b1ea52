"""The Data page: import files of every kind, the releases with deletion, the log, backup/restore
and the templates. All logic is in :mod:`trappetrin.imports`, :mod:`trappetrin.backup` and the
store; this module only draws and calls them (the command line calls the same functions).

The preview shows ids, names and colours, never a value, so it needs no discretion masking.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from trappetrin import audit, formatting, imports
from trappetrin import backup as backups
from trappetrin.config import DATA_DIR
from trappetrin.errors import UserError
from trappetrin.getting_started import next_step
from trappetrin.imports import VALUE_SOURCES, field_label, missing_rule_columns, read_table
from trappetrin.store import Store
from ui import auth, fmt, loaders, widgets
from ui.context import Context
from ui.tables import html_table

TEMPLATES = DATA_DIR / "templates"
TEMPLATE_FILES = {
    "afdelingsdata": ("afdelingsdata.csv", "text/csv"),
    "ministerliste": ("ministerliste.csv", "text/csv"),
    "stamdata": ("stamdata.csv", "text/csv"),
    "geometri": ("kommunegraense.geojson", "application/geo+json"),
    # the agreement's follow-up data (issue 18; trappetrin.followup)
    "fleksibel": ("fleksibel_udlejning.csv", "text/csv"),
    "indmeldt": ("boliger_stillet_til_raadighed.csv", "text/csv"),
    "anvist": ("boliger_anvendt.csv", "text/csv"),
    "fogedsag": ("fogedsager.csv", "text/csv"),
}
DONE_KEY = "data_done"  # the message of the last commit or deletion, shown once after the rerun
UPLOAD_GEN = "data_upload_gen"  # bumped after a commit, so the uploader starts empty
BACKUP_DIR = DATA_DIR / "backups"


def _forget_cached_data() -> None:
    """After a write: drop cached releases and classifications (the register may have changed
    without any new release, which the page caches' data version does not see)."""
    loaders.forget_releases()
    st.cache_data.clear()


def _request(key: str) -> None:
    st.session_state[f"_req_{key}"] = True


def _button(label: str, key: str, **kwargs) -> bool:
    """A button whose click survives a rerun before the page body runs (the page's preamble may
    rerun once): the click is recorded by a callback and consumed here."""
    st.button(label, key=key, on_click=_request, args=(key,), **kwargs)
    return bool(st.session_state.pop(f"_req_{key}", False)) and not kwargs.get("disabled", False)


def _done(message: str) -> None:
    st.session_state[DONE_KEY] = message
    _forget_cached_data()


#: Why real data do not belong in the demo database: everything in it is shown as demo data,
#: and exports of demo data are not written to the audit trail.
DEMO_DATABASE_NOTICE = (
    "**Dette er demodatabasen.** Alt, hvad du indlæser her, vises som demodata, og eksport af det "
    "skrives ikke i revisionssporet. Rigtige data hører hjemme i en ny, tom database: sæt "
    "`TRAPPETRIN_DB` til en ny fil og kør `python -m trappetrin init` (se README)."
)


def render(ctx: Context) -> None:
    """The Data page below its title (``ctx``: the page context, also on an empty database)."""
    s = ctx.store
    actor = auth.current_actor()
    st.caption(
        "Indlæs nye udgivelser, ministeriets lister, afdelingsregistret og geometri; se og slet "
        "udgivelser; følg loggen; tag og gendan sikkerhedskopier."
    )
    if ctx.is_demo:
        st.info(DEMO_DATABASE_NOTICE, icon=":material/science:")
    message = st.session_state.pop(DONE_KEY, None)
    if message:
        st.success(fmt.plain(message), icon=":material/check_circle:")  # names labels and files
    if ctx.release is None:  # nothing to classify yet: the order to fill the database in
        from ui.getting_started import render_steps

        with st.expander("Sådan kommer du i gang", expanded=True, icon=":material/checklist:"):
            st.markdown(
                "Indlæs filerne i denne rækkefølge under fanen **Indlæs**: afdelingsregistret først, "
                "så udgivelser med afdelingsdata, så ministeriets lister."
            )
            render_steps(s, key="data_start", link=False)
    tabs = st.tabs(["Indlæs", "Udgivelser", "Log", "Sikkerhedskopi", "Skabeloner"])
    with tabs[0]:
        if actor.can("import"):
            import_section(s, actor, ctx)
        else:
            st.info("Din rolle må ikke indlæse data.", icon=":material/lock:")
    with tabs[1]:
        releases_section(s, actor, ctx.adopted)
    with tabs[2]:
        log_section(s)
    with tabs[3]:
        backup_section(s, actor)
    with tabs[4]:
        templates_section(s)


# --- import ---------------------------------------------------------------------------------------


def _options(kind: str) -> dict:
    """The options of one kind (label, source, date, list year, geometry kind)."""
    today = date.today()
    if kind == "afdelingsdata":
        with st.container(horizontal=True):
            label = st.text_input(
                "Udgivelsens mærke",
                key="data_label",
                placeholder=f"fx {today:%Y-%m}",
                help="Et nyt mærke; en gemt udgivelse ændres aldrig.",
            )
            source = st.selectbox("Kilde", VALUE_SOURCES, key="data_source")
            day = st.date_input("Opgørelsesdato", value=today, key="data_date", format="DD.MM.YYYY")
        return {"label": label, "source": source, "reference_date": day}
    if kind == "ministerliste":
        with st.container(horizontal=True):
            year = st.number_input(
                "Listeår",
                min_value=2000,
                max_value=today.year,
                step=1,
                value=today.year if today >= date(today.year, 12, 1) else today.year - 1,
                key="data_list_year",
                help="Listen offentliggøres 1. december.",
            )
            label = st.text_input(
                "Udgivelsens mærke", key="data_list_label", placeholder=f"{int(year)}-12", help="Tom: ÅÅÅÅ-12."
            )
        return {"list_year": int(year), "label": label or None}
    if kind == "geometri":
        choice = st.radio(
            "Slags geometri",
            ["auto", "kommunegraense", "afdeling"],
            horizontal=True,
            key="data_geometry_kind",
            format_func=lambda k: {
                "auto": "Find selv (afdelings-id → afdelingspolygoner)",
                "kommunegraense": "Kommunegrænse",
                "afdeling": "Afdelingspolygoner",
            }[k],
        )
        return {"geometry_kind": None if choice == "auto" else choice}
    return {}


def _problems(exc: UserError) -> None:
    """The error, and its problems as a table whose text wraps, identical problems in many rows
    collapsed to one line ("257 rækker: …")."""
    st.error(fmt.plain(exc.message), icon=":material/error:")
    if exc.problems:
        table = imports.collapse_problems(imports.problem_table(exc))
        html_table(table, label="Problemer i filen", max_height=480)


def _mapping(s: Store, kind: str, headers: list[str]) -> dict[str, str] | None:
    """The mapping step: one selectbox per required field no header names (pre-filled with the
    remembered mapping for these headers); ``None`` while a required field is unmapped."""
    saved = imports.remembered_mapping(s, kind, headers)
    missing = imports.missing_required(s, kind, headers)
    if not missing:
        return saved or {}
    fields = imports.fields_for(kind)
    with st.container(border=True, key="data_mapping"):
        st.markdown(
            "**Kortlæg kolonner** – filen mangler kolonner, som Trappetrin kender. Peg hvert felt på "
            "en kolonne i filen; kortlægningen huskes til næste fil af samme slags."
        )
        mapping = dict(saved)
        choices = ["", *headers]
        with st.container(horizontal=True):
            for fld in missing:
                current = saved.get(fld, "")
                picked = st.selectbox(
                    fields.get(fld, (fld,))[0],
                    choices,
                    index=choices.index(current),
                    key=f"data_map_{kind}_{fld}",
                    format_func=lambda c: c or "– vælg kolonne –",
                )
                if picked:
                    mapping[fld] = picked
                else:
                    mapping.pop(fld, None)
    if imports.missing_required(s, kind, headers, mapping):
        st.info("Vælg en kolonne for hvert felt for at fortsætte.", icon=":material/rule:")
        return None
    return mapping


def import_section(s: Store, actor, ctx) -> None:
    kinds = list(imports.KINDS)
    step = next_step(s)  # an empty database starts at the register, then releases, then lists
    kind = st.selectbox(
        "Hvad vil du indlæse?",
        kinds,
        index=kinds.index(step.kind) if step is not None and step.kind in kinds else 0,
        format_func=lambda k: imports.KINDS[k].label,
        key="data_kind",
    )
    options = _options(kind)
    gen = st.session_state.get(UPLOAD_GEN, 0)
    upload = widgets.file_uploader(
        "Fil",
        type=list(imports.KINDS[kind].suffixes),
        key=f"data_upload_{kind}_{gen}",
        help="CSV eller Excel (XLSX) for tabeller; GeoJSON, GeoPackage eller zippet "
        "Shapefile for geometri. Skabeloner under fanen Skabeloner.",
    )
    if upload is None:
        st.caption("Vælg en fil for at se, hvad der vil blive indlæst. Intet gemmes før du trykker Gem.")
        return
    data, name = upload.getvalue(), upload.name
    mapping: dict[str, str] | None = None
    if kind != "geometri":
        sheet = header_row = None
        if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
            try:
                sheets = read_table(data, name).attrs.get("sheets") or []
            except UserError as exc:
                _problems(exc)
                return
            with st.container(horizontal=True):
                sheet = st.selectbox("Ark", sheets, key="data_sheet") if len(sheets) > 1 else None
                header_row = (
                    st.number_input(
                        "Overskriftsrække (0 = find selv)", min_value=0, step=1, value=0, key="data_header_row"
                    )
                    or None
                )
        options.update(sheet=sheet, header_row=header_row)
        try:
            headers = [str(c) for c in read_table(data, name, sheet=sheet, header_row=header_row).columns]
        except UserError as exc:
            _problems(exc)
            return
        mapping = _mapping(s, kind, headers)
        if mapping is None:
            return
        if kind == "afdelingsdata":
            options["rules"] = ctx.adopted
            lacking = missing_rule_columns(headers, mapping, ctx.adopted)
            if lacking:
                names = ", ".join(field_label(c) for c in lacking)
                partial = st.checkbox(
                    f"Delvis udgivelse: gem den uden kolonne for {names}",
                    key="data_partial",
                    help=f"Regelsættet '{ctx.adopted.name}' bruger disse indikatorer. Uden afkrydsning afvises "
                    "filen; med den gemmes udgivelsen og vises som delvis overalt.",
                )
                if partial:
                    options["allow_missing"] = lacking
    slot = st.empty()
    bar = slot.progress(0.0, text="Kontrollerer filen …")

    def checking(fraction: float, text: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=text)

    try:
        plan = imports.plan_import(
            s, kind, data, file_name=name, options=options, mapping=mapping or None, progress=checking
        )
        checking(1.0, "Beregner forhåndsvisningen …")
        preview = imports.preview_import(s, plan, ctx.adopted)
    except UserError as exc:
        slot.empty()
        _problems(exc)
        return
    slot.empty()
    _preview(preview, ctx)
    if _button(imports.KINDS[kind].commit_label, type="primary", key="data_commit", icon=":material/save:"):
        with st.status("Gemmer …", expanded=True) as status:
            bar = st.progress(0.0)

            def progress(fraction: float, text: str) -> None:
                bar.progress(min(max(float(fraction), 0.0), 1.0), text=text)

            try:
                text = imports.commit_import(s, plan, actor=actor, progress=progress)
            except UserError as exc:
                status.update(label="Intet er gemt", state="error")
                st.error(fmt.error_text(exc))
                return
            status.update(label=text, state="complete")
        if mapping and kind != "geometri":
            s.save_mapping(kind, headers, mapping, actor=actor)
        st.session_state[UPLOAD_GEN] = gen + 1
        _done(text)
        st.rerun()


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"dept_id": "Afdelings-id", "name": "Afdeling"})


def _preview(pre, ctx) -> None:
    st.subheader("Forhåndsvisning")
    if isinstance(pre, imports.KindPreview):
        for line in pre.summary:
            st.markdown(f"- {fmt.plain(line)}")
        for title, table in pre.tables.items():
            if not table.empty:
                st.markdown(f"**{title}** ({formatting.integer(len(table))})")
                st.dataframe(table, hide_index=True, width="stretch", height=min(35 * (len(table) + 1) + 3, 300))
        changes = pre.changes
    else:
        plan = pre.plan
        with st.container(horizontal=True):
            st.metric("Afdelinger med værdier", formatting.integer(plan.rows))
            st.metric(f"Mangler i forhold til {pre.previous_label or '–'}", formatting.integer(len(pre.missing)))
            st.metric("Nye afdelinger", formatting.integer(len(pre.added)))
            st.metric("Skifter farve", formatting.integer(len(pre.changes)))
        if plan.partial:
            st.warning(
                "Delvis udgivelse – uden kolonne for "
                + ", ".join(field_label(c) for c in plan.partial)
                + ". Udgivelsen gemmes og vises som delvis.",
                icon=":material/rule:",
            )
        if plan.n_known < plan.n_values:
            st.caption(
                f"{formatting.integer(plan.n_known)} værdier; "
                f"{formatting.integer(plan.n_values - plan.n_known)} celler er tomme eller skjulte."
            )
        if plan.ignored_columns:
            st.caption("Ignorerede kolonner: " + ", ".join(plan.ignored_columns))
        others = [c for c in plan.missing_indicators if c not in plan.partial]
        if others:
            st.caption("Indikatorer uden kolonne (får ingen værdi): " + ", ".join(field_label(c) for c in others))
        cols = st.columns(2)
        with cols[0]:
            st.markdown(f"**Afdelinger med værdier** ({formatting.integer(len(pre.departments))})")
            st.dataframe(_named(pre.departments), hide_index=True, width="stretch", height=250)
        with cols[1]:
            st.markdown(
                f"**Mangler i forhold til {pre.previous_label or 'forrige udgivelse'}** "
                f"({formatting.integer(len(pre.missing))})"
            )
            st.dataframe(_named(pre.missing), hide_index=True, width="stretch", height=250)
        changes = pre.changes
    if changes is not None:
        st.markdown(
            f"**Farveskift under det vedtagne regelsæt ({ctx.adopted.name})** ({formatting.integer(len(changes))})"
        )
        if changes.empty:
            st.caption("Ingen afdelinger skifter farve.")
        else:
            table = _named(changes)[["Afdelings-id", "Afdeling", "before_label", "after_label"]].copy()
            table["before_label"] = fmt.badge_labels(ctx.adopted, table["before_label"])
            table["after_label"] = fmt.badge_labels(ctx.adopted, table["after_label"])
            st.dataframe(
                table.rename(columns={"before_label": "Før", "after_label": "Efter"}),
                hide_index=True,
                width="stretch",
                key="data_changes",
            )


# --- releases, log, backup, templates -------------------------------------------------------------


def releases_section(s: Store, actor, rules=None) -> None:
    rel = s.releases()
    if rel.empty:
        st.info("Der er ingen udgivelser endnu. Indlæs en under fanen Indlæs.", icon=":material/database:")
        return
    shown = rel.sort_values(["reference_date", "release_id"], ascending=False)
    partial = _partial_texts(s, rules)
    st.dataframe(
        formatting.table(
            pd.DataFrame(
                {
                    "Udgivelse": shown["label"],
                    "Kilde": shown["source"],
                    "Dato": pd.to_datetime(shown["reference_date"]).dt.date,
                    "Listeår": shown["list_year"],
                    "Værdier": shown["n_values"],
                    "Indlæst": pd.to_datetime(shown["imported_at"]),
                    "Af": shown["imported_by"],
                    "Fil": shown["file_name"],
                    "Delvis": [partial.get(label, "") for label in shown["label"]],
                }
            ),
            plain=("Udgivelse", "Listeår"),
        ),
        hide_index=True,
        width="stretch",
        key="data_releases",
    )
    if not actor.can("delete_release"):
        return
    with st.container(border=True, key="data_delete"):
        st.markdown("**Slet en udgivelse**")
        label = st.selectbox(
            "Udgivelse", shown["label"].tolist(), key="data_delete_label", index=None, placeholder="Vælg udgivelse"
        )
        sure = st.checkbox(
            f"Ja, slet udgivelsen {label or ''} med alle dens værdier", key="data_delete_sure", disabled=label is None
        )
        if _button("Slet", key="data_delete_button", disabled=not (label and sure), icon=":material/delete:"):
            try:
                s.delete_release(label, actor=actor)
            except UserError as exc:
                st.error(fmt.error_text(exc))
                return
            st.session_state.pop("data_delete_sure", None)
            st.session_state.pop("data_delete_label", None)
            _done(f"Udgivelsen '{label}' er slettet.")
            st.rerun()


def _partial_texts(s: Store, rules) -> dict[str, str]:
    """Release → 'delvis: uden …' for releases without a column the rule set in use reads."""
    from trappetrin.imports import partial_releases

    return {
        label: "delvis: uden " + ", ".join(field_label(c) for c in lacking)
        for label, lacking in partial_releases(s, rules).items()
    }


def log_section(s: Store) -> None:
    log = s.audit_log()
    if log.empty:
        st.info("Loggen er tom.", icon=":material/history:")
        return
    columns = {
        "logged_at": "Tidspunkt",
        "actor": "Hvem",
        "action": "Handling",
        "object": "Hvad",
        "file_name": "Fil",
        "n_rows": "Rækker",
        "checksum": "Kontrolsum (sha256)",
    }
    st.dataframe(
        audit.readable(log.assign(checksum=log["checksum"].str[:12]), columns),
        hide_index=True,
        width="stretch",
        key="data_log",
    )


def backup_section(s: Store, actor) -> None:
    if actor.can("backup"):
        with st.container(border=True):
            st.markdown("**Tag en sikkerhedskopi** – hele databasen som Parquet-filer i en mappe på serveren.")
            folder = st.text_input("Mappe", value=str(BACKUP_DIR), key="data_backup_dir")
            if _button("Tag sikkerhedskopi", key="data_backup", icon=":material/backup:"):
                try:
                    where = backups.backup(s, folder, actor=actor)
                except UserError as exc:
                    st.error(fmt.error_text(exc))
                else:
                    st.success(f"Sikkerhedskopien er gemt i {fmt.plain(where)}.")
    if actor.can("restore"):
        with st.container(border=True):
            st.markdown(
                "**Gendan en sikkerhedskopi** – erstatter alt indhold i databasen på én gang. "
                "Mappen kontrolleres først; er den ikke i orden, ændres intet."
            )
            folder = st.text_input("Mappe med sikkerhedskopien", key="data_restore_dir")
            sure = st.checkbox("Ja, erstat alt nuværende indhold", key="data_restore_sure")
            if _button("Gendan", key="data_restore", disabled=not (folder and sure), icon=":material/restore:"):
                try:
                    backups.restore(s, folder, actor=actor)
                except UserError as exc:
                    st.error(fmt.error_text(exc))
                else:
                    _done(f"Databasen er gendannet fra {folder}.")
                    st.rerun()
    if not (actor.can("backup") or actor.can("restore")):
        st.info("Din rolle må ikke tage eller gendanne sikkerhedskopier.", icon=":material/lock:")


def templates_section(s: Store) -> None:
    st.markdown(
        "Skabelonerne viser kolonnerne for hver slags fil; rækkerne er fiktive. Kolonnerne og "
        "de accepterede overskrifter er beskrevet i vejledningen."
    )
    with st.container(horizontal=True):
        for kind, (file, mime) in TEMPLATE_FILES.items():
            path = TEMPLATES / file
            if path.exists():
                st.download_button(
                    f"{imports.KINDS[kind].label.split(' (')[0]}: {file}",
                    path.read_bytes(),
                    file_name=file,
                    mime=mime,
                    key=f"data_template_{kind}",
                    icon=":material/download:",
                )
        st.download_button(
            "Vejledning (README.md)",
            (TEMPLATES / "README.md").read_bytes(),
            file_name="README.md",
            mime="text/markdown",
            key="data_template_readme",
            icon=":material/description:",
        )
    if s.department_count():
        st.download_button(
            "Det nuværende afdelingsregister som stamdata-fil",
            imports.export_register_template(s),
            file_name="stamdata.csv",
            mime="text/csv",
            key="data_register_export",
            icon=":material/table:",
        )
