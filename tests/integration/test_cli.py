"""The ``rasd`` command line, run as an operator would, on a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RASD = [sys.executable, "-m", "backend.cli"]


def rasd(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RASD_DATA_DIR": str(data_dir), "RASD_DEMO_PASSWORD": "demo-pass-1"}
    env.pop("RASD_DATABASE_URL", None)
    env.pop("RASD_SECRET_KEY", None)
    return subprocess.run([*RASD, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120)


def test_operator_sets_up_a_server_and_manages_users(tmp_path: Path) -> None:
    assert rasd(tmp_path, "migrate").returncode == 0
    secret = tmp_path / "secret_key"
    assert secret.exists() and oct(secret.stat().st_mode & 0o777) == "0o600"

    demo = rasd(tmp_path, "demo", "--scale", "0")  # the history has its own test (test_demo_history)
    assert demo.returncode == 0, demo.stderr
    assert "demo-pass-1" in demo.stdout and "inspector.oran" in demo.stdout
    again = rasd(tmp_path, "demo", "--scale", "0")
    assert "already present" in again.stdout

    created = rasd(
        tmp_path,
        "user",
        "create",
        "amina",
        "--role",
        "inspector",
        "--scope",
        "wilayas:16,31",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert created.returncode == 0, created.stderr
    duplicate = rasd(
        tmp_path,
        "user",
        "create",
        "amina",
        "--role",
        "inspector",
        "--scope",
        "national",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert duplicate.returncode != 0 and "already exists" in duplicate.stderr

    bad_scope = rasd(tmp_path, "user", "set-scope", "amina", "wilayas:77")
    assert bad_scope.returncode != 0 and "scope.ids" in bad_scope.stderr
    assert rasd(tmp_path, "user", "set-role", "amina", "director").returncode == 0
    assert rasd(tmp_path, "user", "set-scope", "amina", "bodies:CNAS").returncode == 0
    assert rasd(tmp_path, "user", "disable", "amina").returncode == 0

    listing = rasd(tmp_path, "user", "list").stdout
    line = next(row for row in listing.splitlines() if row.startswith("amina"))
    assert "director" in line and "bodies:CNAS" in line and "disabled" in line
    assert secret.read_text() == (tmp_path / "secret_key").read_text()


def test_short_password_is_refused_with_the_field(tmp_path: Path) -> None:
    rasd(tmp_path, "migrate")
    result = rasd(
        tmp_path,
        "user",
        "create",
        "bob",
        "--role",
        "admin",
        "--scope",
        "national",
        "--password-stdin",
        stdin="short\n",
    )
    assert result.returncode != 0
    assert "password" in result.stderr
