"""The checklist screen in real Chromium, beyond the whole story of test_checklist_ui.py: an error in
French, sections built when opened, and every screen of a visit on a small phone, checked by axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_shell import AR, FR
from tests.support.browser import fill_sign_in, open_app, serious_violations, store_call
from tests.support.checklist import ITEMS, OVERFLOW, TEMPLATE, item_box, open_section, start_unplanned_visit

pytestmark = pytest.mark.browser


def test_a_bounds_error_is_said_in_french_when_the_inspector_works_in_french(page: Page) -> None:
    open_app(page, "/?lang=fr")
    fill_sign_in(page, "inspector", words=FR)
    page.get_by_label("Rechercher une agence (nom ou code)").fill("CNAS-16")
    page.locator('#agency-list [data-code="CNAS-16"]').get_by_role("button").click()
    open_section(page, "waiting")
    page.locator("#input-measured_waiting_time").fill("500")
    expect(page.locator("#error-measured_waiting_time")).to_have_text(
        f"{ITEMS['measured_waiting_time']['label']['fr']} : la valeur doit être d'au plus 480 minutes."
    )


def test_a_section_is_built_when_first_opened_and_a_link_to_its_item_opens_it(page: Page) -> None:
    """A long checklist opens with the fields of its first section only; the others come on demand."""
    open_app(page)
    fill_sign_in(page, "inspector")
    start_unplanned_visit(page)
    first, *later = [section["key"] for section in TEMPLATE["sections"]]
    expect(page.locator(f"#section-{first} .item").first).to_be_visible()
    for key in later:
        expect(page.locator(f"#section-{key} .item")).to_have_count(0)
    items_of_waiting = len(next(s for s in TEMPLATE["sections"] if s["key"] == "waiting")["items"])
    open_section(page, "waiting")
    expect(page.locator("#section-waiting .item")).to_have_count(items_of_waiting)
    page.locator("#input-people_waiting").fill("12")

    # A link to an item of a section not yet opened (as the submit screen gives) opens it there.
    target = next(key for key in later if key != "waiting")
    item = next(s for s in TEMPLATE["sections"] if s["key"] == target)["items"][0]["key"]
    visit = page.evaluate("() => location.hash.split('/')[2]")
    page.evaluate("(hash) => { location.hash = hash; }", f"#/visit/{visit}/item/{item}")
    expect(page.locator(f"#section-{target}")).to_have_attribute("open", "")
    expect(page.locator(f"#item-{item}")).to_be_visible()
    open_section(page, "waiting")
    expect(page.locator("#input-people_waiting")).to_have_value("12")

    # The store reads what was asked to be written before, even while the write is on its way.
    read_back = store_call(
        page,
        """store.setAnswer(arg, 'people_met', 'le directeur');
           store.setAnswer(arg, 'people_waiting', 13);
           const visit = await store.getVisit(arg);
           return [visit.answers.people_met?.value, visit.answers.people_waiting?.value];""",
        visit,
    )
    assert read_back == ["le directeur", 13]


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_checklist_fits_a_small_phone_and_has_no_serious_accessibility_violation(
    page: Page, lang: str
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    open_app(page, f"/?lang={lang}")
    fill_sign_in(page, "inspector", words=FR if lang == "fr" else AR)
    row = page.locator('#agency-list [data-code="CNAS-16"]')
    expect(row).to_be_visible(timeout=20000)
    assert page.evaluate(OVERFLOW) <= 0, "work list"
    row.get_by_role("button").click()
    expect(page.locator("#live-score")).to_be_visible()

    for section in TEMPLATE["sections"]:
        open_section(page, section["key"])
    # The long parts: guidance open, rows added, an error shown.
    page.locator("#item-measured_waiting_time .item__help").click()
    page.locator("#input-people_waiting").fill("5000")
    item_box(page, "processing_sample").locator(".rows__add").click()
    item_box(page, "citizen_interviews").locator(".rows__add").click()
    expect(page.locator("#error-people_waiting")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0, "checklist"
    assert serious_violations(page) == [], "checklist"

    page.locator(".tabs__tab").nth(1).click()
    expect(page.locator("#finding-form")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0, "findings"
    assert serious_violations(page) == [], "findings"

    page.locator(".tabs__tab").nth(2).click()
    expect(page.locator("#problems")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0, "submit"
    assert serious_violations(page) == [], "submit"
