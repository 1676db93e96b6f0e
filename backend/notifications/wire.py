"""Wire types of ``/api/push`` and ``/api/notifications``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from backend.notifications.rules import KINDS, Kind
from backend.wire import Base

Endpoint = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class SubscriptionKeys(Base):
    p256dh: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    auth: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class SubscriptionIn(Base):
    """The browser's ``PushSubscription.toJSON()``, as it is."""

    endpoint: Endpoint
    keys: SubscriptionKeys
    expiration_time: float | None = msgspec.field(default=None, name="expirationTime")


class SubscriptionRef(Base):
    """Which subscription to forget: the same JSON, of which only ``endpoint`` counts."""

    endpoint: Endpoint
    keys: SubscriptionKeys | None = None
    expiration_time: float | None = msgspec.field(default=None, name="expirationTime")


class SubscriptionView(Base):
    id: uuid.UUID
    endpoint: str
    created_at: datetime


class VapidPublicKey(Base):
    """The ``applicationServerKey`` for ``pushManager.subscribe()``: URL-safe base64 of the
    uncompressed P-256 point."""

    key: str


class PushTestQueued(Base):
    notification_id: uuid.UUID
    subscriptions: int  # how many browsers it is being pushed to


class NotificationView(Base):
    id: uuid.UUID
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None
    sent_at: datetime | None


class NotificationPage(Base):
    """A page of the in-app list, newest first; ``unread`` counts the whole list."""

    items: list[NotificationView]
    total: int
    unread: int
    offset: int
    limit: int
    next_offset: int | None


class Preferences(Base):
    off: list[Kind]
    kinds: list[Kind] = msgspec.field(default_factory=lambda: list(KINDS))  # every kind there is


class PreferencesUpdate(Base):
    off: Annotated[list[Kind], msgspec.Meta(max_length=len(KINDS))]
