"""Indicator readings: listing those in scope, recording one, importing a file (all rows or none)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, NamedTuple

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.db.engine import Database
from backend.db.tables import Agency, AuditEvent, IndicatorReading
from backend.db.upsert import upsert
from backend.indicators.importing import COLUMNS, AgencyRef, Reading, RowError, agency_codes, validate
from backend.web.listing import Listing, PageOf

SORTABLE: Final[dict[str, Any]] = {
    "period": col(IndicatorReading.period_start),
    "agency": col(Agency.code),
    "indicator": col(IndicatorReading.indicator),
    "value": col(IndicatorReading.value),
    "created": col(IndicatorReading.created_at),
}


class Stored(NamedTuple):
    created: int
    updated: int


@dataclass(frozen=True)
class ReadingFilters:
    indicator: str | None = None
    agency: str | None = None
    start: date | None = None  # readings whose period starts on or after
    end: date | None = None  # readings whose period ends on or before


@dataclass(frozen=True)
class ReadingRow:
    id: uuid.UUID
    agency_code: str
    agency_name: str
    indicator: str
    period_start: date
    period_end: date
    value: float
    unit: str
    source: str


async def agencies_named(
    session: AsyncSession, principal: Principal, codes: Iterable[str]
) -> dict[str, AgencyRef]:
    """The agencies of these codes, each with whether the principal may write for it (one query)."""
    wanted = sorted({code for code in codes if code})[:50_000]
    if not wanted:
        return {}
    in_scope = case((agency_scope_clause(principal.scope), True), else_=False)
    found = await session.execute(
        select(col(Agency.code), col(Agency.id), in_scope).where(col(Agency.code).in_(wanted))
    )
    return {code: AgencyRef(agency_id, bool(allowed)) for code, agency_id, allowed in found}


async def _store(
    session: AsyncSession, readings: Sequence[Reading], principal: Principal, source: str, now: datetime
) -> Stored:
    """Upsert on (agency, indicator, period), counting what was new and what replaced a value."""
    keys = [(r.agency_id, r.indicator, r.period_start, r.period_end) for r in readings]
    # Which of these keys exist already: the agencies' readings of these indicators, matched here
    # (portable, where a tuple IN is not).
    wanted = set(keys)
    existing: set[tuple[Any, ...]] = set()
    agency_ids = sorted({key[0] for key in keys}, key=str)
    indicators = sorted({key[1] for key in keys})
    for chunk in range(0, len(agency_ids), 500):
        found = await session.execute(
            select(
                col(IndicatorReading.agency_id),
                col(IndicatorReading.indicator),
                col(IndicatorReading.period_start),
                col(IndicatorReading.period_end),
            )
            .where(col(IndicatorReading.agency_id).in_(agency_ids[chunk : chunk + 500]))
            .where(col(IndicatorReading.indicator).in_(indicators))
        )
        existing |= {tuple(row) for row in found if tuple(row) in wanted}
    rows = [
        {
            "id": uuid.uuid4(),
            "agency_id": r.agency_id,
            "indicator": r.indicator,
            "period_start": r.period_start,
            "period_end": r.period_end,
            "value": r.value,
            "unit": r.unit,
            "source": source,
            "created_by": principal.id,
            "created_at": now,
        }
        for r in readings
    ]
    for chunk in range(0, len(rows), 1000):
        await upsert(
            session,
            IndicatorReading,
            rows[chunk : chunk + 1000],
            keys=("agency_id", "indicator", "period_start", "period_end"),
            update=("value", "unit", "source", "created_by", "created_at"),
        )
    updated = sum(key in existing for key in keys)
    return Stored(created=len(keys) - updated, updated=updated)


async def import_table(
    db: Database,
    principal: Principal,
    table: Sequence[Sequence[Any]],
    now: datetime,
    *,
    source: str = "import",
) -> tuple[Stored | None, list[RowError]]:
    """Validate every row, then store all of them in one transaction, or none when any is wrong."""
    async with db.write() as session, session.begin():
        agencies = await agencies_named(session, principal, agency_codes(table))
        readings, errors = validate(table, agencies)
        if errors:
            return None, errors
        stored = await _store(session, readings, principal, source, now)
        session.add(
            AuditEvent(
                actor_id=principal.id,
                kind="indicators_imported" if source == "import" else "indicator_recorded",
                subject=str(len(readings)),
                detail={"created": stored.created, "updated": stored.updated},
                at=now,
            )
        )
    return stored, []


def single_row(fields: Mapping[str, str]) -> list[list[Any]]:
    """A form's reading as a one-row table, so that it is checked by the very rules of an import."""
    return [list(COLUMNS), [fields.get(column, "").strip()[:100] for column in COLUMNS]]


async def list_readings(
    db: Database, principal: Principal, filters: ReadingFilters, listing: Listing, language: str
) -> PageOf[ReadingRow]:
    """One page of the readings of agencies in scope."""
    where: list[ColumnElement[bool]] = [agency_scope_clause(principal.scope)]
    if filters.indicator:
        where.append(col(IndicatorReading.indicator) == filters.indicator)
    if filters.agency:
        where.append(col(Agency.code) == filters.agency)
    if filters.start:
        where.append(col(IndicatorReading.period_start) >= filters.start)
    if filters.end:
        where.append(col(IndicatorReading.period_end) <= filters.end)
    joined = (
        select(IndicatorReading, col(Agency.code), col(Agency.name_ar), col(Agency.name_fr))
        .join(Agency, col(Agency.id) == col(IndicatorReading.agency_id))
        .where(*where)
    )
    column = SORTABLE[listing.sort]
    async with db.read() as session:
        total = (
            await session.execute(
                select(func.count()).select_from(
                    joined.with_only_columns(col(IndicatorReading.id)).subquery()
                )
            )
        ).scalar_one()
        found = await session.execute(
            joined.order_by(column.desc() if listing.descending else column.asc(), col(IndicatorReading.id))
            .offset(listing.offset)
            .limit(listing.per_page)
        )
        items = [
            ReadingRow(
                id=reading.id,
                agency_code=code,
                agency_name=name_ar if language == "ar" else name_fr,
                indicator=reading.indicator,
                period_start=reading.period_start,
                period_end=reading.period_end,
                value=reading.value,
                unit=reading.unit,
                source=reading.source,
            )
            for reading, code, name_ar, name_fr in found
        ]
    return PageOf(items, total, listing)
