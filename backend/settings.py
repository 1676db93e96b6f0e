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
    # Push notifications and reminders (backend/notifications). The VAPID key comes from here when
    # set (PEM, or base64url raw/DER), else from ``<data_dir>/vapid_private.pem``, made on first run.
    vapid_private_key: str | None = None
    # The contact a push service may use about our traffic (RFC 8292 ``sub``): mailto: or https:.
    vapid_subject: str = "mailto:rasd@localhost"
    # Run the rules every ``scheduler_interval_seconds`` inside the server (off: run ``rasd worker``).
    scheduler: bool = True
    scheduler_interval_seconds: float = 60.0
    # Schedules generate their assignments and evaluations catch up with late data this often.
    housekeeping_interval_seconds: float = 600.0
    notify_visit_due_days: int = 3  # "visit due in N days"
    notify_action_due_days: int = 3  # "action deadline in N days"
    notify_device_stale_days: int = 3  # a device with work in progress not synced for N days
    notify_lookback_days: int = 30  # events older than this never notify (a first run stays quiet)
    notify_timezone: str = "Africa/Algiers"  # whose calendar says when a due date has passed
    push_ttl_seconds: int = 24 * 3600  # how long a push service keeps a message for an offline phone
    push_timeout_seconds: float = 10.0
    push_max_attempts: int = 6
    push_retry_base_seconds: float = 30.0  # then doubled per attempt, capped at an hour
    # Only for tests and local development: accept http:// endpoints on the loopback interface.
    push_allow_local_http: bool = False
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
        vapid_private_key=env.get("RASD_VAPID_PRIVATE_KEY") or None,
        vapid_subject=env.get("RASD_VAPID_SUBJECT") or "mailto:rasd@localhost",
        scheduler=env.get("RASD_SCHEDULER", "on").lower() not in ("off", "0", "false", "no"),
        notify_timezone=env.get("RASD_TIMEZONE") or "Africa/Algiers",
        housekeeping_interval_seconds=float(env.get("RASD_HOUSEKEEPING_SECONDS") or 600),
        push_allow_local_http=env.get("RASD_PUSH_ALLOW_LOCAL_HTTP", "") == "1",
    )
