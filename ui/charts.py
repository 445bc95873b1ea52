"""Altair charts shared by the pages: indicator trends and colour histories, in Danish.

Vega-Lite formats numbers the English way unless told otherwise: every chart here carries the
Danish number locale (:func:`danish_locale`, marks taken from :mod:`trappetrin.formatting`) in its
config, so axis labels read ``1.234,5`` and ``−2``; tooltips carry text formatted by
:mod:`trappetrin.formatting`. Charts receive only rows that may be shown: the callers leave out every
value of a department under the discretion limit (trappetrin.trends does that).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from trappetrin import formatting
from trappetrin.rules import RuleSet

THRESHOLD_COLOUR = "#b2182b"
THRESHOLD_DASH = [6, 4]
ROW_HEIGHT = 22  # pixels per department in the colour history, enough for every label


def unit_suffix(unit: str) -> str:
    return " %" if unit == "%" else ""


def danish_locale() -> alt.Locale:
    """Vega's number locale with the marks of :mod:`trappetrin.formatting` (``1.234,5``, ``−2``)."""
    return alt.Locale(
        number=alt.NumberLocale(
            decimal=formatting.DECIMAL,
            thousands=formatting.GROUP,
            grouping=[3],
            currency=["", " kr."],
            minus=formatting.MINUS,
        )
    )


def danish_numbers(chart):
    """``chart`` with the Danish number locale, so Vega writes its own labels the Danish way."""
    return chart.configure(locale=danish_locale())


def trend_chart(
    data: pd.DataFrame,
    *,
    releases: list[str],
    title: str,
    y_title: str,
    unit: str,
    threshold_op: str | None = None,
    threshold_text: str | None = None,
    decimals: int = 1,
) -> alt.LayerChart:
    """Line chart of one indicator across releases with the threshold as a dashed rule.

    Parameters
    ----------
    data
        Long frame with ``release``, ``series`` (name of the line), ``value`` and ``departments``;
        rows without a value are dropped, so a masked department leaves a gap and no trace.
    releases
        Every release label in order, so the axis keeps releases without values.
    title
        Chart title (the indicator's label).
    y_title
        Danish axis title (the unit).
    unit
        The indicator's unit (``%`` adds " %" to tooltips).
    threshold_op
        The comparison as shown (``>``, ``≥`` …) for the threshold tooltips.
    threshold_text
        Danish text of the threshold for the rule's label, e.g. ``> 30 %``; ``None`` when the
        rule set has no threshold for the indicator (then no rule is drawn).
    """
    suffix = unit_suffix(unit)
    points = data.dropna(subset=["value"]).copy()
    points["Værdi"] = [formatting.short(v, decimals) + suffix for v in points["value"]]
    points["Afdelinger"] = [formatting.integer(n) for n in points["departments"]]
    points = points[["release", "series", "value", "Værdi", "Afdelinger"]]  # only what the chart draws
    x = alt.X(
        "release:O",
        title="Udgivelse",
        sort=releases,
        scale=alt.Scale(domain=releases),
        axis=alt.Axis(labelAngle=-45, labelOverlap=False),
    )
    y_axis = alt.Axis(format=",~r")  # grouped, no trailing zeros; Danish marks from the locale
    series = sorted(points["series"].unique()) if not points.empty else []
    lines = (
        alt.Chart(points)
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=y_title, axis=y_axis, scale=alt.Scale(zero=False)),
            color=alt.Color("series:N", title="Serie", sort=series, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("series:N", title="Serie"),
                alt.Tooltip("release:O", title="Udgivelse"),
                alt.Tooltip("Værdi:N", title="Værdi"),
                alt.Tooltip("Afdelinger:N", title="Afdelinger"),
            ],
        )
    )
    layers: list[alt.Chart] = [lines]
    thr = data.drop_duplicates("release")[["release", "threshold"]].dropna(subset=["threshold"])
    if threshold_text and not thr.empty:
        thr = thr.assign(
            Grænse=[f"{threshold_op or ''} {formatting.short(t)}{suffix}".strip() for t in thr["threshold"]]
        )
        tooltip = [alt.Tooltip("Grænse:N", title="Grænse")]
        if np.allclose(thr["threshold"], thr["threshold"].iloc[0]):
            rule = (
                alt.Chart(thr.iloc[[0]])
                .mark_rule(color=THRESHOLD_COLOUR, strokeDash=THRESHOLD_DASH, strokeWidth=2)
                .encode(y="threshold:Q", tooltip=tooltip)
            )
        else:  # relative threshold: it moves with the reference value, release by release
            rule = (
                alt.Chart(thr)
                .mark_line(color=THRESHOLD_COLOUR, strokeDash=THRESHOLD_DASH, strokeWidth=2, interpolate="step-after")
                .encode(x=x, y="threshold:Q", tooltip=tooltip)
            )
        label = (
            alt.Chart(thr.iloc[[-1]])
            .mark_text(align="right", baseline="bottom", dy=-4, color=THRESHOLD_COLOUR, fontWeight="bold")
            .encode(
                x=alt.X("release:O", sort=releases, scale=alt.Scale(domain=releases)),
                y="threshold:Q",
                text=alt.value(f"Grænse {threshold_text}"),
            )
        )
        layers += [rule, label]
    return danish_numbers(alt.layer(*layers).properties(height=360, title=title))


def colour_history_chart(history: pd.DataFrame, rules: RuleSet, *, releases: list[str]) -> alt.LayerChart:
    """Heat-map of departments (rows) by release (columns), coloured and marked ▲◆●○ by outcome.

    ``history`` is :func:`trappetrin.trends.colour_history` output (plus any filtering); it
    carries no indicator values, only outcomes.
    """
    labels = {o.code: f"{rules.symbol(o.code)} {o.label}".strip() for o in rules.outcomes}
    frame = history.assign(
        Afdeling=history["dept_id"] + " " + history["name"],
        Farve=history["outcome"].map(labels).fillna(history["outcome"]),
        Symbol=history["outcome"].map(rules.symbol),
    )
    order = list(dict.fromkeys(frame.sort_values("dept_id")["Afdeling"]))
    frame = frame[["release", "Afdeling", "organisation", "outcome", "Farve", "Symbol"]]
    domain = [labels[o.code] for o in rules.outcomes]
    colours = [o.color for o in rules.outcomes]
    x = alt.X(
        "release:O",
        title="Udgivelse",
        sort=releases,
        scale=alt.Scale(domain=releases),
        axis=alt.Axis(labelAngle=-45, orient="top", labelOverlap=False),
    )
    y = alt.Y("Afdeling:N", title=None, sort=order, axis=alt.Axis(labelLimit=320))
    tooltip = [
        alt.Tooltip("Afdeling:N"),
        alt.Tooltip("organisation:N", title="Boligorganisation"),
        alt.Tooltip("release:O", title="Udgivelse"),
        alt.Tooltip("Farve:N"),
    ]
    base = alt.Chart(frame)
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        x=x,
        y=y,
        color=alt.Color(
            "Farve:N", scale=alt.Scale(domain=domain, range=colours), legend=alt.Legend(title="Farve", orient="bottom")
        ),
        tooltip=tooltip,
    )
    dark = {o.code for o in rules.outcomes if _is_dark(o.color)}
    symbols = base.mark_text(fontSize=11).encode(
        x=x,
        y=y,
        text="Symbol:N",
        tooltip=tooltip,
        color=alt.condition(
            alt.FieldOneOfPredicate(field="outcome", oneOf=sorted(dark)) if dark else alt.datum.outcome == "",
            alt.value("white"),
            alt.value("#222"),
        ),
    )
    return danish_numbers(alt.layer(cells, symbols).properties(height=alt.Step(ROW_HEIGHT)))


def _is_dark(color: str) -> bool:
    """Whether white text reads better than black on a ``#rrggbb`` background."""
    r, g, b = (int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b < 140


def signed(x, decimals: int = 1, unit: str = "") -> str:
    """Danish signed number for margins and changes: ``+1,2``, ``−0,4`` (true minus), ``0``."""
    text = formatting.number(x, decimals, trim=True, sign=True)
    return text if text == formatting.MISSING else text + unit_suffix(unit)
