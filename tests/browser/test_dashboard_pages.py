"""The directors' dashboard in real Chromium: a director drills down from the nation to an agency,
sees the trend charts, exports the visits and a visit's PDF report; and the review, planning and
dashboard pages fit a small phone and pass axe.

The visits these stories look at are made on an inspector's phone in Oran (wilaya 31), which no
other story uses, and counted relative to what was there before.
"""

from __future__ import annotations

import csv
import io
import re
from functools import partial

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from backend.i18n import translate
from tests.browser.conftest import Console, LiveServer
from tests.browser.test_two_devices import a_phone
from tests.support.browser import serious_violations, wait_for
from tests.support.pages_browser import (
    heading,
    overflow,
    record_visit,
    reference_for,
    sign_in_on_pages,
    sync_until_idle,
)

pytestmark = pytest.mark.browser

BOM = b"\xef\xbb\xbf"
ANSWERS = {"reception_desk": "yes", "reception_quality": 3, "people_waiting": 12}


def ar(key: str, **params: object) -> str:
    return translate(key, "ar", **params)


def a_visit_in_oran(
    browser: Browser, live_server: LiveServer, console: Console, code: str
) -> tuple[str, str]:
    """The Oran inspector makes and sends a visit to ``code``: its id, once on the server, and the
    agency's Arabic name."""
    phone = a_phone(browser, live_server, console, "inspector.oran")
    try:
        reference = reference_for(phone, code)
        visit_id = record_visit(phone, reference, ANSWERS)
        assert sync_until_idle(phone)["rejected"] == []
    finally:
        phone.context.close()
    return visit_id, str(reference["agency_name"])


def charts_load(page: Page) -> None:
    """Every chart of the page is a picture that loads (they load lazily: scroll to each)."""
    charts = page.locator("img.chart")
    expect(charts).not_to_have_count(0)
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        wait_for(partial(loaded, chart), f"the chart {chart.get_attribute('src')} to load")


def loaded(image: Locator) -> bool:
    return bool(image.evaluate("(img) => img.complete && img.naturalWidth > 0"))


def test_a_director_drills_down_to_an_agency_and_exports_its_visits(
    page: Page, browser: Browser, live_server: LiveServer, console: Console
) -> None:
    visit_id, agency_name = a_visit_in_oran(browser, live_server, console, "CNAS-31")

    sign_in_on_pages(page, "director")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    national = heading(page)
    assert national == ar("dashboard.title")
    charts_load(page)

    # National → the body → the wilaya → the agency: each page its own heading, in Arabic.
    page.locator("#places tr[data-code='CNAS'] th a").click()
    body = heading(page)
    assert body != national
    expect(page).to_have_url(re.compile(r"/dashboard/body/CNAS\b"))
    charts_load(page)

    page.locator("#places tr[data-code='31'] th a").click()
    wilaya = heading(page)
    assert wilaya not in (national, body)
    expect(page).to_have_url(re.compile(r"/dashboard/wilaya/31\b"))
    agency_row = page.locator("#places tbody tr").filter(
        has=page.get_by_role("link", name=agency_name, exact=True)
    )
    expect(agency_row).to_have_count(1)
    assert int(agency_row.locator("[data-col='visits']").inner_text()) >= 1, "the visit just made counts"
    charts_load(page)

    agency_row.locator("th a").click()
    agency = heading(page)
    assert agency not in (national, body, wilaya)
    assert agency_name in agency
    expect(page).to_have_url(re.compile(r"/dashboard/agency/[0-9a-f-]{36}\b"))
    charts_load(page)

    # The visit behind the figures, and its PDF report (from the page's link, or from its address).
    report_link = page.locator(f"a[href*='/dashboard/visits/{visit_id}/report.pdf']")
    report_url = (
        report_link.first.get_attribute("href")
        if report_link.count()
        else f"/dashboard/visits/{visit_id}/report.pdf"
    )
    report = page.request.get(str(report_url))
    assert report.ok, report.status
    assert report.headers["content-type"].startswith("application/pdf")
    assert report.body().startswith(b"%PDF")

    # The exports page: the visits as CSV, downloaded.
    page.get_by_role("link", name=ar("nav.exports"), exact=True).click()
    assert heading(page) == ar("exports.title")
    page.get_by_label(ar("exports.field.dataset"), exact=True).select_option(
        label=ar("exports.dataset.visits")
    )
    with page.expect_download() as started:
        page.get_by_role("button", name=ar("exports.download_csv"), exact=True).click()
    download = started.value
    assert download.suggested_filename.endswith(".csv")
    content = download.path().read_bytes()
    assert content.startswith(BOM), "Excel opens UTF-8 Arabic only with a BOM"
    header, *rows = list(csv.reader(io.StringIO(content[len(BOM) :].decode("utf-8"))))
    assert header[0] == "visit_id"
    assert {"agency_code", "status", "score_pct"} <= set(header)
    [ours] = [row for row in rows if row[0] == visit_id]
    assert ours[header.index("agency_code")] == "CNAS-31"
    assert console.errors == [], console.errors


PHONE: ViewportSize = {"width": 360, "height": 740}


def test_the_review_planning_and_dashboard_pages_fit_a_phone_and_pass_axe(
    page: Page, browser: Browser, live_server: LiveServer, console: Console
) -> None:
    visit_id, _ = a_visit_in_oran(browser, live_server, console, "CASNOS-31")
    page.set_viewport_size(PHONE)
    sign_in_on_pages(page, "central")

    # Every page is checked before judging, so that one report says all that is wrong.
    problems: dict[str, list[str]] = {}
    page.goto("/manage/review?wilaya=31&sort=submitted&order=desc")
    assert heading(page) == ar("review.queue.title")
    expect(page.locator(f"#review-queue tr[data-visit-id='{visit_id}']")).to_have_count(1)
    problems["/manage/review"] = serious_violations(page) + sideways(page)

    page.goto("/manage/planning")
    assert heading(page) == ar("planning.title")
    problems["/manage/planning"] = serious_violations(page)

    page.goto("/dashboard")
    assert heading(page) == ar("dashboard.title")
    expect(page.locator("#places tbody tr")).not_to_have_count(0)
    problems["/dashboard"] = serious_violations(page) + sideways(page)
    assert {path: found for path, found in problems.items() if found} == {}
    assert console.errors == [], console.errors


def sideways(page: Page) -> list[str]:
    """The horizontal overflow of the document, as a problem (tables may scroll inside their box)."""
    beyond = overflow(page)
    return [f"the page is {beyond} px wider than a {PHONE['width']} px phone"] if beyond > 0 else []
