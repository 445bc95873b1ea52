"""The interactive map's arithmetic: the opening view fits every department; tooltips carry no HTML."""

from __future__ import annotations

import math

import pytest

from tests.support.demo import demo_copy
from trappetrin.colours import classify_release
from trappetrin.store import open_store
from ui.mapview import FIT_HEIGHT_PX, FIT_WIDTH_PX, _mercator_y, decisive_text, fit_view, municipality_marks


def _project(view, lon: float, lat: float, width: float, height: float) -> tuple[float, float]:
    """deck.gl's Web Mercator: a position on screen in a map of ``width`` × ``height`` px."""
    scale = 2**view.zoom
    x = ((lon + 180) / 360 * 512 - (view.longitude + 180) / 360 * 512) * scale + width / 2
    y = (_mercator_y(lat) - _mercator_y(view.latitude)) * scale + height / 2
    return x, y


@pytest.mark.parametrize(
    "box",
    [(9.63, 10.31, 56.88, 57.16), (9.9, 9.95, 57.03, 57.06), (8.0, 15.0, 54.6, 57.7), (9.92, 9.92, 57.05, 57.05)],
)
def test_the_fitted_view_shows_the_whole_box_with_a_margin(box):
    lon0, lon1, lat0, lat1 = box
    view = fit_view(lon0, lon1, lat0, lat1)
    for width in (FIT_WIDTH_PX, 800):  # the narrowest map and a wider one
        for lon, lat in ((lon0, lat0), (lon1, lat1), (lon0, lat1), (lon1, lat0)):
            x, y = _project(view, lon, lat, width, FIT_HEIGHT_PX)
            assert 0.05 * FIT_WIDTH_PX <= x <= width - 0.05 * FIT_WIDTH_PX
            assert 0.05 * FIT_HEIGHT_PX <= y <= FIT_HEIGHT_PX * 0.95
    # Tight: the box fills at least most of one side of the narrowest map (unless capped at max zoom).
    x0, _ = _project(view, lon0, lat0, FIT_WIDTH_PX, FIT_HEIGHT_PX)
    x1, _ = _project(view, lon1, lat0, FIT_WIDTH_PX, FIT_HEIGHT_PX)
    _, y0 = _project(view, lon0, lat1, FIT_WIDTH_PX, FIT_HEIGHT_PX)
    _, y1 = _project(view, lon0, lat0, FIT_WIDTH_PX, FIT_HEIGHT_PX)
    assert view.zoom == pytest.approx(13.0, abs=1e-3) or max((x1 - x0) / FIT_WIDTH_PX, (y1 - y0) / FIT_HEIGHT_PX) > 0.8
    assert math.isfinite(view.zoom)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    store = open_store(demo_copy(tmp_path_factory.mktemp("mapview") / "demo.duckdb"))
    try:
        yield classify_release(store, store.release_labels()[-1], store.adopted_rule_set())
    finally:
        store.close()


def test_tooltip_texts_are_plain_text_with_danish_numbers(result):
    """No tags in the values (Streamlit escapes them, so "<br/>" showed literally): lines are "\\n"."""
    texts = decisive_text(result)
    assert not texts.str.contains(r"</?[a-zA-Z]").any()
    assert texts.str.contains("\n").any()  # several criteria: one a line
    met = texts[texts.str.contains(r"\d,\d")]
    assert len(met)  # decimal comma
    masked = result.result.masked
    assert (texts[masked] == "Under diskretionsgrænsen: ingen værdier vises").all()


def test_municipality_marks_count_departments_by_colour_only(result):
    frame = result.data.frame
    marks = municipality_marks(result)
    assert len(marks) == 1 and marks.iloc[0]["municipality"] == frame["municipality"].iloc[0]
    assert marks.iloc[0]["organisation"] == f"{len(frame)} afdelinger"
    assert marks.iloc[0]["icon"]["url"].startswith("data:image/svg+xml")
    fields = {"municipality", "name", "organisation", "colour_label", "why", "lon", "lat", "icon", "size"}
    assert set(marks.columns) == fields  # names and counts: no indicator value


def test_place_names_at_the_opening_view_cover_no_department_and_no_other_name(result):
    """At the fitted view: each drawn name's box (≈7.7 px a letter, above/below/beside its place)
    holds no department's centre and overlaps no other name; the rest wait for zooming in."""
    from trappetrin import geo
    from ui.mapview import LABEL_PX, map_points, place_labels, view_for

    points = map_points(result)
    view = view_for(points)
    shown, later = place_labels(points, geo.places(), view)
    assert len(shown) >= 5 and len(shown) + len(later) == len(geo.places())
    scale = 512 * 2**view.zoom

    def px(lon, lat):
        return (lon + 180) / 360 * scale, _mercator_y(lat) * 2**view.zoom

    centres = [px(lon, lat) for lon, lat in zip(points["lon"], points["lat"])]
    boxes = []
    for row in shown.itertuples():
        x, y = px(row.lon, row.lat)
        w, h = 0.55 * LABEL_PX * len(row.name), LABEL_PX
        ox, oy = row.offset
        left = x + ox - {"start": 0, "middle": w / 2, "end": w}[row.anchor]
        top = y + oy - {"top": 0, "center": h / 2, "bottom": h}[row.baseline]
        box = (left, top, left + w, top + h)
        assert not [c for c in centres if box[0] < c[0] < box[2] and box[1] < c[1] < box[3]], row.name
        assert not [b for b in boxes if not (box[2] <= b[0] or b[2] <= box[0] or box[3] <= b[1] or b[3] <= box[1])]
        boxes.append(box)
