"""Session tokens: random, shown once to the browser, stored only as a SHA-256."""

from __future__ import annotations

import hashlib
import secrets

COOKIE_NAME = "rasd_session"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
