"""Subscriptions, the in-app list and preferences of the signed-in user. One transaction per call."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import Notification, PushSubscription, User
from backend.db.types import utcnow
from backend.db.upsert import table_of
from backend.errors import DomainError, NotFound
from backend.notifications.rules import KINDS, TEST_KIND, Kind, word
from backend.notifications.subscription import CheckedSubscription
from backend.notifications.wire import (
    NotificationPage,
    NotificationView,
    Preferences,
    PushTestQueued,
    SubscriptionView,
)

# Browsers one person really uses; more would let one account make the server POST to many hosts.
MAX_SUBSCRIPTIONS_PER_USER = 10


class NoPushSubscription(DomainError):
    status_code = 409
    code = "no_push_subscription"


async def subscribe(db: Database, user_id: uuid.UUID, checked: CheckedSubscription) -> SubscriptionView:
    """Upsert by endpoint. An endpoint belongs to one browser profile; whoever registers it last owns
    it (a shared tablet changes hands), and the keys follow the browser's latest ones. Past
    ``MAX_SUBSCRIPTIONS_PER_USER``, the user's oldest subscriptions are dropped."""
    now = utcnow()
    table = table_of(PushSubscription)
    async with db.write() as session, session.begin():
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(table).values(
            id=uuid.uuid4(),
            user_id=user_id,
            endpoint=checked.endpoint,
            p256dh=checked.p256dh,
            auth=checked.auth,
            created_at=now,
            last_ok_at=None,
            failures=0,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["endpoint"],
            set_={
                "user_id": statement.excluded.user_id,
                "p256dh": statement.excluded.p256dh,
                "auth": statement.excluded.auth,
                "failures": 0,
            },
        )
        await session.execute(statement)
        kept = (
            select(col(PushSubscription.id))
            .where(col(PushSubscription.user_id) == user_id)
            .order_by(col(PushSubscription.created_at).desc(), col(PushSubscription.id))
            .limit(MAX_SUBSCRIPTIONS_PER_USER)
        )
        await session.execute(
            delete(PushSubscription).where(
                col(PushSubscription.user_id) == user_id,
                col(PushSubscription.endpoint) != checked.endpoint,
                col(PushSubscription.id).not_in(kept.scalar_subquery()),
            )
        )
        row = (
            await session.execute(
                select(PushSubscription).where(col(PushSubscription.endpoint) == checked.endpoint)
            )
        ).scalar_one()
    return SubscriptionView(id=row.id, endpoint=row.endpoint, created_at=row.created_at)


async def unsubscribe(db: Database, user_id: uuid.UUID, endpoint: str) -> None:
    """Forget the caller's subscription at ``endpoint``; someone else's, or none, changes nothing."""
    async with db.write() as session, session.begin():
        await session.execute(
            delete(PushSubscription).where(
                col(PushSubscription.user_id) == user_id, col(PushSubscription.endpoint) == endpoint.strip()
            )
        )


async def queue_test(db: Database, user_id: uuid.UUID, language: str) -> tuple[PushTestQueued, uuid.UUID]:
    """A test notification to the caller's own subscriptions; the caller hands it to the dispatcher."""
    now = utcnow()
    title, body = word(TEST_KIND, language)
    async with db.write() as session, session.begin():
        count = (
            await session.execute(
                select(func.count())
                .select_from(PushSubscription)
                .where(col(PushSubscription.user_id) == user_id)
            )
        ).scalar_one()
        if not count:
            raise NoPushSubscription()
        notification = Notification(
            user_id=user_id,
            kind=TEST_KIND,
            dedupe_key=uuid.uuid4().hex,  # every press of the button is an event of its own
            title=title,
            body=body,
            url="/",
            created_at=now,
            next_attempt_at=now,
        )
        session.add(notification)
    return PushTestQueued(notification_id=notification.id, subscriptions=count), notification.id


def notification_view(row: Notification) -> NotificationView:
    return NotificationView(
        id=row.id,
        kind=row.kind,
        title=row.title,
        body=row.body,
        url=row.url,
        created_at=row.created_at,
        read_at=row.read_at,
        sent_at=row.sent_at,
    )


async def list_notifications(
    db: Database, user_id: uuid.UUID, *, offset: int, limit: int
) -> NotificationPage:
    mine = col(Notification.user_id) == user_id
    async with db.read() as session:
        total = (
            await session.execute(select(func.count()).select_from(Notification).where(mine))
        ).scalar_one()
        unread = (
            await session.execute(
                select(func.count())
                .select_from(Notification)
                .where(mine, col(Notification.read_at).is_(None))
            )
        ).scalar_one()
        rows = (
            await session.execute(
                select(Notification)
                .where(mine)
                .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
                .offset(offset)
                .limit(limit)
            )
        ).scalars()
        items = [notification_view(row) for row in rows]
    return NotificationPage(
        items=items,
        total=total,
        unread=unread,
        offset=offset,
        limit=limit,
        next_offset=offset + limit if offset + limit < total else None,
    )


async def mark_read(db: Database, user_id: uuid.UUID, notification_id: uuid.UUID) -> NotificationView:
    """Mark one of the caller's notifications read (again: no change). Another's is not found."""
    async with db.write() as session, session.begin():
        await session.execute(
            update(Notification)
            .where(
                col(Notification.id) == notification_id,
                col(Notification.user_id) == user_id,
                col(Notification.read_at).is_(None),
            )
            .values(read_at=utcnow())
        )
        row = (
            await session.execute(
                select(Notification).where(
                    col(Notification.id) == notification_id, col(Notification.user_id) == user_id
                )
            )
        ).scalar_one_or_none()
    if row is None:
        raise NotFound("notification_id")
    return notification_view(row)


def _preferences(off: list[str]) -> Preferences:
    return Preferences(off=[kind for kind in KINDS if kind in off])


async def get_preferences(db: Database, user_id: uuid.UUID) -> Preferences:
    async with db.read() as session:
        off = (
            await session.execute(select(col(User.notifications_off)).where(col(User.id) == user_id))
        ).scalar_one()
    return _preferences(list(off or []))


async def set_preferences(db: Database, user_id: uuid.UUID, off: list[Kind]) -> Preferences:
    kept = [kind for kind in KINDS if kind in set(off)]
    async with db.write() as session, session.begin():
        await session.execute(update(User).where(col(User.id) == user_id).values(notifications_off=kept))
    return _preferences(list(kept))
