"""Follow-up data (issue 18): import through the generic path (bad files refused with every problem
and nothing written), the table editor (checked, audited, all or nothing), periods, the summary
of the five items, and the demo data's anchoring on the agreement's figures."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pandas as pd
import pytest

from tests.dbdump import dump
from trappetrin import followup as fu
from trappetrin import imports
from trappetrin.auth import Actor
from trappetrin.cli import main
from trappetrin.colours import classify_release
from trappetrin.errors import UserError
from trappetrin.followup_demo import USED_PER_YEAR
from trappetrin.imports import followup as followup_import
from trappetrin.store import Store

TODAY = date(2026, 11, 23)
ADMIN = Actor("Ida", "admin", "ida@aalborg.dk")
ANALYST = Actor("Ane", "analyst")


def csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def plan(store, kind, data: bytes, name="opfoelgning.csv"):
    return imports.plan_import(store, kind, data, file_name=name, today=TODAY)


FLEX_HEAD = "Organisationsnummer;Afdelings-id;Fra;Til;Kriterium;Antal udlejninger"
OFFER_HEAD = "Organisationsnummer;Afdelings-id;Dato;Værelser;Areal (m²);Husleje"
EVICT_HEAD = "Organisationsnummer;Afdelings-id;Fra;Til;Antal fogedsager"

# (kind, file, a phrase the problem list must contain) – each a different way a file is wrong.
BAD_FILES = {
    "no_rows": ("fleksibel", csv(FLEX_HEAD), "ingen datarækker"),
    "missing_count_column": ("fleksibel", csv("Organisationsnummer;Fra;Til", "104;2026-01-01;2026-06-30"), "mangler"),
    "dwelling_without_department": (
        "indmeldt",
        csv("Organisationsnummer;Dato;Husleje", "104;2026-03-02;3450"),
        "afdeling",
    ),
    "unknown_organisation": (
        "fogedsag",
        csv(EVICT_HEAD, "999;;2026-01-01;2026-06-30;2"),
        "ikke en kendt boligorganisation",
    ),
    "unknown_department": (
        "indmeldt",
        csv(OFFER_HEAD, "104;104-999;2026-03-02;2;61,5;3450"),
        "findes ikke i afdelingsregistret",
    ),
    "department_of_other_org": (
        "indmeldt",
        csv(OFFER_HEAD, "101;104-012;2026-03-02;2;61,5;3450"),
        "passer ikke med afdelingen",
    ),
    "not_a_date": ("anvist", csv(OFFER_HEAD, "104;104-012;32-13-2026;2;61,5;3450"), "er ikke en dato"),
    "date_in_future": ("anvist", csv(OFFER_HEAD, "104;104-012;2030-01-01;2;61,5;3450"), "uden for det mulige"),
    "period_backwards": ("fogedsag", csv(EVICT_HEAD, "104;;2026-06-30;2026-01-01;2"), "ligger før periodens start"),
    "negative_count": ("fleksibel", csv(FLEX_HEAD, "104;;2026-01-01;2026-06-30;;-3"), "uden for det mulige"),
    "fractional_count": ("fogedsag", csv(EVICT_HEAD, "104;;2026-01-01;2026-06-30;2,5"), "ikke et helt tal"),
    "rent_not_number": ("indmeldt", csv(OFFER_HEAD, "104;104-012;2026-03-02;2;61,5;billig"), "er ikke et tal"),
    "rent_out_of_range": ("anvist", csv(OFFER_HEAD, "104;104-012;2026-03-02;2;61,5;95000"), "husleje"),
    "rooms_out_of_range": ("indmeldt", csv(OFFER_HEAD, "104;104-012;2026-03-02;0;61,5;3450"), "værelser"),
    "duplicate_in_file": (
        "fogedsag",
        csv(EVICT_HEAD, "104;104-012;2026-01-01;2026-06-30;2", "104;104-012;2026-04-01;2026-09-30;1"),
        "gentager række",
    ),
    "overlaps_stored": ("fogedsag", csv(EVICT_HEAD, "104;;2026-01-01;2026-03-31;4"), "allerede er gemt"),
    "missing_count_value": ("fleksibel", csv(FLEX_HEAD, "104;;2026-01-01;2026-06-30;;"), "mangler"),
}


def test_at_least_ten_kinds_of_bad_file():
    assert len(BAD_FILES) >= 10
    assert len({phrase for _, _, phrase in BAD_FILES.values()}) >= 10


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_followup_file_is_refused_and_nothing_is_written(store, case):
    kind, data, phrase = BAD_FILES[case]
    before = dump(store)
    with pytest.raises(UserError) as err:
        p = plan(store, kind, data, name=f"{case}.csv")
        imports.commit_import(store, p, actor=ADMIN)
    text = err.value.message + "\n" + "\n".join(err.value.problems or [])
    assert phrase in text, text
    assert "Intet er gemt" in err.value.message
    assert f"{case}.csv" in text  # names the file
    assert dump(store) == before


def test_problem_names_row_and_column(store):
    data = csv(OFFER_HEAD, "104;104-012;2026-03-02;2;61,5;3450", "104;104-012;2026-03-05;2;61,5;billig")
    with pytest.raises(UserError) as err:
        plan(store, "indmeldt", data)
    table = imports.problem_table(err.value)
    assert list(table["Række"]) == [3]
    assert list(table["Kolonne"]) == ["Husleje"]
    assert list(table["Værdi"]) == ["billig"]


def test_every_problem_of_a_file_is_listed(store):
    data = csv(
        OFFER_HEAD,
        "104;104-999;2026-03-02;2;61,5;3450",
        "104;104-012;xx;2;61,5;3450",
        "104;104-012;2026-03-05;0;61,5;3450",
    )
    with pytest.raises(UserError) as err:
        plan(store, "indmeldt", data)
    assert len(err.value.problems) == 3


def test_good_file_is_stored_with_audit_record_and_not_twice(store):
    data = csv(
        OFFER_HEAD,
        "104;104-012;2026-03-02;2;61,5;3.450",
        ";104-012;2026-03-04;3;78;4.125,50",  # organisation from the department
    )
    p = plan(store, "indmeldt", data, name="indmeldt-2026.csv")
    pre = imports.preview_import(store, p, store.adopted_rule_set())
    assert any("2 rækker" in line for line in pre.summary)
    n_before = len(fu.followup_rows(store, "indmeldt"))
    text = imports.commit_import(store, p, actor=ADMIN)
    assert "2 rækker er gemt" in text
    rows = fu.followup_rows(store, "indmeldt")
    assert len(rows) == n_before + 2
    new = rows[rows["file_name"] == "indmeldt-2026.csv"].sort_values("period_start")
    assert new["org_no"].tolist() == [104, 104]
    assert new["rent"].tolist() == [3450.0, 4125.5]
    log = store.audit_log(actions=["import"])
    assert log.iloc[0]["file_name"] == "indmeldt-2026.csv"
    assert json.loads(log.iloc[0]["details"])["kind"] == "indmeldt"
    before = dump(store)
    with pytest.raises(UserError) as err:
        plan(store, "indmeldt", data, name="indmeldt-2026.csv")
    assert "allerede indlæst" in "\n".join(err.value.problems)
    assert dump(store) == before


def test_import_needs_the_import_permission(store):
    p = plan(store, "fogedsag", csv(EVICT_HEAD, "104;104-012;2026-01-01;2026-03-31;2"))
    before = dump(store)
    with pytest.raises(UserError):
        imports.commit_import(store, p, actor=ANALYST)
    assert dump(store) == before


def test_header_aliases_and_xlsx(store, tmp_path):
    from trappetrin.export import to_xlsx

    frame = pd.DataFrame(
        {"org nr": [147], "Periode fra": ["01-07-2027"], "Periode til": ["30-09-2027"], "Fogedsager": [3]}
    )
    data = to_xlsx({"Fogedsager": frame})
    p = imports.plan_import(store, "fogedsag", data, file_name="fogedsager.xlsx", today=date(2027, 10, 1))
    assert p.frames["rows"]["count"].tolist() == [3]


def test_templates_read_back_clean(store):
    with store.transaction() as cur:
        cur.execute("DELETE FROM followup_rows")  # the examples may overlap demo rows
    for kind in fu.FOLLOWUP_KINDS:
        data = followup_import.template_csv(kind)
        p = plan(store, kind, data, name=f"{kind}.csv")
        assert p.rows == 1


def test_cli_imports_a_followup_file(store, tmp_path, monkeypatch):
    path = tmp_path / "fogedsager.csv"
    path.write_bytes(csv(EVICT_HEAD, "147;147-007;2026-07-01;2026-09-30;5"))
    monkeypatch.setenv("TRAPPETRIN_DB", str(store.path))
    store.close()
    assert main(["import", str(path), "--kind", "fogedsag"]) == 0
    again = Store.open(store.path)
    try:
        assert again.scalar("SELECT count(*) FROM followup_rows WHERE file_name = 'fogedsager.csv'") == 1
    finally:
        again.close()


# --- the editor ------------------------------------------------------------------------------------


def _editor(store, kind):
    rows = fu.followup_rows(store, kind)
    return rows, fu.editor_frame(rows, kind)


def test_editor_corrects_a_row_with_audit(store):
    rows, frame = _editor(store, "anvist")
    i = frame.index[0]
    row_id = int(frame.at[i, "Række-id"])
    frame.at[i, "Husleje (kr.)"] = "3.333,5"
    changed = fu.edit_rows(store, "anvist", frame, actor=ADMIN, today=TODAY)
    assert changed == [row_id]
    assert store.scalar("SELECT rent FROM followup_rows WHERE row_id = ?", [row_id]) == 3333.5
    event = store.audit_log(actions=["edit_followup"]).iloc[0]
    details = json.loads(event["details"])
    assert details["row_id"] == row_id and details["after"]["Husleje (kr.)"] == "3.333,5"
    assert event["actor"] == "ida@aalborg.dk"


def test_editor_refuses_bad_rows_and_writes_nothing(store):
    rows, frame = _editor(store, "fogedsag")
    frame.at[frame.index[0], "Antal"] = "-1"
    frame.at[frame.index[1], "Organisationsnummer"] = "999"
    before = dump(store)
    with pytest.raises(UserError) as err:
        fu.edit_rows(store, "fogedsag", frame, actor=ADMIN, today=TODAY)
    assert len(err.value.problems) == 2
    assert "Intet er gemt" in err.value.message
    assert dump(store) == before


def test_editor_refuses_an_overlap_with_another_row(store):
    rows, frame = _editor(store, "fogedsag")
    first = rows.iloc[0]
    other = rows[(rows["org_no"] == first["org_no"]) & (rows["row_id"] != first["row_id"])].iloc[0]
    i = frame.index[frame["Række-id"] == int(first["row_id"])][0]
    frame.at[i, "Fra"] = other["period_start"].isoformat()
    frame.at[i, "Til"] = other["period_end"].isoformat()
    before = dump(store)
    with pytest.raises(UserError) as err:
        fu.edit_rows(store, "fogedsag", frame, actor=ADMIN, today=TODAY)
    assert "overlapper" in err.value.problems[0]
    assert dump(store) == before


def test_editor_needs_the_import_permission(store):
    rows, frame = _editor(store, "fogedsag")
    frame.at[frame.index[0], "Antal"] = "7"
    with pytest.raises(UserError):
        fu.edit_rows(store, "fogedsag", frame, actor=ANALYST, today=TODAY)


# --- periods and the summary -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start,end,label,prev",
    [
        (date(2026, 1, 1), date(2026, 12, 31), "2026", (date(2025, 1, 1), date(2025, 12, 31))),
        (date(2026, 7, 1), date(2026, 12, 31), "2. halvår 2026", (date(2026, 1, 1), date(2026, 6, 30))),
        (date(2026, 1, 1), date(2026, 3, 31), "1. kvartal 2026", (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2025, 1, 1), date(2026, 12, 31), "2025–2026", (date(2023, 1, 1), date(2024, 12, 31))),
        (date(2026, 1, 10), date(2026, 1, 19), "10.01.2026–19.01.2026", (date(2025, 12, 31), date(2026, 1, 9))),
    ],
)
def test_period_label_and_previous(start, end, label, prev):
    p = fu.Period(start, end)
    assert p.label() == label
    assert (p.previous().start, p.previous().end) == prev


def test_period_refuses_end_before_start():
    with pytest.raises(UserError, match="før den begynder"):
        fu.Period(date(2026, 2, 1), date(2026, 1, 1))


def test_summary_counts_equal_the_stored_rows(store):
    period = fu.year_period(2025)
    s = fu.summarise(store, store.adopted_rule_set(), period)
    q = store.query(
        "SELECT kind, sum(count) AS n FROM followup_rows WHERE period_start >= ? AND period_end <= ? GROUP BY kind",
        [date(2025, 1, 1), date(2025, 12, 31)],
    ).set_index("kind")["n"]
    assert s["offered"] == q["indmeldt"] and s["used"] == q["anvist"]
    assert s["flex"] == q["fleksibel"] and s["evictions"] == q["fogedsag"]
    assert s.per_org["evictions"].sum() == s["evictions"]
    assert s.per_org["flex_prev"].sum() == s["flex_prev"]
    assert s.by_step["used"].sum() == s["used"]
    assert s["need_min"] == pytest.approx(250 * 365 / 365.25)
    assert s.release == "2025-12"  # the newest release at the period's end: the 2025 ministry list


def test_summary_leaves_out_rows_that_only_overlap(store):
    p = plan(store, "fogedsag", csv(EVICT_HEAD, "147;147-007;2026-11-15;2026-12-15;9"), name="over.csv")
    imports.commit_import(store, p, actor=ADMIN)
    s = fu.summarise(store, store.adopted_rule_set(), fu.Period(date(2026, 1, 1), date(2026, 11, 30)))
    assert s.partial["fogedsag"] == 1 + 14  # the new row and the demo's fourth quarter per organisation
    assert s["evictions"] == store.scalar(
        "SELECT sum(count) FROM followup_rows WHERE kind = 'fogedsag' AND period_start >= DATE '2026-01-01' "
        "AND period_end <= DATE '2026-11-30'"
    )


def test_demo_followup_is_anchored_on_the_agreement(store):
    rows = fu.followup_rows(store)
    used = rows[rows["kind"] == "anvist"].groupby(rows["period_start"].map(lambda d: d.year))["count"].sum()
    offered = rows[rows["kind"] == "indmeldt"].groupby(rows["period_start"].map(lambda d: d.year))["count"].sum()
    assert sorted(used.index) == [2023, 2024, 2025, 2026]
    assert used.to_dict() == USED_PER_YEAR
    assert all(110 <= n < 250 for n in used)  # above 2019-21's 110 a year, below the need
    assert (offered > used).all()
    rules = store.adopted_rule_set()
    allowed = {o.code for o in rules.outcomes if o.allocation}
    # offered dwellings lie where the step model allows allocation (in the release in force)
    for year in (2023, 2026):
        label = fu.release_in_force(store, date(year, 1, 1))
        res = classify_release(store, label, rules)
        outcome = pd.Series(res.result.outcome, index=res.data.frame.index)
        depts = rows[(rows["kind"] == "indmeldt") & (rows["period_start"].map(lambda d: d.year) == year)]["dept_id"]
        assert set(outcome[depts.unique()]) <= allowed


def test_demo_followup_is_deterministic(demo_file, tmp_path):
    from trappetrin.followup_demo import demo_followup

    s = Store.open(shutil.copy(demo_file, tmp_path / "a.duckdb"))
    try:
        a, b = demo_followup(s), demo_followup(s)
    finally:
        s.close()
    pd.testing.assert_frame_equal(a, b)
