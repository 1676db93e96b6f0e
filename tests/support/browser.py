"""What the browser tests share: opening the app, signing in as a user would, waiting, axe checks.

Waits poll with a deadline instead of sleeping a fixed time; page predicates are functions, never
strings (a string would be evaluated with ``eval``, which the CSP forbids).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.support.clients import DEMO_PASSWORD

# The sign-in form's words in Arabic, the language the app starts in.
AR_SIGN_IN = {"username": "اسم المستخدم", "password": "كلمة المرور", "submit": "دخول"}


def open_app(page: Page, path: str = "/") -> None:
    page.goto(path)
    page.wait_for_selector("html[data-ready]")


def wait_until_controlled(page: Page) -> None:
    """Until the service worker has installed the shell and controls the page.

    A test that cuts the network must wait for this first: the worker's script is fetched after
    the page is ready, and a registration the network cut short is an error in the console.
    """
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)


def fill_sign_in(
    page: Page, username: str, password: str = DEMO_PASSWORD, words: dict[str, str] = AR_SIGN_IN
) -> None:
    """Type into the app's sign-in form and press the button (the outcome is for the caller to check)."""
    page.get_by_label(words["username"], exact=True).fill(username)
    page.get_by_label(words["password"], exact=True).fill(password)
    page.get_by_role("button", name=words["submit"], exact=True).click()


def sign_in(page: Page, username: str = "inspector") -> None:
    """Open the app and sign in; returns once the home screen shows the sign-out button."""
    open_app(page)
    fill_sign_in(page, username)
    page.wait_for_selector("#sign-out")


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = 30, step: float = 0.1) -> Any:
    """The first truthy value of ``predicate``; fails with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def settled(count: Callable[[], int], step: float = 0.1, rounds: int = 20) -> int:
    """The value of ``count`` once it stops moving (the access log is written after each answer)."""
    last = count()
    for _ in range(rounds):
        time.sleep(step)
        now = count()
        if now == last:
            return now
        last = now
    return last


def store_call(page: Page, body: str, arg: Any = None) -> Any:
    """Run ``body`` with ``store`` bound to the store module the app itself runs (``/static/js/store.js``)."""
    return page.evaluate(
        f"""async (arg) => {{
          const {{ openStore }} = await import('/static/js/store.js');
          const store = await openStore();
          {body}
        }}""",
        arg,
    )


def serious_violations(page: Page, context: str | None = None) -> list[str]:
    """axe-core's serious and critical violations on the page (or inside the ``context`` selector)."""
    result = Axe().run(page, context=context) if context else Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']]}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
