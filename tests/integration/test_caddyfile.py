"""The production Caddyfile: it validates, says what we mean, and behaves so in front of real workers.

Needs the ``caddy`` binary (Debian package ``caddy``). Without it the tests skip, except under CI
(``CI`` set) or ``make test`` (``RASD_REQUIRE_SUITES=1``), where a missing caddy is a failure: the
front must not go untested by accident.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.settings import REPO_ROOT
from tests.support.databases import REQUIRE_ENV

CADDYFILE = REPO_ROOT / "Caddyfile"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def caddy() -> str:
    path = shutil.which("caddy")
    if path is None:
        if os.environ.get("CI") or os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail("caddy is not installed, and CI is set: install the Debian package `caddy`")
        pytest.skip("caddy is not installed (Debian package `caddy`); set CI=1 to make this a failure")
    return path


def caddy_env(tmp: Path, **values: str) -> dict[str, str]:
    """A clean environment: Caddy's storage and config under ``tmp``, never the user's home."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "XDG_DATA_HOME": str(tmp / "data"),
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "RASD_DOMAIN": "rasd.example.org",
        "RASD_UPSTREAMS": "127.0.0.1:8001 127.0.0.1:8002",
        **values,
    }


def test_the_caddyfile_validates(caddy: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [caddy, "validate", "--adapter", "caddyfile", "--config", str(CADDYFILE)],
        env=caddy_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def handlers(config: Any, name: str) -> list[dict[str, Any]]:
    """Every handler of this kind, wherever it sits in the adapted JSON."""
    found: list[dict[str, Any]] = []
    if isinstance(config, dict):
        if config.get("handler") == name:
            found.append(config)
        for value in config.values():
            found += handlers(value, name)
    elif isinstance(config, list):
        for value in config:
            found += handlers(value, name)
    return found


def test_the_adapted_config_says_what_we_mean(caddy: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [caddy, "adapt", "--adapter", "caddyfile", "--config", str(CADDYFILE)],
        env=caddy_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    config = json.loads(result.stdout)
    server = config["apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == [":443"]  # HTTPS, with automatic certificates
    assert server["routes"][0]["match"] == [{"host": ["rasd.example.org"]}]

    (proxy,) = handlers(config, "reverse_proxy")
    assert [u["dial"] for u in proxy["upstreams"]] == ["127.0.0.1:8001", "127.0.0.1:8002"]
    assert proxy["health_checks"]["active"]["uri"] == "/healthz"
    assert proxy["load_balancing"]["selection_policy"]["policy"] == "least_conn"

    (encode,) = handlers(config, "encode")
    assert set(encode["encodings"]) == {"zstd", "gzip"}
    (body,) = handlers(config, "request_body")
    assert body["max_size"] >= 4 * 1024 * 1024  # above the app's own limit

    csp = next(
        h["response"]["set"]["Content-Security-Policy"][0]
        for h in handlers(config, "headers")
        if "Content-Security-Policy" in h["response"].get("set", {})
    )
    for directive in (
        "default-src 'self'",
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp


# --- The front in action: Caddy on plain HTTP in front of two workers of a small app. ---------

UPSTREAM_APP = textwrap.dedent(
    """
    from pathlib import Path

    from litestar import Litestar, get, post
    from litestar.config.csrf import CSRFConfig

    from backend.web import pwa_routes


    @get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}


    @get("/api/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "ok"}


    @post("/api/echo", status_code=200)
    async def echo(data: dict[str, str]) -> dict[str, int]:
        return {"keys": len(data)}


    app = Litestar(
        route_handlers=[healthz, ping, echo, *pwa_routes(Path(%r))],
        csrf_config=CSRFConfig(secret="test-secret-test-secret-test-sec", exclude=["/api/echo"]),
        request_max_body_size=16 * 1024 * 1024,
    )
    """
)


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)


class Front:
    """Caddy with this Caddyfile on plain HTTP, in front of two uvicorn workers of a small app."""

    def __init__(self, caddy: str, tmp: Path) -> None:
        self.caddy, self.tmp = caddy, tmp
        self.workers: list[subprocess.Popen[bytes]] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self.url = ""

    def __enter__(self) -> Front:
        (self.tmp / "upstream_app.py").write_text(UPSTREAM_APP % str(REPO_ROOT / "pwa"))
        self.log = (self.tmp / "processes.log").open("wb")
        try:
            upstreams = [self._start_worker() for _ in range(2)]
            self.url = f"http://127.0.0.1:{free_port()}"
            env = caddy_env(
                self.tmp,
                RASD_DOMAIN=self.url,
                RASD_UPSTREAMS=" ".join(upstreams),
                RASD_CADDY_ADMIN=f"localhost:{free_port()}",
            )
            command = [self.caddy, "run", "--adapter", "caddyfile", "--config", str(CADDYFILE)]
            proxy = subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log)
            self.processes.append(proxy)
            wait_for(f"{self.url}/healthz", proxy)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start_worker(self) -> str:
        port = free_port()
        command = [sys.executable, "-m", "uvicorn", "--app-dir", str(self.tmp), "--port", str(port)]
        worker = subprocess.Popen(
            [*command, "upstream_app:app"], cwd=REPO_ROOT, stdout=self.log, stderr=self.log
        )
        self.processes.append(worker)
        self.workers.append(worker)
        wait_for(f"http://127.0.0.1:{port}/healthz", worker)
        return f"127.0.0.1:{port}"

    def __exit__(self, *_exc: object) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.log.close()


@pytest.fixture(scope="module")
def front(caddy: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with Front(caddy, tmp_path_factory.mktemp("caddy")) as running:
        yield running.url


def test_every_answer_carries_the_security_headers(front: str) -> None:
    for path in ("/", "/static/css/app.css", "/api/ping", "/no-such-page"):
        headers = httpx.get(front + path).headers
        assert headers["content-security-policy"].startswith("default-src 'self';"), path
        assert headers.get_list("content-security-policy") == [headers["content-security-policy"]], path
        assert headers["strict-transport-security"].startswith("max-age="), path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
        assert "geolocation=(self)" in headers["permissions-policy"], path
        assert "camera=(self)" in headers["permissions-policy"], path
        assert "server" not in headers, path


def test_the_shell_is_revalidated_and_hashed_files_are_cached_for_a_year(front: str) -> None:
    for path in ("/", "/sw.js", "/manifest.webmanifest"):
        assert httpx.get(front + path).headers.get_list("cache-control") == ["no-cache"], path
    shell = httpx.get(front + "/")
    revalidated = httpx.get(front + "/", headers={"If-None-Match": shell.headers["etag"]})
    assert revalidated.status_code == 304  # revalidation costs a few headers, not the shell
    index = shell.text
    start = index.index("/static/css/app.css?v=")
    versioned = index[start : index.index('"', start)]
    hashed = httpx.get(front + versioned)
    assert hashed.headers.get_list("cache-control") == ["public, max-age=31536000, immutable"]
    assert "set-cookie" not in hashed.headers  # the app set a CSRF cookie; Caddy dropped it
    stale = httpx.get(front + "/static/css/app.css?v=0000000000000000")
    assert stale.headers.get_list("cache-control") == ["no-cache"]
    assert httpx.get(front + "/sw.js").headers["service-worker-allowed"] == "/"
    assert httpx.get(front + "/api/ping").headers["cache-control"] == "no-store"


def test_text_is_compressed(front: str) -> None:
    response = httpx.get(front + "/static/js/app.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    raw = httpx.get(front + "/static/js/app.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert response.content == raw.content  # decoded, the same file


def test_an_oversized_body_is_refused_before_the_app(front: str) -> None:
    small = httpx.post(front + "/api/echo", json={"a": "b"})
    assert small.status_code == 200
    big = httpx.post(front + "/api/echo", json={"a": "x" * (9 * 1000 * 1000)}, timeout=30)
    assert big.status_code == 413
    assert big.headers["content-type"] == "application/problem+json"
    assert big.json()["code"] == "too_large"
    assert big.headers["content-security-policy"].startswith("default-src 'self';")


def test_a_worker_going_down_is_not_seen_by_the_users(caddy: str, tmp_path: Path) -> None:
    with Front(caddy, tmp_path) as running:
        assert {httpx.get(running.url + "/api/ping").status_code for _ in range(10)} == {200}
        running.workers[0].terminate()
        running.workers[0].wait(timeout=10)
        # The dead worker refuses connections: Caddy tries the other one within lb_try_duration.
        assert {httpx.get(running.url + "/api/ping").status_code for _ in range(20)} == {200}
