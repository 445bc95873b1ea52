"""Afdeling page: one department's colour and why, history, dwellings, meaning, links and discretion."""

from __future__ import annotations

import re

import pandas as pd

from tests.htmltables import html_tables
from trappetrin import catalogue, formatting


def shown(markdown: str) -> str:
    """The text a reader sees: values from data are escaped in the Markdown source (ui.fmt.plain)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [h.value for h in at.header] + [h.value for h in at.subheader]
    return "\n".join(parts)


def tables(at) -> list[pd.DataFrame]:
    """Every table on the page: data grids and plain HTML tables (row headers as a column)."""
    return [df.value for df in at.dataframe] + [t.reset_index() if t.index.name else t for t in html_tables(at)]


def table_with(at, column: str) -> pd.DataFrame:
    return next(t for t in tables(at) if column in t.columns)


def test_default_department_renders_with_criteria_table(app, latest):
    """Without a link the first department is shown with every criterion and gate, met or not."""
    frame, _ = latest
    at = app("afdeling")
    assert not at.exception
    assert shown(at.header[0].value) == frame["name"].iloc[0]
    table = table_with(at, "Opfyldt")
    assert list(table.columns)[:5] == ["Indikator", "Værdi", "Grænse", "Opfyldt", "Margin"]
    assert len(table) == 6  # four forebyggelse criteria and two gates
    assert set(table["Opfyldt"]) <= {"✓", "✗"}
    assert any("af 4" in m.value for m in at.markdown)


def test_query_parameter_opens_that_department(app, latest):
    """?afd=<id> (Oversigt's click-through) opens exactly that department, with its facts."""
    frame, _ = latest
    dept = frame.index[40]
    at = app("afdeling", {"afd": dept})
    assert not at.exception
    assert at.selectbox(key="afd").value == dept
    assert shown(at.header[0].value) == frame.at[dept, "name"]
    assert frame.at[dept, "organisation"] in page_text(at)


def test_unknown_department_in_link_is_explained(app):
    """A link to a department that does not exist says so instead of showing another one."""
    at = app("afdeling", {"afd": "999-999"})
    assert not at.exception
    assert any("999-999" in shown(w.value) and "findes ikke" in w.value for w in at.warning)


def test_red_department_names_its_rule_list_status_and_consequences(app, latest):
    """A red department says the ministry list decided, shows the area's list status and the letting rules."""
    frame, outcomes = latest
    red = outcomes[outcomes == "red"].index[0]
    at = app("afdeling", {"afd": red})
    assert not at.exception
    text = page_text(at)
    assert "Del af et boligområde på ministeriets seneste liste" in text
    assert "er på listen som" in text
    assert "fritaget for kommunal anvisning" in text
    assert "Obligatorisk" in text
    gates = table_with(at, "Opfyldt")
    on_list = gates[gates["Indikator"] == catalogue.label("on_ministry_list")].iloc[0]
    assert on_list["Værdi"].startswith("Ja") and on_list["Opfyldt"] == "✓"


def test_reason_names_the_deciding_rule_with_gate_and_values(app, latest, db):
    """A department yellow under "over 30 % ikke-vestlige + 1 kriterie" says so, with the non-Western share."""
    from trappetrin.colours import classify_release
    from trappetrin.explain import reasons
    from trappetrin.store import open_store

    store = open_store(db)
    try:
        res = classify_release(store, store.latest_release(), store.adopted_rule_set())
    finally:
        store.close()
    rule = pd.Series(res.result.rule, index=res.result.ids)
    dept = rule[rule == "nonwestern_and_one"].index[0]
    expected = reasons(res.result, res.data.frame, list_year=res.data.list_year, ids=[dept]).iloc[0]
    at = app("afdeling", {"afd": dept})
    assert not at.exception
    line = next(m.value for m in at.markdown if m.value.startswith("**Begrundelse:**"))
    shown = line.split("  \n")[0].removeprefix("**Begrundelse:** ").replace("\\", "")
    assert shown == expected
    nonwestern = formatting.short(res.data.frame.at[dept, "pct_nonwestern"], 1)
    assert f"ikke-vestlige lande ({nonwestern}\u00a0% > 30\u00a0%)" in shown


def test_criteria_values_margins_and_thresholds_are_danish(app, latest):
    """Values carry decimal commas and units; margins are signed; relative thresholds show their number."""
    frame, _ = latest
    dept = frame.index[0]
    at = app("afdeling", {"afd": dept})
    table = table_with(at, "Opfyldt").set_index("Indikator")
    outside = table.loc[catalogue.label("pct_outside_labour")]
    assert outside["Værdi"] == f"{formatting.short(frame.at[dept, 'pct_outside_labour'], 1)}\u00a0%"  # never broken
    assert outside["Grænse"] == "> 30\u00a0%"
    margin = 30.0 - frame.at[dept, "pct_outside_labour"]  # not met side is negative
    assert outside["Margin"].startswith("\u2212" if margin > 0 else "+")
    assert "× landsgennemsnittet (" in table.loc[catalogue.label("pct_convicted"), "Grænse"]


def test_history_and_rent_bands(app, latest):
    """The page shows the department's colour in every release and its dwellings by rent band."""
    frame, _ = latest
    dept = frame.index[3]
    at = app("afdeling", {"afd": dept})
    history = table_with(at, "Afgjort af")
    assert len(history) == len(at.sidebar.selectbox(key="udgivelse").options)
    bands = table_with(at, "Husleje pr. måned").set_index("Husleje pr. måned")["Boliger"]
    row = frame.loc[dept]
    assert bands["≤ 3.500 kr."] == str(int(row["dwellings_le_3500"]))
    assert bands["I alt"] == f"{int(row['dwellings']):,}".replace(",", ".")


def test_grey_department_shows_register_facts_but_no_values(app, latest):
    """Discretion: a grey department shows dwellings and its grey status, but no value, criterion or count."""
    frame, outcomes = latest
    grey = outcomes[outcomes == "grey"].index[0]
    at = app("afdeling", {"afd": grey})
    assert not at.exception
    assert shown(at.header[0].value) == frame.at[grey, "name"]
    text = page_text(at)
    assert "diskretionsgrænsen" in text
    assert "Grå" in text
    assert "af 4" not in text  # no count of criteria met
    assert not [t for t in tables(at) if "Opfyldt" in t.columns]  # no criteria table
    cells = "\n".join(t.astype(str).to_csv(index=False) for t in tables(at))
    assert "%" not in cells  # no share of any kind in any table
    for code, ind in catalogue.indicators().items():
        value = frame.at[grey, code]
        if pd.isna(value) or ind.unit != "%":
            continue
        assert formatting.short(value, 1) not in text + cells, code
    # the register facts are still there
    bands = table_with(at, "Husleje pr. måned").set_index("Husleje pr. måned")["Boliger"]
    assert bands["I alt"] == f"{int(frame.at[grey, 'dwellings']):,}".replace(",", ".")


def test_empty_database_explains_itself(empty_app):
    """With no releases the page shows the no-data notice instead of failing."""
    at = empty_app("afdeling")
    assert not at.exception
    assert any("ingen data" in i.value for i in at.info)
