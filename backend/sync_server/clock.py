"""The change clock: change numbers handed out under a lock held to commit.

Every writer of the feed calls :func:`lock` first in its transaction. On PostgreSQL the row lock of
``sync_clock`` is then held until commit, so transactions take change numbers one after the other
and commit in that order: a puller that saw change 8 has necessarily been able to see change 7.
On SQLite, writers are serialized by ``BEGIN IMMEDIATE`` already.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.db.tables import SyncClock
from sync import hlc as hlc_text

# The client id of what the server writes itself (reference data, review decisions).
SERVER_CLIENT: Final = uuid.UUID(int=0)


@dataclass
class Clock:
    identity: str
    last_change: int

    def take(self, count: int) -> range:
        """``count`` new change numbers, in order."""
        numbers = range(self.last_change + 1, self.last_change + 1 + count)
        self.last_change += count
        return numbers


async def lock(session: AsyncSession) -> Clock:
    row = (
        await session.execute(
            select(col(SyncClock.identity), col(SyncClock.last_change))
            .where(col(SyncClock.id) == 1)
            .with_for_update()
        )
    ).one()
    return Clock(identity=row[0], last_change=row[1])


async def save(session: AsyncSession, clock: Clock) -> None:
    await session.execute(
        update(SyncClock).where(col(SyncClock.id) == 1).values(last_change=clock.last_change)
    )


async def read(session: AsyncSession) -> Clock:
    """The clock as committed: every change at or below ``last_change`` is committed and visible."""
    row = (await session.execute(select(col(SyncClock.identity), col(SyncClock.last_change)))).one()
    return Clock(identity=row[0], last_change=row[1])


def server_hlc(now_ms: int) -> str:
    return hlc_text.format(hlc_text.Hlc(now_ms, 0, str(SERVER_CLIENT)))
