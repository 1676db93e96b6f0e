"""The production server in a subprocess, as tests that need a real one start it.

``rasd migrate``, ``rasd demo`` and ``rasd serve`` on a data directory of its own and a free port.
The JSON access log is kept, so that a test can ask which requests really reached the server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from backend.settings import REPO_ROOT
from tests.support.clients import DEMO_PASSWORD

RASD = REPO_ROOT / ".venv" / "bin" / "rasd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
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
    raise TimeoutError(f"{url}/healthz did not answer 200 within {timeout} s:\n{log.read_text()[-3000:]}")


@dataclass
class LiveServer:
    """The running server: its URL, data directory, log and (when not the default) database."""

    url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    database_url: str | None = None

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

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_live_server(data_dir: Path, database_url: str | None = None, history_scale: int = 0) -> LiveServer:
    """Migrate, seed the demo and serve; return once ``/healthz`` answers."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RASD_")}
    env |= {"RASD_DATA_DIR": str(data_dir), "RASD_DEMO_PASSWORD": DEMO_PASSWORD, "RASD_LOG_FORMAT": "json"}
    if database_url:
        env["RASD_DATABASE_URL"] = database_url
    # The browser tests make the visits they look at; the demo history (past quarters, a minute of
    # seeding) is for people and benchmarks, asked for with ``history_scale``.
    for command in (["migrate"], ["demo", "--scale", str(history_scale)]):
        done = subprocess.run(
            [str(RASD), *command], env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False
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
    server = LiveServer(f"http://127.0.0.1:{port}", data_dir, log_path, process, database_url)
    try:
        wait_until_healthy(server.url, process, log_path)
    except BaseException:
        server.stop()
        raise
    return server
