"""Deterministic generator of fictional but realistic-looking demo data for Aalborg Kommune."""

from __future__ import annotations

import dataclasses
import datetime
import statistics

import numpy as np
import pandas as pd

from .catalogue import agreement

# The 14 real parties to the agreement. The organisation numbers are invented; the third field is
# how many of the 271 demo departments each one owns (uneven, like the real portfolio sizes).
ORGANISATIONS: tuple[tuple[int, str, int], ...] = (
    (101, "Hasseris Boligselskab", 14),
    (104, "Vivabolig", 38),
    (107, "Nørresundby Boligselskab", 18),
    (112, "Boligselskabet Nordjylland", 30),
    (115, "DEAS", 8),
    (118, "Lejerbo", 12),
    (121, "Sundby-Hvorup Boligselskab", 14),
    (126, "Himmerland Boligforening", 55),
    (131, "Boligforeningen af 1944", 10),
    (134, "Boligforeningen Byggebo", 9),
    (139, "Plus Bolig", 8),
    (142, "DOMEA", 11),
    (147, "Alabu Bolig", 34),
    (153, "Boligforeningen Enggaarden", 10),
)

# Where each organisation mostly builds; other neighbourhoods stay possible, only less likely.
_ORG_HOME_NEIGHBOURHOODS: dict[int, tuple[str, ...]] = {
    101: ("Hasseris", "Aalborg C", "Skalborg", "Frejlev"),
    104: ("Aalborg C", "Aalborg Øst", "Vejgaard", "Gug"),
    107: ("Nørresundby", "Lindholm", "Nørre Uttrup", "Vodskov", "Vadum", "Vestbjerg", "Sulsted"),
    112: ("Aalborg Øst", "Vejgaard", "Aalborg C", "Gistrup", "Klarup", "Storvorde"),
    115: ("Aalborg C", "Skalborg"),
    118: ("Aalborg Øst", "Aalborg C", "Svenstrup"),
    121: ("Nørresundby", "Lindholm", "Vodskov", "Hals", "Nørre Uttrup"),
    126: (
        "Aalborg Øst",
        "Aalborg C",
        "Vejgaard",
        "Gug",
        "Skalborg",
        "Svenstrup",
        "Nibe",
        "Sønderholm",
        "Kongerslev",
        "Storvorde",
    ),
    131: ("Aalborg C", "Vejgaard", "Hasseris"),
    134: ("Aalborg C", "Nørresundby", "Sønder Tranders"),
    139: ("Aalborg C", "Hasseris", "Aalborg Øst"),
    142: ("Aalborg Øst", "Gug", "Skalborg"),
    147: ("Aalborg C", "Aalborg Øst", "Vejgaard", "Nibe", "Hals", "Klarup"),
    153: ("Aalborg Øst", "Vejgaard", "Gistrup"),
}


@dataclasses.dataclass(frozen=True)
class _Neighbourhood:
    """A real place with the sector around its centre where demo estates may stand."""

    name: str
    lat: float
    lon: float
    radius_m: float
    # Compass bearings (degrees clockwise from north); the sector keeps estates out of the water.
    bearing_from: float
    bearing_to: float
    n_departments: int
    town: bool
    pressure: float  # shifts the latent social pressure of the estates placed here


NEIGHBOURHOODS: tuple[_Neighbourhood, ...] = (
    _Neighbourhood("Aalborg C", 57.048, 9.9187, 1500, 105, 255, 43, False, 0.25),
    _Neighbourhood("Aalborg Øst", 57.03858, 10.00267, 1500, 0, 360, 50, False, 0.45),
    _Neighbourhood("Vejgaard", 57.03935, 9.95887, 1300, 20, 290, 28, False, 0.2),
    _Neighbourhood("Hasseris", 57.03948, 9.88625, 1400, 0, 360, 16, False, -0.5),
    _Neighbourhood("Nørresundby", 57.05877, 9.92284, 1500, -45, 90, 30, False, 0.2),
    _Neighbourhood("Lindholm", 57.0687, 9.89915, 1300, -60, 110, 8, False, 0.2),
    _Neighbourhood("Skalborg", 57.00163, 9.88786, 1400, 0, 360, 14, False, -0.1),
    _Neighbourhood("Gug", 57.00669, 9.927, 1300, 0, 360, 12, False, -0.2),
    _Neighbourhood("Nørre Uttrup", 57.07576, 9.95365, 1200, -60, 30, 6, False, -0.1),
    _Neighbourhood("Sønder Tranders", 57.01396, 9.9819, 1000, 0, 360, 5, False, -0.2),
    _Neighbourhood("Svenstrup", 56.9723, 9.84806, 1200, 0, 360, 8, True, -0.2),
    _Neighbourhood("Vodskov", 57.10854, 10.02215, 1000, 0, 360, 6, True, -0.3),
    _Neighbourhood("Gistrup", 56.9943, 9.99085, 1000, 0, 360, 5, True, -0.4),
    _Neighbourhood("Storvorde", 57.00392, 10.10125, 900, 0, 360, 4, True, -0.2),
    _Neighbourhood("Nibe", 56.9815, 9.63917, 1100, 40, 200, 7, True, -0.2),
    _Neighbourhood("Hals", 56.99609, 10.30807, 1100, -85, 15, 5, True, -0.1),
    _Neighbourhood("Klarup", 57.01194, 10.05617, 1000, 0, 360, 5, True, -0.4),
    _Neighbourhood("Vestbjerg", 57.13166, 9.95942, 900, 0, 360, 4, True, -0.4),
    _Neighbourhood("Sulsted", 57.16343, 9.95667, 800, 0, 360, 3, True, -0.3),
    _Neighbourhood("Frejlev", 57.00623, 9.81711, 900, 0, 360, 4, True, -0.4),
    _Neighbourhood("Vadum", 57.1179, 9.857, 900, 0, 360, 4, True, -0.3),
    _Neighbourhood("Sønderholm", 57.00308, 9.73543, 700, 0, 360, 2, True, -0.3),
    _Neighbourhood("Kongerslev", 56.88687, 10.11314, 800, 0, 360, 2, True, -0.2),
)

# Generic Danish estate words; none is the name of a well-known Aalborg estate.
ESTATE_WORDS: tuple[str, ...] = (
    "Egeparken",
    "Solhaven",
    "Birkelunden",
    "Bøgelunden",
    "Askelunden",
    "Elmegården",
    "Rønnehaven",
    "Kastanjegården",
    "Pilehaven",
    "Poppelhøj",
    "Hyldehaven",
    "Tjørnehaven",
    "Valnøddehaven",
    "Kirsebærhaven",
    "Æblehaven",
    "Pærelunden",
    "Blommehaven",
    "Rosenhaven",
    "Liljehaven",
    "Kløverhaven",
    "Engblommen",
    "Valmuehaven",
    "Lyngbakken",
    "Lyngparken",
    "Enghaven",
    "Engparken",
    "Markhaven",
    "Bakkely",
    "Højlund",
    "Højvang",
    "Skovhaven",
    "Skovly",
    "Søbredden",
    "Åhaven",
    "Ådalen",
    "Bækkelund",
    "Stjerneparken",
    "Solbakken",
    "Solsikkehaven",
    "Solgården",
    "Sollys",
    "Morgenrøden",
    "Aftenrøden",
    "Nordlyset",
    "Sydhaven",
    "Vesthaven",
    "Østerhaven",
    "Gårdhaven",
    "Torvehaven",
    "Fælleden",
    "Kærparken",
    "Mosehaven",
    "Vibehaven",
    "Lærkehaven",
    "Svalehaven",
    "Mågehaven",
    "Stærehaven",
    "Duehaven",
    "Spurvehaven",
    "Fasanhaven",
    "Granlunden",
    "Fyrrebakken",
    "Lindelyst",
    "Ahornhaven",
    "Hasselbakken",
    "Bregnehaven",
    "Hvedemarken",
    "Byghaven",
    "Havrelunden",
    "Rugmarken",
)


@dataclasses.dataclass(frozen=True)
class _Area:
    """A demo area: its members are the departments of one neighbourhood nearest an anchor."""

    area_id: str
    name: str
    kind: str
    neighbourhoods: tuple[str, ...]
    anchor_bearing: float
    anchor_distance_m: float
    n_departments: int
    includes: str | None = None  # a local grouping built around a ministry area


AREAS: tuple[_Area, ...] = (
    _Area("demo-aalborg-oest", "Demo-område Aalborg Øst", "ministeriel", ("Aalborg Øst",), 135, 700, 10),
    _Area("demo-noerresundby", "Demo-område Nørresundby", "ministeriel", ("Nørresundby",), 20, 700, 8),
    _Area("demo-vejgaard", "Demo-område Vejgaard", "ministeriel", ("Vejgaard",), 120, 600, 5),
    _Area("demo-aalborg-c", "Demo-område Aalborg C", "ministeriel", ("Aalborg C",), 200, 800, 7),
    _Area("aalborg-soe", "Aalborg SØ", "lokal", ("Aalborg Øst",), 135, 700, 14, includes="demo-aalborg-oest"),
    _Area("aalborg-syd", "Aalborg Syd", "lokal", ("Skalborg", "Gug"), 0, 0, 7),
)

# (list_year, area_id, status): Aalborg Øst leaves the forebyggelse list in 2024, Nørresundby
# enters it the same year, Vejgaard is listed once and Aalborg C stays listed throughout.
LIST_STATUS: tuple[tuple[int, str, str], ...] = (
    (2021, "demo-aalborg-oest", "forebyggelse"),
    (2022, "demo-aalborg-oest", "forebyggelse"),
    (2023, "demo-aalborg-oest", "forebyggelse"),
    (2024, "demo-noerresundby", "forebyggelse"),
    (2025, "demo-noerresundby", "forebyggelse"),
    (2022, "demo-vejgaard", "forebyggelse"),
    *((year, "demo-aalborg-c", "forebyggelse") for year in range(2021, 2026)),
)

INDICATORS: tuple[str, ...] = (
    "residents",
    "residents_18_64",
    "residents_30_59",
    "residents_18_plus",
    "taxpayers_15_64",
    "pct_outside_labour",
    "pct_convicted",
    "pct_basic_education",
    "income_pct_of_region",
    "pct_nonwestern",
    "move_out_rate",
    "eviction_cases",
)

# Area-level trajectories (weighted area means) of the list criteria, at the November release of
# 2022..2026. They keep each ministry area's list history consistent with its own data: listed
# years meet the forebyggelse rule (gate and 2 of 4), unlisted years do not.
_AREA_TARGETS: dict[str, dict[str, tuple[float, ...]]] = {
    "demo-aalborg-oest": {
        "pct_outside_labour": (35.0, 32.5, 28.5, 27.0, 26.0),
        "pct_convicted": (1.9, 1.75, 1.3, 1.25, 1.2),
        "pct_basic_education": (48.0, 47.0, 45.0, 44.0, 43.0),
        "income_pct_of_region": (66.5, 67.0, 68.5, 69.0, 70.0),
        "pct_nonwestern": (42.0, 41.0, 40.0, 40.0, 39.0),
    },
    "demo-noerresundby": {
        "pct_outside_labour": (26.5, 28.0, 32.5, 34.0, 35.0),
        "pct_convicted": (1.15, 1.3, 1.8, 1.9, 2.0),
        "pct_basic_education": (44.0, 46.0, 50.0, 52.0, 53.0),
        "income_pct_of_region": (69.5, 68.5, 66.5, 66.0, 66.0),
        "pct_nonwestern": (33.0, 34.0, 36.0, 37.0, 38.0),
    },
    "demo-vejgaard": {
        "pct_outside_labour": (32.0, 28.0, 27.0, 26.0, 25.5),
        "pct_convicted": (1.75, 1.3, 1.25, 1.2, 1.2),
        "pct_basic_education": (46.0, 44.0, 43.0, 43.0, 42.0),
        "income_pct_of_region": (67.0, 69.0, 70.0, 70.0, 70.5),
        "pct_nonwestern": (36.0, 35.0, 34.0, 34.0, 34.0),
    },
    "demo-aalborg-c": {
        "pct_outside_labour": (33.5, 34.0, 34.0, 33.5, 33.0),
        "pct_convicted": (1.85, 1.9, 1.8, 1.85, 1.8),
        "pct_basic_education": (50.0, 50.0, 51.0, 50.0, 49.0),
        "income_pct_of_region": (66.5, 66.0, 66.0, 66.5, 66.5),
        "pct_nonwestern": (38.0, 39.0, 39.0, 40.0, 40.0),
    },
}

# Denominator of each share, used to weight the area means above.
_WEIGHT_OF = {
    "pct_outside_labour": "residents_18_64",
    "pct_convicted": "residents_18_plus",
    "pct_basic_education": "residents_30_59",
    "income_pct_of_region": "taxpayers_15_64",
    "pct_nonwestern": "residents",
}

# Indicator = intercept + slope * (level + follows * drift) + spread * (fixed department trait)
# + release noise. Education and the non-Western share follow the drifting pressure only weakly:
# who lives in a department changes slowly. Tuned so the default rule set colours about 14 % of
# the departments outside ministry areas yellow.
_SHARE_MODEL: dict[str, tuple[float, float, float, float, float]] = {
    # name: (intercept, slope, follows, spread, noise)
    "pct_outside_labour": (24.5, 5.0, 1.0, 2.5, 0.7),
    "pct_convicted": (np.log(1.08), 0.28, 1.0, 0.22, 0.08),  # log scale
    "pct_basic_education": (38.0, 6.0, 0.5, 4.0, 0.8),
    "income_pct_of_region": (77.0, -5.0, 1.0, 3.0, 0.6),
    "pct_nonwestern": (21.0, 8.0, 0.3, 7.0, 0.7),
    "move_out_rate": (12.5, 1.8, 1.0, 2.0, 0.8),
}

# Seed figures (agreement, 11 March 2022), read from data/reference.toml: one source of truth.
_AGREEMENT = agreement()
FAMILY_DWELLINGS = int(_AGREEMENT["family_dwellings"])
DWELLINGS_LE_3500 = int(_AGREEMENT["dwellings_le_3500"])  # includes every BAB dwelling
DWELLINGS_3500_5000 = int(_AGREEMENT["dwellings_3500_5000"])
# How the BAB dwellings are split over their departments is a demo choice; the total is not.
BAB_DWELLINGS = (48, 60, 66, 80, 98)
assert sum(BAB_DWELLINGS) == _AGREEMENT["bab_dwellings"] and len(BAB_DWELLINGS) == _AGREEMENT["bab_departments"]
N_GREY = 13

_FIRST_RELEASE = datetime.date(2022, 11, 15)
_METRES_PER_DEGREE = 111_320.0
_NORMAL = statistics.NormalDist()


@dataclasses.dataclass(frozen=True, eq=False)
class DemoData:
    """All demo tables; see :func:`build_demo` for their columns."""

    organisations: pd.DataFrame
    departments: pd.DataFrame
    areas: pd.DataFrame
    department_areas: pd.DataFrame
    area_list_status: pd.DataFrame
    releases: pd.DataFrame
    values: pd.DataFrame


def build_demo(seed: int = 851) -> DemoData:
    """Build the fictional demo data set for Aalborg Kommune.

    Organisation names are the 14 real parties to the joint letting agreement and neighbourhoods
    are real places; departments, areas, list histories and indicator values are invented. Totals
    match the agreement's seed figures (271 departments, 22,972 family dwellings, 352 BAB dwellings
    in 5 departments, 1,849 dwellings at or below 3,500 kr and 6,149 at 3,500-5,000 kr).

    Parameters
    ----------
    seed : int, default 851
        Seed of the random generator. The same seed always gives identical tables.

    Returns
    -------
    DemoData
        ``organisations`` (org_no, name); ``departments`` (dept_id, org_no, dept_no, name,
        neighbourhood, lat, lon, family_dwellings, bab_dwellings, dwellings_le_3500,
        dwellings_3500_5000, dwellings_gt_5000, year_built, mean_m2, rent_per_m2,
        pct_family_dwellings, location_type); ``areas`` (area_id, name, kind);
        ``department_areas`` (dept_id, area_id); ``area_list_status`` (list_year, area_id,
        status); ``releases`` (label, source, reference_date, list_year); ``values`` in long form
        (release, dept_id, indicator, value) for every department and indicator of each
        Tvillingeværktøj and Beboerdata release.

    Examples
    --------
    >>> demo = build_demo()
    >>> int(demo.departments["family_dwellings"].sum())
    22972
    """
    rng = np.random.default_rng(seed)
    hoods = _neighbourhood_slots()
    org_no, dept_no = _assign_organisations(rng, hoods)
    lat, lon = _place(rng, hoods)
    memberships = _area_members(hoods, lat, lon)
    in_ministry_area = np.full(len(hoods), "", dtype=object)
    for area in AREAS:
        if area.kind == "ministeriel":
            in_ministry_area[memberships[area.area_id]] = area.area_id
    is_area = in_ministry_area != ""
    in_any_area = np.zeros(len(hoods), dtype=bool)
    for members in memberships.values():
        in_any_area[members] = True

    is_grey, bab = _pick_grey_and_bab(rng, hoods, in_any_area)
    family = _family_dwellings(rng, is_area, is_grey, bab)
    year_built = _year_built(rng, hoods, family, is_area, is_grey)
    le_3500, mid_band = _rent_bands(family, bab, year_built, is_area)

    names = np.array([f"Demo-afd. {n} {w}" for n, w in zip(dept_no, _estate_words(rng, org_no))])
    dept_id = np.array([f"{o:03d}-{d:03d}" for o, d in zip(org_no, dept_no)])
    departments = pd.DataFrame(
        {
            "dept_id": dept_id,
            "org_no": org_no.astype("int64"),
            "dept_no": dept_no.astype("int64"),
            "name": names,
            "neighbourhood": hoods,
            "lat": np.round(lat, 6),
            "lon": np.round(lon, 6),
            "family_dwellings": family,
            "bab_dwellings": bab,
            "dwellings_le_3500": le_3500,
            "dwellings_3500_5000": mid_band,
            "dwellings_gt_5000": family + bab - le_3500 - mid_band,
            "year_built": year_built,
        }
    )
    # Master data for twin search from a generator of its own, so adding them left every other
    # demo value as it was.
    master = _master_data(np.random.default_rng([seed, 17]), hoods, departments, is_grey)
    departments = pd.concat([departments, master], axis=1)
    order = np.argsort(dept_id, kind="stable")
    departments = departments.iloc[order].reset_index(drop=True)

    releases = _releases()
    values = _values(rng, releases, departments, in_ministry_area[order], is_grey[order])

    organisations = pd.DataFrame(
        {"org_no": [o for o, _, _ in ORGANISATIONS], "name": [n for _, n, _ in ORGANISATIONS]}
    ).astype({"org_no": "int64"})
    areas = pd.DataFrame(
        {
            "area_id": [a.area_id for a in AREAS],
            "name": [a.name for a in AREAS],
            "kind": [a.kind for a in AREAS],
        }
    )
    department_areas = (
        pd.DataFrame(
            [(dept_id[i], a.area_id) for a in AREAS for i in memberships[a.area_id]],
            columns=["dept_id", "area_id"],
        )
        .sort_values(["dept_id", "area_id"])
        .reset_index(drop=True)
    )
    area_list_status = (
        pd.DataFrame(LIST_STATUS, columns=["list_year", "area_id", "status"])
        .astype({"list_year": "int64"})
        .sort_values(["list_year", "area_id"])
        .reset_index(drop=True)
    )
    return DemoData(
        organisations=organisations,
        departments=departments,
        areas=areas,
        department_areas=department_areas,
        area_list_status=area_list_status,
        releases=releases,
        values=values,
    )


def _neighbourhood_slots() -> np.ndarray:
    """Neighbourhood of each department slot; the counts per neighbourhood are fixed."""
    return np.array([h.name for h in NEIGHBOURHOODS for _ in range(h.n_departments)], dtype=object)


def _assign_organisations(rng: np.random.Generator, hoods: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Organisation and department number of each slot, favouring each organisation's home turf."""
    org_no = np.zeros(len(hoods), dtype=np.int64)
    free = np.ones(len(hoods), dtype=bool)
    home_slots = {number: int(np.isin(hoods, _ORG_HOME_NEIGHBOURHOODS[number]).sum()) for number, _, _ in ORGANISATIONS}
    # Organisations with a narrow home turf choose first so their home slots are still free.
    by_turf = sorted(ORGANISATIONS, key=lambda org: home_slots[org[0]] / org[2])
    for number, _, count in by_turf:
        slots = np.flatnonzero(free)
        weight = np.where(np.isin(hoods[slots], _ORG_HOME_NEIGHBOURHOODS[number]), 8.0, 1.0)
        chosen = rng.choice(slots, size=count, replace=False, p=weight / weight.sum())
        org_no[chosen] = number
        free[chosen] = False
    dept_no = np.zeros(len(hoods), dtype=np.int64)
    for number, _, count in ORGANISATIONS:
        slots = np.flatnonzero(org_no == number)
        numbers = np.sort(rng.choice(np.arange(1, 2 * count + 6), size=count, replace=False))
        dept_no[rng.permutation(slots)] = numbers
    return org_no, dept_no


def _offset(lat: float, lon: float, distance_m: np.ndarray, bearing_deg: np.ndarray):
    """Point at a distance and bearing from (lat, lon), on a local flat approximation."""
    b = np.radians(bearing_deg)
    north = distance_m * np.cos(b)
    east = distance_m * np.sin(b)
    metres_per_degree_lon = _METRES_PER_DEGREE * np.cos(np.radians(lat))
    return lat + north / _METRES_PER_DEGREE, lon + east / metres_per_degree_lon


def _metres(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Approximate distance in metres (equirectangular; fine at a few kilometres)."""
    mean_lat = np.radians((np.asarray(lat1) + np.asarray(lat2)) / 2)
    dy = (np.asarray(lat2) - lat1) * _METRES_PER_DEGREE
    dx = (np.asarray(lon2) - lon1) * _METRES_PER_DEGREE * np.cos(mean_lat)
    return np.hypot(dx, dy)


def _place(rng: np.random.Generator, hoods: np.ndarray, spacing_m: float = 80.0):
    """Scatter estates inside each neighbourhood's land sector, keeping them apart."""
    by_name = {h.name: h for h in NEIGHBOURHOODS}
    lat = np.full(len(hoods), np.nan)
    lon = np.full(len(hoods), np.nan)
    for i, name in enumerate(hoods):
        h = by_name[name]
        # Candidates in batches; the first one clear of all placed estates wins.
        for _ in range(100):
            distance = np.sqrt(rng.uniform(150.0**2, h.radius_m**2, 32))
            bearing = rng.uniform(h.bearing_from, h.bearing_to, 32)
            c_lat, c_lon = _offset(h.lat, h.lon, distance, bearing)
            placed = np.flatnonzero(~np.isnan(lat))
            if placed.size == 0:
                lat[i], lon[i] = c_lat[0], c_lon[0]
                break
            gaps = _metres(c_lat[:, None], c_lon[:, None], lat[placed], lon[placed])
            clear = np.flatnonzero(gaps.min(axis=1) >= spacing_m)
            if clear.size:
                lat[i], lon[i] = c_lat[clear[0]], c_lon[clear[0]]
                break
        else:  # pragma: no cover - the sectors are far larger than the estates need
            raise RuntimeError(f"no room for another demo estate in {name}")
    return lat, lon


def _area_members(hoods: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> dict[str, np.ndarray]:
    """Members of each area: the departments of its neighbourhoods nearest its anchor point."""
    by_name = {h.name: h for h in NEIGHBOURHOODS}
    members: dict[str, np.ndarray] = {}
    taken = np.zeros(len(hoods), dtype=bool)  # a department joins at most one ministry area
    for area in AREAS:
        centres = [by_name[n] for n in area.neighbourhoods]
        c_lat = np.mean([c.lat for c in centres])
        c_lon = np.mean([c.lon for c in centres])
        a_lat, a_lon = _offset(c_lat, c_lon, area.anchor_distance_m, area.anchor_bearing)
        candidates = np.flatnonzero(np.isin(hoods, area.neighbourhoods))
        if area.kind == "ministeriel":
            candidates = candidates[~taken[candidates]]
        distance = _metres(a_lat, a_lon, lat[candidates], lon[candidates])
        nearest = candidates[np.argsort(distance, kind="stable")]
        if area.includes is not None:
            core = members[area.includes]
            rest = nearest[~np.isin(nearest, core)][: area.n_departments - core.size]
            chosen = np.concatenate([core, rest])
        else:
            chosen = nearest[: area.n_departments]
        if area.kind == "ministeriel":
            taken[chosen] = True
        members[area.area_id] = np.sort(chosen)
    return members


def _pick_grey_and_bab(
    rng: np.random.Generator, hoods: np.ndarray, in_any_area: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Tiny departments (too few residents to monitor) and the 5 departments with BAB dwellings."""
    town = np.isin(hoods, [h.name for h in NEIGHBOURHOODS if h.town])
    free = np.flatnonzero(~in_any_area)
    weight = np.where(town[free], 3.0, 1.0)
    grey_slots = rng.choice(free, size=N_GREY, replace=False, p=weight / weight.sum())
    is_grey = np.zeros(len(hoods), dtype=bool)
    is_grey[grey_slots] = True
    city_free = np.flatnonzero(~in_any_area & ~is_grey & ~town)
    bab_slots = rng.choice(city_free, size=len(BAB_DWELLINGS), replace=False)
    bab = np.zeros(len(hoods), dtype=np.int64)
    bab[bab_slots] = rng.permutation(np.array(BAB_DWELLINGS))
    return is_grey, bab


def _family_dwellings(
    rng: np.random.Generator, is_area: np.ndarray, is_grey: np.ndarray, bab: np.ndarray
) -> np.ndarray:
    """Family dwellings per department: skewed sizes adding up to the agreement's 22,972."""
    n = len(is_area)
    size = np.exp(rng.normal(np.log(57.0), 0.8, n))
    size[is_area] = np.exp(rng.normal(np.log(160.0), 0.45, is_area.sum()))
    size = np.where(is_area, np.clip(size, 110, 480), np.clip(size, 26, 480))
    size[bab > 0] = np.maximum(size[bab > 0], 60)
    size[is_grey] = rng.integers(8, 15, is_grey.sum())
    size = np.round(size).astype(np.int64)
    general = np.flatnonzero(~is_area & ~is_grey)
    # One flagship estate of about 600 dwellings, as the largest real ones have.
    flagship = general[np.argmax(size[general])]
    size[flagship] = rng.integers(560, 601)
    scalable = general[general != flagship]
    rest = FAMILY_DWELLINGS - size[~np.isin(np.arange(n), scalable)].sum()
    scaled = np.round(size[scalable] * rest / size[scalable].sum())
    scaled = np.clip(scaled, 26, 520).astype(np.int64)
    # Spread the rounding residue one dwelling at a time over the largest estates.
    residue = int(rest - scaled.sum())
    largest = np.argsort(-scaled, kind="stable")
    scaled[largest[: abs(residue)]] += np.sign(residue)
    size[scalable] = scaled
    return size


def _year_built(
    rng: np.random.Generator,
    hoods: np.ndarray,
    family: np.ndarray,
    is_area: np.ndarray,
    is_grey: np.ndarray,
) -> np.ndarray:
    """Construction year; large estates lean to the 1960s-70s building boom, towns built later."""
    town = np.isin(hoods, [h.name for h in NEIGHBOURHOODS if h.town])
    log_size = np.log(family)
    z = (log_size - log_size.mean()) / log_size.std()
    latent = -0.55 * z + 0.835 * rng.normal(size=len(family))
    year = 1973 + 13 * latent + np.where(town, 9, 0)
    year = np.where(is_area, rng.integers(1962, 1978, len(family)), year)
    year = np.where(is_grey, rng.integers(1978, 2016, len(family)), year)
    return np.clip(np.round(year), 1938, 2021).astype(np.int64)


def _allocate(total: int, weight: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Split ``total`` in proportion to ``weight`` without exceeding ``capacity`` (integers)."""
    share = np.zeros(len(weight))
    open_ = capacity > 0
    remaining = float(total)
    for _ in range(len(weight)):
        w = np.where(open_, weight, 0.0)
        share = np.where(open_, remaining * w / w.sum(), share)
        over = open_ & (share > capacity)
        if not over.any():
            break
        share[over] = capacity[over]
        open_ &= ~over
        remaining = total - share[~open_].sum()
    result = np.floor(share).astype(np.int64)
    room = capacity - result
    frac = np.where(room > 0, share - result, -1.0)
    for i in np.argsort(-frac, kind="stable")[: total - result.sum()]:
        result[i] += 1
    return result


def _rent_bands(
    family: np.ndarray, bab: np.ndarray, year_built: np.ndarray, is_area: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Dwellings at or below 3,500 kr and at 3,500-5,000 kr; cheap rents sit in old, big estates."""
    boom = (year_built >= 1950) & (year_built <= 1980)
    age_weight = np.where(boom, 1.0, np.where(year_built < 1950, 0.3, 0.04))
    size_weight = np.sqrt(family / 60.0) * np.where(is_area, 1.5, 1.0)
    cheap_family = _allocate(
        DWELLINGS_LE_3500 - int(bab.sum()),
        family * age_weight * size_weight,
        np.floor(0.4 * family).astype(np.int64),
    )
    mid_weight = np.where(year_built <= 1980, 1.0, np.where(year_built <= 2000, 0.45, 0.12))
    mid = _allocate(
        DWELLINGS_3500_5000,
        (family - cheap_family) * mid_weight * np.sqrt(size_weight),
        np.floor(0.8 * (family - cheap_family)).astype(np.int64),
    )
    return cheap_family + bab, mid


#: Location type of each neighbourhood: the city centre, its suburbs, and the towns outside.
_CENTRAL = ("Aalborg C", "Vejgaard", "Nørresundby")
#: Typical monthly rent (kr.) of a dwelling in each rent band, for the rent per m² of the demo.
_BAND_RENT = (3_100.0, 4_300.0, 6_400.0)
#: Departments whose new master data are left blank, to show what "no twins" looks like.
N_WITHOUT_MASTER_DATA = 3


def _master_data(
    rng: np.random.Generator, hoods: np.ndarray, departments: pd.DataFrame, is_grey: np.ndarray
) -> pd.DataFrame:
    """Mean m², rent per m² (kr. a year), share of family dwellings and location type per department.

    Consistent with the register: newer estates have larger dwellings and higher rents per m²,
    and the rent per m² follows the department's rent bands (a department of cheap dwellings has a
    low rent per m²). Most departments hold only family dwellings; some also elderly or youth
    dwellings. A few (``N_WITHOUT_MASTER_DATA``) lack the new figures, as a real register would.
    """
    n = len(departments)
    town = np.isin(hoods, [h.name for h in NEIGHBOURHOODS if h.town])
    location = np.where(town, "land", np.where(np.isin(hoods, _CENTRAL), "by", "forstad")).astype(object)
    year = departments["year_built"].to_numpy(dtype=float)
    base_m2 = np.interp(year, [1930, 1955, 1970, 1990, 2010, 2025], [62, 70, 80, 84, 88, 86])
    mean_m2 = base_m2 + np.where(location == "land", 6.0, np.where(location == "by", -4.0, 0.0))
    mean_m2 = np.round(np.clip(mean_m2 + rng.normal(0, 6, n), 45, 125), 1)
    bands = departments[["dwellings_le_3500", "dwellings_3500_5000", "dwellings_gt_5000"]].to_numpy(dtype=float)
    monthly = bands @ np.array(_BAND_RENT) / np.maximum(bands.sum(axis=1), 1)
    rent = monthly * 12 / mean_m2 * np.exp(rng.normal(0, 0.06, n))
    rent_per_m2 = np.round(np.clip(rent, 450, 1_600))
    mixed = rng.uniform(0, 1, n) < 0.3
    pct_family = np.where(mixed & ~is_grey, np.round(rng.uniform(70, 98, n), 1), 100.0)
    blank = rng.choice(np.flatnonzero(~is_grey), size=N_WITHOUT_MASTER_DATA, replace=False)
    mean_m2[blank] = np.nan
    rent_per_m2[blank] = np.nan
    return pd.DataFrame(
        {
            "mean_m2": mean_m2,
            "rent_per_m2": rent_per_m2,
            "pct_family_dwellings": pct_family,
            "location_type": location,
        },
        index=departments.index,
    )


def _estate_words(rng: np.random.Generator, org_no: np.ndarray) -> np.ndarray:
    """An invented estate word per department, unique within its organisation."""
    words = np.empty(len(org_no), dtype=object)
    for number, _, count in ORGANISATIONS:
        slots = np.flatnonzero(org_no == number)
        words[slots] = rng.choice(np.array(ESTATE_WORDS, dtype=object), size=count, replace=False)
    return words


def _releases() -> pd.DataFrame:
    """The three releases a year, November 2022 to November 2026."""
    rows = []
    for year in range(2022, 2027):
        if year > 2022:
            rows.append((f"{year}-02", "Beboerdata", datetime.date(year, 2, 15), None))
        rows.append((f"{year}-11", "Tvillingeværktøj", datetime.date(year, 11, 15), None))
        if year < 2026:
            rows.append((f"{year}-12", "Ministerliste", datetime.date(year, 12, 1), year))
    frame = pd.DataFrame(rows, columns=["label", "source", "reference_date", "list_year"])
    frame["list_year"] = frame["list_year"].astype("Int64")
    return frame.sort_values("reference_date", kind="stable").reset_index(drop=True)


def _standard_normal(rng: np.random.Generator, n: int) -> np.ndarray:
    """Evenly spaced standard normal quantiles in random order.

    Stratified rather than drawn, so the colour mix hardly depends on the seed.
    """
    quantiles = np.array([_NORMAL.inv_cdf((k + 0.5) / n) for k in range(n)])
    return rng.permutation(quantiles)


def _values(
    rng: np.random.Generator,
    releases: pd.DataFrame,
    departments: pd.DataFrame,
    ministry_area: np.ndarray,
    is_grey: np.ndarray,
) -> pd.DataFrame:
    """Indicator values per release, driven by a latent pressure that drifts between releases."""
    carrying = releases[releases["source"].isin(["Tvillingeværktøj", "Beboerdata"])]
    t = np.array([(d - _FIRST_RELEASE).days / 365.25 for d in carrying["reference_date"]])
    n, r = len(departments), len(t)
    dwellings = (departments["family_dwellings"] + departments["bab_dwellings"]).to_numpy()
    is_area = ministry_area != ""
    hood_pressure = {h.name: h.pressure for h in NEIGHBOURHOODS}

    # Latent pressure: a fixed level per department plus an Ornstein-Uhlenbeck drift (1.5-year
    # memory), so values move smoothly yet some departments cross thresholds both ways every year.
    level = departments["neighbourhood"].map(hood_pressure).to_numpy()
    level = level + 0.7 * _standard_normal(rng, n)
    level = np.where(is_area, 2.0, level)
    tau, sigma = 1.5, 0.75
    drift = np.zeros((n, r))
    drift[:, 0] = rng.normal(0.0, sigma, n)
    for k in range(1, r):
        keep = np.exp(-(t[k] - t[k - 1]) / tau)
        drift[:, k] = drift[:, k - 1] * keep + rng.normal(0.0, sigma * np.sqrt(1 - keep**2), n)
    # Individual departments drift, the municipality as a whole does not.
    drift = sigma * (drift - drift.mean(axis=0)) / drift.std(axis=0)
    p = level[:, None] + drift

    def noisy(scale: float) -> np.ndarray:
        # Noise of a 2-year average: small next to the spread between departments.
        return rng.normal(0.0, scale, (n, r))

    fixed = np.stack([_standard_normal(rng, n) for _ in _SHARE_MODEL])[:, :, None]
    share = {
        name: intercept + slope * (level[:, None] + follows * drift) + spread * fixed[k] + noisy(noise)
        for k, (name, (intercept, slope, follows, spread, noise)) in enumerate(_SHARE_MODEL.items())
    }
    # Convictions are few per department, so their share is skewed: model it on a log scale.
    share["pct_convicted"] = np.exp(share["pct_convicted"])

    # Head counts: residents per dwelling stay within 1.6-2.3; age shares shift with pressure.
    ratio = np.clip(rng.uniform(1.65, 2.25, n)[:, None] + 0.04 * drift, 1.6, 2.3)
    ratio = np.where(is_area[:, None], np.clip(ratio + 0.15, 2.0, 2.3), ratio)
    residents = np.clip(
        np.round(dwellings[:, None] * ratio), np.ceil(1.6 * dwellings)[:, None], np.floor(2.3 * dwellings)[:, None]
    )
    adult_share = np.clip(0.8 - 0.03 * p + rng.normal(0, 0.02, n)[:, None], 0.68, 0.9)
    adults = np.round(residents * adult_share)
    working_share = np.clip(rng.normal(0.86, 0.04, n)[:, None] + noisy(0.005), 0.78, 0.93)
    working = np.round(adults * working_share)
    grey_cap = 19 - np.arange(n) % 4  # tiny departments stay below the monitoring limit of 20
    working = np.where(is_grey[:, None], np.minimum(working, grey_cap[:, None]), working)
    middle = np.round(working * np.clip(rng.normal(0.56, 0.04, n)[:, None], 0.45, 0.65))
    counts = {
        "residents": residents,
        "residents_18_64": working,
        "residents_30_59": middle,
        "residents_18_plus": adults,
        "taxpayers_15_64": np.round(working * 1.02),
        "eviction_cases": rng.poisson(dwellings[:, None] * 0.006 * np.exp(0.4 * np.clip(p, -2, 3))),
    }

    _steer_areas(share, counts, ministry_area, t)

    for name, value in share.items():
        low = 0.1 if name == "pct_convicted" else 0.0
        high = 150.0 if name == "income_pct_of_region" else 100.0
        share[name] = np.round(np.clip(value, low, high), 1)
    data = {**counts, **share}
    stacked = np.stack([data[name] for name in INDICATORS], axis=2).astype(float)  # (n, r, k)
    labels = carrying["label"].to_numpy()
    return pd.DataFrame(
        {
            "release": np.repeat(labels, n * len(INDICATORS)),
            "dept_id": np.tile(np.repeat(departments["dept_id"].to_numpy(), len(INDICATORS)), r),
            "indicator": np.tile(np.array(INDICATORS), n * r),
            "value": stacked.transpose(1, 0, 2).reshape(-1),
        }
    )


def _steer_areas(
    share: dict[str, np.ndarray],
    counts: dict[str, np.ndarray],
    ministry_area: np.ndarray,
    t: np.ndarray,
) -> None:
    """Shift each ministry area's departments so the area means follow ``_AREA_TARGETS``."""
    years = np.arange(5.0)
    for area_id, targets in _AREA_TARGETS.items():
        rows = np.flatnonzero(ministry_area == area_id)
        for name, anchors in targets.items():
            target = np.interp(t, years, anchors)
            weight = counts[_WEIGHT_OF[name]][rows]
            # Clipping can pull the mean off target, so correct a few times.
            for _ in range(3):
                mean = (share[name][rows] * weight).sum(axis=0) / weight.sum(axis=0)
                if name == "pct_convicted":
                    share[name][rows] *= target / mean
                else:
                    share[name][rows] = np.clip(share[name][rows] + (target - mean), 0.0, 100.0)
