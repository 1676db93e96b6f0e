"""The PWA shell in real Chromium, as an inspector uses it: sign in, languages, offline, small screens."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from backend.settings import REPO_ROOT
from tests.browser.conftest import LiveServer, free_port, wait_until_healthy
from tests.support.browser import fill_sign_in, open_app, serious_violations, settled, wait_until_controlled

pytestmark = pytest.mark.browser

# What the inspector reads, in Arabic (the default) and French.
AR = {
    "username": "اسم المستخدم",
    "password": "كلمة المرور",
    "submit": "دخول",
    "signin": "تسجيل الدخول",
    "language": "اللغة",
    "sign_out": "تسجيل الخروج",
}
FR = {"username": "Identifiant", "password": "Mot de passe", "submit": "Se connecter", "signin": "Connexion"}


def expect_language(page: Page, lang: str, direction: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", direction)


def test_an_inspector_signs_in_sees_who_they_are_and_signs_out(page: Page) -> None:
    open_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(AR["signin"])

    fill_sign_in(page, "inspector")

    expect(page.get_by_role("heading", level=1)).to_contain_text("مفتش الجزائر 1")
    facts = page.locator(".facts")
    expect(facts.locator(".facts__user")).to_have_text("inspector")
    expect(facts.locator(".facts__role")).to_have_text("مفتش")
    expect(facts.locator(".facts__scope")).to_have_text("الولايات: 16")
    expect(page.locator("#offline-notice")).to_have_count(0)

    page.get_by_role("button", name=AR["sign_out"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(AR["signin"])
    page.reload()
    page.wait_for_selector("html[data-ready]")
    expect(page.get_by_role("heading", level=1)).to_have_text(AR["signin"])


def test_arabic_right_to_left_by_default_then_french_left_to_right(page: Page) -> None:
    open_app(page)
    expect_language(page, "ar", "rtl")
    expect(page).to_have_title("رصد — التفتيش الميداني")

    page.get_by_label(AR["language"], exact=True).select_option("fr")

    expect_language(page, "fr", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text(FR["signin"])
    expect(page.get_by_label(FR["username"], exact=True)).to_be_visible()
    expect(page).to_have_title("Rasd — inspection de terrain")
    # The choice belongs to this device: it survives a reload.
    page.reload()
    page.wait_for_selector("html[data-ready]")
    expect_language(page, "fr", "ltr")

    open_app(page, "/?lang=en")
    expect_language(page, "en", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_the_language_of_the_profile_is_used_after_sign_in(page: Page) -> None:
    open_app(page)
    expect_language(page, "ar", "rtl")
    fill_sign_in(page, "inspector2")  # whose profile says French
    expect_language(page, "fr", "ltr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Connecté en tant que")
    expect(page.locator(".facts__role")).to_have_text("Inspecteur")


def test_a_wrong_password_is_explained_in_arabic_next_to_the_field(page: Page) -> None:
    open_app(page)
    fill_sign_in(page, "inspector", "not-the-password")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("اسم المستخدم أو كلمة المرور غير صحيحة")
    expect(alert).to_contain_text(AR["password"])  # the alert names the field
    password = page.get_by_label(AR["password"], exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_be_focused()
    expect(page.locator("#password-error")).to_contain_text("غير صحيحة")
    expect_language(page, "ar", "rtl")


def test_an_empty_field_is_named_before_anything_is_sent(page: Page, live_server: LiveServer) -> None:
    open_app(page)
    logins = sum(1 for r in live_server.requests() if r["path"] == "/api/auth/login")
    page.get_by_role("button", name=AR["submit"], exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(f"{AR['username']}: هذا الحقل مطلوب.")
    expect(page.get_by_label(AR["username"], exact=True)).to_be_focused()
    assert sum(1 for r in live_server.requests() if r["path"] == "/api/auth/login") == logins


def test_signing_in_without_network_says_so(page: Page, context: BrowserContext) -> None:
    open_app(page)
    wait_until_controlled(page)
    context.set_offline(True)
    try:
        fill_sign_in(page, "inspector")
        expect(page.get_by_role("alert")).to_have_text("تعذّر الاتصال بالخادم. تحقّق من الشبكة وأعد المحاولة.")
        expect(page.get_by_role("button", name=AR["submit"], exact=True)).to_be_enabled()
    finally:
        context.set_offline(False)
    fill_sign_in(page, "inspector")  # and it works once the network is back
    expect(page.get_by_role("heading", level=1)).to_contain_text("مفتش الجزائر 1")


def test_an_expired_session_asks_to_sign_in_again_and_says_why(page: Page, context: BrowserContext) -> None:
    open_app(page)
    fill_sign_in(page, "inspector")
    expect(page.get_by_role("heading", level=1)).to_contain_text("مفتش الجزائر 1")
    context.clear_cookies()  # what the server sees when a session has expired
    page.reload()
    page.wait_for_selector("html[data-ready]")
    expect(page.get_by_role("heading", level=1)).to_have_text(AR["signin"])
    expect(page.locator(".notice")).to_contain_text("انتهت جلستك")


def test_a_language_chosen_at_home_follows_the_user_to_another_device(browser: Browser, page: Page) -> None:
    open_app(page)
    fill_sign_in(page, "central")  # the only test that changes central's profile
    expect(page.get_by_role("heading", level=1)).to_contain_text("المفتش المركزي")
    # The screen changes at once; the profile is saved in the background.
    with page.expect_response(lambda r: r.request.method == "PATCH") as saved:
        page.get_by_label(AR["language"], exact=True).select_option("en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signed in as")
    assert saved.value.ok

    other_device = browser.new_context(base_url=page.url)
    try:
        second = other_device.new_page()
        open_app(second)
        expect_language(second, "ar", "rtl")  # nobody signed in yet: the default
        fill_sign_in(second, "central")
        expect_language(second, "en", "ltr")
        expect(second.locator(".facts__role")).to_have_text("Central inspector")
    finally:
        other_device.close()


def test_the_app_opens_offline_signed_in(
    page: Page, context: BrowserContext, live_server: LiveServer
) -> None:
    open_app(page)
    fill_sign_in(page, "inspector")
    expect(page.get_by_role("heading", level=1)).to_contain_text("مفتش الجزائر 1")
    # The service worker has installed the shell and controls the page.
    wait_until_controlled(page)

    context.set_offline(True)
    # Counted once offline and settled: a request sent while still online may land just after.
    served = settled(lambda: len(live_server.requests()))
    try:
        response = page.reload()
        page.wait_for_selector("html[data-ready]")
        assert response is not None
        assert response.from_service_worker
        expect(page.get_by_role("heading", level=1)).to_contain_text("مفتش الجزائر 1")
        expect(page.locator(".facts__scope")).to_have_text("الولايات: 16")
        expect(page.locator("#offline-notice")).to_be_visible()
        expect(page.locator("#network-status")).to_have_text("غير متصل")
        expect_language(page, "ar", "rtl")
        # Once idle, the page loads the code of the screens it has not shown, from the worker: it
        # then runs one version of the app whatever another tab does (pwa/js/app.js, loadTheRest).
        page.wait_for_function(
            """(modules) => modules.every((module) => performance.getEntriesByType('resource')
                 .some((entry) => entry.name.endsWith(`/static/js/${module}`)))""",
            arg=["screens/findings.js", "screens/submit.js", "widgets/items/signature.js"],
            timeout=15000,
        )
        settled(lambda: len(live_server.requests()))
        # Chromium's offline emulation sometimes lets the browser's own service-worker update check
        # (/sw.js) and the reloaded page's very first request (/api/auth/me) through, which a phone
        # without network could not send. Those two are the emulator's, not the app's; any other
        # request reaching the server fails the test (and the page itself came from the worker, above).
        emulator_leaks = {("GET", "/sw.js"), ("GET", "/api/auth/me")}
        stray = [(r.get("method"), r.get("path")) for r in live_server.requests()[served:]]
        assert [request for request in stray if request not in emulator_leaks] == [], stray
    finally:
        context.set_offline(False)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_nothing_is_wider_than_a_small_phone(page: Page, lang: str) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    open_app(page, f"/?lang={lang}")
    assert page.evaluate(overflow) <= 0, "sign-in screen"
    page.get_by_role("button").first.click()  # the required-field errors widen nothing either
    assert page.evaluate(overflow) <= 0, "sign-in screen with errors"
    fill_sign_in(page, "director.cnas", words=AR if lang == "ar" else FR)  # the longest display name
    page.wait_for_selector("#sign-out")
    assert page.evaluate(overflow) <= 0, "home"


def test_no_serious_accessibility_violation_on_sign_in_and_home(page: Page) -> None:
    open_app(page)
    assert serious_violations(page) == [], "sign-in"
    fill_sign_in(page, "inspector.oran", "not-the-password")
    expect(page.get_by_role("alert")).to_be_visible()
    assert serious_violations(page) == [], "sign-in with an error"
    fill_sign_in(page, "inspector.oran")  # whose profile language this test changes
    page.wait_for_selector("#sign-out")
    assert serious_violations(page) == [], "home"
    page.get_by_label(AR["language"], exact=True).select_option("fr")
    expect_language(page, "fr", "ltr")
    assert serious_violations(page) == [], "home in French"


# --- Updates: a new version waits until the user takes it. ------------------------------------

SHELL_ONLY_APP = """
import os
from pathlib import Path

from litestar import Litestar, Response, get

from backend.web import pwa_routes


@get("/api/auth/me")
async def me() -> Response[dict[str, object]]:
    return Response({"status": 401, "code": "not_authenticated", "message": ""}, status_code=401)


@get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[me, healthz, *pwa_routes(Path(os.environ["SHELL_PWA_DIR"]))])
"""


class ShellServer:
    """The PWA routes alone (nobody signed in), on a fixed port, restartable with a changed shell."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.port = tmp, free_port()
        self.pwa_dir = Path(shutil.copytree(REPO_ROOT / "pwa", tmp / "pwa"))
        (tmp / "shell_only_app.py").write_text(SHELL_ONLY_APP)
        self.log_path = tmp / "access.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "uvicorn", "--app-dir", str(self.tmp), "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "shell_only_app:app"],
                cwd=REPO_ROOT,
                env={**os.environ, "SHELL_PWA_DIR": str(self.pwa_dir)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until_healthy(self.url, self.process, self.log_path)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def fetched(self) -> list[str]:
        """Paths (without query) of the GET requests answered so far, from uvicorn's access log."""
        return re.findall(r'"GET ([^ ?"]+)\S* HTTP/1\.1" 200', self.log_path.read_text(errors="replace"))


@pytest.fixture
def shell_server(tmp_path: Path) -> Iterator[ShellServer]:
    server = ShellServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_a_new_version_waits_for_the_user_and_downloads_only_what_changed(
    browser: Browser, shell_server: ShellServer
) -> None:
    context = browser.new_context(base_url=shell_server.url)
    try:
        page = context.new_page()
        open_app(page)
        wait_until_controlled(page)
        expect(page.get_by_role("heading", level=1)).to_have_text(AR["signin"])
        page.get_by_label(AR["username"], exact=True).fill("half-typed")
        page.evaluate("window.__sameDocument = true")

        # A new deployment changes one catalogue.
        shell_server.stop()
        catalogue = shell_server.pwa_dir / "locales" / "ar.json"
        changed = catalogue.read_text().replace('"title": "تسجيل الدخول"', '"title": "الدخول إلى رصد"')
        catalogue.write_text(changed)
        shell_server.start()
        before = len(shell_server.fetched())
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")

        banner = page.get_by_role("status").filter(has_text="نسخة جديدة من رصد جاهزة")
        expect(banner).to_be_visible(timeout=15000)
        page.wait_for_timeout(500)
        # Offered, not imposed: same document, same input, the old text still on screen.
        assert page.evaluate("window.__sameDocument") is True
        expect(page.get_by_label(AR["username"], exact=True)).to_have_value("half-typed")
        expect(page.get_by_role("heading", level=1)).to_have_text(AR["signin"])
        # The new version's install reused every unchanged file from the old cache.
        downloaded = {path for path in shell_server.fetched()[before:] if path != "/sw.js"}
        assert downloaded == {"/static/locales/ar.json"}

        page.get_by_role("button", name="تحديث الآن").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("الدخول إلى رصد")
        assert page.evaluate("window.__sameDocument") is None
    finally:
        context.close()
