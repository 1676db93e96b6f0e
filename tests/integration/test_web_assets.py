"""Serving the PWA: cache rules, content hashes, the generated service worker, what is never served."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from backend.settings import REPO_ROOT
from backend.web import AssetManifest, pwa_routes
from backend.web.assets import INSTALL_ONLY
from backend.web.routes import IMMUTABLE, NO_CACHE

PWA = REPO_ROOT / "pwa"
# What a phone downloads to work offline, gzipped as Caddy serves it. A guard against growth, set
# just above today's 122 KB; the field-app issue's target is 100 KB (bench/shell_size.py reports it).
SHELL_BUDGET = 125 * 1024


def short_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:16]


def build_of(sw_source: str) -> dict[str, object]:
    match = re.search(r"const BUILD = (\{.*?\n\});", sw_source, re.DOTALL)
    assert match, "the service worker carries its build object"
    build: dict[str, object] = json.loads(match.group(1))
    return build


@pytest.fixture
def pwa_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(PWA, tmp_path / "pwa"))


def client_for(pwa_dir: Path) -> TestClient[Litestar]:
    return TestClient(Litestar(route_handlers=pwa_routes(pwa_dir)))


@pytest.fixture
def client() -> Iterator[TestClient[Litestar]]:
    with client_for(PWA) as test_client:
        yield test_client


def test_the_shell_is_revalidated_and_names_its_files_by_hash(client: TestClient[Litestar]) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["cache-control"] == NO_CACHE
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert '<html lang="ar" dir="rtl">' in response.text
    references = re.findall(r'"(/static/[^"?]+)\?v=([0-9a-f]+)"', response.text)
    assert {path for path, _ in references} >= {"/static/js/main.js", "/static/css/app.css"}
    for path, version in references:
        assert version == short_hash(client.get(path).content), path


def test_the_shell_preloads_what_its_entry_imports_and_leaves_screens_to_load_when_shown(
    client: TestClient[Litestar],
) -> None:
    """A cold start asks for the start-up modules at once instead of discovering them level by level."""
    shell = client.get("/").text
    preloaded = re.findall(r'<link rel="modulepreload" href="(/static/js/[^"]+)">', shell)
    start_up = {"/static/js/app.js", "/static/js/store.js", "/static/js/db.js", "/static/js/i18n.js"}
    assert start_up <= set(preloaded)
    assert len(preloaded) == len(set(preloaded))
    # As the imports resolve them (no ?v=, one URL per module), before the entry script, all served.
    assert shell.index("modulepreload") < shell.index('<script type="module" src="/static/js/main.js?v=')
    for url in preloaded:
        assert client.get(url).status_code == 200, url
    # The screens and what runs beside them are imported when needed (app.js), so not preloaded.
    lazy = ("screens/checklist.js", "screens/home.js", "sync/engine.js", "push.js", "widgets/items/yes_no.js")
    for module in lazy:
        assert f"/static/js/{module}" not in preloaded, module


def test_an_unchanged_file_answers_304(client: TestClient[Litestar]) -> None:
    first = client.get("/static/css/app.css")
    again = client.get("/static/css/app.css", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    weak = client.get("/", headers={"If-None-Match": f'"other", W/{client.get("/").headers["etag"]}'})
    assert weak.status_code == 304


def test_only_the_right_hash_is_cached_for_a_year(client: TestClient[Litestar]) -> None:
    body = client.get("/static/js/i18n.js").content
    right = client.get(f"/static/js/i18n.js?v={short_hash(body)}")
    assert right.headers["cache-control"] == IMMUTABLE
    assert right.headers["content-type"] == "text/javascript; charset=utf-8"
    assert client.get("/static/js/i18n.js?v=0123456789abcdef").headers["cache-control"] == NO_CACHE
    assert client.get("/static/js/i18n.js").headers["cache-control"] == NO_CACHE


def test_head_gives_the_headers_of_get_without_a_body(client: TestClient[Litestar]) -> None:
    for path in ("/", "/sw.js", "/static/icons/icon-192.png"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
        for name in ("content-type", "content-length", "etag", "cache-control"):
            assert head.headers[name] == got.headers[name], (path, name)


def test_the_service_worker_lists_every_shell_file_with_the_hash_of_what_is_served(
    client: TestClient[Litestar],
) -> None:
    response = client.get("/sw.js")
    assert response.headers["service-worker-allowed"] == "/"
    assert response.headers["cache-control"] == NO_CACHE
    build = build_of(response.text)
    files = build["files"]
    assert isinstance(files, list)
    urls = {entry["url"] for entry in files}
    assert {"/", "/manifest.webmanifest", "/static/js/main.js", "/static/locales/fr.json"} <= urls
    on_disk = {
        f"/static/{p.relative_to(PWA).as_posix()}"
        for d in ("css", "js", "locales", "icons")
        for p in (PWA / d).rglob("*")
        if p.is_file() and p.suffix != ".py"
    }
    install_only = {f"/static/{path}" for path in INSTALL_ONLY}
    assert on_disk - install_only <= urls
    # The icons only an installation uses are served, named by the manifest, and not kept offline.
    assert not install_only & urls
    icons = client.get("/manifest.webmanifest").json()["icons"]
    manifest_icons = {icon["src"].split("?")[0] for icon in icons}
    assert install_only <= manifest_icons
    for url in install_only:
        assert client.get(url).status_code == 200, url
    for entry in files:
        assert entry["hash"] == short_hash(client.get(entry["url"]).content), entry["url"]


def test_any_change_of_a_shell_file_changes_the_service_worker(pwa_copy: Path) -> None:
    before = AssetManifest(pwa_copy)
    catalogue = pwa_copy / "locales" / "en.json"
    catalogue.write_text(catalogue.read_text().replace("Sign out", "Log out"))
    after = AssetManifest(pwa_copy)
    assert after.version != before.version
    assert after.service_worker.body != before.service_worker.body
    assert after.index.body == before.index.body  # index.html does not name the catalogues


def test_tests_scripts_and_paths_outside_the_shell_are_never_served(pwa_copy: Path) -> None:
    (pwa_copy / "js" / ".notes.js").write_text("secret")
    (pwa_copy / "js" / "settings.js").symlink_to(REPO_ROOT / "backend" / "settings.py")
    with client_for(pwa_copy) as client:
        for path in (
            "/static/tests/i18n.test.js",
            "/static/icons/make_icons.py",
            "/static/js/.notes.js",
            "/static/js/settings.js",
            "/static/../backend/settings.py",
            "/static/%2e%2e/backend/settings.py",
            "/static/index.html",
            "/static/sw.js",
        ):
            assert client.get(path).status_code == 404, path


def test_a_shell_that_names_a_missing_file_stops_the_server_at_start(pwa_copy: Path) -> None:
    index = pwa_copy / "index.html"
    index.write_text(index.read_text().replace("/static/css/app.css", "/static/css/gone.css"))
    with pytest.raises(ValueError, match=r"gone\.css"):
        pwa_routes(pwa_copy)


def test_the_manifest_is_served_as_a_manifest(client: TestClient[Litestar]) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.headers["content-type"] == "application/manifest+json"
    assert response.headers["cache-control"] == NO_CACHE
    icons = response.json()["icons"]
    for icon in icons:
        assert client.get(icon["src"]).headers["cache-control"] == IMMUTABLE, icon["src"]


def test_the_offline_shell_stays_small() -> None:
    assert AssetManifest(PWA).gzip_bytes() < SHELL_BUDGET
