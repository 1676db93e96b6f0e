"""The in-app list of notifications on the home screen, and the service worker's notification click.

The notification is written straight into the live server's SQLite database (what the scheduler
would have written): the server is a subprocess, and no endpoint creates a notification without a
push subscription, which a browser here cannot get (see test_push_sw.py).
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer
from tests.support.browser import sign_in, wait_for

pytestmark = pytest.mark.browser

FETCH_JSON = (
    "(path) => fetch(path, {headers: {Accept: 'application/json'}}).then((response) => response.json())"
)


def insert_notification(live_server: LiveServer, user_id: str, title: str, url: str = "/#/") -> str:
    """One unread notification for ``user_id``, stored as SQLAlchemy stores it on SQLite."""
    notification_id = uuid.uuid4().hex
    row = {
        "id": notification_id,
        "user_id": uuid.UUID(user_id).hex,
        "kind": "visit_returned",
        "dedupe_key": f"test:{notification_id}",
        "title": title,
        "body": "أعاد المراجع زيارة وكالة الجزائر.",
        "url": url,
        "created_at": datetime.now(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f"),
        "attempts": 0,
    }
    with sqlite3.connect(live_server.data_dir / "rasd.db", timeout=10) as db:
        columns = db.execute("PRAGMA table_info(notification)").fetchall()
        missing = [c[1] for c in columns if c[3] and c[4] is None and not c[5] and c[1] not in row]
        assert missing == [], f"NOT NULL columns this test does not fill: {missing}"
        names = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        db.execute(f"INSERT INTO notification ({names}) VALUES ({marks})", row)  # noqa: S608 - fixed names
    return notification_id


def my_notification(page: Page, notification_id: str) -> dict[str, Any]:
    listing = page.evaluate(FETCH_JSON, "/api/notifications?limit=200")
    [item] = [item for item in listing["items"] if uuid.UUID(item["id"]).hex == notification_id]
    return item


def test_the_list_shows_an_unread_notification_and_opening_it_marks_it_read(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page)
    me = page.evaluate(FETCH_JSON, "/api/auth/me")["user"]
    title = f"زيارة أُعيدت {uuid.uuid4().hex[:6]}"
    notification_id = insert_notification(live_server, me["id"], title)

    page.reload()
    page.wait_for_selector("#sign-out")
    section = page.locator(".notification-list")
    expect(section.get_by_role("heading", name="إشعاراتي")).to_be_visible()
    unread_before = page.evaluate(FETCH_JSON, "/api/notifications")["unread"]
    expect(section.locator(".notification-list__count")).to_have_text(f"(غير المقروءة: {unread_before})")
    link = section.get_by_role("link", name=title)
    expect(link).to_be_visible()
    expect(link).to_contain_text("جديد")  # unread, said in words and not only by colour
    expect(link.locator("time")).to_have_attribute(
        "datetime", my_notification(page, notification_id)["created_at"]
    )
    assert my_notification(page, notification_id)["read_at"] is None

    link.click()

    wait_for(
        lambda: my_notification(page, notification_id)["read_at"] is not None, "read_at set on the server"
    )
    page.wait_for_url(f"{live_server.url}/#/")
    link = page.locator(".notification-list").get_by_role("link", name=title)
    expect(link).to_be_visible()
    expect(link).not_to_contain_text("جديد")
    assert page.evaluate(FETCH_JSON, "/api/notifications")["unread"] == unread_before - 1


def test_a_click_on_a_notification_in_the_worker_closes_it_and_takes_the_page_to_its_url(
    page: Page, context: BrowserContext, live_server: LiveServer
) -> None:
    context.grant_permissions(["notifications"], origin=live_server.url)
    sign_in(page)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    target = f"{live_server.url}/#/"
    if page.url == target:  # the click must move the page somewhere it is not
        page.evaluate("location.hash = ''")
    page.evaluate(
        """async (url) => {
          const registration = await navigator.serviceWorker.ready;
          await registration.showNotification('زيارة أُعيدت', {tag: 'rasd-click', data: {url}});
        }""",
        target,
    )
    [worker] = wait_for(lambda: context.service_workers, "the service worker")

    worker.evaluate(
        """async () => {
          const [notification] = await self.registration.getNotifications();
          self.dispatchEvent(new NotificationEvent('notificationclick', {notification}));
        }"""
    )

    page.wait_for_url(target)
    wait_for(
        lambda: page.evaluate("navigator.serviceWorker.ready.then((r) => r.getNotifications())") == [],
        "the notification closed",
    )
