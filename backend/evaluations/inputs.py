"""What an evaluation of a cycle is computed from, gathered for the whole network at once.

A handful of set-based queries per cycle, whatever the number of agencies: the agencies, the visits
of the period, the readings of the period, the actions due in the period, and the previous cycle's
scores. Never one query per agency.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.db.tables import Action, Agency, Evaluation, EvaluationCycle, IndicatorReading, Visit
from backend.evaluations.rules import ActionCounts, AgencyInputs, ReadingInput, VisitInput
from backend.localtime import LOCAL_ZONE as LOCAL

# Visits count once an inspector has submitted them; a returned visit is being corrected.
COUNTED_STATUSES: Final = ("submitted", "approved")
SCORED_INDICATORS: Final = (
    "processing_delay_days",
    "satisfaction",
    "collection_rate",
    "debt_collection_rate",
)
DONE_STATUSES: Final = frozenset({"done", "verified"})


@dataclass
class Gathered:
    """Everything one cycle's evaluations need, by agency."""

    wilaya_of: dict[uuid.UUID, int]
    inputs: dict[uuid.UUID, AgencyInputs]
    previous_code: str | None = None
    previous_scores: dict[uuid.UUID, float | None] = field(default_factory=dict)


def local_day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(LOCAL).date()


def count_actions(
    rows: Iterable[tuple[date, str, datetime | None, datetime | None]], today: date
) -> ActionCounts:
    """Actions (deadline, status, done_at, verified_at) whose deadline falls in the period.

    An action is due once its deadline has passed, or earlier when it is already done. It is done on
    time when done (or verified) on or before its deadline, in local days; a done action without a
    recorded moment counts as on time, since nothing says it was late.
    """
    due = on_time = overdue = 0
    for deadline, status, done_at, verified_at in rows:
        done = status in DONE_STATUSES
        if not done and deadline >= today:
            continue  # not due yet
        due += 1
        if done:
            finished = local_day(done_at or verified_at)
            on_time += finished is None or finished <= deadline
        else:
            overdue += 1
    return ActionCounts(due=due, on_time=on_time, overdue=overdue)


async def gather(session: AsyncSession, cycle: EvaluationCycle, today: date) -> Gathered:
    """The inputs of every active agency of the network for ``cycle``, as of ``today``."""
    start, end = cycle.starts_on, cycle.ends_on
    agencies = (
        await session.execute(select(col(Agency.id), col(Agency.wilaya_code)).where(col(Agency.active)))
    ).all()
    wilaya_of: dict[uuid.UUID, int] = {row[0]: row[1] for row in agencies}

    visits: dict[uuid.UUID, list[VisitInput]] = defaultdict(list)
    visit_rows = await session.execute(
        select(
            col(Visit.id),
            col(Visit.agency_id),
            col(Visit.score_pct),
            col(Visit.score),
            col(Visit.delay_days_sum),
            col(Visit.delay_samples),
            col(Visit.satisfaction_sum),
            col(Visit.satisfaction_count),
        )
        .where(col(Visit.visit_day) >= start, col(Visit.visit_day) <= end)
        .where(col(Visit.status).in_(COUNTED_STATUSES))
        .order_by(col(Visit.id))
    )
    for row in visit_rows:
        visits[row.agency_id].append(
            VisitInput(
                id=str(row.id),
                score_pct=row.score_pct,
                critical_failed=_critical_failed(row.score),
                delay_days_sum=row.delay_days_sum,
                delay_samples=row.delay_samples,
                satisfaction_sum=row.satisfaction_sum,
                satisfaction_count=row.satisfaction_count,
            )
        )

    # A reading counts in a cycle when its whole period lies inside it (a yearly figure says
    # nothing about one quarter).
    readings: dict[uuid.UUID, list[ReadingInput]] = defaultdict(list)
    reading_rows = await session.execute(
        select(
            col(IndicatorReading.id),
            col(IndicatorReading.agency_id),
            col(IndicatorReading.indicator),
            col(IndicatorReading.value),
        )
        .where(col(IndicatorReading.indicator).in_(SCORED_INDICATORS))
        .where(col(IndicatorReading.period_start) >= start, col(IndicatorReading.period_end) <= end)
        .order_by(col(IndicatorReading.id))
    )
    for reading_id, agency_id, indicator, value in reading_rows:
        readings[agency_id].append(ReadingInput(id=str(reading_id), indicator=indicator, value=value))

    actions: dict[uuid.UUID, list[tuple[date, str, datetime | None, datetime | None]]] = defaultdict(list)
    action_rows = await session.execute(
        select(
            col(Action.agency_id),
            col(Action.deadline),
            col(Action.status),
            col(Action.done_at),
            col(Action.verified_at),
        )
        .where(col(Action.deadline) >= start, col(Action.deadline) <= end)
        .where(~col(Action.deleted))
    )
    for agency_id, deadline, status, done_at, verified_at in action_rows:
        if deadline is not None:  # always, by the WHERE clause; narrowed for the type checker
            actions[agency_id].append((deadline, status, done_at, verified_at))

    inputs = {
        agency_id: AgencyInputs(
            visits=visits.get(agency_id, []),
            readings=readings.get(agency_id, []),
            actions=count_actions(actions.get(agency_id, []), today),
        )
        for agency_id in wilaya_of
    }
    gathered = Gathered(wilaya_of=wilaya_of, inputs=inputs)
    previous = await previous_cycle(session, cycle)
    if previous is not None:
        gathered.previous_code = previous.code
        gathered.previous_scores = dict(
            (
                await session.execute(
                    select(col(Evaluation.agency_id), col(Evaluation.score)).where(
                        col(Evaluation.cycle_id) == previous.id
                    )
                )
            ).all()
        )
    return gathered


async def previous_cycle(session: AsyncSession, cycle: EvaluationCycle) -> EvaluationCycle | None:
    """The cycle of the same kind that started last before ``cycle``."""
    return (
        await session.execute(
            select(EvaluationCycle)
            .where(col(EvaluationCycle.kind) == cycle.kind, col(EvaluationCycle.starts_on) < cycle.starts_on)
            .order_by(col(EvaluationCycle.starts_on).desc())
            .limit(1)
        )
    ).scalar_one_or_none()


def _critical_failed(score: Any) -> int:
    failed = score.get("critical_failed") if isinstance(score, dict) else None
    return len(failed) if isinstance(failed, list) else 0
