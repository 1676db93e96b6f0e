"""The checklist screen as the browser tests drive it: the demo template it shows, and the steps every
test takes (open a section, start a visit at an agency)."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from backend.settings import REPO_ROOT

TEMPLATE = json.loads(
    Path(REPO_ROOT / "backend/demo/templates/quality_public_service.json").read_text(encoding="utf-8")
)
ITEMS = {item["key"]: item for section in TEMPLATE["sections"] for item in section["items"]}
SECTION_OF = {item["key"]: section["key"] for section in TEMPLATE["sections"] for item in section["items"]}
# How far the page is wider than the screen (> 0: it scrolls sideways).
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def item_box(page: Page, key: str) -> Locator:
    return page.locator(f"#item-{key}")


def open_section(page: Page, key: str) -> None:
    section = page.locator(f"#section-{key}")
    if section.get_attribute("open") is None:
        section.locator("> summary").click()
    expect(section).to_have_attribute("open", "")


def start_unplanned_visit(page: Page, code: str = "CNAS-16") -> None:
    """From the work list: find the agency by its code and start a visit nobody planned."""
    row = page.locator(f'#agency-list [data-code="{code}"]')
    expect(row).to_be_visible(timeout=20000)  # the agencies arrive with the first sync
    page.get_by_label("البحث عن وكالة (الاسم أو الرمز)").fill(code)
    row.get_by_role("button", name="زيارة غير مبرمجة").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("وكالة CNAS الجزائر")
    expect(page.locator("#visit-status")).to_have_text("مسودة")
