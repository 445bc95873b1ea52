"""The Opfølgning page (issue 18): the five items for a period with the same numbers as ``classify``
and the follow-up summary, the report downloads, and the admin's table editor (checked, audited)."""

from __future__ import annotations

from datetime import date

from tests.app.test_access import roles  # noqa: F401 - fixture
from tests.app.test_eksport import downloads  # noqa: F401 - fixture
from trappetrin import followup as fu
from trappetrin import formatting as f
from trappetrin.colours import classify_release
from trappetrin.store import Store


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_page_shows_colours_and_followup_equal_to_classify(app, db):
    at = app("opfoelgning")
    assert not at.exception, at.exception
    assert at.title[0].value == "Opfølgning"
    assert at.selectbox(key="fu_period").value == "2026"
    store = Store.open(db)
    try:
        rules = store.adopted_rule_set()
        label = fu.release_in_force(store, date(2026, 12, 31))
        counts = classify_release(store, label, rules).summary()["departments"]
        s = fu.summarise(store, rules, fu.year_period(2026))
    finally:
        store.close()
    shown = _metrics(at)
    for o in rules.outcomes:
        assert shown[f"{o.label} ({o.step})"] == f.integer(counts[o.code])
    assert shown["Stillet til rådighed"] == f.integer(s["offered"])
    assert shown["Anvendt af boliganvisningen"] == f.integer(s["used"])
    assert shown["Fleksible udlejninger"] == f.integer(s["flex"])
    assert shown["Fogedsager"] == f.integer(s["evictions"])
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Statusrapport (PDF)", "Statusrapport (XLSX)"]
    assert len(at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")) == 4
    assert len(at.get("deck_gl_json_chart")) == 1


def test_period_choice_changes_the_figures(app, db):
    at = app("opfoelgning")
    at.selectbox(key="fu_period").set_value("1. halvår 2025").run()
    assert not at.exception
    store = Store.open(db)
    try:
        s = fu.summarise(store, store.adopted_rule_set(), fu.Period(date(2025, 1, 1), date(2025, 6, 30)))
    finally:
        store.close()
    assert _metrics(at)["Fogedsager"] == f.integer(s["evictions"])
    assert "forrige periode 2. halvår 2024" in " ".join(m.value for m in at.markdown)


def test_local_admin_sees_the_editor_with_the_rows_of_a_year(app):
    at = app("opfoelgning")
    assert any(e.label.startswith("Ret opfølgningsdata") for e in at.expander)
    at.selectbox(key="fu_edit_kind").set_value("fogedsag").run()
    assert not at.exception
    assert at.selectbox(key="fu_edit_year").value == 2026


def _texts(at, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def test_followup_file_goes_through_the_data_page(app, db):
    """Bad file: every problem listed, nothing written; good file: preview, save, audit, and the
    Opfølgning page counts it."""
    from tests.dbdump import dump

    head = "Organisationsnummer;Afdelings-id;Fra;Til;Antal fogedsager"
    bad = f"{head}\r\n999;;2026-01-01;2026-06-30;2\r\n147;147-007;2026-06-30;2026-01-01;-1\r\n".encode()
    at = app("data")
    at.selectbox(key="data_kind").select("fogedsag").run()
    store = Store.open(db)
    before = dump(store)
    store.close()
    at.file_uploader[0].upload("fogedsager.csv", bad)
    at.run()
    assert not at.exception
    assert "fogedsager.csv" in at.error[0].value and "(3 fejl)" in at.error[0].value
    from tests.htmltables import html_tables

    problems = html_tables(at)[0]  # the Data page's problem table (plain HTML)
    assert problems["Række"].tolist() == ["2", "3", "3"]
    assert not [b for b in at.button if b.key == "data_commit"]
    store = Store.open(db)
    assert dump(store) == before
    store.close()

    good = f"{head}\r\n147;147-007;2026-07-01;2026-09-30;6\r\n".encode()
    at = app("data")
    at.selectbox(key="data_kind").select("fogedsag").run()
    at.file_uploader[0].upload("fogedsager-ok.csv", good)
    at.run()
    assert not at.exception and not at.error
    assert any("Fogedsager: 1 rækker, i alt 6" in m.value for m in at.markdown)
    at.button(key="data_commit").click().run()
    assert not at.exception
    assert any("1 rækker er gemt" in t for t in _texts(at, "success"))
    store = Store.open(db)
    try:
        log = store.audit_log(actions=["import"]).iloc[0]
        assert (log["file_name"], log["n_rows"]) == ("fogedsager-ok.csv", 1)
        s = fu.summarise(store, store.adopted_rule_set(), fu.year_period(2026))
    finally:
        store.close()
    page = app("opfoelgning")
    assert _metrics(page)["Fogedsager"] == f.integer(s["evictions"])


def test_report_download_follows_the_role_and_real_data_exports_are_audited(db, roles, downloads):
    """A viewer sees the page but not the report buttons; an analyst's fetched report of real data
    is recorded in the audit trail (the file is built when fetched)."""
    from tests.app.test_access import _audit_log, _make_real, as_role, open_page

    viewer = open_page(as_role("viewer"), "opfoelgning")
    assert not viewer.get("download_button")
    assert any("må eksportere" in i.value for i in viewer.info)
    assert not any(e.label.startswith("Ret opfølgningsdata") for e in viewer.expander)

    _make_real(db)
    analyst = open_page(as_role("analyst"), "opfoelgning")
    assert _audit_log(db).empty
    pdf = next(b for b in analyst.download_button if b.key == "fu_dl_pdf")
    got = downloads(pdf)
    assert got.data.startswith(b"%PDF")
    log = _audit_log(db)
    assert log[["actor", "action", "object", "file_name"]].values.tolist() == [
        ["ana@aalborg.dk", "export", "statusrapport 2026", "statusrapport_20260101-20261231.pdf"]
    ]
