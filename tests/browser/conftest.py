"""Browser tests: the real server in a subprocess (started once per session), Debian chromium.

The server is what production runs: ``rasd migrate``, ``rasd demo`` and ``rasd serve`` on a data
directory of its own (SQLite under it). Its access log (JSON lines) is kept, so that a test can
ask which requests really reached the server.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from tests.support.databases import skip_or_fail
from tests.support.live_server import LiveServer, free_port, start_live_server, wait_until_healthy

__all__ = ["LiveServer", "free_port", "wait_until_healthy"]  # imported by the browser tests

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Console errors that are the app working as designed, not bugs: a 401 from /api/auth/me before
# sign-in, a refused sign-in, requests that fail because the test took the network away.
EXPECTED_CONSOLE = ("Failed to load resource", "net::ERR_INTERNET_DISCONNECTED")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("rasd-data"))
    try:
        yield server
    finally:
        server.stop()


# Package scope, not session: the sync API runs an event loop in this thread while Playwright is
# open, and the async tests that follow need the thread free of it.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        skip_or_fail("Debian chromium is not installed (apt-get install chromium)")
        raise AssertionError("unreachable")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Console:
    """What the pages of a test said on their console, minus the expected network noise."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not any(text in message.text for text in EXPECTED_CONSOLE):
            self.errors.append(message.text)


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer, console: Console) -> Iterator[BrowserContext]:
    """A fresh profile (no cookies, storage or service worker) on the live server.

    The browser's own language is English: the app must still start in Arabic.
    """
    created = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 412, "height": 915}
    )
    created.on("page", console.watch)
    yield created
    created.close()


@pytest.fixture
def page(context: BrowserContext, console: Console) -> Iterator[Page]:
    opened = context.new_page()
    yield opened
    # A CSP violation, an uncaught exception or a console.error fails the test that caused it.
    assert console.errors == [], console.errors
