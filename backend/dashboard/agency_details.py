"""What the agency page shows beyond its figures: its open corrective actions, by owner, and its
evaluation for the cycle (computed by ``backend.evaluations``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.dashboard.queries import OPEN_ACTIONS, overdue_clause
from backend.db.tables import Action, Evaluation, User

# An agency has a handful of open actions; the page shows the most urgent ones.
ACTIONS_SHOWN: Final = 50


@dataclass(frozen=True)
class OpenAction:
    id: uuid.UUID
    visit_id: uuid.UUID
    description: str
    owner: str
    deadline: date | None
    status: str
    overdue: bool


@dataclass(frozen=True)
class OwnerLoad:
    owner: str
    open: int
    overdue: int


@dataclass(frozen=True)
class EvaluationView:
    score: float | None
    rank_wilaya: int | None
    rank_national: int | None
    change: float | None
    flags: list[str]
    decision: str | None


def _owner() -> Any:
    # The user who owns it when there is one, else the manager named on site.
    return func.coalesce(col(User.display_name), col(Action.owner_name))


def _open_of(agency_id: uuid.UUID) -> tuple[Any, ...]:
    return (
        col(Action.agency_id) == agency_id,
        col(Action.status).in_(OPEN_ACTIONS),
        col(Action.deleted).is_(False),
    )


async def open_actions(session: AsyncSession, agency_id: uuid.UUID, today: date) -> list[OpenAction]:
    """The agency's open actions, overdue first, then by deadline."""
    overdue = overdue_clause(today)
    statement = (
        select(
            col(Action.id),
            col(Action.visit_id),
            col(Action.description),
            _owner(),
            col(Action.deadline),
            col(Action.status),
            case((overdue, 1), else_=0),
        )
        .outerjoin(User, col(User.id) == col(Action.owner_id))
        .where(*_open_of(agency_id))
        .order_by(case((overdue, 0), else_=1), col(Action.deadline).asc().nulls_last(), col(Action.id))
        .limit(ACTIONS_SHOWN)
    )
    return [
        OpenAction(
            id=row[0],
            visit_id=row[1],
            description=row[2],
            owner=row[3] or "",
            deadline=row[4],
            status=row[5],
            overdue=bool(row[6]),
        )
        for row in (await session.execute(statement)).all()
    ]


async def owners(session: AsyncSession, agency_id: uuid.UUID, today: date) -> list[OwnerLoad]:
    """Open and overdue actions per owner, the most overdue first."""
    owner = _owner()
    overdue = func.coalesce(func.sum(case((overdue_clause(today), 1), else_=0)), 0)
    statement = (
        select(owner, func.count(), overdue)
        .outerjoin(User, col(User.id) == col(Action.owner_id))
        .where(*_open_of(agency_id))
        .group_by(owner)
        .order_by(overdue.desc(), func.count().desc(), owner)
    )
    return [
        OwnerLoad(owner=name or "", open=count, overdue=int(late))
        for name, count, late in (await session.execute(statement)).all()
    ]


async def evaluation(
    session: AsyncSession, agency_id: uuid.UUID, cycle_id: uuid.UUID | None
) -> EvaluationView | None:
    if cycle_id is None:
        return None
    row = (
        await session.execute(
            select(Evaluation).where(
                col(Evaluation.agency_id) == agency_id, col(Evaluation.cycle_id) == cycle_id
            )
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    return EvaluationView(
        score=row.score,
        rank_wilaya=row.rank_wilaya,
        rank_national=row.rank_national,
        change=row.change,
        flags=list(row.flags),
        decision=row.decision,
    )
