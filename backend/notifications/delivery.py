"""Pushing stored notifications to the browsers of their user, never inside a request.

The ``notification`` table is the durable queue: a row is due while ``next_attempt_at`` is set and
past. A runner (the server's dispatcher or ``rasd worker``) *claims* one attempt with a
compare-and-set ``UPDATE … SET attempts = attempts + 1 … WHERE next_attempt_at <= now`` and pushes
the lease forward, so two runners never send the same attempt, and a runner that dies mid-send only
delays the message by the lease. Rows made by this process are also put on an in-memory queue so they
leave at once instead of at the next sweep.

Per subscription, the push service's answer decides (RFC 8030): 2xx delivered; 404 or 410 the
subscription is gone, deleted; 408, 429, 5xx or no answer retry later with exponential backoff, up to
``push_max_attempts``; any other 4xx is a refusal of this message, not retried. A retry goes to all
the user's subscriptions again; the service worker shows every message with ``tag = id``, so a
browser that had it already replaces it silently instead of showing it twice.

pywebpush is blocking (``requests``), so each send runs in a worker thread, a few at a time. Its
``webpush()`` writes ``aud`` and ``exp`` into the ``vapid_claims`` dict it is given, so every call
gets a fresh dict (a shared one would sign for the first endpoint's audience forever).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Final

import requests
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import Notification, PushSubscription
from backend.db.types import utcnow
from backend.notifications.rules import HIGH_URGENCY, Clock
from backend.notifications.vapid import VapidKeys
from backend.settings import Settings

log = logging.getLogger("rasd.push")

MAX_BACKOFF_SECONDS: Final = 3600.0
SWEEP_BATCH: Final = 200
# Web Push carries at most 4,096 bytes of ciphertext; the JSON must leave room for the encryption.
MAX_PAYLOAD_BYTES: Final = 3000


@dataclass(frozen=True, slots=True)
class Target:
    """One browser subscription, as pywebpush wants it."""

    id: uuid.UUID
    endpoint: str
    p256dh: str
    auth: str


# Sends one encrypted message and answers the push service's HTTP status (0: no answer).
Sender = Callable[[Target, bytes, int, str], int]


class Outcome(Enum):
    DELIVERED = "delivered"
    GONE = "gone"  # the subscription no longer exists
    RETRY = "retry"
    REFUSED = "refused"
    NOBODY = "nobody"  # the user has no subscription: the notification stays in the in-app list only


def classify(status: int) -> Outcome:
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if status in (404, 410):
        return Outcome.GONE
    if status in (0, 408, 429) or status >= 500:
        return Outcome.RETRY
    return Outcome.REFUSED


def webpush_sender(keys: VapidKeys, timeout: float) -> Sender:
    """The real sender: RFC 8291 aes128gcm encryption and an RFC 8292 VAPID signature (pywebpush)."""
    signer = keys.signer()

    def send(target: Target, data: bytes, ttl: int, urgency: str) -> int:
        try:
            response = webpush(
                subscription_info={
                    "endpoint": target.endpoint,
                    "keys": {"p256dh": target.p256dh, "auth": target.auth},
                },
                data=data,
                vapid_private_key=signer,
                vapid_claims={"sub": keys.subject},  # fresh per call: webpush() writes aud and exp into it
                ttl=ttl,
                headers={"Urgency": urgency},
                timeout=timeout,
            )
        except WebPushException as exc:
            status = exc.status_code
            if status is None:
                log.warning("push to %s not sent: %s", _host(target.endpoint), exc.message)
            return int(status or 0)
        except requests.RequestException as exc:
            log.info("push to %s unreachable: %s", _host(target.endpoint), type(exc).__name__)
            return 0
        return int(response.status_code)

    return send


def _host(endpoint: str) -> str:
    """Endpoints are capabilities: logs name their host only."""
    return endpoint.split("/")[2] if endpoint.count("/") >= 2 else "?"


def payload(notification: Notification) -> bytes:
    """What the service worker receives: ``{title, body, url, kind, id}`` in JSON, bounded in size."""
    body = notification.body
    while True:
        data = json.dumps(
            {
                "title": notification.title,
                "body": body,
                "url": notification.url,
                "kind": notification.kind,
                "id": str(notification.id),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        if len(data) <= MAX_PAYLOAD_BYTES or not body:
            return data
        body = body[: len(body) // 2] + "…"


class Dispatcher:
    """Delivers due notifications: from the in-memory queue at once, from the table on each sweep."""

    def __init__(
        self, db: Database, settings: Settings, sender: Sender, *, clock: Clock = utcnow, concurrency: int = 8
    ) -> None:
        self.db = db
        self.settings = settings
        self.sender = sender
        self.clock = clock
        self._limit = asyncio.Semaphore(concurrency)
        self._queue: asyncio.Queue[uuid.UUID] | None = None
        self._consumer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[object]] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self.lease = timedelta(seconds=settings.push_timeout_seconds * 2 + 60)

    @property
    def running(self) -> bool:
        return self._consumer is not None

    def enqueue(self, ids: Iterable[uuid.UUID]) -> None:
        """Deliver soon, without waiting. When no dispatcher runs in this process, the next sweep of a
        scheduler (here or in ``rasd worker``) finds the rows instead: they are due in the table."""
        if self._queue is None:
            return
        for notification_id in ids:
            self._queue.put_nowait(notification_id)

    async def start(self) -> None:
        if self._consumer is None:
            self._queue = asyncio.Queue()
            self._consumer = asyncio.create_task(self._consume(self._queue), name="rasd-push-dispatcher")

    async def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        pending = [task for task in (self._consumer, *self._tasks) if task is not None]
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._consumer, self._queue = None, None
        self._tasks.clear()

    async def _consume(self, queue: asyncio.Queue[uuid.UUID]) -> None:
        while True:
            notification_id = await queue.get()
            task: asyncio.Task[object] = asyncio.create_task(self._guarded(notification_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _guarded(self, notification_id: uuid.UUID) -> Outcome | None:
        async with self._limit:
            try:
                return await self.deliver(notification_id)
            except Exception:  # a bad row or a database hiccup must not stop the dispatcher
                log.exception("delivery of notification %s failed", notification_id)
                return None

    async def sweep(self, limit: int = SWEEP_BATCH) -> int:
        """Deliver what is due in the table: retries, and rows whose runner stopped. Returns how many
        were due; with a running dispatcher they are queued, otherwise delivered here."""
        now = self.clock()
        async with self.db.read() as session:
            due = list(
                (
                    await session.execute(
                        select(col(Notification.id))
                        .where(col(Notification.next_attempt_at) <= now)
                        .order_by(col(Notification.next_attempt_at))
                        .limit(limit)
                    )
                ).scalars()
            )
        if self.running:
            self.enqueue(due)
        else:
            for notification_id in due:
                await self._guarded(notification_id)
        return len(due)

    def backoff(self, attempts: int) -> float:
        return float(
            min(self.settings.push_retry_base_seconds * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)
        )

    async def deliver(self, notification_id: uuid.UUID) -> Outcome | None:
        """One attempt at one notification, if it is due and nobody else holds it. Returns the
        notification's outcome: delivered, retry (later), refused or gone; None when not ours."""
        now = self.clock()
        async with self.db.write() as session, session.begin():
            claimed = (
                await session.execute(
                    update(Notification)
                    .where(
                        col(Notification.id) == notification_id,
                        col(Notification.sent_at).is_(None),
                        col(Notification.next_attempt_at) <= now,
                    )
                    .values(attempts=col(Notification.attempts) + 1, next_attempt_at=now + self.lease)
                    .returning(col(Notification.attempts))
                )
            ).scalar_one_or_none()
            if claimed is None:
                return None
            notification = await session.get(Notification, notification_id)
            if notification is None:
                return None
            targets = [
                Target(id=row.id, endpoint=row.endpoint, p256dh=row.p256dh, auth=row.auth)
                for row in (
                    await session.execute(
                        select(PushSubscription).where(col(PushSubscription.user_id) == notification.user_id)
                    )
                ).scalars()
            ]
        if not targets:
            await self._finish(notification_id, claimed, next_attempt_at=None, sent_at=None)
            return Outcome.NOBODY
        data = payload(notification)
        urgency = "high" if notification.kind in HIGH_URGENCY else "normal"
        statuses = await asyncio.gather(
            *(
                asyncio.to_thread(self.sender, target, data, self.settings.push_ttl_seconds, urgency)
                for target in targets
            )
        )
        outcomes = {target.id: classify(status) for target, status in zip(targets, statuses, strict=True)}
        return await self._record(notification, claimed, outcomes)

    async def _record(
        self, notification: Notification, attempt: int, outcomes: dict[uuid.UUID, Outcome]
    ) -> Outcome:
        """Apply the push services' answers to the subscriptions and close the attempt, in one
        transaction: nobody sees a subscription gone and its notification still in flight."""
        now = self.clock()
        by_outcome: dict[Outcome, list[uuid.UUID]] = {outcome: [] for outcome in Outcome}
        for subscription_id, outcome in outcomes.items():
            by_outcome[outcome].append(subscription_id)
        sent_at = now if by_outcome[Outcome.DELIVERED] else None
        next_attempt_at: datetime | None = None
        retry_in: float | None = None
        if by_outcome[Outcome.RETRY] and attempt >= self.settings.push_max_attempts:
            log.warning("notification %s given up after %d attempts", notification.id, attempt)
            result = Outcome.REFUSED
        elif by_outcome[Outcome.RETRY]:
            retry_in = self.backoff(attempt)
            next_attempt_at, sent_at = now + timedelta(seconds=retry_in), None
            result = Outcome.RETRY
        elif sent_at:
            result = Outcome.DELIVERED
        else:
            result = Outcome.GONE if by_outcome[Outcome.GONE] else Outcome.REFUSED
        async with self.db.write() as session, session.begin():
            if by_outcome[Outcome.GONE]:
                await session.execute(
                    delete(PushSubscription).where(col(PushSubscription.id).in_(by_outcome[Outcome.GONE]))
                )
            if by_outcome[Outcome.DELIVERED]:
                await session.execute(
                    update(PushSubscription)
                    .where(col(PushSubscription.id).in_(by_outcome[Outcome.DELIVERED]))
                    .values(last_ok_at=now, failures=0)
                )
            failed = by_outcome[Outcome.RETRY] + by_outcome[Outcome.REFUSED]
            if failed:
                await session.execute(
                    update(PushSubscription)
                    .where(col(PushSubscription.id).in_(failed))
                    .values(failures=col(PushSubscription.failures) + 1)
                )
            await _close(session, notification.id, attempt, next_attempt_at=next_attempt_at, sent_at=sent_at)
        if retry_in is not None:
            self._retry_later(notification.id, retry_in)
        return result

    async def _finish(
        self,
        notification_id: uuid.UUID,
        attempt: int,
        *,
        next_attempt_at: datetime | None,
        sent_at: datetime | None,
    ) -> None:
        async with self.db.write() as session, session.begin():
            await _close(session, notification_id, attempt, next_attempt_at=next_attempt_at, sent_at=sent_at)

    def _retry_later(self, notification_id: uuid.UUID, delay: float) -> None:
        if self._queue is None:
            return  # no dispatcher here: a sweep finds the row when it is due
        loop = asyncio.get_running_loop()
        timer: asyncio.TimerHandle

        def fire() -> None:
            self._timers.discard(timer)
            self.enqueue([notification_id])

        # A little after the due time: the claim compares with the wall clock, the timer is monotonic.
        timer = loop.call_later(delay + 0.05, fire)
        self._timers.add(timer)


async def _close(
    session: AsyncSession,
    notification_id: uuid.UUID,
    attempt: int,
    *,
    next_attempt_at: datetime | None,
    sent_at: datetime | None,
) -> None:
    """Close this attempt, unless the lease ran out and another runner took the next one."""
    await session.execute(
        update(Notification)
        .where(col(Notification.id) == notification_id, col(Notification.attempts) == attempt)
        .values(next_attempt_at=next_attempt_at, sent_at=sent_at)
    )
