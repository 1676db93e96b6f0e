"""Storing notices as notifications, each ``(user_id, kind, dedupe_key)`` once, whoever runs the rules.

Two runners (two app workers, or the server and ``rasd worker``) evaluate the same rules at the same
minute and try to store the same notices. The unique constraint decides: ``INSERT … ON CONFLICT DO
NOTHING RETURNING id`` gives each runner only the rows *it* inserted, and only those are queued for
delivery by it, so no notification is pushed twice. A read first skips what is already stored, so a
quiet minute takes no write lock at all (SQLite has one writer).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import Notification
from backend.db.upsert import table_of
from backend.notifications.rules import Notice

CHUNK: Final = 200  # rows per INSERT: 12 columns, far below every bound-parameter limit
LOOKUP_CHUNK: Final = 1000  # notices per lookup of what is already stored


def _row(notice: Notice, now: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "user_id": notice.user_id,
        "kind": notice.kind,
        "dedupe_key": notice.dedupe_key[:200],
        "title": notice.title[:300],
        "body": notice.body,
        "url": notice.url[:500],
        "created_at": now,
        "sent_at": None,
        "read_at": None,
        "attempts": 0,
        "next_attempt_at": now,  # due at once
    }


async def store(db: Database, notices: Sequence[Notice], now: datetime) -> list[uuid.UUID]:
    """Insert the notices not stored yet; answer the ids this call inserted (and nobody else)."""
    if not notices:
        return []
    known: set[tuple[uuid.UUID, str, str]] = set()
    async with db.read() as session:
        for start in range(0, len(notices), LOOKUP_CHUNK):
            chunk = notices[start : start + LOOKUP_CHUNK]
            rows = await session.execute(
                select(col(Notification.user_id), col(Notification.kind), col(Notification.dedupe_key)).where(
                    col(Notification.user_id).in_({n.user_id for n in chunk}),
                    col(Notification.kind).in_({n.kind for n in chunk}),
                    col(Notification.dedupe_key).in_({n.dedupe_key[:200] for n in chunk}),
                )
            )
            known.update((row.user_id, row.kind, row.dedupe_key) for row in rows)
    fresh = [_row(n, now) for n in notices if (n.user_id, n.kind, n.dedupe_key[:200]) not in known]
    if not fresh:
        return []
    table = table_of(Notification)
    inserted: list[uuid.UUID] = []
    async with db.write() as session, session.begin():
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        for start in range(0, len(fresh), CHUNK):
            statement = (
                insert(table)
                .values(fresh[start : start + CHUNK])
                .on_conflict_do_nothing(index_elements=["user_id", "kind", "dedupe_key"])
                .returning(table.c.id)
            )
            inserted += (await session.execute(statement)).scalars()
    return inserted
