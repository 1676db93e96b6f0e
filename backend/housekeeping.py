"""The evaluation loop's periodic work: schedules generate their assignments (and devices learn which
are done), evaluations are recomputed when late data arrived.

It runs beside the notification rules: in the server's lifespan unless ``RASD_SCHEDULER=off``, and
in ``rasd worker``. Several runners at once are safe: generation inserts with ON CONFLICT DO NOTHING,
and an evaluation is rewritten only when its inputs changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from backend.db.engine import Database
from backend.db.types import utcnow

log = logging.getLogger("rasd.housekeeping")
Job = Callable[[Database, datetime], Awaitable[object]]


def default_jobs() -> list[tuple[str, Job]]:
    from backend.evaluations.service import recompute_open_cycles
    from backend.planning.service import generate_due

    return [("assignments", generate_due), ("evaluations", recompute_open_cycles)]


class Housekeeping:
    def __init__(
        self, db: Database, interval_seconds: float, jobs: list[tuple[str, Job]] | None = None
    ) -> None:
        self.db = db
        self.interval = interval_seconds
        self.jobs = jobs if jobs is not None else default_jobs()

    async def tick(self, now: datetime | None = None) -> None:
        """Run every job once; one failing job does not keep the others from running."""
        now = now or utcnow()
        for name, job in self.jobs:
            try:
                result = await job(self.db, now)
                log.info("housekeeping done", extra={"job": name, "result": str(result)[:200]})
            except Exception:  # a bad run (database restarting) must not end the loop
                log.exception("housekeeping job failed; trying again at the next tick", extra={"job": name})

    async def loop(self) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(self.interval)

    @asynccontextmanager
    async def running(self, *, enabled: bool) -> AsyncIterator[None]:
        task = asyncio.create_task(self.loop(), name="rasd-housekeeping") if enabled else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
