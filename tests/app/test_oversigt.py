"""Oversigt page: map, counts per colour, red/yellow list, filters and empty states."""

from __future__ import annotations

import json

import pytest

from tests.htmltables import html_tables, integer


def test_overview_labels_demo_data_and_counts_every_department(app):
    """The first page says it shows demo data and counts all 271 departments across the colours."""
    at = app()
    assert not at.exception
    assert any("Demodata" in w.value for w in at.sidebar.warning)
    summary = html_tables(at)[0]
    assert integer(summary.loc["I alt", "Afdelinger"]) == 271


def test_red_and_yellow_list_names_every_red_and_yellow_department(app, latest):
    """The "samlet oversigt" beside the map lists exactly the red and yellow departments, red first."""
    frame, outcomes = latest
    at = app()
    ry = html_tables(at)[1]
    assert list(ry.columns) == ["Afdelings-id", "Afdeling", "Boligorganisation", "Farve", "Begrundelse"]
    wanted = outcomes[outcomes.isin(["red", "yellow"])]
    assert sorted(ry["Afdelings-id"]) == sorted(str(i) for i in wanted.index)
    assert dict(zip(ry["Afdelings-id"], ry["Afdeling"])) == {str(i): frame.loc[i, "name"] for i in wanted.index}
    colours = ry["Farve"].tolist()
    assert colours == sorted(colours, key=lambda c: "Rød" not in c)  # red before yellow
    assert set(colours) == {"▲\u00a0Rød", "◆\u00a0Gul"}  # a symbol, not colour alone
    assert any(f"{len(ry)} afdelinger" in c.value for c in at.caption)


def test_red_and_yellow_list_gives_the_exports_reasons(app, db):
    """The list's "Begrundelse" is the colour list's (CSV, XLSX, CLI) text, word for word, gates included."""
    from datetime import datetime

    from trappetrin.colours import classify_release, colour_list
    from trappetrin.store import open_store

    at = app()
    ry = html_tables(at)[1].set_index("Afdelings-id")["Begrundelse"]
    store = open_store(db)
    try:
        res = classify_release(store, store.latest_release(), store.adopted_rule_set())
        table = colour_list(res, generated_at=datetime(2026, 1, 1), is_demo=True).set_index("Afdelings-id")
    finally:
        store.close()
    assert ry.to_dict() == table.loc[ry.index, "Begrundelse"].to_dict()
    gated = [t for t in ry if t.startswith("Over 30 % ikke-vestlige")]
    assert gated, "the demo has departments yellow under the non-Western rule"
    assert all("Indvandrere og efterkommere fra ikke-vestlige lande (" in t and "kriteri" in t for t in gated)


def test_empty_database_explains_itself(empty_app):
    """With no releases imported the page says so and how to get data, instead of failing."""
    at = empty_app()
    assert not at.exception
    assert any("ingen data" in i.value for i in at.info)


def test_filter_that_hides_everything_explains_itself(app):
    """A colour filter with no matching departments gives an explanation, not an empty map."""
    at = app()
    # Red departments lie only in the listed demo areas (Aalborg Øst, Nørresundby), never in Nibe.
    at.multiselect(key="filter_hood").set_value(["Nibe"]).run()
    at.multiselect(key="filter_colour").set_value(["red"]).run()
    assert not at.exception
    assert any("Ingen afdelinger passer til de valgte filtre" in w.value for w in at.warning)
    assert not at.get("deck_gl_json_chart")


def test_the_filter_line_says_what_is_shown(app):
    """The filters sit in a popover; the line beside it names every active filter and the count shown."""
    at = app()
    line = lambda: next(m.value for m in at.markdown if "afdelinger vises" in m.value)  # noqa: E731
    assert line() == "Alle 271 afdelinger vises."
    assert at.get("popover")[0].proto.popover.label == "Filtre"
    at.multiselect(key="filter_hood").set_value(["Vejgaard"]).run()
    at.multiselect(key="filter_colour").set_value(["green", "yellow"]).run()
    summary = html_tables(at)[0]
    shown = integer(summary.loc["I alt", "Afdelinger"])
    assert 0 < shown < 271
    assert line() == (
        f"**{shown} af 271 afdelinger vises** · Bydel: Vejgaard · Farve: ● Grøn (Trin 1), ◆ Gul (Trin 2)"
    )  # names escaped for Markdown
    assert at.get("popover")[0].proto.popover.label == "Filtre (2)"


def test_map_carries_no_values_of_grey_departments(app):
    """Discretion: the map's data for a grey department holds no indicator value, only a notice."""
    at = app()
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    points = [d for layer in spec["layers"] if layer.get("id") == "departments" for d in layer["data"]]
    grey = [p for p in points if p["outcome"] == "grey"]
    assert grey, "the demo has departments under the discretion limit"
    for p in grey:
        assert p["why"] == "Under diskretionsgrænsen: ingen værdier vises"
        assert not any(ch.isdigit() for ch in p["why"])


def test_selections_survive_switching_pages(app):
    """A filter and the chosen release are still set after visiting another page and coming back."""
    at = app()
    at.selectbox(key="udgivelse").set_value("2024-11").run()
    at.multiselect(key="filter_hood").set_value(["Vejgaard"]).run()
    at.switch_page("pages/eksport.py").run()
    assert not at.exception
    at.switch_page("pages/oversigt.py").run()
    assert at.multiselect(key="filter_hood").value == ["Vejgaard"]
    assert at.selectbox(key="udgivelse").value == "2024-11"
    assert "udgivelse 2024-11" in at.caption[0].value


def test_release_picker_defaults_to_newest_and_changes_the_counts(app):
    """The release picker starts at the newest release; picking another recounts the colours."""
    at = app()
    assert at.selectbox(key="udgivelse").value == "2026-11"
    newest = html_tables(at)[0]
    at.selectbox(key="udgivelse").set_value("2022-11").run()
    older = html_tables(at)[0]
    assert integer(older.loc["I alt", "Afdelinger"]) == 271
    assert not newest.equals(older)


def test_the_basemap_switch_sits_in_its_own_popover_and_says_when_it_is_on(app, monkeypatch):
    """Off by default (works offline); switched on, the map asks Carto for its style and the
    button says "Baggrundskort: til", so the state shows without opening it. The offline layers
    stay (land faint over the tiles), so a basemap that fails to load leaves a readable map."""
    from ui import maplinks

    monkeypatch.setattr(maplinks, "carto_reachable", lambda: True)
    at = app()
    labels = lambda: [p.proto.popover.label for p in at.get("popover")]  # noqa: E731
    assert labels() == ["Filtre", "Baggrundskort"]
    at.toggle(key="basemap").set_value(True).run()
    assert labels() == ["Filtre", "Baggrundskort: til"]
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert "carto" in spec["mapStyle"] and spec["mapProvider"] == "carto"
    layers = {layer.get("id"): layer for layer in spec["layers"]}
    assert {"boundary", "parishes", "departments", "step-symbols", "places"} <= set(layers)
    assert layers["boundary"]["getFillColor"][3] < 100  # the tiles show through the land
    assert not [a for a in at.info if "kan ikke hentes" in a.value]


def test_without_internet_the_basemap_switch_says_so_in_danish(app, monkeypatch):
    """Carto cannot be reached: a Danish notice, and the offline map (land, names) as without a basemap."""
    from ui import maplinks

    monkeypatch.setattr(maplinks, "carto_reachable", lambda: False)
    at = app()
    offline = at.get("deck_gl_json_chart")[0].proto.json
    at.toggle(key="basemap").set_value(True).run()
    assert [a for a in at.info if "Baggrundskortet (Carto) kan ikke hentes" in a.value]
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert spec["mapStyle"].startswith("data:") and at.get("deck_gl_json_chart")[0].proto.json == offline


def test_map_spec_is_stable_and_compact(app):
    """Same view, same bytes (so Streamlit resends only a reference); text layers carry no tooltip data."""
    at = app()
    first = at.get("deck_gl_json_chart")[0].proto.json
    at.run()
    assert at.get("deck_gl_json_chart")[0].proto.json == first
    spec = json.loads(first)
    ids = [layer.get("id") for layer in spec["layers"]]
    assert ids == ["boundary", "parishes", "departments", "step-symbols", "places", "places-near"]
    symbols = next(layer for layer in spec["layers"] if layer["id"] == "step-symbols")
    assert set().union(*(d.keys() for d in symbols["data"])) == {"lon", "lat", "symbol", "radius"}
    places = next(layer for layer in spec["layers"] if layer["id"] == "places")
    assert set().union(*(d.keys() for d in places["data"])) == {"name", "lon", "lat", "anchor", "baseline", "offset"}
    assert spec["mapStyle"].startswith("data:")  # no basemap: nothing fetched from Carto
    assert "\n" not in first


def test_an_imported_boundary_is_drawn_on_the_offline_map(app, db, monkeypatch):
    """A municipality boundary imported as geometry (Data page / CLI) is a layer on the map."""
    import geopandas as gpd
    from shapely.geometry import box

    from trappetrin import geo, imports
    from trappetrin.auth import Actor
    from trappetrin.store import Store

    monkeypatch.delenv("TRAPPETRIN_BOUNDARY", raising=False)
    at = app()
    default = {layer.get("id"): layer for layer in _deck_layers(at)}["boundary"]["data"]
    assert default == json.loads(json.dumps(geo.default_boundary()))  # geo/kommune.geojson until one is imported
    frame = gpd.GeoDataFrame({"navn": ["Aalborg"]}, geometry=[box(9.8, 56.95, 10.1, 57.1)], crs="EPSG:4326")
    store = Store.open(db)
    try:
        plan = imports.plan_import(store, "geometri", frame.to_json().encode(), file_name="graense.geojson")
        imports.commit_import(store, plan, actor=Actor("Ida", "admin"))
    finally:
        store.close()
    from ui.loaders import get_store

    get_store.clear()  # the test wrote behind the app's back; the Data page clears its caches itself
    at = app()
    layers = {layer.get("id"): layer for layer in _deck_layers(at)}
    assert layers["boundary"]["@@type"] == "GeoJsonLayer"
    ring = layers["boundary"]["data"]["features"][0]["geometry"]["coordinates"][0]
    assert min(p[0] for p in ring) == pytest.approx(9.8) and max(p[1] for p in ring) == pytest.approx(57.1)


def _deck_layers(at) -> list[dict]:
    import json

    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"]


def test_imported_department_polygons_are_drawn_filled_by_step(app, db, latest):
    """Department polygons imported on the Data page: a footprints layer, each filled in its step's
    colour with the department's tooltip fields; the point stays (small) for the zoomed-out map."""
    import geopandas as gpd
    from shapely.geometry import box

    from trappetrin import imports
    from trappetrin.auth import Actor
    from trappetrin.store import Store

    frame, outcomes = latest
    ids = [outcomes[outcomes == c].index[0] for c in ("red", "green", "grey")]
    shapes = [
        box(
            frame.loc[i, "lon"] - 0.001,
            frame.loc[i, "lat"] - 0.0005,
            frame.loc[i, "lon"] + 0.001,
            frame.loc[i, "lat"] + 0.0005,
        )
        for i in ids
    ]
    polygons = gpd.GeoDataFrame({"afdelings-id": ids}, geometry=shapes, crs="EPSG:4326")
    store = Store.open(db)
    try:
        plan = imports.plan_import(store, "geometri", polygons.to_json().encode(), file_name="afdelinger.geojson")
        imports.commit_import(store, plan, actor=Actor("Ida", "admin"))
    finally:
        store.close()
    from ui.loaders import get_store

    get_store.clear()
    at = app()
    layers = {layer.get("id"): layer for layer in _deck_layers(at)}
    features = layers["footprints"]["data"]["features"]
    assert {f["properties"]["dept_id"] for f in features} == set(ids)
    codes = dict(zip(ids, ("red", "green", "grey")))
    assert {f["properties"]["dept_id"]: f["properties"]["outcome"] for f in features} == codes
    grey = next(f for f in features if f["properties"]["outcome"] == "grey")
    assert grey["properties"]["why"] == "Under diskretionsgrænsen: ingen værdier vises"  # discretion
    points = {d["dept_id"]: d for d in layers["departments"]["data"]}
    assert all(points[i]["radius"] == 12 for i in ids)  # a dot on the polygon
    red = next(f for f in features if f["properties"]["outcome"] == "red")
    assert red["properties"]["fill"][:3] == points[ids[0]]["color"] and red["properties"]["fill"][3] > 100


def test_the_filters_are_kept_in_the_link(app):
    """A chosen filter goes into the address line; a link with filters opens with them chosen."""
    at = app()
    at.multiselect(key="filter_hood").set_value(["Vejgaard", "Hasseris"]).run()
    assert at.query_params["bydel"] in (["Vejgaard|Hasseris"], "Vejgaard|Hasseris")
    at = app(params={"bydel": "Hals", "farve": "green|yellow"})
    assert at.multiselect(key="filter_hood").value == ["Hals"]
    assert at.multiselect(key="filter_colour").value == ["green", "yellow"]
    assert any("Bydel: Hals" in m.value for m in at.markdown)


def test_the_whole_municipality_button_gives_the_map_a_new_fitted_view(app):
    """'Hele kommunen' (in the filter row): the same fitted view, changed by a hair in every key, so
    the browser drops the user's pan and zoom (Streamlit applies only the keys that changed)."""
    at = app()
    before = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["initialViewState"]
    at.button(key="hele_kommunen").click().run()
    after = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["initialViewState"]
    for key in ("latitude", "longitude", "zoom"):
        assert after[key] != before[key] and after[key] == pytest.approx(before[key], abs=1e-5)
