"""A small cache of the dashboard's aggregates, dropped as soon as the data under them changes.

Aggregating a quarter of a national history reads tens of thousands of visit rows; directors open
the same pages again and again while the data changes a few times a minute. So the sums of a page
are kept per database, keyed by what they were computed from, together with a *stamp* of the data:
the sync feed's last change number (every visit, action, assignment or review decision pushed or
published moves it) and the count and latest time of indicator readings (imported outside the
feed). A different stamp, or an entry older than ``TTL_SECONDS``, means computing again.
"""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Final, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import IndicatorReading, SyncClock

TTL_SECONDS: Final = 60.0
MAX_ENTRIES: Final = 256
T = TypeVar("T")


class FigureCache:
    """Least recently used entries, each with the stamp and the time it was computed at."""

    def __init__(self, size: int = MAX_ENTRIES, ttl: float = TTL_SECONDS) -> None:
        self.size = size
        self.ttl = ttl
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, Any]] = OrderedDict()

    def get(self, key: Hashable, stamp: Hashable) -> tuple[bool, Any]:
        entry = self._entries.get(key)
        if entry is None or entry[0] != stamp or time.monotonic() - entry[1] > self.ttl:
            return False, None
        self._entries.move_to_end(key)
        return True, entry[2]

    def put(self, key: Hashable, stamp: Hashable, value: Any) -> None:
        self._entries[key] = (stamp, time.monotonic(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


# One cache per database (the app's, a test's): never shared between two databases.
_CACHES: weakref.WeakKeyDictionary[Database, FigureCache] = weakref.WeakKeyDictionary()


def cache_of(db: Database) -> FigureCache:
    cache = _CACHES.get(db)
    if cache is None:
        cache = _CACHES[db] = FigureCache()
    return cache


async def data_stamp(session: AsyncSession) -> Hashable:
    """What changes when any figure of the dashboard may change (two single-row queries)."""
    change = (await session.execute(select(col(SyncClock.last_change)).limit(1))).scalar_one_or_none()
    readings = (await session.execute(select(func.count(), func.max(col(IndicatorReading.created_at))))).one()
    return (change, readings[0], str(readings[1]))


async def cached(
    db: Database, session: AsyncSession, key: Hashable, compute: Callable[[], Awaitable[T]]
) -> T:
    """``compute()``, or its earlier result when the data has not changed since."""
    cache = cache_of(db)
    stamp = await data_stamp(session)
    hit, value = cache.get(key, stamp)
    if hit:
        return value  # type: ignore[no-any-return]
    value = await compute()
    cache.put(key, stamp, value)
    return value
