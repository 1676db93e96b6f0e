"""The evaluation loop's periodic work: every job runs on each tick, one failing job spares the others."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from backend.db.engine import Database
from backend.db.tables import Evaluation
from backend.db.types import utcnow
from backend.housekeeping import Housekeeping


async def test_a_tick_runs_every_job_even_after_one_fails(seeded: Database) -> None:
    ran: list[str] = []

    async def broken(_db: Database, _now: datetime) -> None:
        ran.append("broken")
        raise RuntimeError("the database is restarting")

    async def fine(_db: Database, _now: datetime) -> None:
        ran.append("fine")

    await Housekeeping(seeded, 60, jobs=[("broken", broken), ("fine", fine)]).tick()
    assert ran == ["broken", "fine"]


async def test_the_default_jobs_evaluate_the_open_cycles(seeded: Database) -> None:
    await Housekeeping(seeded, 60).tick(utcnow())
    async with seeded.read() as session:
        evaluated = (await session.execute(select(func.count()).select_from(Evaluation))).scalar_one()
    assert evaluated > 0  # every agency of every cycle started in the last year has its row
