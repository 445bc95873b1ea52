"""Deterministic synthetic demo data for all of Denmark: ~8,000 departments in 98 municipalities.

Aalborg is the ordinary demo (:func:`trappetrin.demo.build_demo`, 271 departments) unchanged, so
the app's default view reads the same on both data sets. Every other municipality gets a number
of departments in proportion to its (rounded) population, placed around the municipality's
centre. Each synthetic department copies the register and the indicator history of one Aalborg
"template" department, with every share jittered a little, so the colour mix looks like
Aalborg's and each department's values stay consistent across the 13 releases. Ministry areas
are copied the same way: a synthetic department whose template lies in a listed Aalborg area
lies in that municipality's copy of the area, with the same list history.

Only for benchmarks and demonstrations of scale: the names are invented ("Demo-afd. …") and
the values are not anyone's data.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .demo import DemoData, build_demo

N_DEPARTMENTS = 8_000
DEFAULT_MUNICIPALITY = "Aalborg"

# The 98 municipalities: (name, municipality code, centre latitude, centre longitude, residents in
# thousands, rounded). Centres are approximate, on land near the main town.
MUNICIPALITIES: tuple[tuple[str, int, float, float, float], ...] = (
    # Region Hovedstaden
    ("København", 101, 55.676, 12.568, 650),
    ("Frederiksberg", 147, 55.679, 12.532, 104),
    ("Albertslund", 165, 55.657, 12.353, 28),
    ("Allerød", 201, 55.871, 12.357, 26),
    ("Ballerup", 151, 55.731, 12.363, 49),
    ("Bornholm", 400, 55.120, 14.900, 39),
    ("Brøndby", 153, 55.648, 12.418, 35),
    ("Dragør", 155, 55.593, 12.660, 14),
    ("Egedal", 240, 55.780, 12.220, 44),
    ("Fredensborg", 210, 55.975, 12.400, 41),
    ("Frederikssund", 250, 55.840, 12.070, 45),
    ("Furesø", 190, 55.790, 12.340, 41),
    ("Gentofte", 157, 55.750, 12.550, 75),
    ("Gladsaxe", 159, 55.730, 12.490, 70),
    ("Glostrup", 161, 55.666, 12.400, 23),
    ("Gribskov", 270, 56.050, 12.250, 41),
    ("Halsnæs", 260, 55.970, 11.950, 31),
    ("Helsingør", 217, 56.030, 12.570, 63),
    ("Herlev", 163, 55.724, 12.440, 29),
    ("Hillerød", 219, 55.930, 12.310, 52),
    ("Hvidovre", 167, 55.640, 12.470, 54),
    ("Høje-Taastrup", 169, 55.650, 12.270, 51),
    ("Hørsholm", 223, 55.880, 12.490, 25),
    ("Ishøj", 183, 55.615, 12.340, 23),
    ("Lyngby-Taarbæk", 173, 55.770, 12.500, 56),
    ("Rudersdal", 230, 55.830, 12.490, 56),
    ("Rødovre", 175, 55.680, 12.450, 40),
    ("Tårnby", 185, 55.630, 12.590, 43),
    ("Vallensbæk", 187, 55.625, 12.380, 17),
    # Region Sjælland
    ("Faxe", 320, 55.250, 12.120, 36),
    ("Greve", 253, 55.590, 12.280, 50),
    ("Guldborgsund", 376, 54.770, 11.870, 60),
    ("Holbæk", 316, 55.720, 11.710, 72),
    ("Kalundborg", 326, 55.680, 11.100, 48),
    ("Køge", 259, 55.460, 12.170, 62),
    ("Lejre", 350, 55.600, 11.970, 28),
    ("Lolland", 360, 54.770, 11.300, 40),
    ("Næstved", 370, 55.230, 11.760, 83),
    ("Odsherred", 306, 55.870, 11.600, 33),
    ("Ringsted", 329, 55.440, 11.790, 35),
    ("Roskilde", 265, 55.640, 12.080, 90),
    ("Slagelse", 330, 55.400, 11.350, 80),
    ("Solrød", 269, 55.530, 12.200, 24),
    ("Sorø", 340, 55.430, 11.560, 30),
    ("Stevns", 336, 55.330, 12.300, 23),
    ("Vordingborg", 390, 55.010, 11.910, 45),
    # Region Syddanmark
    ("Assens", 420, 55.270, 9.900, 41),
    ("Billund", 530, 55.730, 9.110, 27),
    ("Esbjerg", 561, 55.480, 8.480, 116),
    ("Fanø", 563, 55.420, 8.410, 3.5),
    ("Fredericia", 607, 55.570, 9.740, 52),
    ("Faaborg-Midtfyn", 430, 55.170, 10.240, 51),
    ("Haderslev", 510, 55.250, 9.490, 56),
    ("Kerteminde", 440, 55.450, 10.640, 24),
    ("Kolding", 621, 55.490, 9.470, 95),
    ("Langeland", 482, 54.930, 10.720, 12),
    ("Middelfart", 410, 55.500, 9.750, 39),
    ("Nordfyns", 480, 55.500, 10.200, 29),
    ("Nyborg", 450, 55.310, 10.790, 32),
    ("Odense", 461, 55.400, 10.390, 205),
    ("Svendborg", 479, 55.070, 10.610, 59),
    ("Sønderborg", 540, 54.910, 9.790, 74),
    ("Tønder", 550, 54.940, 8.870, 37),
    ("Varde", 573, 55.620, 8.490, 50),
    ("Vejen", 575, 55.480, 9.140, 42),
    ("Vejle", 630, 55.710, 9.530, 120),
    ("Ærø", 492, 54.880, 10.410, 6),
    ("Aabenraa", 580, 55.040, 9.420, 58),
    # Region Midtjylland
    ("Favrskov", 710, 56.320, 9.950, 49),
    ("Hedensted", 766, 55.770, 9.700, 47),
    ("Herning", 657, 56.140, 8.970, 90),
    ("Holstebro", 661, 56.360, 8.620, 59),
    ("Horsens", 615, 55.860, 9.850, 98),
    ("Ikast-Brande", 756, 56.140, 9.160, 42),
    ("Lemvig", 665, 56.550, 8.310, 19),
    ("Norddjurs", 707, 56.440, 10.770, 37),
    ("Odder", 727, 55.970, 10.150, 23),
    ("Randers", 730, 56.460, 10.040, 99),
    ("Ringkøbing-Skjern", 760, 56.090, 8.280, 56),
    ("Samsø", 741, 55.860, 10.620, 3.7),
    ("Silkeborg", 740, 56.170, 9.550, 97),
    ("Skanderborg", 746, 56.040, 9.930, 64),
    ("Skive", 779, 56.570, 9.030, 46),
    ("Struer", 671, 56.490, 8.590, 21),
    ("Syddjurs", 706, 56.310, 10.520, 43),
    ("Viborg", 791, 56.450, 9.400, 97),
    ("Aarhus", 751, 56.160, 10.190, 360),
    # Region Nordjylland
    ("Brønderslev", 810, 57.270, 9.940, 36),
    ("Frederikshavn", 813, 57.440, 10.520, 59),
    ("Hjørring", 860, 57.460, 9.980, 64),
    ("Jammerbugt", 849, 57.140, 9.550, 38),
    ("Læsø", 825, 57.270, 11.020, 1.8),
    ("Mariagerfjord", 846, 56.650, 9.980, 42),
    ("Morsø", 773, 56.800, 8.730, 20),
    ("Rebild", 840, 56.830, 9.830, 30),
    ("Thisted", 787, 56.960, 8.690, 43),
    ("Vesthimmerlands", 820, 56.800, 9.380, 37),
    ("Aalborg", 851, 57.048, 9.920, 220),
)

_METRES_PER_DEGREE = 111_320.0
_SHARES = ("pct_outside_labour", "pct_basic_education", "income_pct_of_region", "pct_nonwestern", "move_out_rate")
_ORG_WORDS = ("Boligselskab", "Boligforening", "Almene Boliger", "Bolig", "Boligkontor")


@dataclasses.dataclass(frozen=True, eq=False)
class NationalDemoData(DemoData):
    """:class:`DemoData` plus ``municipalities`` (dept_id, municipality) for every department."""

    municipalities: pd.DataFrame


def department_counts(total: int = N_DEPARTMENTS, aalborg: int = 271) -> dict[str, int]:
    """Departments per municipality: Aalborg's own ``aalborg``, the rest by population (≥ 3 each)."""
    others = [(m[0], m[4]) for m in MUNICIPALITIES if m[0] != DEFAULT_MUNICIPALITY]
    weight = np.array([w for _, w in others], dtype=float)
    rest = total - aalborg
    raw = 3 + weight / weight.sum() * (rest - 3 * len(others))
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: rest - counts.sum()]:  # largest remainders
        counts[i] += 1
    return {DEFAULT_MUNICIPALITY: aalborg} | {name: int(c) for (name, _), c in zip(others, counts)}


def build_national(seed: int = 851, total: int = N_DEPARTMENTS) -> NationalDemoData:
    """Build the national demo: Aalborg's demo plus ``total - 271`` departments elsewhere.

    The same ``seed`` always gives identical tables. Releases are Aalborg's 13.
    """
    base = build_demo(seed)
    rng = np.random.default_rng(seed + 7_000)
    src = base.departments.set_index("dept_id")
    n_src = len(src)
    counts = department_counts(total, n_src)

    ministry = base.areas.loc[base.areas["kind"] == "ministeriel", "area_id"]
    src_area = (
        base.department_areas[base.department_areas["area_id"].isin(ministry)]
        .drop_duplicates("dept_id")
        .set_index("dept_id")["area_id"]
    )

    dept_rows, org_rows, area_rows, member_rows, status_rows = [], [], [], [], []
    templates: list[np.ndarray] = []
    new_ids: list[np.ndarray] = []
    for k, (name, code, lat0, lon0, population) in enumerate(MUNICIPALITIES):
        if name == DEFAULT_MUNICIPALITY:
            continue
        n = counts[name]
        template = rng.integers(0, n_src, n)
        n_orgs = int(np.clip(round(n / 40), 1, 9))
        org_nos = 1000 + 10 * k + np.arange(n_orgs)
        for j, org in enumerate(org_nos):
            org_rows.append(
                (int(org), f"Demo-{_ORG_WORDS[j % len(_ORG_WORDS)]} {name}" + (f" {j // 5 + 1}" if j >= 5 else ""))
            )
        org = org_nos[rng.integers(0, n_orgs, n)]
        dept_no = np.zeros(n, dtype=int)
        for o in np.unique(org):
            hits = np.flatnonzero(org == o)
            dept_no[hits] = np.arange(1, len(hits) + 1)
        ids = np.array([f"{o:04d}-{d:03d}" for o, d in zip(org, dept_no)])
        # Around the centre: a disc whose radius grows with the number of departments.
        radius_m = 1_500 + 250 * np.sqrt(n)
        dist = radius_m * np.sqrt(rng.uniform(0, 1, n))
        bearing = np.radians(rng.uniform(0, 360, n))
        lat = lat0 + dist * np.cos(bearing) / _METRES_PER_DEGREE
        lon = lon0 + dist * np.sin(bearing) / (_METRES_PER_DEGREE * np.cos(np.radians(lat0)))
        t = src.iloc[template]
        dept_rows.append(
            pd.DataFrame(
                {
                    "dept_id": ids,
                    "org_no": org.astype("int64"),
                    "dept_no": dept_no.astype("int64"),
                    "name": [f"Demo-afd. {d} {name}" for d in dept_no],
                    "neighbourhood": name,
                    "lat": np.round(lat, 6),
                    "lon": np.round(lon, 6),
                    **{
                        c: t[c].to_numpy()
                        for c in (
                            "family_dwellings",
                            "bab_dwellings",
                            "dwellings_le_3500",
                            "dwellings_3500_5000",
                            "dwellings_gt_5000",
                            "year_built",
                            "mean_m2",
                            "pct_family_dwellings",
                        )
                    },
                    "rent_per_m2": np.round(t["rent_per_m2"].to_numpy() * _rent_level(code)),
                    "location_type": _location_types(dist / radius_m, population),
                }
            )
        )
        # Copies of Aalborg's ministry areas, for the departments whose template lies in one.
        t_area = src_area.reindex(t.index).to_numpy()
        for area_id in sorted({a for a in t_area if isinstance(a, str)}):
            new_area = f"{code}-{area_id}"
            area_rows.append(
                (
                    new_area,
                    f"Demo-område {name} {len([r for r in area_rows if r[0].startswith(f'{code}-')]) + 1}",
                    "ministeriel",
                )
            )
            member_rows += [(i, new_area) for i in ids[t_area == area_id]]
            status_rows += [
                (y, new_area, s) for y, a, s in base.area_list_status.itertuples(index=False) if a == area_id
            ]
        templates.append(template)
        new_ids.append(ids)

    template = np.concatenate(templates)
    ids = np.concatenate(new_ids)
    values = _values(base.values, src.index, template, ids, rng)

    departments = pd.concat([base.departments, *dept_rows], ignore_index=True)
    departments = departments.sort_values("dept_id", kind="stable").reset_index(drop=True)
    organisations = pd.concat(
        [base.organisations, pd.DataFrame(org_rows, columns=["org_no", "name"])], ignore_index=True
    ).astype({"org_no": "int64"})
    areas = pd.concat([base.areas, pd.DataFrame(area_rows, columns=["area_id", "name", "kind"])], ignore_index=True)
    department_areas = (
        pd.concat([base.department_areas, pd.DataFrame(member_rows, columns=["dept_id", "area_id"])])
        .sort_values(["dept_id", "area_id"])
        .reset_index(drop=True)
    )
    area_list_status = (
        pd.concat([base.area_list_status, pd.DataFrame(status_rows, columns=["list_year", "area_id", "status"])])
        .astype({"list_year": "int64"})
        .sort_values(["list_year", "area_id"])
        .reset_index(drop=True)
    )
    muni_of = {name: name for name in counts}
    municipalities = pd.DataFrame(
        {
            "dept_id": departments["dept_id"],
            "municipality": np.where(
                departments["dept_id"].isin(base.departments["dept_id"]),
                DEFAULT_MUNICIPALITY,
                departments["neighbourhood"].map(muni_of),
            ),
        }
    )
    return NationalDemoData(
        organisations=organisations,
        departments=departments,
        areas=areas,
        department_areas=department_areas,
        area_list_status=area_list_status,
        releases=base.releases,
        values=values,
        municipalities=municipalities,
    )


def _rent_level(code: int) -> float:
    """Rents per m² relative to Aalborg's: higher in the capital region (codes below 300)."""
    return 1.2 if code < 300 else 1.0


def _location_types(relative_distance: np.ndarray, population: float) -> np.ndarray:
    """By, forstad or land from the distance to the municipality's centre (share of its radius).

    A large municipality has a city and suburbs; a small one a town centre and countryside. The
    edges are shares of the disc's area (the departments are spread evenly over it).
    """
    if population >= 90:
        edges = (0.3, 0.8)
    elif population >= 40:
        edges = (0.2, 0.6)
    else:
        edges = (0.35, 0.35)
    area = relative_distance**2
    return np.where(area < edges[0], "by", np.where(area < edges[1], "forstad", "land")).astype(object)


def _values(
    base_values: pd.DataFrame, src_ids: pd.Index, template: np.ndarray, ids: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Aalborg's values in long form plus a jittered copy of each template's history."""
    wide = base_values.pivot_table(
        index=["dept_id", "release"], columns="indicator", values="value", aggfunc="first", sort=True
    )
    releases = list(dict.fromkeys(base_values["release"]))  # in release order
    indicators = list(dict.fromkeys(base_values["indicator"]))
    cube = np.stack(
        [wide.xs(r, level="release").reindex(index=src_ids, columns=indicators).to_numpy() for r in releases], axis=1
    )  # (department, release, indicator)
    copy = cube[template].copy()
    m, r = len(ids), len(releases)
    # One offset per department and share (a trait), plus a little noise per release.
    for j, code in enumerate(indicators):
        if code in _SHARES:
            jitter = rng.uniform(-3, 3, m)[:, None] + rng.normal(0, 0.3, (m, r))
            high = 150.0 if code == "income_pct_of_region" else 100.0
            copy[:, :, j] = np.round(np.clip(copy[:, :, j] + jitter, 0.0, high), 1)
        elif code == "pct_convicted":
            copy[:, :, j] = np.round(np.clip(copy[:, :, j] * rng.uniform(0.8, 1.25, m)[:, None], 0.1, 100.0), 1)
    extra = pd.DataFrame(
        {
            "release": np.repeat(np.array(releases, dtype=object), m * len(indicators)),
            "dept_id": np.tile(np.repeat(ids, len(indicators)), r),
            "indicator": np.tile(np.array(indicators, dtype=object), m * r),
            "value": copy.transpose(1, 0, 2).reshape(-1),
        }
    )
    return pd.concat([base_values, extra], ignore_index=True)
