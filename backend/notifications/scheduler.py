"""Running the rules every minute, and the delivery of what they produce.

By default the loop runs inside the server: an asyncio task started and stopped by the app's
lifespan (``RASD_SCHEDULER=off`` disables it). ``rasd worker`` runs the very same loop as a separate
process, for deployments with several app workers. Several loops at once are safe, only redundant:
storing is decided by the unique dedupe key (``store.py``) and every push attempt by a claim in the
table (``delivery.py``). Every app process still runs a dispatcher, so that the notifications it
makes itself (the "send me a test" button) leave at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from zoneinfo import ZoneInfo

from litestar.datastructures import State

from backend.db.engine import Database, make_database
from backend.db.types import utcnow
from backend.notifications.delivery import Dispatcher, Sender, webpush_sender
from backend.notifications.facts import load_facts
from backend.notifications.rules import Clock, Policy, evaluate
from backend.notifications.store import store
from backend.notifications.vapid import VapidKeys, load_vapid_keys
from backend.settings import Settings

log = logging.getLogger("rasd.notifications")
STATE_KEY = "notifications"


def policy_of(settings: Settings) -> Policy:
    return Policy(
        visit_due_days=settings.notify_visit_due_days,
        action_due_days=settings.notify_action_due_days,
        device_stale_days=settings.notify_device_stale_days,
        lookback_days=settings.notify_lookback_days,
        zone=ZoneInfo(settings.notify_timezone),
    )


async def run_rules(db: Database, policy: Policy, clock: Clock = utcnow) -> list[uuid.UUID]:
    """One run: load the facts, evaluate the rules, store the new notices. Answers the ids this run
    stored (the ones it must deliver)."""
    now = clock()
    facts = await load_facts(db, policy, now)
    return await store(db, evaluate(facts, policy, lambda: now), now)


class Notifications:
    """What one process needs to notify: the VAPID keys, a dispatcher and (optionally) the loop."""

    def __init__(
        self, db: Database, settings: Settings, *, sender: Sender | None = None, clock: Clock = utcnow
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.policy = policy_of(settings)
        self.keys: VapidKeys = load_vapid_keys(settings)
        self.dispatcher = Dispatcher(
            db, settings, sender or webpush_sender(self.keys, settings.push_timeout_seconds), clock=clock
        )

    async def tick(self) -> list[uuid.UUID]:
        """Run the rules once, queue what they made, and deliver what is due from earlier."""
        created = await run_rules(self.db, self.policy, self.clock)
        self.dispatcher.enqueue(created)
        await self.dispatcher.sweep()
        return created

    async def loop(self) -> None:
        while True:
            try:
                created = await self.tick()
                if created:
                    log.info("notifications created", extra={"count": len(created)})
            except Exception:  # a bad minute (database restarting) must not end the loop
                log.exception("notification rules failed; trying again at the next tick")
            await asyncio.sleep(self.settings.scheduler_interval_seconds)

    @asynccontextmanager
    async def running(self, *, scheduler: bool) -> AsyncIterator[None]:
        """The dispatcher, and the rules loop when ``scheduler``; both stopped on exit."""
        await self.dispatcher.start()
        task = asyncio.create_task(self.loop(), name="rasd-scheduler") if scheduler else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.dispatcher.stop()


def notifications_of(state: State) -> Notifications:
    """The app's notifier, made on first use (the VAPID key file is created then, if missing)."""
    notifications = state.get(STATE_KEY)
    if not isinstance(notifications, Notifications):
        notifications = Notifications(state["db"], state["settings"])
        state[STATE_KEY] = notifications
    return notifications


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """``rasd worker``: the loop and a dispatcher in a process of their own, until SIGTERM or SIGINT."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    db = make_database(settings.database_url)
    try:
        from backend.housekeeping import Housekeeping  # the evaluation loop's periodic work too

        housekeeping = Housekeeping(db, settings.housekeeping_interval_seconds)
        async with Notifications(db, settings).running(scheduler=True), housekeeping.running(enabled=True):
            log.info("notification worker started", extra={"interval": settings.scheduler_interval_seconds})
            await stop.wait()
    finally:
        await db.dispose()
