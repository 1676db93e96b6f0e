"""The visits behind a figure of the dashboard: the same filters as the aggregates, one page at a time.

``indicator`` names the figure: its list holds exactly the visits that figure counts. Visits made in
the cycle (``visits``, ``score``, ``delay``, ``satisfaction``), visits of the assignments due in the
cycle (``planned``, ``done``, ``on_time``), or visits whose corrective actions are open now
(``actions``, ``overdue``: actions are followed until they are done, whatever the cycle).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.dashboard.indicators import mean
from backend.dashboard.periods import Period
from backend.dashboard.queries import (
    COUNTED,
    OPEN_ACTIONS,
    Where,
    agency_clauses,
    overdue_clause,
    submitted_by_due,
)
from backend.db.tables import Action, Agency, Assignment, User, Visit
from backend.web.listing import Listing, PageOf

INDICATORS: Final = (
    "visits",
    "score",
    "delay",
    "satisfaction",
    "planned",
    "done",
    "on_time",
    "actions",
    "overdue",
)
STATUSES: Final = ("draft", "submitted", "approved", "returned")
SORTABLE: Final[dict[str, Any]] = {
    "date": col(Visit.visit_day),
    "agency": col(Agency.code),
    "inspector": col(User.display_name),
    "status": col(Visit.status),
    "score": col(Visit.score_pct),
    "delay": col(Visit.delay_days_sum) / func.nullif(col(Visit.delay_samples), 0),
    "satisfaction": col(Visit.satisfaction_sum) / func.nullif(col(Visit.satisfaction_count), 0),
}


@dataclass(frozen=True)
class VisitRow:
    id: uuid.UUID
    agency_id: uuid.UUID
    agency_code: str
    agency_names: dict[str, str]
    visit_day: date | None
    submitted_at: datetime | None
    inspector: str
    status: str
    score_pct: float | None
    delay_days: float | None
    satisfaction: float | None

    def agency_label(self, language: str) -> str:
        return self.agency_names.get(language) or self.agency_names["fr"]


def _clauses(
    where: Where, cycle: Period, indicator: str, status: str | None, today: date, dialect: str
) -> list[ColumnElement[bool]]:
    clauses = agency_clauses(where)
    if status:
        clauses.append(col(Visit.status) == status)
    elif indicator == "planned":
        clauses.append(col(Visit.status) != "deleted")
    else:
        clauses.append(col(Visit.status).in_(COUNTED))
    if indicator in ("planned", "done", "on_time"):
        due = (col(Assignment.due_on) >= cycle.starts_on, col(Assignment.due_on) <= cycle.ends_on)
        status_of = (
            col(Assignment.status) != "cancelled"
            if indicator == "planned"
            else col(Assignment.status) == "done"
        )
        # A visit counts for its assignment from the assignment's occurrence day (as in the figures):
        # this bound lets the visits be read by their indexed day.
        earliest = select(func.min(col(Assignment.occurs_on))).where(*due, status_of).scalar_subquery()
        clauses += [
            col(Visit.visit_day) >= earliest,
            col(Visit.visit_day) >= col(Assignment.occurs_on),
            col(Assignment.id) == col(Visit.assignment_id),
            *due,
            status_of,
        ]
        if indicator == "on_time":
            clauses += [col(Visit.visit_day) <= cycle.ends_on, submitted_by_due(dialect)]
    elif indicator in ("actions", "overdue"):
        action: list[ColumnElement[bool]] = [
            col(Action.status).in_(OPEN_ACTIONS),
            col(Action.deleted).is_(False),
        ]
        if indicator == "overdue":
            action.append(overdue_clause(today))
        # Read from the open actions (a few, indexed by status), never from every visit ever made.
        clauses.append(col(Visit.id).in_(select(col(Action.visit_id)).where(*action)))
    else:
        clauses += [col(Visit.visit_day) >= cycle.starts_on, col(Visit.visit_day) <= cycle.ends_on]
        if indicator == "score":
            clauses.append(col(Visit.score_pct).is_not(None))
        elif indicator == "delay":
            clauses.append(col(Visit.delay_samples) > 0)
        elif indicator == "satisfaction":
            clauses.append(col(Visit.satisfaction_count) > 0)
    return clauses


def _direction(listing: Listing, order: Any) -> Any:
    """Unknown values last; but the day (never null once projected) keeps the index's own order,
    so that a page of the latest visits reads that page of the index, not the whole cycle."""
    if listing.sort == "date":
        return order.desc() if listing.descending else order.asc()
    return order.desc().nulls_last() if listing.descending else order.asc().nulls_last()


async def visit_page(
    session: AsyncSession,
    where: Where,
    cycle: Period,
    *,
    indicator: str,
    status: str | None,
    listing: Listing,
    today: date,
    counted: Callable[[Callable[[], Awaitable[int]]], Awaitable[int]] | None = None,
) -> PageOf[VisitRow]:
    """One page of the visits behind ``indicator``, sorted as ``listing`` asks (then by id).

    ``counted`` may wrap the count of all the visits (the costly part, the same on every page).
    """
    clauses = _clauses(where, cycle, indicator, status, today, session.get_bind().dialect.name)
    joined = select(func.count()).select_from(Visit).join(Agency, col(Agency.id) == col(Visit.agency_id))

    async def count() -> int:
        number: int = (await session.execute(joined.where(*clauses))).scalar_one()
        return number

    total = await (counted(count) if counted else count())
    order = SORTABLE[listing.sort]
    statement = (
        select(
            col(Visit.id),
            col(Visit.agency_id),
            col(Visit.visit_day),
            col(Visit.submitted_at),
            col(Visit.status),
            col(Visit.score_pct),
            col(Visit.delay_days_sum),
            col(Visit.delay_samples),
            col(Visit.satisfaction_sum),
            col(Visit.satisfaction_count),
            col(Agency.code),
            col(Agency.name_ar),
            col(Agency.name_fr),
            col(User.display_name),
        )
        .join(Agency, col(Agency.id) == col(Visit.agency_id))
        .outerjoin(User, col(User.id) == col(Visit.created_by))
        .where(*clauses)
        .order_by(
            _direction(listing, order),
            col(Visit.id),
        )
        .offset(listing.offset)
        .limit(listing.per_page)
    )
    items = [
        VisitRow(
            id=row[0],
            agency_id=row[1],
            visit_day=row[2],
            submitted_at=row[3],
            status=row[4],
            score_pct=row[5],
            delay_days=mean(row[6], row[7]),
            satisfaction=mean(row[8], row[9]),
            agency_code=row[10],
            agency_names={"ar": row[11], "fr": row[12], "en": row[12]},
            inspector=row[13] or "",
        )
        for row in (await session.execute(statement)).all()
    ]
    return PageOf(items=items, total=total, listing=listing)
