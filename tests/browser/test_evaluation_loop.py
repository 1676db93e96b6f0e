"""The evaluation loop in real Chromium, as its users live it: a central inspector plans visits and an
inspector finds them on the phone; a reviewer returns a visit, the inspector corrects it, the reviewer
approves it.

Each story makes the data it looks at, on agencies no other story uses (ANEM and CASNOS of Algiers
for the planning, CNR-16 for the review), and counts only what it made: the live server is shared by
the whole session.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter

import pytest
from playwright.sync_api import Browser, Page, expect

from backend.i18n import translate
from tests.browser.conftest import Console, LiveServer
from tests.browser.test_two_devices import a_phone
from tests.support.browser import store_call, wait_for
from tests.support.checklist import SECTION_OF, item_box, open_section
from tests.support.pages_browser import (
    DISPLAY_NAMES,
    cell_texts,
    heading,
    pwa_ar,
    record_visit,
    reference_for,
    sign_in_on_pages,
    sync_until_idle,
    visit_status_on_phone,
    work_list_assignments,
)

pytestmark = pytest.mark.browser

PLANNED_BODIES = ("ANEM", "CASNOS")  # 5 agencies in Algiers: both inspectors get some of each round
INSPECTOR, INSPECTOR2 = DISPLAY_NAMES["inspector"], DISPLAY_NAMES["inspector2"]
ASSIGNEE_COLUMN = 5  # agency, wilaya, cycle, due, status, inspector, actions


def ar(key: str, **params: object) -> str:
    return translate(key, "ar", **params)


def test_a_central_inspector_plans_visits_and_the_inspector_finds_theirs_on_the_phone(
    page: Page, browser: Browser, live_server: LiveServer, console: Console
) -> None:
    sign_in_on_pages(page, "central")
    page.get_by_role("link", name=ar("nav.planning"), exact=True).click()
    assert heading(page) == ar("planning.title")
    page.get_by_role("link", name=ar("planning.schedule.new"), exact=True).click()
    assert heading(page) == ar("planning.schedule.new")

    # The new schedule: the checklist, the agencies of Algiers of two bodies, every quarter, two inspectors.
    name = f"جولة الجزائر {uuid.uuid4().hex[:6]}"
    page.get_by_label(ar("planning.field.name"), exact=True).fill(name)
    template = page.get_by_label(ar("planning.field.template_id"), exact=True)
    expect(template.locator("option")).not_to_have_count(0)
    template.select_option(index=0)
    for body in PLANNED_BODIES:
        page.get_by_label(body, exact=True).check()
    page.get_by_label(ar("planning.field.wilayas"), exact=True).select_option("16")
    page.get_by_label(ar("planning.field.frequency"), exact=True).select_option(
        label=ar("planning.frequency.quarterly")
    )
    page.get_by_label(INSPECTOR, exact=False).check()
    page.get_by_label(INSPECTOR2, exact=False).check()
    page.get_by_role("button", name=ar("planning.schedule.create"), exact=True).click()

    # The schedule and the assignments it generated: every one of them ours, planned, in Algiers.
    expect(page).to_have_url(re.compile(r"/manage/schedules/[0-9a-f-]{36}\?created=\d+$"))
    assert heading(page) == ar("planning.schedule.title")
    created = int(page.url.rsplit("=", 1)[1])
    assert created >= 5, "one assignment per agency (5) and occurrence"
    expect(page.locator("#schedule-name")).to_have_text(name)
    expect(page.get_by_role("status")).to_contain_text(str(created))
    rows = page.locator("#assignments tbody tr")
    expect(rows).to_have_count(created)
    table = cell_texts(page, "#assignments tbody tr")
    assert {row[0].split()[0].rsplit("-C", 1)[0] for row in table} == {f"{b}-16" for b in PLANNED_BODIES}
    assert {row[1] for row in table} == {"16"}
    assert {row[ASSIGNEE_COLUMN] for row in table} == {INSPECTOR, INSPECTOR2}, "both inspectors get visits"
    assert {row.get_attribute("data-status") for row in rows.all()} <= {"planned", "late"}

    # One of the inspector's visits goes to their colleague.
    mine = [row for row in rows.all() if row.locator("td").nth(ASSIGNEE_COLUMN).inner_text() == INSPECTOR]
    assert len(mine) >= 2, "the least loaded inspector gets each visit: two of five, or three"
    moved = mine[0]
    moved_id = (moved.get_attribute("id") or "")[2:]
    moved_agency = moved.locator("td").first.inner_text()
    choice = moved.get_by_label(ar("planning.reassign_to"), exact=True)
    colleague_id = choice.locator("option", has_text=INSPECTOR2).get_attribute("value")
    choice.select_option(label=INSPECTOR2)
    moved.get_by_role("button", name=ar("planning.reassign"), exact=True).click()
    expect(page.locator(f"#a-{moved_id} td").nth(ASSIGNEE_COLUMN)).to_have_text(INSPECTOR2)
    assert heading(page) == ar("planning.schedule.title")
    table = cell_texts(page, "#assignments tbody tr")
    assert len(table) == created, "reassigning makes no new assignment"
    kept = [row[0] for row in table if row[ASSIGNEE_COLUMN] == INSPECTOR]
    assert len(kept) == len(mine) - 1

    # The planning page lists the schedule.
    page.get_by_role("link", name=ar("planning.title"), exact=True).first.click()
    assert heading(page) == ar("planning.title")
    expect(page.locator("#schedules tbody tr").filter(has=page.get_by_role("link", name=name))).to_have_count(
        1
    )

    # The inspector's phone: after the first sync, their visits in the work list, not the colleague's.
    phone = a_phone(browser, live_server, console, "inspector")
    try:
        expected = Counter(agency_name(row) for row in kept)
        shown = {agency_name(row) for row in {*kept, moved_agency}}
        try:
            wait_for(
                lambda: planned_here(phone, shown) == expected, "the inspector's visits in the work list"
            )
        except AssertionError:
            assert planned_here(phone, shown) == expected  # what the work list shows instead
            raise
        on_phone = store_call(
            phone, "return (await store.listAssignments()).find((a) => a.id === arg) ?? null;", moved_id
        )
        assert on_phone is not None, "the feed brings every assignment of the agencies in scope"
        assert on_phone["assignee_id"] == colleague_id, "the phone knows who the visit went to"
    finally:
        phone.context.close()
    assert console.errors == [], console.errors


def agency_name(cell: str) -> str:
    """The agency's name as the phone shows it, from the pages' "CODE name" cell."""
    return cell.split(maxsplit=1)[1]


def planned_here(phone: Page, names: set[str]) -> Counter[str]:
    """The work list's planned visits to the agencies called ``names``, counted per agency."""
    return Counter({name: n for name, n in work_list_assignments(phone).items() if name in names})


REVIEWED_AGENCY = "CNR-16"
FIRST_ANSWERS = {"reception_desk": "yes", "reception_quality": 2, "people_waiting": 40}
COMMENT = "تقييم جودة الاستقبال لا يطابق الملاحظات: راجِع الجواب."


def test_a_reviewer_returns_a_visit_the_inspector_corrects_it_and_the_reviewer_approves_it(
    page: Page, browser: Browser, live_server: LiveServer, console: Console
) -> None:
    # The inspector makes a visit on the phone and sends it.
    phone = a_phone(browser, live_server, console, "inspector")
    try:
        reference = reference_for(phone, REVIEWED_AGENCY)
        visit_id = record_visit(phone, reference, FIRST_ANSWERS)
        assert sync_until_idle(phone)["rejected"] == []

        # The reviewer finds it in the queue, newest first.
        sign_in_on_pages(page, "central")
        page.get_by_role("link", name=ar("nav.review"), exact=True).click()
        assert heading(page) == ar("review.queue.title")
        queue = page.locator("#review-queue")
        queue.get_by_role("link", name=ar("review.queue.submitted")).click()
        expect(queue.locator("th[aria-sort='descending']")).to_have_count(1)
        row = page.locator(f"#review-queue tr[data-visit-id='{visit_id}']")
        expect(row).to_contain_text(reference["agency_name"])
        expect(row).to_contain_text(INSPECTOR)
        expect(row).to_contain_text(ar("review.status.submitted"))
        row.get_by_role("link", name=reference["agency_name"]).click()
        expect(page).to_have_url(re.compile(f"/manage/review/{visit_id}$"))
        heading(page)
        expect(page.locator("#visit-status")).to_have_attribute("data-status", "submitted")
        expect(page.locator("#answers tr[data-item='reception_quality'] td").first).to_contain_text("2")

        # Returning without saying why: the browser asks for the comment, then the server does.
        comment = page.get_by_label(ar("review.decision.comment"), exact=True)
        send_back = page.get_by_role("button", name=ar("review.decision.return"), exact=True)
        send_back.click()
        expect(page).to_have_url(re.compile(f"/manage/review/{visit_id}$"))
        assert comment.evaluate("(box) => box.validity.valueMissing") is True
        comment.fill("   ")
        with page.expect_response(lambda r: r.url.endswith(f"/{visit_id}/return")) as refused:
            send_back.click()
        assert refused.value.status == 422
        error = page.locator("#comment-error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("التعليق")  # the message names the field, in Arabic
        expect(comment).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#visit-status")).to_have_attribute("data-status", "submitted")

        comment.fill(COMMENT)
        send_back.click()
        expect(page).to_have_url(re.compile(r"/manage/review\?notice=returned$"))
        expect(page.get_by_role("status")).to_have_text(ar("review.notice.returned"))
        expect(page.locator(f"#review-queue tr[data-visit-id='{visit_id}']")).to_have_count(0)

        # The phone learns it on its next sync: returned, with the reviewer's words, in the work list.
        sync_until_idle(phone)
        assert visit_status_on_phone(phone, visit_id) == "returned"
        returned = phone.locator("li.card--returned").filter(has_text=reference["agency_name"])
        expect(returned).to_have_count(1)
        expect(returned.locator(".review-comment")).to_contain_text(COMMENT)

        # The inspector corrects the rating on the checklist and sends the visit again.
        returned.get_by_role("link", name=pwa_ar("home.correct")).click()
        expect(phone.locator(".notice--returned .review-comment")).to_have_text(COMMENT)
        open_section(phone, SECTION_OF["reception_quality"])
        item_box(phone, "reception_quality").get_by_label("4", exact=True).check()
        wait_for(
            lambda: (
                store_call(phone, "return (await store.getVisit(arg)).answers.reception_quality;", visit_id)
                == {"value": 4, "note": None}
            ),
            "the corrected answer stored on the phone",
        )
        store_call(phone, "await store.submitVisit(arg); return true;", visit_id)
        assert sync_until_idle(phone)["rejected"] == []

        # The reviewer sees the correction and approves.
        page.goto(f"/manage/review/{visit_id}")
        expect(page.locator("#visit-status")).to_have_attribute("data-status", "submitted")
        expect(page.locator("#review-comment")).to_have_text(COMMENT)
        expect(page.locator("#answers tr[data-item='reception_quality'] td").first).to_contain_text("4")
        page.get_by_role("button", name=ar("review.decision.approve"), exact=True).click()
        expect(page.get_by_role("status")).to_have_text(ar("review.notice.approved"))
        page.get_by_label(ar("review.queue.status"), exact=True).select_option("approved")
        page.get_by_role("button", name=ar("page.filter"), exact=True).click()
        expect(page.locator(f"#review-queue tr[data-visit-id='{visit_id}']")).to_contain_text(
            ar("review.status.approved")
        )
        sync_until_idle(phone)
        assert visit_status_on_phone(phone, visit_id) == "approved"
    finally:
        phone.context.close()
    assert console.errors == [], console.errors
