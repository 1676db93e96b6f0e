"""What the browser stories of the server-rendered pages share: a browser of their own, signing in at
``/signin`` as a person would, reading a page as a user sees it, and making data through the PWA.

The pages are read through the browser (headings, table rows, notices); the PWA's data is made with
the store API the screens use (``/static/js/store.js``), as ``tests/browser/test_sync_offline.py``
does, because a story about the pages needs a visit, not a walk through every checklist screen.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from backend.demo.seed import DEMO_USERS
from backend.i18n import translate
from backend.settings import REPO_ROOT
from tests.support.browser import store_call, wait_for
from tests.support.clients import DEMO_PASSWORD

# The name each demo user is shown under on the pages and in the PWA.
DISPLAY_NAMES = {username: display for username, _role, _kind, _ids, display, _language in DEMO_USERS}
# The document's width beyond its viewport: more than 0 means the page scrolls sideways.
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def new_browser_context(browser: Browser, base_url: str, console: Any, **options: Any) -> BrowserContext:
    """Another person's browser on the live server; its pages report to the test's ``console``."""
    created = browser.new_context(base_url=base_url, locale="en-US", **options)
    created.on("page", console.watch)
    return created


def sign_in_on_pages(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Fill the ``/signin`` form in the language it is shown in and wait to leave it.

    An anonymous browser gets the form in its own language (here the context's, English); once
    signed in, the pages speak the user's language.
    """
    page.goto("/signin")
    lang = page.locator("html").get_attribute("lang") or "ar"
    page.get_by_label(translate("signin.username", lang), exact=True).fill(username)
    page.get_by_label(translate("signin.password", lang), exact=True).fill(password)
    page.get_by_role("button", name=translate("signin.submit", lang), exact=True).click()
    page.wait_for_url(lambda url: "/signin" not in url)


def heading(page: Page) -> str:
    """The page's one h1, once the document says it is Arabic and right-to-left."""
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_count(1)
    return page.locator("h1").inner_text().strip()


def cell_texts(page: Page, row_selector: str) -> list[list[str]]:
    """The text of every cell (th and td) of the rows matched by ``row_selector``."""
    rows: list[list[str]] = page.locator(row_selector).evaluate_all(
        "(rows) => rows.map((row) => Array.from(row.cells, (cell) => cell.innerText.trim()))"
    )
    return rows


def overflow(page: Page) -> int:
    """How many pixels the document is wider than the window (tables scroll in ``.table-wrap``)."""
    return int(page.evaluate(OVERFLOW))


# --- The PWA side: an inspector's phone ------------------------------------------------------------


@cache
def _pwa_catalogue() -> dict[str, Any]:
    catalogue: dict[str, Any] = json.loads((REPO_ROOT / "pwa/locales/ar.json").read_text(encoding="utf-8"))
    return catalogue


def pwa_ar(key: str) -> str:
    """A word of the PWA in Arabic (``home.correct``), from its own catalogue."""
    found: Any = _pwa_catalogue()
    for part in key.split("."):
        found = found[part]
    return str(found)


def reference_for(page: Page, agency_code: str) -> dict[str, Any]:
    """Wait for the first sync to bring ``agency_code`` and the checklist; their ids."""
    found: dict[str, Any] = wait_for(
        lambda: store_call(
            page,
            """const agency = (await store.listAgencies()).find((a) => a.code === arg);
               const [template] = await store.listTemplates();
               const state = (await store.status()).sync.state;
               if (!agency || !template || state !== 'idle') return null;
               return { agency_id: agency.id, template_id: template.id, agency_name: agency.name_ar };""",
            agency_code,
        ),
        f"the first sync to bring {agency_code}",
    )
    return found


RECORD_AND_SUBMIT = """
  const visitId = await store.createVisit({
    agency_id: arg.agency_id, template_version_id: arg.template_id,
    location: { lat: 36.7538, lon: 3.0588, accuracy_m: 12 },
  });
  for (const [key, value] of Object.entries(arg.answers)) {
    await store.setAnswer(visitId, key, value, null);
  }
  await store.submitVisit(visitId);
  return visitId;
"""


def record_visit(page: Page, reference: dict[str, Any], answers: dict[str, Any]) -> str:
    """Make and submit a visit on the phone (it leaves with the next sync); its id."""
    visit_id: str = store_call(page, RECORD_AND_SUBMIT, {**reference, "answers": answers})
    return visit_id


def sync_until_idle(page: Page) -> dict[str, Any]:
    """What the "sync now" button does, then wait until nothing waits for the server any more."""
    page.evaluate(
        "async () => { const { syncNow } = await import('/static/js/sync/engine.js'); await syncNow(); }"
    )

    def idle() -> dict[str, Any] | None:
        now: dict[str, Any] = store_call(page, "return store.status();")
        done = now["pending"] == 0 and now["photosPending"] == 0 and now["sync"]["state"] == "idle"
        return now if done else None

    status: dict[str, Any] = wait_for(idle, "the sync to finish")
    return status


def visit_status_on_phone(page: Page, visit_id: str) -> str | None:
    visit = store_call(page, "return store.getVisit(arg);", visit_id)
    return None if visit is None else str(visit["status"])


def work_list_assignments(page: Page) -> Counter[str]:
    """How many planned visits the work list shows per agency name."""
    cards = page.locator("section[aria-labelledby='assignments-title'] li.card .card__title")
    return Counter(text.strip() for text in cards.all_inner_texts())
