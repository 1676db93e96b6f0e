"""The sign-in rate limit, as a pure rule over the recent failures of one username or address."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def locked_for(
    failures: Sequence[datetime], now: datetime, *, limit: int, window: timedelta
) -> timedelta | None:
    """How long sign-in stays locked, or None.

    Locked while ``limit`` failures or more fall inside the sliding ``window``; it opens again when
    the oldest of the last ``limit`` failures leaves the window.
    """
    recent = sorted(at for at in failures if now - at < window)
    if len(recent) < limit:
        return None
    return recent[-limit] + window - now
