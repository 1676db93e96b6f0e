"""The ministry's calendar: due dates, deadlines and periods are days in Africa/Algiers.

One place for it, so that "overdue" on the dashboard, in the follow-up list, in an export and in the
planning always turns over at the same midnight. (Notifications take theirs from ``RASD_TIMEZONE``.)
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from backend.db.types import utcnow

LOCAL_ZONE: Final = ZoneInfo("Africa/Algiers")


def local_day(moment: datetime) -> date:
    """The local day of an aware timestamp."""
    return moment.astimezone(LOCAL_ZONE).date()


def local_today(now: datetime | None = None) -> date:
    """The day it is in Algeria at ``now`` (default: now)."""
    return local_day(now or utcnow())
