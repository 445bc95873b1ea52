"""Allocation capacity: how many dwellings a year the step model leaves to municipal allocation.

The agreement has two goals that pull against each other: shield vulnerable departments (the
colours that do not allow allocation) and still find the 250–300 cheap dwellings a year citizens
with an acute housing need require. This module turns one classified release into expected
vacancies and dwellings available to allocation, per department, and compares two rule sets.

The model (parameters in ``data/capacity.toml``, read by :func:`load_params`):

1. **Expected vacancies a year** = dwellings (family + BAB) × move-out rate / 100. The rate is
   the department's own ``move_out_rate`` indicator when it is known *and* the department is not
   under the discretion limit; otherwise the municipal average (13.7 %, 2020). A department under
   the discretion limit always gets the municipal average, so its own rate can never be
   recovered from the result.
2. **Available to allocation** = the outcome's ``allocation_share`` (from the colour table of the
   rule set: ``allocation = true`` and, by default, every 4th vacancy, §59 stk. 1) × the
   vacancies in the department's non-BAB dwellings, plus ``bab_allocation_share`` (100 %) of the
   vacancies in its BAB dwellings, whatever its colour.
3. **Rent bands**: non-BAB vacancies are split over the bands in proportion to the department's
   non-BAB dwellings per band (the band columns include the BAB dwellings, which are all in the
   ``bab_band``, ≤ 3.500 kr.); BAB vacancies all go to the ``bab_band``. A department with no band
   counts has its non-BAB share in ``*_unknown_band`` and is never counted as cheap.
4. **Cheap** = the bands whose upper limit is at or below ``cheap_limit`` (default ≤ 3.500 kr.).
   The result is compared with the need (``need_min``–``need_max``, default 250–300) and with
   what allocation actually used (``actual_use``, 110 a year 2019–2021; 0 = not given).

Everything is an expectation in dwellings a year (fractions kept); round only for display.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import formatting
from .config import DATA_DIR
from .engine import Classification
from .errors import UserError

CAPACITY_FILE = DATA_DIR / "capacity.toml"

#: Suffix of the per-department columns for dwellings whose rent band is not known.
UNKNOWN_BAND = "unknown_band"

#: The groupings :func:`summarise` knows, with their Danish labels.
GROUPINGS = {
    "outcome": "Farve",
    "band": "Huslejeniveau",
    "neighbourhood": "Bydel",
    "organisation": "Boligorganisation",
}


@dataclass(frozen=True)
class Band:
    """A rent band: ``upper`` is its upper monthly rent limit in kr. (None for the top band)."""

    code: str
    label: str
    column: str
    upper: float | None = None


@dataclass(frozen=True)
class CapacityParams:
    """The model's parameters; see the module docstring and ``data/capacity.toml``."""

    municipal_move_out_rate_pct: float = 13.7
    municipal_move_out_rate_year: int | None = 2020
    bab_allocation_share: float = 1.0
    bab_band: str = "le_3500"
    need_min: float = 250.0
    need_max: float = 300.0
    cheap_limit: float = 3500.0
    actual_use: float = 110.0
    actual_use_period: str = "2019–2021"
    #: Whether need_min–need_max is a need for the departments in view. The file's need is
    #: Aalborg's; for another municipality or the whole country it is not given until the user
    #: types one, and nothing is compared with it.
    need_given: bool = True
    need_source: str = "Fælles udlejningsaftale 2023–2025"
    bands: tuple[Band, ...] = field(
        default=(
            Band("le_3500", "≤ 3.500 kr.", "dwellings_le_3500", 3500.0),
            Band("3500_5000", "3.500–5.000 kr.", "dwellings_3500_5000", 5000.0),
            Band("gt_5000", "> 5.000 kr.", "dwellings_gt_5000", None),
        )
    )

    def __post_init__(self):
        problems = []
        if not 0 <= self.municipal_move_out_rate_pct <= 100:
            problems.append("municipal_move_out_rate_pct skal ligge mellem 0 og 100")
        if not 0 <= self.bab_allocation_share <= 1:
            problems.append("bab_allocation_share skal ligge mellem 0 og 1")
        if self.need_min < 0 or self.need_max < self.need_min:
            problems.append("behovet skal have 0 ≤ need_min ≤ need_max")
        if self.actual_use < 0:
            problems.append("actual_use må ikke være negativ")
        codes = [b.code for b in self.bands]
        if not codes or len(set(codes)) != len(codes):
            problems.append("huslejeniveauerne (band) skal have unikke koder")
        if self.bab_band not in codes:
            problems.append(f"bab_band '{self.bab_band}' er ikke et af huslejeniveauerne")
        if self.cheap_limit not in self.cheap_limits:
            problems.append(f"cheap_limit {self.cheap_limit:g} er ikke øvre grænse for et huslejeniveau")
        if problems:
            raise UserError("Parametrene til anvisningsmodellen er ugyldige.", problems=problems)

    @property
    def cheap_limits(self) -> list[float]:
        """The possible limits for "cheap": the upper limits of the bands."""
        return [b.upper for b in self.bands if b.upper is not None]

    @property
    def cheap_bands(self) -> list[Band]:
        return [b for b in self.bands if b.upper is not None and b.upper <= self.cheap_limit]

    @property
    def cheap_label(self) -> str:
        """``≤ 3.500 kr.``: the Danish text of the cheap limit."""
        return f"≤ {formatting.integer(self.cheap_limit)} kr."

    def band(self, code: str) -> Band:
        return next(b for b in self.bands if b.code == code)

    def replace(self, **changes) -> CapacityParams:
        return dataclasses.replace(self, **changes)


def load_params(path: Path = CAPACITY_FILE) -> CapacityParams:
    """Read the model parameters from ``data/capacity.toml`` (or another file)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"Parameterfilen {path} til anvisningsmodellen findes ikke.") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"Parameterfilen {path} er ikke gyldig TOML: {exc}.") from None
    data = dict(data)
    known = {f.name for f in dataclasses.fields(CapacityParams)}
    unknown = sorted(set(data) - known - {"band"})
    if unknown:
        raise UserError(f"Ukendte felter i {Path(path).name}: {', '.join(unknown)}.")
    if "band" in data:
        try:
            data["bands"] = tuple(
                Band(
                    code=b["code"],
                    label=b["label"],
                    column=b["column"],
                    upper=float(b["upper"]) if "upper" in b else None,
                )
                for b in data.pop("band")
            )
        except KeyError as exc:
            raise UserError(f"Et huslejeniveau i {Path(path).name} mangler feltet {exc}.") from None
    for name in (
        "municipal_move_out_rate_pct",
        "bab_allocation_share",
        "need_min",
        "need_max",
        "cheap_limit",
        "actual_use",
    ):
        if name in data:
            data[name] = float(data[name])
    return CapacityParams(**data)


# --- the model ----------------------------------------------------------------------------


def _numbers(frame: pd.DataFrame, column: str, ids: pd.Index) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(ids), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def capacity(frame: pd.DataFrame, classification: Classification, params: CapacityParams | None = None) -> pd.DataFrame:
    """Expected vacancies and dwellings a year available to allocation, per department.

    ``frame`` is a release's department frame (``ReleaseData.frame``) and ``classification`` its
    classification under a rule set (same rows, same order). Returns one row per department,
    indexed by department id, with ``dept_id``, ``name``, ``organisation``, ``neighbourhood``,
    ``outcome`` (categorical in the rule set's order), ``masked``, ``dwellings``,
    ``family_dwellings``, ``bab_dwellings``, ``dwellings_<band>``, ``own_rate`` (its own
    move-out rate was used), ``move_out_rate_used``, ``allocation``, ``allocation_share``,
    ``vacancies`` and ``vacancies_<band>``, ``available`` and ``available_<band>`` (plus the
    ``*_unknown_band`` columns), ``vacancies_bab`` / ``available_bab`` (the BAB part, included
    in the totals and in the ``bab_band``), ``cheap_dwellings`` and ``available_cheap``.
    """
    params = params or load_params()
    ids = classification.ids
    if not frame.index.equals(ids):
        raise ValueError("capacity() needs the frame and the classification of the same rows")
    rules = classification.rules
    masked = np.asarray(classification.masked, dtype=bool)
    outcome = np.asarray(classification.outcome, dtype=object)

    family = np.nan_to_num(_numbers(frame, "family_dwellings", ids), nan=0.0)
    bab = np.nan_to_num(_numbers(frame, "bab_dwellings", ids), nan=0.0)
    dwellings = family + bab

    own = _numbers(frame, "move_out_rate", ids)
    own_rate = ~masked & np.isfinite(own) & (own >= 0)
    rate = np.where(own_rate, own, params.municipal_move_out_rate_pct)
    vac_family = family * rate / 100.0
    vac_bab = bab * rate / 100.0

    share_of = {o.code: (o.allocation_share if o.allocation else 0.0) for o in rules.outcomes}
    allows = {o.code: bool(o.allocation) for o in rules.outcomes}
    share = np.array([share_of.get(c, 0.0) for c in outcome], dtype=float)
    avail_family = vac_family * share
    avail_bab = vac_bab * params.bab_allocation_share

    # Non-BAB dwellings per band: the register's band counts include the BAB dwellings.
    band_counts = {}
    for b in params.bands:
        counts = np.nan_to_num(_numbers(frame, b.column, ids), nan=0.0)
        band_counts[b.code] = counts
    non_bab = {code: (np.clip(c - bab, 0, None) if code == params.bab_band else c) for code, c in band_counts.items()}
    total = np.sum(list(non_bab.values()), axis=0) if non_bab else np.zeros(len(ids))
    known = total > 0
    safe_total = np.where(known, total, 1.0)

    out = pd.DataFrame(
        {
            "dept_id": ids.astype(str),
            "name": frame["name"].to_numpy() if "name" in frame.columns else ids.astype(str),
            "organisation": frame["organisation"].to_numpy() if "organisation" in frame.columns else None,
            "neighbourhood": frame["neighbourhood"].to_numpy() if "neighbourhood" in frame.columns else None,
            "outcome": pd.Categorical(outcome, categories=_outcome_order(rules, outcome)),
            "masked": masked,
            "dwellings": dwellings,
            "family_dwellings": family,
            "bab_dwellings": bab,
        },
        index=ids.rename(None),
    )
    for b in params.bands:
        out[f"dwellings_{b.code}"] = band_counts[b.code]
    out["own_rate"] = own_rate
    out["move_out_rate_used"] = rate
    out["allocation"] = np.array([allows.get(c, False) for c in outcome], dtype=bool)
    out["allocation_share"] = share
    out["vacancies"] = vac_family + vac_bab
    out["available"] = avail_family + avail_bab
    out["vacancies_bab"] = vac_bab
    out["available_bab"] = avail_bab
    for b in params.bands:
        weight = np.where(known, non_bab[b.code] / safe_total, 0.0)
        extra_vac = vac_bab if b.code == params.bab_band else 0.0
        extra_avail = avail_bab if b.code == params.bab_band else 0.0
        out[f"vacancies_{b.code}"] = vac_family * weight + extra_vac
        out[f"available_{b.code}"] = avail_family * weight + extra_avail
    out[f"vacancies_{UNKNOWN_BAND}"] = np.where(known, 0.0, vac_family)
    out[f"available_{UNKNOWN_BAND}"] = np.where(known, 0.0, avail_family)
    cheap = [b.code for b in params.cheap_bands]
    out["cheap_dwellings"] = out[[f"dwellings_{c}" for c in cheap]].sum(axis=1)
    out["available_cheap"] = out[[f"available_{c}" for c in cheap]].sum(axis=1)
    out.attrs["cheap_limit"] = params.cheap_limit
    return out


def _outcome_order(rules, outcome) -> list[str]:
    order = [o.code for o in rules.outcomes]
    return order + sorted({str(c) for c in outcome} - set(order))


def band_columns(cap: pd.DataFrame, prefix: str) -> list[str]:
    """The ``<prefix>_<band>`` columns of a capacity frame, in band order."""
    return [c for c in cap.columns if c.startswith(prefix + "_") and c not in (f"{prefix}_cheap", f"{prefix}_bab")]


def summarise(cap: pd.DataFrame, by: str = "outcome", params: CapacityParams | None = None) -> pd.DataFrame:
    """Totals per colour (``outcome``), rent band (``band``), ``neighbourhood`` or ``organisation``.

    Columns: ``departments``, ``dwellings``, ``vacancies``, ``available``, ``available_cheap`` and,
    except per band, ``available_<band>``. Per band, ``departments`` counts departments with
    dwellings in the band and ``cheap`` says whether the band counts as cheap. Colours come in the
    rule set's order (every colour, also those with no department); other groups alphabetically.
    """
    if by not in GROUPINGS:
        raise ValueError(f"summarise() groups by one of {', '.join(GROUPINGS)}, not {by!r}")
    params = params or load_params()
    if by == "band":
        rows = []
        cheap = {b.code for b in params.cheap_bands}
        for b in params.bands:
            rows.append(
                {
                    "band": b.code,
                    "label": b.label,
                    "departments": int((cap[f"dwellings_{b.code}"] > 0).sum()),
                    "dwellings": float(cap[f"dwellings_{b.code}"].sum()),
                    "vacancies": float(cap[f"vacancies_{b.code}"].sum()),
                    "available": float(cap[f"available_{b.code}"].sum()),
                    "cheap": b.code in cheap,
                }
            )
        unknown_vac = float(cap[f"vacancies_{UNKNOWN_BAND}"].sum())
        if unknown_vac > 0:
            no_band = cap[f"vacancies_{UNKNOWN_BAND}"] > 0
            rows.append(
                {
                    "band": UNKNOWN_BAND,
                    "label": "Ukendt huslejeniveau",
                    "departments": int(no_band.sum()),
                    "dwellings": float((cap.loc[no_band, "family_dwellings"]).sum()),
                    "vacancies": unknown_vac,
                    "available": float(cap[f"available_{UNKNOWN_BAND}"].sum()),
                    "cheap": False,
                }
            )
        out = pd.DataFrame(rows).set_index("band")
        out["available_cheap"] = np.where(out["cheap"], out["available"], 0.0)
        return out
    sums = ["dwellings", "vacancies", "available", *band_columns(cap, "available"), "available_bab", "available_cheap"]
    keys = cap[by] if by == "outcome" else cap[by].fillna("(ukendt)")
    grouped = cap.groupby(keys, observed=False, sort=True)
    out = grouped[sums].sum()
    out.insert(0, "departments", grouped.size().astype(int))
    out.index.name = by
    return out


@dataclass(frozen=True)
class CapacityChange:
    """The effect of one rule set against another on the dwellings available to allocation."""

    before_cheap: float
    after_cheap: float
    before_available: float
    after_available: float
    movers: pd.DataFrame

    @property
    def delta(self) -> float:
        """Change in cheap dwellings a year available to allocation (after − before)."""
        return self.after_cheap - self.before_cheap

    @property
    def delta_available(self) -> float:
        return self.after_available - self.before_available

    @property
    def shown_delta(self) -> int:
        """The change as displayed next to rounded totals: round(after) − round(before).

        So a line like ``86 → 88`` always says ``+2``, never the ``+1`` of the exact 1.48.
        """
        return int(round(self.after_cheap)) - int(round(self.before_cheap))

    @property
    def text(self) -> str:
        """``−38 billige boliger om året til anvisning`` (see :attr:`shown_delta`)."""
        return effect_text(self.shown_delta)


def compare(before_cap: pd.DataFrame, after_cap: pd.DataFrame) -> CapacityChange:
    """What changing the rule set does to allocation, and which departments cause it.

    Both frames come from :func:`capacity` for the same release (same departments) and the same
    parameters. ``movers`` has one row per department whose outcome or available dwellings differ:
    ``dept_id``, ``name``, ``organisation``, ``from``, ``to``, ``dwellings``, ``cheap_dwellings``,
    ``delta_cheap`` and ``delta_available`` (dwellings a year, after − before), sorted by the size
    of the effect on cheap dwellings, then on all dwellings, then by id.
    """
    if not before_cap.index.equals(after_cap.index):
        after_cap = after_cap.reindex(before_cap.index)
        if after_cap["dept_id"].isna().any():
            raise ValueError("compare() needs two capacity frames of the same departments")
    d_cheap = after_cap["available_cheap"] - before_cap["available_cheap"]
    d_all = after_cap["available"] - before_cap["available"]
    frm = before_cap["outcome"].astype(str)
    to = after_cap["outcome"].astype(str)
    changed = (frm != to) | (d_cheap.abs() > 1e-9) | (d_all.abs() > 1e-9)
    movers = pd.DataFrame(
        {
            "dept_id": before_cap["dept_id"],
            "name": before_cap["name"],
            "organisation": before_cap["organisation"],
            "from": frm,
            "to": to,
            "dwellings": before_cap["dwellings"],
            "cheap_dwellings": before_cap["cheap_dwellings"],
            "delta_cheap": d_cheap,
            "delta_available": d_all,
        }
    )[changed]
    movers = (
        movers.assign(_c=movers["delta_cheap"].abs(), _a=movers["delta_available"].abs())
        .sort_values(["_c", "_a", "dept_id"], ascending=[False, False, True])
        .drop(columns=["_c", "_a"])
        .reset_index(drop=True)
    )
    return CapacityChange(
        before_cheap=float(before_cap["available_cheap"].sum()),
        after_cheap=float(after_cap["available_cheap"].sum()),
        before_available=float(before_cap["available"].sum()),
        after_available=float(after_cap["available"].sum()),
        movers=movers,
    )


# --- Danish text ----------------------------------------------------------------------------


def signed_int(x: float) -> str:
    """``+12``, ``−38`` or ``±0`` (rounded to whole dwellings)."""
    text = formatting.integer(x, sign=True)
    return "±0" if text == "0" else text


def effect_text(delta: float) -> str:
    """One Danish line: ``−38 billige boliger om året til anvisning``."""
    n = int(round(float(delta)))
    noun = "billig bolig" if abs(n) == 1 else "billige boliger"
    return f"{signed_int(delta)} {noun} om året til anvisning"


def need_range(params: CapacityParams) -> str:
    """``250–300``, ``250`` when both ends are equal, ``–`` when no need is given."""
    from .formatting import MISSING, integer

    if not params.need_given:
        return MISSING
    lo, hi = params.need_min, params.need_max
    return f"{integer(lo)}–{integer(hi)}" if lo != hi else integer(lo)


def need_text(available_cheap: float, params: CapacityParams) -> str:
    """How the available cheap dwellings compare with the need, in one Danish sentence."""
    if not params.need_given:
        return (
            f"Modellen giver {formatting.integer(available_cheap)} billige boliger ({params.cheap_label}) om året "
            "til anvisning. Der er ikke angivet et behov at sammenligne med."
        )
    lo, hi = params.need_min, params.need_max
    need = f"{formatting.integer(lo)}–{formatting.integer(hi)}" if lo != hi else formatting.integer(lo)
    if available_cheap < lo:
        gap = f"{formatting.integer(lo - available_cheap)} under behovets nedre grænse"
    elif available_cheap > hi:
        gap = f"{formatting.integer(available_cheap - hi)} over behovets øvre grænse"
    else:
        gap = "inden for behovet"
    return (
        f"Modellen giver {formatting.integer(available_cheap)} billige boliger ({params.cheap_label}) om året "
        f"til anvisning mod et behov på {need}: {gap}."
    )


def assumptions(rules, params: CapacityParams) -> list[str]:
    """The model's assumptions in plain Danish, one sentence each, for the page and the export."""
    allowing = [o for o in rules.outcomes if o.allocation and o.allocation_share > 0]
    shielded = [o.label.lower() for o in rules.outcomes if not (o.allocation and o.allocation_share > 0)]
    shares = "; ".join(f"{o.label.lower()}: {_share_text(o.allocation_share)}" for o in allowing) or "ingen"
    year = f" ({params.municipal_move_out_rate_year})" if params.municipal_move_out_rate_year else ""
    cheap_bands = ", ".join(b.label for b in params.cheap_bands)
    lines = [
        "Forventede ledige boliger om året = antal boliger × afdelingens fraflytningsprocent. "
        f"Mangler afdelingens egen fraflytningsprocent, bruges kommunens gennemsnit på "
        f"{_pct(params.municipal_move_out_rate_pct)}{year}.",
        "Afdelinger under diskretionsgrænsen (grå) regnes altid med kommunens gennemsnit, "
        "så deres egne tal ikke kan udledes.",
        f"Kommunen kan anvise til en andel af de ledige familieboliger i afdelinger, hvis farve "
        f"tillader anvisning efter regelsættets farvetabel ({shares}).",
        ("Afdelinger med farven " + _join(shielded, "eller") + " er fritaget for anvisning.")
        if shielded
        else "Ingen farver er fritaget for anvisning i dette regelsæt.",
        f"I BAB-boliger har kommunen {_share_text(params.bab_allocation_share)} anvisningsret uanset "
        f"afdelingens farve; BAB-boligerne ligger alle i huslejeniveauet "
        f"{_end(params.band(params.bab_band).label)}",
        "Ledige boliger fordeles på huslejeniveauer i forhold til afdelingens boliger i hvert niveau.",
        f"Billige boliger er boliger med en husleje {params.cheap_label} om måneden"
        + (f" ({cheap_bands})." if len(params.cheap_bands) > 1 else "."),
        f"Behovet er skønnet til {need_range(params)} billige boliger om året ({params.need_source})."
        if params.need_given
        else "Der er ikke angivet et behov for billige boliger, så tallene sammenlignes ikke med et behov.",
    ]
    if params.actual_use > 0:
        lines.append(
            f"Boliganvisningen anviste i gennemsnit {formatting.integer(params.actual_use)} borgere om året "
            f"({params.actual_use_period})."
        )
    lines.append("Tallene er forventninger ud fra gennemsnit, ikke en opgørelse af faktiske ledige boliger.")
    return lines


def allocation_text(outcome) -> str:
    """What the colour table allows for one outcome: ``hver 4. ledige bolig`` or ``fritaget``."""
    if outcome.allocation and outcome.allocation_share > 0:
        return _share_text(outcome.allocation_share)
    return "fritaget"


def _share_text(share: float) -> str:
    if share >= 1:
        return "100 %"
    if share > 0 and abs(1 / share - round(1 / share)) < 1e-9:
        return f"hver {int(round(1 / share))}. ledige bolig"
    return _pct(share * 100)


def _pct(x: float) -> str:
    return f"{formatting.short(x, 1)} %"


def _join(items: list[str], word: str = "og") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _end(sentence: str) -> str:
    """End a sentence with one full stop (a label like ``3.500 kr.`` already has one)."""
    return sentence if sentence.endswith(".") else sentence + "."


def export_table(cap: pd.DataFrame, params: CapacityParams | None = None, rules=None) -> pd.DataFrame:
    """The capacity summary as one tidy table with Danish headers, for an export sheet or file.

    One row per group in each grouping (colour, rent band, neighbourhood, organisation) plus a
    total row; numbers rounded to one decimal. Colour rows use the rule set's labels when given.
    """
    params = params or load_params()
    labels = {o.code: o.label for o in rules.outcomes} if rules is not None else {}
    frames = []
    for by, title in GROUPINGS.items():
        s = summarise(cap, by, params)
        if by == "band":
            names = s["label"]
        elif by == "outcome":
            names = pd.Series([labels.get(str(c), str(c)) for c in s.index], index=s.index)
        else:
            names = pd.Series(s.index.astype(str), index=s.index)
        frames.append(
            pd.DataFrame(
                {
                    "Opdeling": title,
                    "Gruppe": names.to_numpy(),
                    "Afdelinger": s["departments"].to_numpy(),
                    "Boliger": s["dwellings"].round(0).astype(int).to_numpy(),
                    "Forventede ledige boliger om året": s["vacancies"].round(1).to_numpy(),
                    "Til anvisning om året": s["available"].round(1).to_numpy(),
                    f"Heraf billige ({params.cheap_label})": s["available_cheap"].round(1).to_numpy(),
                }
            )
        )
    total = pd.DataFrame(
        {
            "Opdeling": ["I alt"],
            "Gruppe": ["Alle afdelinger"],
            "Afdelinger": [len(cap)],
            "Boliger": [int(round(cap["dwellings"].sum()))],
            "Forventede ledige boliger om året": [round(float(cap["vacancies"].sum()), 1)],
            "Til anvisning om året": [round(float(cap["available"].sum()), 1)],
            f"Heraf billige ({params.cheap_label})": [round(float(cap["available_cheap"].sum()), 1)],
        }
    )
    out = pd.concat([total, *frames], ignore_index=True)
    out["Behov (billige boliger om året)"] = need_range(params) if params.need_given else "ikke angivet"
    return out
