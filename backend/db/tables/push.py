"""Web Push subscriptions and the notifications sent (or listed in the app)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db.types import UTCDateTime, utcnow


class PushSubscription(SQLModel, table=True):
    __tablename__ = "push_subscription"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    endpoint: str = Field(max_length=1000, unique=True)
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_ok_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    failures: int = 0


class Notification(SQLModel, table=True):
    """One notification to one user; ``dedupe_key`` makes every rule fire once per event."""

    __table_args__ = (
        UniqueConstraint("user_id", "kind", "dedupe_key"),
        Index("ix_notification_user_created", "user_id", "created_at"),
        Index("ix_notification_next_attempt", "next_attempt_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id")
    kind: str = Field(max_length=40)
    dedupe_key: str = Field(max_length=200)
    title: str = Field(max_length=300)
    body: str = ""
    url: str = Field(max_length=500, default="/")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    attempts: int = 0
    # When a runner may (re)try the push: set on creation, pushed back while an attempt is in flight
    # and after a failure (backoff); None once sent, given up, or when there is nothing to push.
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
