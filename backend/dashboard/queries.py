"""The dashboard's aggregates: a few set-based GROUP BY queries per page, never one per row.

Every query is bounded by the dates of the cycles it covers (``visit(visit_day, agency_id)``,
``indicator_reading(indicator, period_start)``) and restricted to the user's scope through a join on
``agency``. Rows are grouped by a *level* (a body, a wilaya, an agency, or the whole scope) and by
cycle; the sums are additive, so that totals and means over a level stay exact.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final, Literal

from sqlalchemy import ColumnElement, Date, and_, case, cast, func, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Scope
from backend.authz.queries import agency_scope_clause
from backend.dashboard.indicators import READINGS, Sums
from backend.dashboard.periods import Period
from backend.db.tables import Action, Agency, Assignment, Body, IndicatorReading, Visit
from backend.localtime import LOCAL_ZONE as ZONE

Level = Literal["scope", "body", "wilaya", "agency"]
Key = int | uuid.UUID | None
# Visits that count in the figures: sent by the inspector, and not sent back.
COUNTED: Final = ("submitted", "approved")
OPEN_ACTIONS: Final = ("open", "in_progress")
# Algeria keeps UTC+1 all year (no daylight saving since 1981): on SQLite, the local day of a UTC
# instant is the date one hour later. PostgreSQL converts with the zone database.
LOCAL_ZONE: Final = ZONE.key  # by name, for the databases' own time-zone functions


@dataclass(frozen=True)
class Where:
    """The agencies a figure covers: the user's scope, narrowed to a body, a wilaya or an agency."""

    scope: Scope
    body: str | None = None
    wilaya: int | None = None
    agency: uuid.UUID | None = None


def agency_clauses(where: Where) -> list[ColumnElement[bool]]:
    clauses = [agency_scope_clause(where.scope)]
    if where.body is not None:
        body_id = select(col(Body.id)).where(col(Body.code) == where.body).scalar_subquery()
        clauses.append(col(Agency.body_id) == body_id)
    if where.wilaya is not None:
        clauses.append(col(Agency.wilaya_code) == where.wilaya)
    if where.agency is not None:
        clauses.append(col(Agency.id) == where.agency)
    return clauses


def _key(level: Level) -> Any:
    match level:
        case "body":
            return col(Agency.body_id)
        case "wilaya":
            return col(Agency.wilaya_code)
        case "agency":
            return col(Agency.id)
    return literal_column("0")


def _period_of(column: Any, periods: Sequence[Period]) -> Any:
    """Which of ``periods`` (by position) a day falls in."""
    return case(
        *[(column.between(p.starts_on, p.ends_on), literal_column(str(i))) for i, p in enumerate(periods)]
    )


def _span(periods: Sequence[Period]) -> tuple[date, date]:
    return min(p.starts_on for p in periods), max(p.ends_on for p in periods)


def local_day(column: Any, dialect: str) -> Any:
    """The local (Africa/Algiers) day of a UTC timestamp column."""
    if dialect == "postgresql":
        return cast(func.timezone(LOCAL_ZONE, column), Date)
    return func.date(column, "+1 hour")


def submitted_by_due(dialect: str) -> ColumnElement[bool]:
    on_time: ColumnElement[bool] = local_day(col(Visit.submitted_at), dialect) <= col(Assignment.due_on)
    return on_time


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


# GROUP BY positions: PostgreSQL cannot match a CASE with bound parameters written twice.
_BY_KEY_AND_PERIOD: Final = (text("1"), text("2"))
Table = dict[tuple[Key, int], Sums]


async def visit_sums(session: AsyncSession, where: Where, level: Level, periods: Sequence[Period]) -> Table:
    """Visits made in each period (by ``visit_day``), with their scores and measures."""
    start, end = _span(periods)
    statement = (
        select(
            _key(level),
            _period_of(col(Visit.visit_day), periods),
            func.count(),
            func.coalesce(func.sum(col(Visit.score_pct)), 0.0),
            func.count(col(Visit.score_pct)),
            func.coalesce(func.sum(col(Visit.delay_days_sum)), 0.0),
            func.coalesce(func.sum(col(Visit.delay_samples)), 0),
            func.coalesce(func.sum(col(Visit.satisfaction_sum)), 0.0),
            func.coalesce(func.sum(col(Visit.satisfaction_count)), 0),
        )
        .join(Agency, col(Agency.id) == col(Visit.agency_id))
        .where(
            col(Visit.visit_day) >= start,
            col(Visit.visit_day) <= end,
            col(Visit.status).in_(COUNTED),
            *agency_clauses(where),
        )
        .group_by(*_BY_KEY_AND_PERIOD)
    )
    table: Table = {}
    for key, index, visits, score_sum, scored, delay_sum, samples, sat_sum, sat_count in (
        await session.execute(statement)
    ).all():
        table[(key, int(index))] = Sums(
            visits=visits,
            score_sum=float(score_sum),
            score_count=scored,
            delay_sum=float(delay_sum),
            delay_samples=int(samples),
            satisfaction_sum=float(sat_sum),
            satisfaction_count=int(sat_count),
        )
    return table


async def assignment_sums(
    session: AsyncSession, where: Where, level: Level, periods: Sequence[Period]
) -> Table:
    """Assignments due in each period: planned, done, and done on time.

    A visit counts for its assignment from the assignment's occurrence day: so the on-time query
    reads the visits by ``visit_day`` (indexed) between the earliest occurrence and the latest due day,
    instead of every visit ever made.
    """
    start, end = _span(periods)
    due = _period_of(col(Assignment.due_on), periods)
    in_span = (
        col(Assignment.due_on) >= start,
        col(Assignment.due_on) <= end,
        *agency_clauses(where),
    )
    planned = (
        select(
            _key(level),
            due,
            func.count(),
            func.coalesce(func.sum(case((col(Assignment.status) == "done", 1), else_=0)), 0),
            func.min(case((col(Assignment.status) == "done", col(Assignment.occurs_on)))),
        )
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .where(col(Assignment.status) != "cancelled", *in_span)
        .group_by(*_BY_KEY_AND_PERIOD)
    )
    table: Table = {}
    earliest: date | None = None
    for key, index, count, done, first in (await session.execute(planned)).all():
        table[(key, int(index))] = Sums(planned=count, done=int(done))
        if first is not None:
            first_day = first if isinstance(first, date) else date.fromisoformat(str(first))
            earliest = first_day if earliest is None else min(earliest, first_day)
    if earliest is None:  # nothing done: nothing on time
        return table
    on_time = (
        select(_key(level), due, func.count(func.distinct(col(Assignment.id))))
        .select_from(Visit)
        .join(Assignment, col(Assignment.id) == col(Visit.assignment_id))
        .join(Agency, col(Agency.id) == col(Visit.agency_id))
        .where(
            col(Visit.visit_day) >= earliest,
            col(Visit.visit_day) <= end,
            col(Visit.visit_day) >= col(Assignment.occurs_on),
            col(Visit.status).in_(COUNTED),
            col(Assignment.status) == "done",
            submitted_by_due(_dialect(session)),
            *in_span,
        )
        .group_by(*_BY_KEY_AND_PERIOD)
    )
    for key, index, count in (await session.execute(on_time)).all():
        table[(key, int(index))] = replace(table.get((key, int(index)), Sums()), on_time=count)
    return table


async def reading_sums(session: AsyncSession, where: Where, level: Level, periods: Sequence[Period]) -> Table:
    """Readings of the dashboard's indicators whose period overlaps each period.

    Grouped in the database by reading period (a few per year), then spread over the cycles here: a
    reading of a month counts in its quarter, a reading of a year in each of its quarters.
    """
    start, end = _span(periods)
    key = _key(level)
    statement = (
        select(
            key,
            col(IndicatorReading.indicator),
            col(IndicatorReading.period_start),
            col(IndicatorReading.period_end),
            func.sum(col(IndicatorReading.value)),
            func.count(),
        )
        .join(Agency, col(Agency.id) == col(IndicatorReading.agency_id))
        .where(
            col(IndicatorReading.indicator).in_(READINGS),
            col(IndicatorReading.period_start) <= end,
            col(IndicatorReading.period_end) >= start,
            *agency_clauses(where),
        )
        .group_by(*(text(str(position)) for position in range(1, 5)))
    )
    spread: dict[tuple[Key, int], dict[str, tuple[float, int]]] = defaultdict(dict)
    for row_key, indicator, first, last, total, count in (await session.execute(statement)).all():
        for index, period in enumerate(periods):
            if period.overlaps(first, last):
                held = spread[(row_key, index)].get(indicator, (0.0, 0))
                spread[(row_key, index)][indicator] = (held[0] + float(total), held[1] + count)
    return {cell: Sums(readings=readings) for cell, readings in spread.items()}


async def action_sums(session: AsyncSession, where: Where, level: Level, today: date) -> dict[Key, Sums]:
    """Corrective actions open now, and those past their deadline (not tied to a cycle)."""
    key = _key(level)
    statement = (
        select(
            key,
            func.count(),
            func.coalesce(func.sum(case((col(Action.deadline) < today, 1), else_=0)), 0),
        )
        .join(Agency, col(Agency.id) == col(Action.agency_id))
        .where(col(Action.status).in_(OPEN_ACTIONS), col(Action.deleted).is_(False), *agency_clauses(where))
        .group_by(text("1"))
    )
    return {
        row_key: Sums(open_actions=count, overdue_actions=int(overdue))
        for row_key, count, overdue in (await session.execute(statement)).all()
    }


def overdue_clause(today: date) -> ColumnElement[bool]:
    return and_(col(Action.deadline).is_not(None), col(Action.deadline) < today)
