"""Streamlit's own English, replaced, and Vega's numbers in Danish, in a real da-DK Chromium.

The file uploader's button and size line are drawn by Streamlit in English with no option to change
them; ``ui/widgets.py`` replaces them in CSS. Charts carry Vega's Danish number locale
(``ui/charts.danish_numbers``): Vega's own text for a point (its ARIA label) shows its decimal comma.
"""

from __future__ import annotations

import re

from tests.support.browser import wait_for_app


def test_the_uploader_reads_danish(page, app_server):
    page.goto(f"{app_server}/data")
    wait_for_app(page, timeout=90_000, settle_ms=0)
    zone = page.wait_for_selector("[data-testid='stFileUploaderDropzone']", timeout=60_000)
    # The style sheet is an element of its own, drawn in the same run: wait until it applies.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('[data-testid=stFileUploaderDropzone] button'), '::after')"
        ".content !== 'none'",
        timeout=10_000,
    )
    shown = zone.evaluate(
        """z => {
            const button = z.querySelector('button');
            const hint = z.querySelector('[data-testid=stFileUploaderDropzoneInstructions]');
            const visible = el => [...el.querySelectorAll('*')].filter(e => {
                const s = getComputedStyle(e);
                return s.display !== 'none' && s.display !== 'contents' && parseFloat(s.fontSize) > 0
                    && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
            }).map(e => e.textContent.trim());
            return {
                button: getComputedStyle(button, '::after').content,
                hint: getComputedStyle(hint, '::after').content,
                english: [...visible(button), ...visible(hint)],
            };
        }"""
    )
    assert shown["button"] == '"Vælg fil"'
    assert re.fullmatch(r'"Højst \d+ MB pr\. fil · CSV, .*"', shown["hint"]), shown["hint"]
    assert shown["english"] == [], "Streamlit's English text is still visible"


def test_chart_numbers_are_danish(page, app_server):
    page.goto(f"{app_server}/udvikling")
    wait_for_app(page, timeout=90_000, settle_ms=0)
    page.wait_for_selector(".vega-embed canvas", timeout=60_000)
    labels = page.evaluate(
        "() => [...document.querySelectorAll('.vega-embed [aria-label]')].map(e => e.getAttribute('aria-label'))"
    )
    points = [label for label in labels if label.startswith("Udgivelse:")]
    assert points, labels
    assert any(re.search(r"Procent: \d+,\d", p) for p in points), points[:3]  # Vega's own number, Danish
    assert not any(re.search(r"Procent: \d+\.\d", p) for p in points), points[:3]
