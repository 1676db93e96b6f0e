"""The dashboard's pages as data: one read transaction each, a bounded number of queries.

A drill-down page is a level (bodies, wilayas, agencies) under a filter; its rows are the places of
that level in the user's scope, and its key figures are the sum of its rows (the sums are additive,
so totals are exact). The trends of the charts are the same sums over the last cycles of a kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Principal
from backend.dashboard import places, queries
from backend.dashboard.cache import cached
from backend.dashboard.indicators import Indicators, Sums, flags, indicators, ranks
from backend.dashboard.periods import Period, choose, previous, recent
from backend.dashboard.places import Place
from backend.dashboard.queries import Level, Where
from backend.db.engine import Database
from backend.db.tables import EvaluationCycle
from backend.errors import NotFound
from backend.evaluations.config import Thresholds, load_config
from backend.localtime import local_today


@dataclass(frozen=True)
class Row:
    place: Place
    figures: Indicators
    flags: list[str]
    rank: int | None = None


@dataclass(frozen=True)
class Board:
    """A drill-down page: the cycle shown, the cycles to choose from, the totals and the rows."""

    cycle: Period
    previous: Period | None
    cycles: list[Period]
    total: Indicators
    total_flags: list[str]
    rows: list[Row]
    thresholds: Thresholds


async def load_periods(session: AsyncSession) -> list[Period]:
    result = await session.execute(select(EvaluationCycle).order_by(col(EvaluationCycle.starts_on)))
    return [
        Period(
            code=cycle.code,
            kind=cycle.kind,
            starts_on=cycle.starts_on,
            ends_on=cycle.ends_on,
            name=dict(cycle.name),
            id=cycle.id,
        )
        for cycle in result.scalars()
    ]


def pick(periods: Sequence[Period], code: str | None, today: date) -> Period:
    chosen = choose(periods, code, today)
    if chosen is None:
        raise NotFound("cycle")
    return chosen


async def _sums(
    session: AsyncSession,
    where: Where,
    level: Level,
    cycle: Period,
    before: Period | None,
    today: date,
) -> dict[queries.Key, Sums]:
    """Every figure of every row of ``level`` for ``cycle``: five GROUP BY queries in all."""
    visits = await queries.visit_sums(session, where, level, [cycle, *([before] if before else [])])
    assignments = await queries.assignment_sums(session, where, level, [cycle])
    readings = await queries.reading_sums(session, where, level, [cycle])
    actions = await queries.action_sums(session, where, level, today)
    keys = {key for key, _ in visits} | {key for key, _ in assignments} | {k for k, _ in readings}
    out: dict[queries.Key, Sums] = {}
    for key in keys | set(actions):
        empty = Sums()
        then = visits.get((key, 1), empty)
        out[key] = replace(
            visits.get((key, 0), empty)
            + assignments.get((key, 0), empty)
            + readings.get((key, 0), empty)
            + actions.get(key, empty),
            previous_score_sum=then.score_sum,
            previous_score_count=then.score_count,
        )
    return out


async def board(
    db: Database,
    principal: Principal,
    *,
    cycle_code: str | None,
    level: Level,
    where: Where,
    rows_of: list[Place] | None = None,
) -> Board:
    """The figures of the places of ``level`` under ``where`` (rows ranked when they are agencies)."""
    today = local_today()
    async with db.read() as session:
        periods = await load_periods(session)
        cycle = pick(periods, cycle_code, today)
        before = previous(periods, cycle)
        thresholds = (await load_config(session)).thresholds
        if rows_of is None:
            rows_of = await _places(session, where, level)
        sums = await cached(
            db,
            session,
            ("board", where, level, cycle.code, before.code if before else None, today),
            lambda: _sums(session, where, level, cycle, before, today),
        )
    total = Sums()
    rows = []
    for place in rows_of:
        row_sums = sums.get(place.key, Sums())
        total = total + row_sums
        figures = indicators(row_sums)
        rows.append(Row(place=place, figures=figures, flags=flags(figures, thresholds)))
    if level == "agency":
        ranked = ranks([row.figures.score_pct for row in rows])
        rows = [replace(row, rank=rank) for row, rank in zip(rows, ranked, strict=True)]
        rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.place.names.get("code", "")))
    total_figures = indicators(total)
    return Board(
        cycle=cycle,
        previous=before,
        cycles=periods,
        total=total_figures,
        total_flags=flags(total_figures, thresholds),
        rows=rows,
        thresholds=thresholds,
    )


async def _places(session: AsyncSession, where: Where, level: Level) -> list[Place]:
    match level:
        case "body":
            return await places.bodies(session, where)
        case "wilaya":
            return await places.wilayas(session, where)
    return await places.agencies(session, where)


async def place_for(db: Database, where: Where, kind: str, code: object) -> Place:
    """The body, wilaya or agency of a page, if the user's scope holds it (else NotFound)."""
    async with db.read() as session:
        match kind:
            case "body":
                return await places.body_named(session, where, str(code))
            case "wilaya":
                return await places.wilaya_named(session, where, int(str(code)))
        return await places.agency_with_id(session, where, code)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Trend:
    """One figure's series over the last cycles of a kind, for a chart."""

    cycles: list[Period]
    series: dict[str, list[float | None]]


async def trend(db: Database, where: Where, cycle_code: str | None) -> Trend:
    """Every chartable figure of ``where`` over the cycles up to the chosen one."""
    today = local_today()
    async with db.read() as session:
        periods = await load_periods(session)
        cycle = pick(periods, cycle_code, today)
        span = recent(periods, cycle)
        series = await cached(
            db, session, ("trend", where, tuple(p.code for p in span)), lambda: _series(session, where, span)
        )
    return Trend(cycles=span, series=series)


async def _series(session: AsyncSession, where: Where, span: list[Period]) -> dict[str, list[float | None]]:
    visits = await queries.visit_sums(session, where, "scope", span)
    assignments = await queries.assignment_sums(session, where, "scope", span)
    readings = await queries.reading_sums(session, where, "scope", span)
    series: dict[str, list[float | None]] = {}
    for index in range(len(span)):
        cell = Sums()
        for table in (visits, assignments, readings):
            for (_, position), sums in table.items():
                if position == index:
                    cell = cell + sums
        figures = indicators(cell)
        for name, value in (
            ("score", figures.score_pct),
            ("completion", figures.completion_pct),
            ("on_time", figures.on_time_pct),
            ("delay", figures.delay_days),
            ("reading_delay", figures.reading_delay_days),
            ("satisfaction", figures.satisfaction),
            ("reading_satisfaction", figures.reading_satisfaction),
            ("collection", figures.collection_pct),
        ):
            series.setdefault(name, []).append(None if value is None else round(value, 2))
    return series
