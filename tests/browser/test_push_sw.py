"""The service worker's push handlers in real Chromium.

A real subscription needs the browser's push service on the internet (FCM for Chromium), which this
machine has not; so the test hands a push message straight to our registered service worker through
the DevTools protocol (``ServiceWorker.deliverPushMessage``, what the "Push" button of DevTools
does), and reads back the notifications it showed. The server's side of Web Push (VAPID, encryption,
retries) is tested against a fake push service in tests/integration/test_push.py.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, CDPSession, Page

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

SHOWN = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications()).map((n) => ({
    title: n.title, body: n.body, tag: n.tag, icon: n.icon, dir: n.dir, data: n.data,
  }));
}"""


def registration_id(page: Page, context: BrowserContext, live_server: LiveServer) -> tuple[CDPSession, str]:
    """The id of our service worker's registration, as the DevTools protocol names it."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = context.new_cdp_session(page)
    seen: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: seen.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        ours = [r for r in seen if r["scopeURL"] == f"{live_server.url}/" and not r["isDeleted"]]
        if ours:
            return cdp, ours[-1]["registrationId"]
        page.wait_for_timeout(50)
    raise AssertionError(f"no registration for {live_server.url}/ in {seen}")


def deliver(cdp: CDPSession, live_server: LiveServer, registration: str, data: str) -> None:
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": registration, "data": data},
    )


def shown(page: Page, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        notifications: list[dict[str, Any]] = page.evaluate(SHOWN)
        if len(notifications) >= count:
            return notifications
        page.wait_for_timeout(50)
    raise AssertionError(f"{len(page.evaluate(SHOWN))} notifications shown, expected {count}")


@pytest.fixture
def app_page(page: Page, context: BrowserContext, live_server: LiveServer) -> Page:
    """The app opened once (its service worker installed), with notifications allowed."""
    context.grant_permissions(["notifications"], origin=live_server.url)
    page.goto("/")
    page.wait_for_selector("html[data-ready]")
    return page


def test_a_push_shows_the_notification_the_server_worded(
    app_page: Page, context: BrowserContext, live_server: LiveServer
) -> None:
    cdp, registration = registration_id(app_page, context, live_server)
    message = {
        "title": "زيارة قريبة الموعد",
        "body": "زيارة وكالة الجزائر مطلوبة قبل 2026-11-26.",
        "url": "/#/visit/0b7c",
        "kind": "visit_due",
        "id": "5d1f6c1e-0000-4000-8000-000000000001",
    }

    deliver(cdp, live_server, registration, json.dumps(message, ensure_ascii=False))

    [notification] = shown(app_page, 1)
    assert notification["title"] == message["title"]
    assert notification["body"] == message["body"]
    assert notification["tag"] == f"rasd-{message['id']}"
    assert notification["icon"] == f"{live_server.url}/static/icons/icon-192.png"
    assert notification["dir"] == "auto"
    assert notification["data"] == {
        "url": f"{live_server.url}/#/visit/0b7c",
        "kind": "visit_due",
        "id": message["id"],
    }

    # The server retried the same notification: it replaces the one shown, it does not stack.
    deliver(cdp, live_server, registration, json.dumps(message, ensure_ascii=False))
    app_page.wait_for_timeout(300)
    assert len(shown(app_page, 1)) == 1


def test_an_odd_push_still_shows_the_app_and_never_links_elsewhere(
    app_page: Page, context: BrowserContext, live_server: LiveServer
) -> None:
    cdp, registration = registration_id(app_page, context, live_server)

    deliver(
        cdp, live_server, registration, json.dumps({"title": "x", "url": "https://evil.example/", "id": "a"})
    )
    deliver(cdp, live_server, registration, "not json")

    by_title = {n["title"]: n for n in shown(app_page, 2)}
    assert by_title["x"]["data"]["url"] == f"{live_server.url}/"
    assert by_title["رصد · Rasd"]["body"] == ""
