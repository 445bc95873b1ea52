"""Opfølgning's map of used dwellings draws the land its departments lie in, never Aalborg's
under another municipality's departments (issue 15: the map's geography; issue 18: Opfølgning)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ui.followup_view import allocation_deck


def _points(municipalities: list[str | None]) -> pd.DataFrame:
    n = len(municipalities)
    return pd.DataFrame(
        {
            "dept_id": [f"d{i}" for i in range(n)],
            "name": [f"Afdeling {i}" for i in range(n)],
            "organisation": ["Boligselskab"] * n,
            "colour_label": ["Grøn"] * n,
            "used_text": ["2"] * n,
            "offered_text": ["3"] * n,
            "lon": [9.92 + 0.01 * i for i in range(n)],
            "lat": [57.04 + 0.01 * i for i in range(n)],
            "color": [[0, 128, 0]] * n,
            "radius": [140] * n,
            "municipality": municipalities,
        }
    )


def _layers(deck) -> list[str]:
    return [layer["id"] for layer in json.loads(deck.to_json())["layers"]]


@pytest.fixture(autouse=True)
def _no_boundary_override(monkeypatch):
    monkeypatch.delenv("TRAPPETRIN_BOUNDARY", raising=False)


def test_aalborg_departments_are_drawn_on_aalborgs_land():
    assert _layers(allocation_deck(_points(["Aalborg", "Aalborg"]), None)) == ["boundary", "allocated"]
    # A department without a municipality counts as Aalborg's (the Aalborg register has none).
    assert _layers(allocation_deck(_points([None]), None)) == ["boundary", "allocated"]


def test_another_municipality_or_several_get_no_aalborg_land():
    assert _layers(allocation_deck(_points(["Aarhus", "Aarhus"]), None)) == ["allocated"]
    assert _layers(allocation_deck(_points(["Aalborg", "Aarhus"]), None)) == ["allocated"]


def test_an_imported_boundary_is_drawn_for_the_one_municipality_in_view():
    square = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [[[10, 56], [10.2, 56], [10.2, 56.2], [10, 56.2], [10, 56]]]},
    }
    deck = json.loads(allocation_deck(_points(["Aarhus"]), square).to_json())
    boundary = next(layer for layer in deck["layers"] if layer["id"] == "boundary")
    assert boundary["data"] == square
