"""Tvillinger in Chromium: a link opens the view it names, the chart draws, a choice updates the link."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.browser import screenshot, wait_for_app

_OVERFLOW = """() => {
    const main = document.querySelector("[data-testid='stMain']");
    return main.scrollWidth - main.clientWidth;
}"""


def test_a_link_opens_one_department_against_its_twins(page: Page, app_server):
    page.goto(f"{app_server}/tvillinger?afd=101-003&tv.n=7")
    wait_for_app(page, settle_ms=0)
    main = page.locator("[data-testid='stMain']")
    expect(main.locator("h1").first).to_have_text("Tvillinger")
    expect(main).to_contain_text("Demodata")
    expect(main.locator("h2").first).to_have_text("Demo-afd. 3 Enghaven")
    expect(main.get_by_text("7 tvillinger", exact=False).first).to_be_visible()
    # The chart against the twins is drawn (Vega renders into a canvas or an SVG).
    chart = main.locator("[data-testid='stVegaLiteChart']").first
    expect(chart).to_be_visible()
    expect(chart.locator("canvas, svg").first).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.evaluate(_OVERFLOW) <= 1, "the page is wider than the window"
    screenshot(page, "tvillinger-afdeling-1280")


def test_choosing_socio_data_updates_the_address(page: Page, app_server):
    page.goto(f"{app_server}/tvillinger?afd=101-003")
    wait_for_app(page, settle_ms=0)
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("Socioøkonomi", exact=True).click()
    wait_for_app(page)
    expect(page).to_have_url(f"{app_server}/tvillinger?afd=101-003&tv.by=socio")
    expect(main.get_by_text("fundet efter uden for arbejdsmarked", exact=False)).to_be_visible()


def test_the_municipality_view_lists_who_stands_out(page: Page, app_server):
    page.goto(f"{app_server}/tvillinger?tv=kommune&tv.ind=pct_convicted")
    wait_for_app(page, settle_ms=0)
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_text("skiller sig mest ud fra deres 10 tvillinger", exact=False)).to_be_visible()
    expect(main.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
    expect(main.locator("[data-testid='stDataFrame']").first).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.evaluate(_OVERFLOW) <= 1
    screenshot(page, "tvillinger-kommune-1280")
