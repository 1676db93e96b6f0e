"""Reads of the planning pages: cycles, schedules with their counts, assignments in scope.

Every query is bounded (a page, or a small reference list) and filtered by the reader's scope in SQL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.db.engine import Database
from backend.db.tables import (
    Agency,
    Assignment,
    Body,
    ChecklistTemplate,
    EvaluationCycle,
    Schedule,
    TemplateVersion,
    User,
    Wilaya,
)
from backend.errors import NotFound
from backend.planning.checks import ASSIGNABLE_ROLES, filter_of, outside_scope
from backend.planning.generation import AgencyRef, AssigneeRef
from backend.web.listing import Listing, PageOf

STATUSES: Final = ("planned", "late", "done", "cancelled")
ASSIGNMENT_SORTS: Final = ("late", "due_on", "agency", "wilaya", "assignee", "status")
SCHEDULE_SORTS: Final = ("created_at", "name", "planned", "done", "late")
MAX_CYCLES: Final = 60
MAX_PEOPLE: Final = 500


@dataclass(frozen=True)
class AssignmentFilters:
    status: str | None = None
    assignee: uuid.UUID | None = None
    wilaya: int | None = None
    body: str | None = None
    schedule: uuid.UUID | None = None


def _late(today: date) -> ColumnElement[bool]:
    return and_(col(Assignment.status) == "planned", col(Assignment.due_on) < today)


async def cycles(db: Database) -> list[EvaluationCycle]:
    async with db.read() as session:
        query = select(EvaluationCycle).order_by(
            col(EvaluationCycle.starts_on).desc(), col(EvaluationCycle.kind)
        )
        return list((await session.execute(query.limit(MAX_CYCLES))).scalars())


async def schedules(
    db: Database, principal: Principal, listing: Listing, today: date
) -> PageOf[dict[str, Any]]:
    """Schedules with their assignments in the reader's scope counted: planned, done, late, cancelled."""
    late = _late(today)
    counts = (
        select(
            col(Assignment.schedule_id).label("schedule_id"),
            func.sum(case((col(Assignment.status) == "planned", 1), else_=0)).label("planned"),
            func.sum(case((col(Assignment.status) == "done", 1), else_=0)).label("done"),
            func.sum(case((late, 1), else_=0)).label("late"),
            func.sum(case((col(Assignment.status) == "cancelled", 1), else_=0)).label("cancelled"),
        )
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .where(col(Assignment.schedule_id).is_not(None), agency_scope_clause(principal.scope))
        .group_by(col(Assignment.schedule_id))
        .subquery()
    )
    planned = func.coalesce(counts.c.planned, 0)
    done = func.coalesce(counts.c.done, 0)
    late_count = func.coalesce(counts.c.late, 0)
    keys: dict[str, Any] = {
        "created_at": col(Schedule.created_at),
        "name": col(Schedule.name),
        "planned": planned,
        "done": done,
        "late": late_count,
    }
    order = keys[listing.sort]
    async with db.read() as session:
        total = (await session.execute(select(func.count()).select_from(Schedule))).scalar_one()
        rows = await session.execute(
            select(
                Schedule,
                col(ChecklistTemplate.title),
                planned,
                done,
                late_count,
                func.coalesce(counts.c.cancelled, 0),
            )
            .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(Schedule.template_id))
            .outerjoin(counts, counts.c.schedule_id == col(Schedule.id))
            .order_by(order.desc() if listing.descending else order.asc(), col(Schedule.id))
            .offset(listing.offset)
            .limit(listing.per_page)
        )
        items = [
            {
                "schedule": schedule,
                "template_title": title,
                "planned": p,
                "done": d,
                "late": lt,
                "cancelled": c,
            }
            for schedule, title, p, d, lt, c in rows.all()
        ]
    return PageOf(items, total, listing)


async def schedule(db: Database, schedule_id: uuid.UUID) -> tuple[Schedule, dict[str, str]] | None:
    """A schedule and the title of its template."""
    async with db.read() as session:
        row = (
            await session.execute(
                select(Schedule, col(ChecklistTemplate.title))
                .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(Schedule.template_id))
                .where(col(Schedule.id) == schedule_id)
            )
        ).first()
    return (row[0], row[1]) if row else None


async def may_change(db: Database, principal: Principal, schedule: Schedule) -> bool:
    """Whether the reader may generate, pause, resume or edit the schedule: every agency it chooses
    lies in their scope (as when making it)."""
    async with db.read() as session:
        return not await outside_scope(session, principal, filter_of(schedule))


async def schedule_to_change(
    db: Database, principal: Principal, schedule_id: uuid.UUID
) -> tuple[Schedule, dict[str, str]]:
    """The schedule and its template's title, when the reader may change it.

    Raises:
        NotFound: no such schedule, or one reaching outside the reader's scope.
    """
    found = await schedule(db, schedule_id)
    if found is None or not await may_change(db, principal, found[0]):
        raise NotFound("schedule_id")
    return found


async def assignments(
    db: Database, principal: Principal, filters: AssignmentFilters, listing: Listing, today: date
) -> PageOf[dict[str, Any]]:
    """Assignments in the reader's scope, late first then by due date unless sorted otherwise."""
    late = _late(today)
    assignee = aliased(User)
    where: list[Any] = [agency_scope_clause(principal.scope)]
    if filters.status == "late":
        where.append(late)
    elif filters.status in STATUSES:
        where.append(col(Assignment.status) == filters.status)
    if filters.assignee:
        where.append(col(Assignment.assignee_id) == filters.assignee)
    if filters.wilaya:
        where.append(col(Agency.wilaya_code) == filters.wilaya)
    if filters.body:
        where.append(col(Body.code) == filters.body)
    if filters.schedule:
        where.append(col(Assignment.schedule_id) == filters.schedule)
    late_first = case((late, 0), else_=1)
    sorts: dict[str, list[Any]] = {
        "late": [late_first, col(Assignment.due_on)],
        "due_on": [col(Assignment.due_on)],
        "agency": [col(Agency.code)],
        "wilaya": [col(Agency.wilaya_code), col(Agency.code)],
        "assignee": [col(assignee.display_name), col(Assignment.due_on)],
        "status": [col(Assignment.status), col(Assignment.due_on)],
    }
    order = [c.desc() if listing.descending else c.asc() for c in sorts[listing.sort]]
    base = (
        select(
            Assignment,
            Agency,
            col(Body.code),
            col(assignee.display_name),
            col(EvaluationCycle.code),
            late_first,
        )
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .join(Body, col(Body.id) == col(Agency.body_id))
        .outerjoin(assignee, col(assignee.id) == col(Assignment.assignee_id))
        .outerjoin(EvaluationCycle, col(EvaluationCycle.id) == col(Assignment.cycle_id))
        .where(*where)
    )
    async with db.read() as session:
        total = (
            await session.execute(
                select(func.count())
                .select_from(Assignment)
                .join(Agency, col(Agency.id) == col(Assignment.agency_id))
                .join(Body, col(Body.id) == col(Agency.body_id))
                .where(*where)
            )
        ).scalar_one()
        rows = await session.execute(
            base.order_by(*order, col(Assignment.id)).offset(listing.offset).limit(listing.per_page)
        )
        items = [
            {
                "assignment": a,
                "agency": agency,
                "agency_ref": AgencyRef(agency.id, agency.code, body_code, agency.wilaya_code, agency.kind),
                "body": body_code,
                "assignee": name,
                "cycle": cycle_code,
                "late": flag == 0,
            }
            for a, agency, body_code, name, cycle_code, flag in rows.all()
        ]
    return PageOf(items, total, listing)


async def people(db: Database) -> list[tuple[User, AssigneeRef]]:
    """Active inspectors who may be given assignments, with their scope."""
    async with db.read() as session:
        users = (
            await session.execute(
                select(User)
                .where(col(User.active), col(User.role).in_(ASSIGNABLE_ROLES))
                .order_by(col(User.display_name))
                .limit(MAX_PEOPLE)
            )
        ).scalars()
        return [(u, AssigneeRef(u.id, u.scope_kind, tuple(u.scope_ids))) for u in users]


async def form_choices(db: Database, principal: Principal) -> dict[str, Any]:
    """What the schedule form offers: published templates, bodies, wilayas of the scope, inspectors."""
    async with db.read() as session:
        templates = (
            await session.execute(
                select(col(ChecklistTemplate.id), col(ChecklistTemplate.key), col(ChecklistTemplate.title))
                .where(
                    col(ChecklistTemplate.retired_at).is_(None),
                    col(ChecklistTemplate.id).in_(
                        select(col(TemplateVersion.template_id)).where(
                            col(TemplateVersion.status) == "published"
                        )
                    ),
                )
                .order_by(col(ChecklistTemplate.key))
            )
        ).all()
        in_scope = select(col(Agency.body_id)).where(agency_scope_clause(principal.scope))
        bodies = list(
            (
                await session.execute(select(Body).where(col(Body.id).in_(in_scope)).order_by(col(Body.code)))
            ).scalars()
        )
        wilaya_codes = select(col(Agency.wilaya_code)).where(agency_scope_clause(principal.scope))
        wilayas = list(
            (
                await session.execute(
                    select(Wilaya).where(col(Wilaya.code).in_(wilaya_codes)).order_by(col(Wilaya.code))
                )
            ).scalars()
        )
    return {"templates": templates, "bodies": bodies, "wilayas": wilayas, "people": await people(db)}
