"""Deterministic demo follow-up data 2023–2026 (agreement §7.2), anchored on the agreement's figures.

- Dwellings **used** by the municipal allocation rise from about 130 (2023) towards the need
  (250–300 a year) without reaching it: the agreement reports 110 a year in 2019–2021.
- Dwellings **made available** (indmeldt) are about 1.6 times those used, and lie where the step
  model allows allocation: drawn per department in proportion to the capacity model's expected
  availability (:func:`trappetrin.capacity.capacity`) in the release in force, with rents from the
  department's rent bands. The used ones are drawn from them, cheap ones first.
- **Flexible lettings** per quarter in the red departments (mandatory, employment/education
  criteria) and in some yellow ones (by agreement); **evictions** per organisation and quarter,
  about 0.45 % of the dwellings a year.

Only departments of the default municipality (Aalborg) get follow-up data.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from . import capacity as cm
from .colours import classify_release
from .store import DEFAULT_MUNICIPALITY, Store

YEARS = (2023, 2024, 2025, 2026)
#: Dwellings used by the allocation per year (the need is 250–300; 110 a year in 2019–2021).
USED_PER_YEAR = {2023: 131, 2024: 158, 2025: 183, 2026: 204}
OFFERED_FACTOR = 1.6
EVICTION_RATE = 0.0045  # cases per dwelling and year
FLEX_CRITERIA_RED = ("Beskæftigelse eller uddannelse",)
FLEX_CRITERIA_YELLOW = ("Beskæftigelse", "Uddannelse", "Lokal tilknytning")
SEED = 72  # §7.2


def _release_in_force(store: Store, day: date) -> str:
    rel = store.releases().set_index("label")
    labels = store.release_labels()
    before = [lb for lb in labels if pd.Timestamp(rel.at[lb, "reference_date"]).date() <= day]
    return before[-1] if before else labels[0]


def _quarters(year: int):
    for q in range(4):
        start = date(year, 3 * q + 1, 1)
        end = (date(year + (q == 3), (3 * q + 3) % 12 + 1, 1)) - timedelta(days=1)
        yield start, end


def demo_followup(store: Store, seed: int = SEED) -> pd.DataFrame:
    """The demo follow-up rows (``followup_rows`` columns without ids and import fields)."""
    rng = np.random.default_rng(seed)
    rules = store.adopted_rule_set()
    params = cm.load_params()
    depts = store.departments(DEFAULT_MUNICIPALITY).set_index("dept_id")
    rows: list[dict] = []
    for year in YEARS:
        res = classify_release(store, _release_in_force(store, date(year, 1, 1)), rules)
        frame = res.data.frame
        keep = frame.index.isin(depts.index)
        cap = cm.capacity(frame, res.result, params)[keep]
        outcome = pd.Series(res.result.outcome, index=frame.index)[keep]
        # dwellings made available, then used
        n_used = USED_PER_YEAR[year]
        n_offered = int(round(n_used * OFFERED_FACTOR))
        weight = cap["available"].to_numpy(dtype=float)
        weight = weight / weight.sum()
        picks = rng.choice(len(cap), size=n_offered, p=weight)
        offered = []
        for i in picks:
            row = cap.iloc[i]
            bands = np.array([row["available_le_3500"], row["available_3500_5000"], row["available_gt_5000"]])
            bands = bands * (3.0, 1.5, 0.5)  # reported dwellings lean cheap: the allocation asks for them
            bands = bands / bands.sum() if bands.sum() > 0 else np.array([0.2, 0.6, 0.2])
            band = rng.choice(3, p=bands)
            lo, hi = ((2600, 3500), (3500, 5000), (5000, 7200))[band]
            rooms = int(rng.choice([1, 2, 2, 3, 3, 4]))
            area = round(float(rng.normal(35 + 17 * rooms, 6)), 1)
            rent = float(round(rng.uniform(lo, hi) / 25) * 25)
            day = date(year, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
            rec = {
                "org_no": int(depts.at[cap.index[i], "org_no"]),
                "dept_id": cap.index[i],
                "rooms": rooms,
                "area_m2": max(area, 20.0),
                "rent": rent,
            }
            offered.append((day, rec))
            rows.append({"kind": "indmeldt", "period_start": day, "period_end": day, "count": 1, **rec})
        # the allocation uses cheap ones more readily
        rent = np.array([r["rent"] for _, r in offered])
        p = np.where(rent <= params.cheap_limit, 3.0, np.where(rent <= 5000, 1.0, 0.4))
        chosen = rng.choice(len(offered), size=min(n_used, len(offered)), replace=False, p=p / p.sum())
        for j in sorted(chosen):
            day, rec = offered[j]
            used_on = min(day + timedelta(days=int(rng.integers(5, 45))), date(year, 12, 31))
            rows.append({"kind": "anvist", "period_start": used_on, "period_end": used_on, "count": 1, **rec})
        # flexible lettings per quarter in red and some yellow departments
        red = outcome.index[outcome == "red"]
        yellow = outcome.index[outcome == "yellow"]
        yellow = yellow[rng.random(len(yellow)) < 0.4]
        for dept_id in [*red, *yellow]:
            dwellings = float(depts.at[dept_id, "family_dwellings"])
            is_red = dept_id in red
            criteria = FLEX_CRITERIA_RED if is_red else (rng.choice(FLEX_CRITERIA_YELLOW),)
            for start, end in _quarters(year):
                lam = dwellings * 0.14 / 4 * (0.45 if is_red else 0.25)
                n = int(rng.poisson(lam))
                if n:
                    rows.append(
                        {
                            "kind": "fleksibel",
                            "org_no": int(depts.at[dept_id, "org_no"]),
                            "dept_id": dept_id,
                            "period_start": start,
                            "period_end": end,
                            "criterion": str(criteria[0]),
                            "count": n,
                        }
                    )
        # evictions per organisation and quarter
        per_org = depts.groupby("org_no")["family_dwellings"].sum()
        for org, dwellings in per_org.items():
            for start, end in _quarters(year):
                rows.append(
                    {
                        "kind": "fogedsag",
                        "org_no": int(org),
                        "dept_id": None,
                        "period_start": start,
                        "period_end": end,
                        "count": int(rng.poisson(float(dwellings) * EVICTION_RATE / 4)),
                    }
                )
    out = pd.DataFrame(rows)
    for col in ("criterion", "rooms", "area_m2", "rent", "dept_id"):
        if col not in out:
            out[col] = None
    return out


def add_demo_followup(store: Store) -> int:
    """Add the demo follow-up rows to a demo database without any; returns how many rows."""
    if not store.is_demo or store.scalar("SELECT count(*) FROM followup_rows"):
        return 0
    if not store.release_labels() or not store.scalar(
        "SELECT count(*) FROM departments WHERE coalesce(municipality, ?) = ?",
        [DEFAULT_MUNICIPALITY, DEFAULT_MUNICIPALITY],
    ):
        return 0
    from .followup import insert_rows

    frame = demo_followup(store)
    insert_rows(store, frame, who="demo", file_name="Demodata")
    return len(frame)
