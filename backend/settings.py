"""Settings read from the environment, with safe defaults for the embedded (SQLite) deployment."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything the app factory needs; tests build their own."""

    data_dir: Path
    database_url: str
    secret_key: str
    pwa_dir: Path = REPO_ROOT / "pwa"
    debug: bool = False
    # Cookies get the Secure flag when the public URL is HTTPS (behind Caddy).
    secure_cookies: bool = False
    session_days: int = 45  # a device stays signed in for weeks offline
    login_max_failures: int = 5
    login_window_seconds: int = 900
    blob_max_bytes: int = 25 * 1024 * 1024
    demo_password: str = "rasd-demo"  # noqa: S105 - the documented public demo password
    log_json: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _secret_from_file(data_dir: Path) -> str:
    """Read the secret kept under the data dir, creating it (mode 0600) on first run."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def sqlite_url(path: Path) -> str:
    """An absolute aiosqlite URL (four slashes before an absolute path)."""
    return f"sqlite+aiosqlite:///{path.resolve()}"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from ``RASD_*`` environment variables."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("RASD_DATA_DIR", str(REPO_ROOT / "var"))).resolve()
    database_url = env.get("RASD_DATABASE_URL") or sqlite_url(data_dir / "rasd.db")
    secret_key = env.get("RASD_SECRET_KEY") or _secret_from_file(data_dir)
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=secret_key,
        debug=env.get("RASD_DEBUG", "") == "1",
        secure_cookies=env.get("RASD_SECURE_COOKIES", "") == "1",
        demo_password=env.get("RASD_DEMO_PASSWORD", "rasd-demo"),
        log_json=env.get("RASD_LOG_FORMAT", "json") == "json",
    )
