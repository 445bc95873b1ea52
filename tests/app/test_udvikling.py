"""Udvikling page: indicator trend with threshold, colour history, changes, early warning, discretion."""

from __future__ import annotations

import json

import pyarrow as pa


def charts(at) -> dict[str, dict]:
    """Every Vega-Lite chart on the page by its alt text: the spec and its datasets as frames."""
    out = {}
    for el in at.get("vega_lite_chart"):
        data = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in el.proto.datasets}
        out[el.proto.alt] = {"spec": json.loads(el.proto.spec), "data": data}
    return out


def trend_chart(at) -> dict:
    found = [c for alt, c in charts(at).items() if "i hver udgivelse" in alt and not alt.startswith("Farven")]
    assert len(found) == 1, "exactly one trend chart"
    return found[0]


def all_text(at) -> str:
    """Every text, caption, info and table cell on the page, for discretion checks."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    for df in at.dataframe:
        parts.append(df.value.astype(str).to_csv(index=False))
    return "\n".join(parts)


def test_page_renders_trend_with_threshold_rule(app):
    """The page renders on the demo database; the trend chart draws the 30 % threshold as a dashed rule."""
    at = app("udvikling")
    assert not at.exception
    chart = trend_chart(at)
    rules = [layer for layer in chart["spec"]["layer"] if layer["mark"]["type"] == "rule"]
    assert rules and rules[0]["mark"]["strokeDash"], "the threshold is a dashed rule"
    thresholds = [df for df in chart["data"].values() if "threshold" in df.columns]
    assert thresholds and (thresholds[0]["threshold"] == 30.0).all()
    line = next(df for df in chart["data"].values() if "Værdi" in df.columns)
    assert len(line) == len(at.sidebar.selectbox(key="udgivelse").options)  # one point per release
    assert line["Værdi"].str.fullmatch(r"\d+(,\d)? %").all()  # Danish decimals in tooltips
    assert line["Værdi"].str.contains(",").any()
    assert chart["spec"]["layer"][0]["encoding"]["y"]["title"] == "Procent"


def test_relative_threshold_is_drawn_as_a_dashed_line_that_can_move(app):
    """Convictions' threshold is 2 × the national average: drawn per release as a dashed step line."""
    at = app("udvikling")
    at.selectbox(key="udv_indicator").set_value("pct_convicted").run()
    assert not at.exception
    dashed = [layer for layer in trend_chart(at)["spec"]["layer"] if layer["mark"].get("strokeDash")]
    assert dashed
    assert any("landsgennemsnittet" in c.value for c in at.caption)


def test_every_scope_renders_and_compares_with_the_municipality(app):
    """Område, Boligorganisation and Afdeling each draw their own line next to the kommune's."""
    at = app("udvikling")
    for scope in ("område", "organisation", "afdeling"):
        at.radio(key="udv_scope").set_value(scope).run()
        assert not at.exception, scope
        line = next(df for df in trend_chart(at)["data"].values() if "series" in df.columns)
        assert line["series"].nunique() == 2, scope
        assert "Aalborg Kommune" in set(line["series"])


def test_grey_department_shows_no_values(app, latest):
    """A department under the discretion limit: the page says so and draws or lists none of its values."""
    frame, outcomes = latest
    grey = outcomes[outcomes == "grey"].index[0]
    at = app("udvikling")
    at.radio(key="udv_scope").set_value("afdeling").run()
    at.selectbox(key="udv_dept").set_value(grey).run()
    assert not at.exception
    assert any("under diskretionsgrænsen; værdier vises ikke" in i.value for i in at.info)
    assert not [alt for alt in charts(at) if not alt.startswith("Farven")], "no trend chart for a grey department"
    assert not [df for df in at.dataframe if "Tal fra" in df.value.columns], "no table of trend values"
    assert grey not in all_text(at)  # not in the changes or early-warning tables either


def test_colour_history_is_filterable_by_organisation(app, latest):
    """The colour history shows only the chosen organisation's departments, coloured without values."""
    frame, _ = latest
    org = frame["organisation"].iloc[0]
    at = app("udvikling")
    at.toggle(key="udv_hist_changed").set_value(False).run()
    at.multiselect(key="udv_hist_org").set_value([org]).run()
    assert not at.exception
    history = next(c for alt, c in charts(at).items() if alt.startswith("Farven"))
    data = next(iter(history["data"].values()))
    assert set(data["organisation"]) == {org}
    assert data["Afdeling"].nunique() == int((frame["organisation"] == org).sum())
    assert set(data["Symbol"]) <= {"▲", "◆", "●", "○"}
    assert not {"value", "pct_outside_labour"} & set(data.columns)


def test_changes_since_previous_release_explain_why(app):
    """The changes table lists departments with Fra → Til and a Danish reason naming a criterion."""
    at = app("udvikling")
    table = next(df.value for df in at.dataframe if "Fra → Til" in df.value.columns)
    assert list(table.columns)[:3] == ["Afdeling", "Fra → Til", "Hvorfor"]
    assert len(table) >= 5  # the demo moves at least five departments a year
    assert table["Fra → Til"].str.contains("→").all()
    assert table["Hvorfor"].str.contains("opfyldt|liste|diskretion").all()


def test_first_release_has_nothing_to_compare_with(app):
    """Choosing the first release says there is no previous one instead of an empty table."""
    at = app("udvikling")
    at.sidebar.selectbox(key="udgivelse").set_value("2022-11").run()
    assert not at.exception
    assert any("første udgivelse" in i.value for i in at.info)


def test_early_warning_margin_slider_changes_the_list(app, latest):
    """A wider margin lists more criteria; no grey department ever appears in the list."""
    _, outcomes = latest
    grey = set(outcomes[outcomes == "grey"].index)
    at = app("udvikling")

    def warning_rows():
        table = next(df.value for df in at.dataframe if "Signal" in df.value.columns)
        assert not any(a.split(" ")[0] in grey for a in table["Afdeling"])
        return len(table)

    default = warning_rows()
    at.select_slider(key="udv_margin").set_value(0.5).run()
    narrow = warning_rows()
    at.select_slider(key="udv_margin").set_value(5.0).run()
    wide = warning_rows()
    assert narrow < default < wide


def test_selections_survive_a_page_switch(app):
    """Indicator and scope are kept when the user visits another page and comes back."""
    at = app("udvikling")
    at.selectbox(key="udv_indicator").set_value("income_pct_of_region").run()
    at.radio(key="udv_scope").set_value("organisation").run()
    at.switch_page("pages/oversigt.py").run()
    at.switch_page("pages/udvikling.py").run()
    assert not at.exception
    assert at.selectbox(key="udv_indicator").value == "income_pct_of_region"
    assert at.radio(key="udv_scope").value == "organisation"


def test_empty_database_explains_itself(empty_app):
    """With no releases the page shows the no-data notice instead of failing."""
    at = empty_app("udvikling")
    assert not at.exception
    assert any("ingen data" in i.value for i in at.info)
