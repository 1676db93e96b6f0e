"""The inspector's checklist in real Chromium, as a user story: start an unplanned visit at CNAS-16,
answer every type of item, watch relevance and the live score, get a bounds error in Arabic, add a
finding and a corrective action, sign and submit. The other checks of the same screens are in
test_checklist_screens.py.

The checklist is the demo template (backend/demo/templates/quality_public_service.json), read by
tests/support/checklist.py to know which items there are: the test answers every required item of
it, as an inspector must.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, FilePayload, Geolocation, Locator, Page, expect

from tests.browser.conftest import LiveServer
from tests.support.browser import fill_sign_in, open_app
from tests.support.checklist import ITEMS, SECTION_OF, item_box, open_section, start_unplanned_visit

pytestmark = pytest.mark.browser

YES_NO = {"yes": "نعم", "no": "لا", "na": "لا ينطبق"}
ALGIERS: Geolocation = {"latitude": 36.7538, "longitude": 3.0588, "accuracy": 12}

# What the inspector answers, in the order of the form. Gating questions are answered so that some
# items stay hidden (no contributions collected here, no earlier instructions).
ANSWERS: dict[str, Any] = {
    "arrival_location": "gps",
    "arrival_time": "08:30",
    "people_met": "السيد مدير الوكالة، رئيس مصلحة الأداءات",
    "reception_desk": "yes",
    "reception_staffed": "yes",
    "reception_quality": 4,
    "signage": "yes",
    "information_display": ["opening_hours", "required_documents"],
    "queue_system": "electronic",
    "people_waiting": 25,
    "measured_waiting_time": 35,
    "waiting_area": "adequate",
    "priority_service": "yes",
    "counters_total": 6,
    "counters_open": 4,
    "counters_match_affluence": "yes",
    "digital_services": ["web_portal"],
    "platforms_working": "yes",
    "system_downtime": 2,
    "processing_sample": [
        {"file": f"CNAS-16-2025-{n:05d}", "received": "2025-03-02", "processed": f"2025-03-{10 + n:02d}"}
        for n in range(1, 11)
    ],
    "pending_beyond_delay": 3,
    "incoming_register": "yes",
    "receipt_given": "yes",
    "collects_contributions": "no",
    "last_inspection_date": "2025-01-15",
    "previous_instructions": "no",
    "counters_opening_time": "08:05",
    "attendance_register": "yes",
    "unjustified_absences": 0,
    "manager_present": "yes",
    "staff_badges": "yes",
    "staff_courtesy": 4,
    "cleanliness": 3,
    "accessibility": "partial",
    "public_toilets": "yes",
    "safety_equipment": "no",  # a critical item that fails: it proposes a finding
    "premises_photos": "photo",
    "complaints_register": "yes",
    "complaints_received": 12,
    "complaints_answered": "yes",
    "citizen_interviews": [
        {"service": "بطاقة الشفاء", "waiting": "20", "satisfaction": "4", "comment": "استقبال جيد"},
        {"service": "Remboursement", "waiting": "45", "satisfaction": "2", "comment": ""},
        {"service": "تسجيل", "waiting": "10", "satisfaction": "5", "comment": ""},
    ],
    "main_observations": "انتظار طويل عند الشبابيك وطفايات حريق منتهية الصلاحية.",
    "departure_time": "11:45",
    "manager_signature": "sign",
}


def option_label(key: str, option: str) -> str:
    return str(next(o["label"]["ar"] for o in ITEMS[key]["options"] if o["key"] == option))


def small_jpeg(page: Page) -> bytes:
    """A real JPEG, made by the browser's own encoder: a green picture with a white square."""
    data_url = page.evaluate(
        """() => {
            const canvas = document.createElement('canvas');
            canvas.width = 64;
            canvas.height = 48;
            const g = canvas.getContext('2d');
            g.fillStyle = '#0b5d4b';
            g.fillRect(0, 0, 64, 48);
            g.fillStyle = '#ffffff';
            g.fillRect(8, 8, 20, 20);
            return canvas.toDataURL('image/jpeg', 0.9);
        }"""
    )
    return base64.b64decode(data_url.split(",", 1)[1])


def jpeg_file(page: Page, name: str) -> FilePayload:
    return {"name": name, "mimeType": "image/jpeg", "buffer": small_jpeg(page)}


def draw_signature(page: Page, canvas: Locator) -> None:
    """Sign with the mouse: press, zigzag across the pad, release."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 18, y + (15 if step % 2 else -15), steps=3)
    page.mouse.up()


def answer(page: Page, key: str, value: Any) -> None:
    """Answer one item as a user does, with the control of its type."""
    item = ITEMS[key]
    box = item_box(page, key)
    kind = item["type"]
    if kind == "yes_no":
        box.get_by_label(YES_NO[value], exact=True).check()
    elif kind == "single_choice":
        box.get_by_label(option_label(key, value), exact=True).check()
    elif kind == "multi_choice":
        for option in value:
            box.get_by_label(option_label(key, option), exact=True).check()
    elif kind == "rating":
        box.get_by_label(str(value), exact=True).check()
    elif kind in ("number", "duration", "date", "time", "text"):
        page.locator(f"#input-{key}").fill(str(value))
        page.locator(f"#input-{key}").blur()
    elif kind == "gps":
        box.get_by_role("button", name="تسجيل موقعي").click()
        expect(box.locator(".gps__value")).to_contain_text("36,75380")
    elif kind == "photo":
        page.locator(f"#input-{key}").set_input_files(files=[jpeg_file(page, "facade.jpg")])
        expect(box.locator("img.photos__image")).to_have_count(1)
        expect(box.locator(".photos__status")).to_contain_text("1 / 6")
    elif kind == "signature":
        draw_signature(page, box.locator("canvas"))
        expect(box.locator(".signature__status")).to_have_text("تم حفظ التوقيع.", timeout=10000)
    elif kind == "file_sample":
        for index, row in enumerate(value, start=1):
            box.get_by_role("button", name="إضافة ملف").click()
            prefix = f"#input-{key}-r{index}"
            page.locator(f"{prefix}-file").fill(row["file"])
            page.locator(f"{prefix}-received").fill(row["received"])
            page.locator(f"{prefix}-processed").fill(row["processed"])
            page.locator(f"{prefix}-processed").blur()
    elif kind == "citizen_feedback":
        for index, row in enumerate(value, start=1):
            box.get_by_role("button", name="إضافة مقابلة").click()
            prefix = f"#input-{key}-r{index}"
            page.locator(f"{prefix}-service").fill(row["service"])
            page.locator(f"{prefix}-waiting").fill(row["waiting"])
            page.locator(f"{prefix}-satisfaction").select_option(row["satisfaction"])
            page.locator(f"{prefix}-comment").fill(row["comment"])
            page.locator(f"{prefix}-comment").blur()
    else:  # pragma: no cover - a new item type needs its line here
        raise AssertionError(f"no way to answer a {kind} item")


def tab(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="أجزاء الزيارة").get_by_role("link", name=name)


def score(page: Page) -> str:
    return page.locator("#live-score").inner_text()


def test_an_inspector_fills_every_kind_of_item_adds_findings_and_submits(
    page: Page, context: BrowserContext, live_server: LiveServer
) -> None:
    context.grant_permissions(["geolocation"])
    context.set_geolocation(ALGIERS)
    open_app(page)
    fill_sign_in(page, "inspector")
    start_unplanned_visit(page)
    assert score(page) == "—", "nothing answered, nothing scored"

    for key, value in ANSWERS.items():
        open_section(page, SECTION_OF[key])
        if key == "reception_desk":
            # Relevance, live: the questions about the reception desk appear once there is one,
            # and go away again when the answer changes to "no".
            staffed = item_box(page, "reception_staffed")
            expect(staffed).to_be_hidden()
            answer(page, key, "yes")
            expect(staffed).to_be_visible()
            expect(item_box(page, "reception_quality")).to_be_visible()
            answer(page, key, "no")
            expect(staffed).to_be_hidden()
            expect(item_box(page, "reception_quality")).to_be_hidden()
            answer(page, key, "yes")
            expect(staffed).to_be_visible()
            continue
        if key == "people_waiting":
            # Out of bounds: said in Arabic, next to the item, naming it.
            answer(page, key, 1500)
            error = page.locator("#error-people_waiting")
            expect(error).to_be_visible()
            expect(error).to_have_text(f"{ITEMS[key]['label']['ar']}: يجب ألا تتجاوز القيمة 1.000.")
            expect(item_box(page, key)).to_have_class(re.compile(r"item--invalid"))
            answer(page, key, value)
            expect(error).to_be_hidden()
            continue
        if key == "measured_waiting_time":
            before = score(page)
            answer(page, key, value)  # 35 minutes against a target of 20: the score drops
            expect(page.locator("#live-score")).not_to_have_text(before)
            continue
        answer(page, key, value)

    # What the rows compute as they are typed, and the sections' progress.
    expect(page.locator("#item-processing_sample .rows__computed").first).to_have_text("مدة المعالجة: 9 أيام")
    expect(page.locator("#item-citizen_interviews .rows__summary")).to_contain_text("متوسط الرضا 3,7 / 5")
    expect(page.locator("#section-reception .section__count")).to_have_text("6 / 6 مُجاب")
    expect(page.locator("#section-collection .section__count")).to_have_text("1 / 1 مُجاب")

    # Nothing typed is lost on a reload: the answers come back from this device.
    page.reload()
    page.wait_for_selector("html[data-ready]")
    open_section(page, "opening")
    expect(page.locator("#input-people_met")).to_have_value(ANSWERS["people_met"])
    open_section(page, "waiting")
    expect(page.locator("#input-people_waiting")).to_have_value("25")
    expect(page.locator("#live-score")).not_to_have_text("—")

    # Findings: the failing critical item proposes one, accepted with one tap; one added by hand.
    tab(page, "المعاينات").click()
    safety = ITEMS["safety_equipment"]["label"]["ar"]
    pending = ITEMS["pending_beyond_delay"]["label"]["ar"]
    accept = page.get_by_role("button", name=f"قبول المعاينة: {safety}")
    # Files waiting beyond the legal delay is critical too (its target is none).
    expect(page.get_by_role("button", name=f"قبول المعاينة: {pending}")).to_be_visible()
    accept.click()
    findings = page.locator("#finding-list")
    expect(findings.locator("> li")).to_have_count(1)
    expect(findings).to_contain_text("حرجة")
    expect(findings).to_contain_text(safety)
    expect(accept).to_have_count(0)

    page.get_by_label("الخطورة").select_option("minor")
    page.get_by_label("ما تمت معاينته").fill("لافتة مواقيت العمل غير محيَّنة.")
    page.get_by_label("السؤال المعني").select_option("information_display")
    page.locator("#finding-evidence").set_input_files(files=[jpeg_file(page, "panneau.jpg")])
    expect(page.locator("#finding-form img.photos__image")).to_have_count(1)
    page.get_by_role("button", name="إضافة المعاينة").click()
    expect(findings.locator("> li")).to_have_count(2)
    expect(findings).to_contain_text("لافتة مواقيت العمل غير محيَّنة.")
    expect(findings.locator("img.photos__image")).to_have_count(1)

    page.get_by_label("الإجراء المطلوب").fill("تجديد طفايات الحريق وتعليم مخارج النجدة")
    page.get_by_label("المسؤول عن التنفيذ").fill("مدير الوكالة")
    page.get_by_label("الأجل", exact=True).fill("2026-12-31")
    page.get_by_label("المعاينة المعنية").select_option(index=1)
    page.get_by_role("button", name="إضافة الإجراء").click()
    actions = page.locator("#action-list")
    expect(actions.locator("> li")).to_have_count(1)
    expect(actions).to_contain_text("المسؤول: مدير الوكالة")

    # Submit: nothing missing, the inspector signs, the visit becomes read-only.
    tab(page, "الإرسال").click()
    expect(page.locator("#problem-count")).to_have_text("كل الأجوبة المطلوبة مكتملة.")
    draw_signature(page, page.locator("#visit-signature canvas"))
    expect(page.locator("#visit-signature-status")).to_have_text("تم حفظ التوقيع.", timeout=10000)
    page.get_by_role("button", name="إرسال الزيارة").click()
    expect(page.get_by_role("heading", name="أُرسلت الزيارة")).to_be_visible()
    expect(page.locator("#visit-status")).to_have_text("مُرسلة")

    # It reaches the server: the outbox empties, the photos upload, and nothing was refused.
    bar = page.locator("#sync-bar")
    expect(bar).to_have_attribute("data-pending", "0", timeout=30000)
    expect(page.locator("#sync-photos")).to_be_hidden(timeout=30000)
    expect(page.locator("#sync-rejected")).to_have_count(0)
    pushes = [r for r in live_server.requests() if r["path"] == "/api/sync/push"]
    assert pushes and all(r["status"] == 200 for r in pushes)

    # The checklist is now read-only.
    page.get_by_role("link", name="عرض الأجوبة").click()
    expect(page.locator("#read-only-notice")).to_be_visible()
    open_section(page, "waiting")
    expect(page.locator("#input-people_waiting")).to_be_disabled()

    # The next visit to the same agency checks the open action on site: carried out only partly.
    page.get_by_role("link", name="العودة إلى قائمة العمل").click()
    start_unplanned_visit(page)
    tab(page, "المعاينات").click()
    earlier = page.locator("#earlier-actions > li")
    expect(earlier).to_have_count(1)
    expect(earlier).to_contain_text("تجديد طفايات الحريق وتعليم مخارج النجدة")
    expect(earlier).to_contain_text("الحالة: مفتوح")
    earlier.get_by_label("جزئيًا", exact=True).check()
    expect(earlier).to_contain_text("الحالة: قيد التنفيذ")
    page.get_by_role("button", name="مزامنة الآن").click()
    expect(bar).to_have_attribute("data-pending", "0", timeout=30000)
    expect(page.locator("#sync-rejected")).to_have_count(0)
    expect(page.locator("#sync-conflicts")).to_have_count(0)
