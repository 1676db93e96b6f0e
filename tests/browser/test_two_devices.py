"""Two inspectors, two phones, one item answered differently while both were offline: nothing is
lost, the server keeps both values as a conflict, the second phone is told, and a reviewer sees both
values with their authors."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import Console, LiveServer
from tests.browser.test_sync_offline import first_sync, synced
from tests.support.browser import sign_in, wait_for, wait_until_controlled
from tests.support.browser import store_call as call

pytestmark = pytest.mark.browser

ITEM = "reception_quality"  # a rating, 1–5


def a_phone(browser: Browser, live_server: LiveServer, console: Console, username: str) -> Page:
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 412, "height": 915}
    )
    context.on("page", console.watch)
    page = context.new_page()
    sign_in(page, username)
    wait_until_controlled(page)
    return page


def sync_now(page: Page) -> dict[str, Any]:
    """What the "sync now" button does (the engine instance the app started), then the idle status."""
    page.evaluate(
        "async () => { const { syncNow } = await import('/static/js/sync/engine.js'); await syncNow(); }"
    )
    return wait_for(lambda: synced(page), "the sync to finish")  # type: ignore[no-any-return]


def test_two_inspectors_answer_the_same_item_offline_and_a_reviewer_sees_both(
    browser: Browser, live_server: LiveServer, console: Console
) -> None:
    first = a_phone(browser, live_server, console, "inspector")
    second = a_phone(browser, live_server, console, "inspector2")
    try:
        reference = first_sync(first)
        first_sync(second)
        visit_id = call(
            first,
            """const id = await store.createVisit({agency_id: arg.agency_id,
                                                 template_version_id: arg.template_id});
               await store.setAnswer(id, arg.item, 3, null);
               return id;""",
            {**reference, "item": ITEM},
        )
        sync_now(first)
        # The second phone learns the visit (same wilaya) before the network goes.
        wait_for(
            lambda: sync_now(second) and call(second, "return store.getVisit(arg);", visit_id),
            "the visit on the second phone",
        )

        first.context.set_offline(True)
        second.context.set_offline(True)
        call(
            first,
            "await store.setAnswer(arg.id, arg.item, 2, 'deux guichets fermés'); return true;",
            {"id": visit_id, "item": ITEM},
        )
        call(
            second,
            "await store.setAnswer(arg.id, arg.item, 5, null); return true;",
            {"id": visit_id, "item": ITEM},
        )

        first.context.set_offline(False)
        assert sync_now(first)["rejected"] == []
        second.context.set_offline(False)
        told = wait_for(
            lambda: (status := sync_now(second))["conflicts"] and status,
            "the second phone to learn of the conflict",
        )
        [conflict] = [c for c in told["conflicts"] if c["entity_id"] == visit_id]
        assert conflict["field"] == f"answers.{ITEM}"

        # A reviewer sees both values and who gave them.
        reviewer = browser.new_context(base_url=live_server.url)
        try:
            signed = reviewer.request.post(
                "/api/auth/login",
                data={"username": "central", "password": "rasd-demo"},
                headers={"x-csrftoken": _csrf(reviewer.request)},
            )
            assert signed.ok, signed.text()
            listed = reviewer.request.get("/api/sync/conflicts?status=open").json()
            [seen] = [c for c in listed["items"] if c["entity_id"] == visit_id]
            values = sorted(candidate["value"]["value"] for candidate in seen["candidates"])
            authors = {candidate["author"] for candidate in seen["candidates"]}
            assert values == [2, 5]
            assert len(authors) == 2
        finally:
            reviewer.close()
    finally:
        first.context.close()
        second.context.close()
    assert console.errors == [], console.errors


def _csrf(request: Any) -> str:
    request.get("/healthz")
    cookies = {c["name"]: c["value"] for c in request.storage_state()["cookies"]}
    return cookies["csrftoken"]
