"""Browser tests: the real server in a subprocess (started once per session), Debian chromium.

The server is what production runs: ``rasd migrate``, ``rasd demo`` and ``rasd serve`` on a data
directory of its own (SQLite under it). Its access log (JSON lines) is kept, so that a test can
ask which requests really reached the server.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from backend.settings import REPO_ROOT
from tests.support.clients import DEMO_PASSWORD
from tests.support.databases import skip_or_fail

RASD = REPO_ROOT / ".venv" / "bin" / "rasd"
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url}/healthz did not answer 200 within {timeout} s")


@dataclass
class LiveServer:
    """The running server: its URL, data directory and log."""

    url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def requests(self) -> list[dict[str, Any]]:
        """Every request the server answered so far: ``{method, path, status, user, ...}``."""
        entries = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("logger") == "rasd.access":
                entries.append(entry)
        return entries


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("rasd-data")
    env = {key: value for key, value in os.environ.items() if not key.startswith("RASD_")}
    env |= {"RASD_DATA_DIR": str(data_dir), "RASD_DEMO_PASSWORD": DEMO_PASSWORD, "RASD_LOG_FORMAT": "json"}
    for command in ("migrate", "demo"):
        done = subprocess.run(
            [str(RASD), command], env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"rasd {command}:\n{done.stdout}\n{done.stderr}"
    port = free_port()
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(RASD), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(url=f"http://127.0.0.1:{port}", data_dir=data_dir, log_path=log_path, process=process)
    try:
        wait_until_healthy(server.url, process, log_path)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


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
