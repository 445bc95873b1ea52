"""Statusrapport: the strategic work group's report for a period (agreement §7.2), as PDF and XLSX.

:func:`build_report` gathers everything once (colours and map of the release in force at the
period's end, movers since the same release a year earlier and why, the areas' list status,
trends of the key indicators, allocation capacity/availability/use against the need, flexible
letting and evictions per organisation, and "Om data"); :func:`to_pdf` typesets it with typst
(``report.typ`` beside this module; fonts: DejaVu Sans from matplotlib's data, so æøå render the
same on every machine and nothing depends on system fonts) and :func:`to_xlsx` writes the same
tables through :func:`trappetrin.export.to_xlsx`.

Discretion: every table and figure comes from functions that already keep departments under the
discretion limit out (colours and counts only, ``trends`` aggregates without masked departments,
``changes_between`` without their values, the capacity model with the municipal move-out rate
for them). Follow-up figures are shown per organisation and per step, never per department.

Every number a reader sees is formatted by :mod:`trappetrin.formatting`. No Streamlit here.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from . import capacity as cm
from . import catalogue
from . import formatting as fmt
from .areas import aggregate
from .colours import DEMO_SOURCE_TEXT, ReleaseResult, classify_release
from .errors import UserError
from .followup import KIND_NAMES, Period, Summary, followup_rows, release_a_year_before, summarise
from .rules import RuleSet
from .store import DEFAULT_MUNICIPALITY, Store
from .trends import changes_between, classified_releases, scope_groups

TEMPLATE = Path(__file__).with_name("report.typ")
STATUS_LABELS = {
    "forebyggelse": "Forebyggelsesområde",
    "udsat": "Udsat boligområde",
    "parallelsamfund": "Parallelsamfundsområde",
    "omdannelse": "Omdannelsesområde",
    "": "Ikke listet",
}
DEMO_TEXT = (
    "DEMODATA – fiktive afdelinger og tal, bygget af Trappetrins demogenerator. "
    "Ikke den fortrolige monitoreringsliste og ikke rigtige opfølgningstal."
)
N_TREND_RELEASES = 6
DPI = 170  # only for raster output; the charts are SVG


@dataclass
class Table:
    """One table of the report: raw values (for XLSX) and how each column reads (for PDF)."""

    title: str
    frame: pd.DataFrame
    formats: dict[str, Callable[[object], str]] = field(default_factory=dict)
    note: str | None = None
    widths: list[str] | None = None  # typst column widths, e.g. ["2fr", "1fr"]

    def text_rows(self) -> list[list[str]]:
        out = []
        for row in self.frame.itertuples(index=False):
            out.append([self.formats.get(c, fmt.text)(v) for c, v in zip(self.frame.columns, row)])
        return out


@dataclass
class Report:
    period: Period
    release: str
    year_before: str | None
    rules: RuleSet
    is_demo: bool
    generated_at: datetime
    summary: Summary
    result: ReleaseResult
    key_figures: list[tuple[str, str, str]]  # label, value, note
    tables: dict[str, Table]  # key → table, in report order
    charts: dict[str, bytes]  # key → PNG
    about: list[str]  # "Om data" paragraphs

    @property
    def title(self) -> str:
        return f"Statusrapport {self.period.label()}"


# --- building -------------------------------------------------------------------------------------


def _int(x) -> str:
    return fmt.integer(x)


def _signed(x) -> str:
    return fmt.integer(x, sign=True)


def colour_table(res: ReleaseResult) -> pd.DataFrame:
    """Departments, dwellings and cheap dwellings per colour (the page shows the same numbers)."""
    summary = res.summary()
    outcomes = {o.code: o for o in res.rules.outcomes}
    total = summary.sum()
    frame = pd.DataFrame(
        {
            "Farve": [outcomes[c].label for c in summary.index] + ["I alt"],
            "Trin": [outcomes[c].step for c in summary.index] + [""],
            "Afdelinger": [*summary["departments"], total["departments"]],
            "Boliger": [*summary["dwellings"], total["dwellings"]],
            "Billige boliger (≤ 3.500 kr.)": [*summary["cheap_dwellings"], total["cheap_dwellings"]],
        }
    )
    return frame


def _movers(store: Store, rules: RuleSet, prev: str | None, label: str, results) -> pd.DataFrame:
    changes = changes_between(store, rules, prev, label, results=results)
    labels = {o.code: o.label for o in rules.outcomes}
    return pd.DataFrame(
        {
            "Afdeling": changes["name"].astype(str),
            "Boligorganisation": changes["organisation"].astype(str),
            "Fra": changes["from"].map(labels),
            "Til": changes["to"].map(labels),
            "Hvorfor": changes["why"].astype(str),
        }
    )


def _list_status(store: Store, list_year: int | None, scope: str | None) -> tuple[pd.DataFrame, int | None]:
    status = store.list_status()
    areas = store.areas()
    areas = areas[areas["kind"] == "ministeriel"]
    links = store.department_areas()
    if scope is not None:  # the areas with departments in the report's municipality
        links = links[links["dept_id"].isin(store.departments(scope)["dept_id"])]
        areas = areas[areas["area_id"].isin(links["area_id"])]
    years = [y for y in store.list_years() if list_year is not None and y <= list_year]
    prev_year = years[-2] if len(years) > 1 else None
    now = status[status["list_year"] == list_year].set_index("area_id")["status"]
    before = status[status["list_year"] == prev_year].set_index("area_id")["status"]
    depts = links.groupby("area_id").size()
    frame = pd.DataFrame(
        {
            "Område": areas["name"].to_numpy(),
            "Afdelinger": areas["area_id"].map(depts).fillna(0).astype(int).to_numpy(),
            f"Status {prev_year if prev_year else '(før)'}": [
                STATUS_LABELS.get(before.get(a, ""), before.get(a, "")) for a in areas["area_id"]
            ],
            f"Status {list_year if list_year else ''}".strip(): [
                STATUS_LABELS.get(now.get(a, ""), now.get(a, "")) for a in areas["area_id"]
            ],
        }
    )
    severity = {s: i for i, s in enumerate(["omdannelse", "parallelsamfund", "udsat", "forebyggelse", ""])}
    frame["_o"] = [severity.get(now.get(a, ""), 9) for a in areas["area_id"]]
    return frame.sort_values(["_o", "Område"]).drop(columns="_o").reset_index(drop=True), prev_year


def key_indicators(rules: RuleSet) -> list[str]:
    """The indicators the rule set's criteria use (the monitoring's key indicators)."""
    seen: dict[str, None] = {}
    for cset in rules.criteria_sets:
        for c in cset.criteria:
            if c.indicator in catalogue.indicators():
                seen[c.indicator] = None
    return list(seen)


def _trends(store: Store, rules: RuleSet, label: str, results, scope: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Municipal values of the key indicators in the last values releases up to ``label``.

    The same numbers as ``trends.indicator_trend(..., "kommune")`` (one weighted aggregate of the
    monitored departments per values release, masked departments left out), computed once per
    release for all key indicators instead of once per indicator and release.
    """
    rel = store.releases()
    day = rel.loc[rel["label"] == label, "reference_date"].iloc[0]
    values = rel[(rel["n_values"] > 0) & (rel["reference_date"] <= day)]
    values = values[values["label"].isin(store.release_labels())].tail(N_TREND_RELEASES)
    codes = key_indicators(rules)
    classified_releases(store, rules, list(values["label"]), results, scope)
    rows = []
    for r in values.itertuples():
        res = results[r.label]
        frame = res.data.frame
        agg = aggregate(frame, scope_groups(frame, "kommune", None), res.result.masked)
        for code in codes:
            rows.append(
                {
                    "indicator": code,
                    "label": catalogue.label(code),
                    "unit": catalogue.unit(code),
                    "release": r.label,
                    "reference_date": pd.Timestamp(r.reference_date),
                    "value": float(agg.iloc[0][code]) if not agg.empty else float("nan"),
                    "departments": int(agg.iloc[0]["departments"]) if not agg.empty else 0,
                }
            )
    long = pd.DataFrame(rows)
    if long.empty:
        return long, pd.DataFrame()
    keep = list(values["label"])
    wide = long.pivot_table(index=["label", "unit"], columns="release", values="value", sort=False).reindex(
        columns=keep
    )
    wide = wide.reset_index().rename(columns={"label": "Nøgletal", "unit": "Enhed"})
    wide.columns.name = None
    return long, wide


def _value(unit: str) -> Callable[[object], str]:
    return (lambda x: fmt.percent(x)) if unit == "%" else (lambda x: fmt.number(x, 1))


def report_municipality(municipalities: list[str]) -> str | None:
    """The municipality the report covers, given the ``municipalities`` with departments: the
    agreement's (Aalborg) when there are several (the national demo), else None (every department)."""
    return DEFAULT_MUNICIPALITY if len(municipalities) > 1 else None


def build_report(
    store: Store,
    rules: RuleSet,
    period: Period,
    *,
    params: cm.CapacityParams | None = None,
    generated_at: datetime | None = None,
) -> Report:
    """Everything the report shows, for ``period`` under ``rules``."""
    from .followup import release_in_force

    generated_at = generated_at or datetime.now()
    params = params or cm.load_params()
    label = release_in_force(store, period.end)
    if label is None:
        raise UserError("Der er ingen udgivelser i databasen, så der er ingen statusrapport at lave.")
    scope = report_municipality(store.municipalities()["municipality"].tolist())
    year_before = release_a_year_before(store, label)
    results: dict = {}
    classified_releases(store, rules, [lb for lb in (label, year_before) if lb], results, scope)
    res = results[label]
    summary = summarise(store, rules, period, params, result=res, municipality=scope)
    is_demo = store.is_demo
    tables: dict[str, Table] = {}

    colours = colour_table(res)
    tables["farver"] = Table(
        f"Farvefordeling, udgivelse {label}",
        colours,
        {c: _int for c in ("Afdelinger", "Boliger", "Billige boliger (≤ 3.500 kr.)")},
        widths=["1.2fr", "1.4fr", "1fr", "1fr", "1.4fr"],
    )
    movers = _movers(store, rules, year_before, label, results)
    tables["skift"] = Table(
        f"Afdelinger der har skiftet farve siden {year_before or '–'}",
        movers,
        note=(
            "Begge udgivelser er beregnet efter samme regelsæt, så skiftene kommer af data. "
            "Afdelinger under diskretionsgrænsen vises uden værdier."
            if year_before
            else "Der er ingen udgivelse et år før; ingen skift at vise."
        ),
        widths=["1.6fr", "1.5fr", "0.6fr", "0.6fr", "3fr"],
    )
    list_frame, prev_year = _list_status(store, res.data.list_year, scope)
    tables["lister"] = Table(
        f"Områdernes status på ministeriets lister ({res.data.list_year or 'ingen liste'})",
        list_frame,
        {"Afdelinger": _int},
        widths=["2fr", "0.8fr", "1.5fr", "1.5fr"],
    )
    long, wide = _trends(store, rules, label, results, scope)
    trend_formats = {}
    if not wide.empty:
        for c in wide.columns[2:]:
            trend_formats[c] = lambda x: fmt.number(x, 1)
    tables["nøgletal"] = Table(
        "Udvikling i nøgletal for hele kommunen",
        wide,
        trend_formats,
        note=(
            "Vægtede gennemsnit over de monitorerede afdelinger (afdelinger under diskretionsgrænsen "
            "indgår ikke). Én kolonne pr. udgivelse med afdelingsdata."
        ),
        widths=["3fr", "0.7fr"] + ["1fr"] * max(len(wide.columns) - 2, 0),
    )
    f = summary.figures
    alloc = pd.DataFrame(
        {
            "Opgørelse": [
                "Boliger stillet til rådighed",
                "– heraf billige (≤ 3.500 kr.)",
                "Boliger anvendt af boliganvisningen",
                "– heraf billige (≤ 3.500 kr.)",
            ],
            summary.period.label(): [f["offered"], f["offered_cheap"], f["used"], f["used_cheap"]],
            summary.previous.label(): [
                f["offered_prev"],
                f["offered_cheap_prev"],
                f["used_prev"],
                f["used_cheap_prev"],
            ],
            "Model / behov": [
                f"Model: {fmt.integer(f['model_available'])}",
                f"Model: {fmt.integer(f['model_cheap'])}",
                f"Behov: {fmt.integer(f['need_min'])}–{fmt.integer(f['need_max'])}",
                f"Behov: {fmt.integer(f['need_min'])}–{fmt.integer(f['need_max'])}",
            ],
        }
    )
    tables["anvisning"] = Table(
        "Anvisning: kapacitet, rådighed og brug mod behovet",
        alloc,
        {summary.period.label(): _int, summary.previous.label(): _int},
        note=(
            f"Model: trappetrinsmodellens forventede ledige boliger til anvisning (siden Anvisning) efter "
            f"udgivelse {label}, omregnet til periodens længde ({fmt.number(period.years, 2)} år). Behov: "
            f"{fmt.integer(params.need_min)}–{fmt.integer(params.need_max)} billige boliger om året (aftalens § 6), "
            "omregnet likeså."
        ),
        widths=["2.4fr", "1fr", "1fr", "1.3fr"],
    )
    org = summary.per_org.reset_index()
    tables["organisationer"] = Table(
        "Fleksibel udlejning og fogedsager pr. boligorganisation",
        pd.DataFrame(
            {
                "Boligorganisation": org["organisation"],
                "Stillet til rådighed": org["offered"],
                "Anvendt": org["used"],
                "Fleksible udlejninger": org["flex"],
                "Fleksible, forrige periode": org["flex_prev"],
                "Fogedsager": org["evictions"],
                "Fogedsager, forrige periode": org["evictions_prev"],
            }
        ),
        {
            c: _int
            for c in (
                "Stillet til rådighed",
                "Anvendt",
                "Fleksible udlejninger",
                "Fleksible, forrige periode",
                "Fogedsager",
                "Fogedsager, forrige periode",
            )
        },
        note=f"Perioden er {summary.period.label()}, forrige periode {summary.previous.label()}.",
        widths=["2.4fr", "1fr", "0.9fr", "1fr", "0.9fr", "0.9fr", "0.9fr"],
    )
    crit = summary.criteria.reset_index()
    tables["kriterier"] = Table(
        "Fleksible udlejninger efter kriterium",
        pd.DataFrame(
            {
                "Kriterium": crit["criterion"] if len(crit) else [],
                summary.period.label(): crit["flex"] if len(crit) else [],
                summary.previous.label(): crit["flex_prev"] if len(crit) else [],
            }
        ),
        {summary.period.label(): _int, summary.previous.label(): _int},
        widths=["3fr", "1fr", "1fr"],
    )
    step = summary.by_step.reset_index()
    outcomes = {o.code: o for o in rules.outcomes}
    tables["trin"] = Table(
        "Boliger stillet til rådighed og anvendt efter afdelingens trin",
        pd.DataFrame(
            {
                "Farve": [outcomes[c].label for c in step["outcome"]],
                "Trin": [outcomes[c].step for c in step["outcome"]],
                "Stillet til rådighed": step["offered"],
                "Anvendt": step["used"],
            }
        ),
        {"Stillet til rådighed": _int, "Anvendt": _int},
        note=f"Afdelingens farve i udgivelse {label}.",
        widths=["1fr", "1.4fr", "1fr", "1fr"],
    )
    key_figures = [
        ("Afdelinger", fmt.integer(len(res.data.frame)), f"udgivelse {label}"),
        *[
            (f"{o.label} ({o.step})", fmt.integer(n), "afdelinger")
            for o, n in zip(rules.outcomes, res.summary()["departments"])
        ],
        ("Stillet til rådighed", fmt.integer(f["offered"]), f"model {fmt.integer(f['model_available'])}"),
        ("Anvendt", fmt.integer(f["used"]), f"behov {fmt.integer(f['need_min'])}–{fmt.integer(f['need_max'])}"),
        ("Fleksible udlejninger", fmt.integer(f["flex"]), f"forrige periode {fmt.integer(f['flex_prev'])}"),
        ("Fogedsager", fmt.integer(f["evictions"]), f"forrige periode {fmt.integer(f['evictions_prev'])}"),
    ]
    charts = {
        "kort": report_map(res, title=f"Farver, udgivelse {label}", is_demo=is_demo),
        "anvisning": _allocation_chart(summary),
        "organisationer": _org_chart(summary),
    }
    if not long.empty:
        charts["nøgletal"] = _trend_chart(long)
    rel = store.releases()
    rel = rel[rel["reference_date"] <= pd.Timestamp(res.data.reference_date)]
    tables["udgivelser"] = Table(
        "Udgivelser til og med rapportens",
        pd.DataFrame(
            {
                "Udgivelse": rel["label"].astype(str),
                "Kilde": rel["source"].astype(str),
                "Opgørelsesdato": [fmt.date(d) for d in rel["reference_date"]],
                "Værdier": rel["n_values"].astype(int),
                "Listeår": [fmt.MISSING if pd.isna(y) else str(int(y)) for y in rel["list_year"]],
            }
        ),
        {"Værdier": _int},
        widths=["1fr", "1.4fr", "1.1fr", "0.9fr", "0.8fr"],
    )
    about = _about(store, rules, res, summary, is_demo)
    return Report(
        period=period,
        release=label,
        year_before=year_before,
        rules=rules,
        is_demo=is_demo,
        generated_at=generated_at,
        summary=summary,
        result=res,
        key_figures=key_figures,
        tables=tables,
        charts=charts,
        about=about,
    )


def _about(store: Store, rules: RuleSet, res: ReleaseResult, summary: Summary, is_demo: bool) -> list[str]:
    rel = store.releases()
    upto = rel[rel["reference_date"] <= pd.Timestamp(res.data.reference_date)]
    lines = []
    if is_demo:
        lines.append(DEMO_TEXT)
    lines.append(
        "Kilder: Landsbyggefondens Tvillingeværktøj (afdelingsdata, november), Beboerdata med "
        "listekriterierne på afdelingsniveau (februar), Indenrigs- og Boligministeriets lister "
        "(1. december) og afdelingsregistret (stamdata). Opfølgningstallene (fleksibel udlejning, "
        "fogedsager) kommer fra boligorganisationerne; boliger stillet til rådighed og anvendt fra "
        "Aalborg Kommunes boliganvisning (aftalens § 7.2)." + (f" Datagrundlag: {DEMO_SOURCE_TEXT}." if is_demo else "")
    )
    lines.append(
        f"Udgivelse i rapporten: {res.data.label} ({res.data.source}, {fmt.date(res.data.reference_date)}); "
        f"afdelingsdata fra {res.data.values_label or '–'}; ministerliste {res.data.list_year or '–'}. "
        f"Udgivelser i databasen til og med den: {len(upto)}"
        f" (den første {upto['label'].iloc[0] if len(upto) else '–'})."
    )
    adopted = store.adopted_rule_set()
    is_adopted = (rules.name, rules.version) == (adopted.name, adopted.version)
    lines.append(
        f"Regelsæt: {rules.name} version {rules.version} ({rules.title})"
        + (" – det vedtagne." if is_adopted else " – ikke det vedtagne.")
    )
    if rules.discretion is not None:
        lines.append(
            f"Diskretion: afdelinger med under {fmt.integer(rules.discretion.minimum)} beboere "
            f"({catalogue.label(rules.discretion.indicator).lower()}) monitoreres ikke og er grå. Deres værdier "
            "vises ingen steder i rapporten, og de indgår ikke i gennemsnit; de tælles kun med i antal "
            "afdelinger og boliger pr. farve, og anvisningsmodellen bruger kommunens gennemsnitlige "
            "fraflytningsprocent for dem. Opfølgningstallene vises kun pr. boligorganisation og pr. trin."
        )
    rows = followup_rows(store)
    if not rows.empty:
        by_kind = rows.groupby("kind").agg(n=("count", "size"), a=("period_start", "min"), b=("period_end", "max"))
        parts = [
            f"{KIND_NAMES[k]}: {fmt.integer(r.n)} rækker, {fmt.date(r.a)}–{fmt.date(r.b)}"
            for k, r in by_kind.iterrows()
        ]
        lines.append("Opfølgningsdata i databasen: " + "; ".join(parts) + ".")
    partial = {k: n for k, n in summary.partial.items() if n}
    if partial:
        lines.append(
            "Rækker, der kun delvis ligger i perioden, er ikke talt med: "
            + ", ".join(f"{KIND_NAMES[k].lower()} {fmt.integer(n)}" for k, n in partial.items())
            + "."
        )
    lines.append("Tal er afrundet til hele boliger; model og behov er omregnet til periodens længde.")
    return lines


# --- figures --------------------------------------------------------------------------------------


def _figure(width_in: float, height_in: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    fig.set_layout_engine("constrained")
    return fig


def _png(fig) -> bytes:
    """The chart as SVG (vector: sharp at any size, quick to write; typst embeds it with the
    report's own fonts, as text kept as text, so the numbers in a chart are in the PDF's text)."""
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "trappetrin"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def image_name(key: str, data: bytes) -> str:
    """The file name a chart is written under for typst: SVG or PNG by its content."""
    return f"{key}.svg" if data[:100].lstrip().startswith((b"<?xml", b"<svg")) else f"{key}.png"


def _danish_axis(ax) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.number(x, 0)))


def _allocation_chart(summary: Summary) -> bytes:
    f = summary.figures
    fig = _figure(7.0, 2.8)
    ax = fig.add_subplot()
    groups = ["Stillet til rådighed", "Anvendt"]
    now = [f["offered"], f["used"]]
    prev = [f["offered_prev"], f["used_prev"]]
    x = np.arange(2)
    ax.bar(x - 0.2, prev, 0.38, color="#9ecae1", label=summary.previous.label())
    ax.bar(x + 0.2, now, 0.38, color="#3182bd", label=summary.period.label())
    for xi, v in zip(x + 0.2, now):
        ax.annotate(fmt.integer(v), (xi, v), ha="center", va="bottom", fontsize=8)
    if np.isfinite(f["model_available"]):
        ax.hlines(f["model_available"], -0.45, 0.45, colors="#444444", linestyles="--", label="Model (rådighed)")
    ax.axhspan(f["need_min"], f["need_max"], xmin=0.52, xmax=0.98, color="#fdae6b", alpha=0.5, label="Behov")
    ax.set_xticks(x, groups)
    ax.set_ylabel("Boliger")
    _danish_axis(ax)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False, ncols=4)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _org_chart(summary: Summary) -> bytes:
    org = summary.per_org.sort_values("flex")
    fig = _figure(7.0, 3.6)
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(org))
    ax1.barh(y, org["flex"], color="#3182bd")
    ax1.set_title("Fleksible udlejninger", fontsize=9)
    ax2.barh(y, org["evictions"], color="#de2d26")
    ax2.set_title("Fogedsager", fontsize=9)
    ax1.set_yticks(y, org.index, fontsize=7)
    for ax in (ax1, ax2):
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.number(x, 0)))
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _trend_chart(long: pd.DataFrame) -> bytes:
    """Small multiples, one per key indicator; each y axis spans at least ±10 % of its level, so a
    tenth of a point does not look like a landslide."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    codes = list(dict.fromkeys(long["indicator"]))
    n = len(codes)
    cols = 2 if n in (2, 4) else min(3, n)
    rows_n = int(np.ceil(n / cols))
    fig = _figure(7.0, 1.9 * rows_n)
    axes = np.atleast_1d(fig.subplots(rows_n, cols)).ravel()
    for ax, code in zip(axes, codes):
        part = long[long["indicator"] == code].sort_values("reference_date")
        values = part["value"].to_numpy(dtype=float)
        ax.plot(range(len(part)), values, marker="o", color="#3182bd")
        unit = " %" if catalogue.unit(code) == "%" else ""
        ax.set_title(catalogue.label(code) + (f" ({unit.strip()})" if unit else ""), fontsize=7.5)
        ax.set_xticks(range(len(part)), part["release"], fontsize=6.5)
        ax.tick_params(labelsize=6.5)
        finite = values[np.isfinite(values)]
        if len(finite):
            lo, hi = float(finite.min()), float(finite.max())
            centre = (lo + hi) / 2
            half = max((hi - lo) / 2 * 1.3, 0.1 * abs(centre), 0.05)
            ax.set_ylim(centre - half, centre + half)
            decimals = 2 if half < 0.3 else 1 if half < 3 else 0
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _, d=decimals: fmt.number(x, d)))
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e5e7eb", linewidth=0.6)
    for ax in axes[n:]:
        ax.set_visible(False)
    return _png(fig)


def report_map(res: ReleaseResult, *, title: str, is_demo: bool) -> bytes:
    """The static map of the departments by colour: the map issue's renderer when it is there,
    else a minimal one (positions and colours only; no values)."""
    try:
        from .staticmap import departments_frame, render_map_png  # trappetrin/staticmap.py (map issue)
    except ImportError:
        return _minimal_map(res, title=title, is_demo=is_demo)
    return render_map_png(departments_frame(res), res.rules, title=title, is_demo=is_demo)


def _minimal_map(res: ReleaseResult, *, title: str, is_demo: bool) -> bytes:
    from matplotlib.lines import Line2D

    frame = res.data.frame
    outcome = np.asarray(res.result.outcome)
    fig = _figure(7.0, 5.0)
    ax = fig.add_subplot()
    handles = []
    for o in res.rules.outcomes:
        sel = (outcome == o.code) & frame["lat"].notna().to_numpy()
        if not sel.any():
            continue
        ax.scatter(
            frame["lon"].to_numpy()[sel],
            frame["lat"].to_numpy()[sel],
            s=10 + np.sqrt(frame["dwellings"].to_numpy(dtype=float)[sel]) * 1.5,
            c=o.color,
            edgecolors="#333333",
            linewidths=0.3,
            zorder=3,
        )
        handles.append(
            Line2D([], [], marker="o", ls="", color=o.color, label=f"{o.label} ({o.step}): {fmt.integer(sel.sum())}")
        )
    ax.set_aspect(1 / np.cos(np.radians(57.0)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title + (" · Demodata" if is_demo else ""), fontsize=9)
    ax.legend(handles=handles, fontsize=7, loc="lower left", frameon=True)
    return _png(fig)


# --- writing --------------------------------------------------------------------------------------


def _font_dir() -> str:
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")


def _document(report: Report) -> dict:
    meta = (
        f"Udgivelse {report.release} · regelsæt {report.rules.name} v{report.rules.version} · "
        f"dannet {fmt.datetime(report.generated_at)}"
    )
    blocks: list[dict] = []

    def table(key: str, level: int = 2) -> None:
        t = report.tables[key]
        blocks.append({"type": "heading", "level": level, "text": t.title})
        if t.frame.empty:
            blocks.append({"type": "para", "text": "Ingen at vise."})
        else:
            blocks.append(
                {
                    "type": "table",
                    "columns": [str(c).strip() for c in t.frame.columns],
                    "rows": t.text_rows(),
                    "widths": t.widths or ["1fr"] * len(t.frame.columns),
                    "numeric": [bool(pd.api.types.is_numeric_dtype(t.frame[c])) for c in t.frame.columns],
                    "total": bool(len(t.frame)) and str(t.frame.iloc[-1, 0]) == "I alt",
                }
            )
        if t.note:
            blocks.append({"type": "note", "text": t.note})

    blocks.append({"type": "heading", "level": 1, "text": "1. Farvefordeling"})
    table("farver")
    blocks.append({"type": "heading", "level": 1, "text": "2. Områdernes listestatus"})
    table("lister")
    blocks.append({"type": "pagebreak"})
    blocks.append({"type": "heading", "level": 1, "text": "3. Kort og skift siden samme udgivelse sidste år"})
    blocks.append({"type": "image", "path": image_name("kort", report.charts["kort"]), "width": "100%"})
    table("skift")
    blocks.append({"type": "pagebreak"})
    blocks.append({"type": "heading", "level": 1, "text": "4. Udvikling i nøgletal"})
    table("nøgletal")
    if "nøgletal" in report.charts:
        blocks.append({"type": "image", "path": image_name("nøgletal", report.charts["nøgletal"]), "width": "100%"})
    blocks.append({"type": "pagebreak"})
    blocks.append({"type": "heading", "level": 1, "text": "5. Anvisning: kapacitet, rådighed og brug"})
    table("anvisning")
    blocks.append({"type": "image", "path": image_name("anvisning", report.charts["anvisning"]), "width": "85%"})
    table("trin")
    blocks.append({"type": "pagebreak"})
    blocks.append({"type": "heading", "level": 1, "text": "6. Fleksibel udlejning og fogedsager"})
    table("organisationer")
    blocks.append(
        {"type": "image", "path": image_name("organisationer", report.charts["organisationer"]), "width": "100%"}
    )
    table("kriterier")
    blocks.append({"type": "pagebreak"})
    blocks.append({"type": "heading", "level": 1, "text": "7. Om data"})
    for line in report.about:
        blocks.append({"type": "para", "text": line})
    table("udgivelser", level=2)
    return {
        "title": report.title,
        "subtitle": "Fælles udlejningsaftale · Aalborg Kommune og de almene boligorganisationer",
        "period": f"Periode: {report.period.label()} ({fmt.date(report.period.start)}–{fmt.date(report.period.end)})"
        f" · forrige periode {report.summary.previous.label()}",
        "meta": meta,
        "demo": DEMO_TEXT if report.is_demo else "",
        "footer": ("Demodata · " if report.is_demo else "") + f"{report.title} · Trappetrin",
        "figures": [list(k) for k in report.key_figures],
        "blocks": blocks,
    }


def to_pdf(report: Report) -> bytes:
    """The report as PDF (A4, Danish), typeset by typst from ``report.typ``."""
    import typst

    with tempfile.TemporaryDirectory(prefix="statusrapport-") as tmp:
        root = Path(tmp)
        (root / "data.json").write_text(json.dumps(_document(report), ensure_ascii=False), encoding="utf-8")
        for key, png in report.charts.items():
            (root / image_name(key, png)).write_bytes(png)
        (root / "report.typ").write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
        return typst.compile(
            str(root / "report.typ"),
            root=str(root),
            font_paths=[_font_dir()],
            ignore_system_fonts=True,
        )


def to_xlsx(report: Report) -> bytes:
    """The report's tables as an XLSX workbook (one sheet each), with a front sheet."""
    from .export import to_xlsx as write

    front = pd.DataFrame(
        {
            "Felt": ["Rapport", "Periode", "Forrige periode", "Udgivelse", "Regelsæt", "Dannet", "Datagrundlag"]
            + [k[0] for k in report.key_figures],
            "Værdi": [
                report.title,
                f"{fmt.date(report.period.start)}–{fmt.date(report.period.end)}",
                report.summary.previous.label(),
                report.release,
                f"{report.rules.name} v{report.rules.version}",
                fmt.datetime(report.generated_at),
                DEMO_TEXT if report.is_demo else "Rigtige data",
            ]
            + [f"{k[1]} ({k[2]})" for k in report.key_figures],
        }
    )
    sheets = {"Statusrapport": front}
    names = {
        "farver": "Farvefordeling",
        "skift": "Skift",
        "lister": "Listestatus",
        "nøgletal": "Nøgletal",
        "anvisning": "Anvisning",
        "trin": "Anvisning pr. trin",
        "organisationer": "Organisationer",
        "kriterier": "Fleksibel pr. kriterium",
        "udgivelser": "Udgivelser",
    }
    for key, name in names.items():
        frame = report.tables[key].frame.copy()
        frame.columns = [str(c).strip() for c in frame.columns]
        sheets[name] = frame
    sheets["Om data"] = pd.DataFrame({"Om data": report.about})
    return write(sheets)


def write_report(store: Store, rules: RuleSet, period: Period, out: Path) -> Path:
    """Build the report and write it as PDF or XLSX (by ``out``'s extension)."""
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise UserError(f"Filen '{out.name}' skal ende på .pdf eller .xlsx – forventet fx statusrapport.pdf.")
    report = build_report(store, rules, period)
    out.write_bytes(to_pdf(report) if suffix == ".pdf" else to_xlsx(report))
    return out


def classified(store: Store, label: str, rules: RuleSet) -> ReleaseResult:
    """Convenience for tests and the page: one classified release."""
    return classify_release(store, label, rules)
