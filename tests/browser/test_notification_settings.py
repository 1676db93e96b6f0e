"""Notification settings on the home screen: kinds switched off stay off, on this page and on the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import serious_violations
from tests.support.clients import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_a_kind_switched_off_stays_off_after_a_reload_and_on_the_server(page: Page) -> None:
    page.goto("/")
    page.wait_for_selector("html[data-ready]")
    page.get_by_label("اسم المستخدم", exact=True).fill("inspector2")
    page.get_by_label("كلمة المرور", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="دخول", exact=True).click()

    settings = page.locator(".notification-settings")  # inspector2 reads French
    expect(settings.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(settings.get_by_role("button", name="Activer les notifications")).to_be_enabled()
    expect(settings.get_by_role("button", name="M’envoyer un test")).to_be_enabled()
    overdue = settings.get_by_role("checkbox", name="Une visite est en retard")
    expect(overdue).to_be_checked()
    expect(settings.locator('input[value="test"]')).to_have_count(0)

    overdue.uncheck()
    expect(settings.get_by_role("status")).to_have_text("Réglages enregistrés.")

    page.reload()
    page.wait_for_selector("html[data-ready]")
    overdue = page.locator(".notification-settings").get_by_role("checkbox", name="Une visite est en retard")
    expect(overdue).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Une visite arrive à échéance")).to_be_checked()
    off = page.evaluate(
        "fetch('/api/notifications/preferences', {headers: {Accept: 'application/json'}})"
        ".then((response) => response.json()).then((body) => body.off)"
    )
    assert "visit_overdue" in off
    assert "visit_due" not in off

    assert serious_violations(page, context=".notification-settings") == []
