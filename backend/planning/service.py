"""Writes of the planning: cycles, schedules, the generation of their assignments, reassigning and
cancelling. One transaction each; every assignment made or changed enters the sync feed in it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.db.engine import Database
from backend.db.tables import (
    Agency,
    Assignment,
    AuditEvent,
    Body,
    ChecklistTemplate,
    EvaluationCycle,
    Schedule,
    TemplateVersion,
    User,
)
from backend.db.types import utcnow
from backend.db.upsert import upsert
from backend.errors import AlreadyExists, Invalid, NotFound
from backend.localtime import local_today
from backend.planning.forms import CycleForm, ScheduleForm
from backend.planning.generation import AgencyFilter, AgencyRef, AssigneeRef, CycleRef, plan
from backend.planning.records import assignment_records, republish_settled
from backend.planning.recurrence import RecurrenceError, occurrences
from backend.sync_server.feed import publish

HORIZON_DAYS: Final = 90
MAX_PER_RUN: Final = 20_000  # assignments one generation may plan: a mistyped rule never floods the feed
ASSIGNABLE_ROLES: Final = ("inspector", "central_inspector")


async def create_cycle(db: Database, principal: Principal, form: CycleForm) -> uuid.UUID:
    """Raises ``AlreadyExists`` (field ``code``) when the code is taken."""
    async with db.write() as session, session.begin():
        taken = await session.execute(
            select(col(EvaluationCycle.id)).where(col(EvaluationCycle.code) == form.code)
        )
        if taken.first() is not None:
            raise AlreadyExists("code", value=form.code)
        cycle = EvaluationCycle(
            code=form.code, kind=form.kind, starts_on=form.starts_on, ends_on=form.ends_on, name=form.name
        )
        session.add(cycle)
        session.add(AuditEvent(kind="cycle_created", subject=form.code, actor_id=principal.id))
    return cycle.id


async def create_schedule(
    db: Database, principal: Principal, form: ScheduleForm, now: datetime | None = None
) -> tuple[uuid.UUID, int]:
    """Create the schedule and generate its assignments up to the horizon, in one transaction.

    Raises:
        Invalid: naming the field (template, agencies out of scope or none, assignees).
    """
    now = now or utcnow()
    async with db.write() as session, session.begin():
        await _check_template(session, form.template_id)
        agency_filter = AgencyFilter(bodies=form.bodies, wilayas=form.wilayas, kinds=form.kinds)
        await _check_agencies(session, principal, agency_filter)
        await _check_assignees(session, form.assignee_ids)
        schedule = Schedule(
            name=form.name,
            template_id=form.template_id,
            rrule=form.rrule,
            dtstart=form.dtstart,
            due_days=form.due_days,
            agency_filter={
                "bodies": list(form.bodies),
                "wilayas": list(form.wilayas),
                "kinds": list(form.kinds),
            },
            assignee_ids=[str(user_id) for user_id in form.assignee_ids],
            created_by=principal.id,
            created_at=now,
        )
        session.add(schedule)
        await session.flush()
        created = await _generate(session, schedule, local_today(now) + timedelta(days=HORIZON_DAYS), now)
        session.add(
            AuditEvent(
                kind="schedule_created",
                subject=str(schedule.id),
                actor_id=principal.id,
                detail={"name": form.name, "assignments": created},
            )
        )
    return schedule.id, created


async def generate(db: Database, schedule_id: uuid.UUID, now: datetime | None = None) -> int:
    """Generate a schedule's assignments up to the horizon; returns how many are new (0 on a rerun)."""
    now = now or utcnow()
    async with db.write() as session, session.begin():
        schedule = await session.get(Schedule, schedule_id)
        if schedule is None:
            raise NotFound("schedule_id")
        return await _generate(session, schedule, local_today(now) + timedelta(days=HORIZON_DAYS), now)


async def generate_due(db: Database, now: datetime) -> int:
    """Generate every active schedule up to ``now`` + 90 days, and send devices the assignments whose
    status changed since they were published (done when their visit was submitted). Run periodically."""
    async with db.read() as session:
        ids = list((await session.execute(select(col(Schedule.id)).where(col(Schedule.active)))).scalars())
    created = 0
    for schedule_id in ids:  # one transaction per schedule: a broken one never blocks the others
        try:
            created += await generate(db, schedule_id, now)
        except (Invalid, NotFound):
            continue
    async with db.write() as session, session.begin():
        await republish_settled(session, now)
    return created


async def reassign(
    db: Database, principal: Principal, assignment_id: uuid.UUID, user_id: uuid.UUID | None
) -> None:
    """Give a planned assignment to another inspector whose scope covers its agency.

    Raises:
        NotFound: no such assignment in the principal's scope.
        Invalid: field ``assignee_id`` (unknown user, not an inspector, out of the agency's scope,
            assignment no longer planned).
    """
    async with db.write() as session, session.begin():
        assignment, agency = await _assignment_in_scope(session, principal, assignment_id)
        if assignment.status != "planned":
            raise Invalid("assignee_id", code="planning.error.not_planned")
        user = await session.get(User, user_id) if user_id else None
        if user is None or not user.active or user.role not in ASSIGNABLE_ROLES:
            raise Invalid("assignee_id", code="planning.error.assignee")
        if not _assignee_ref(user).covers(agency):
            raise Invalid("assignee_id", code="planning.error.assignee_scope", name=user.display_name)
        if assignment.assignee_id == user.id:
            return
        previous = assignment.assignee_id
        assignment.assignee_id = user.id
        session.add(assignment)
        session.add(
            AuditEvent(
                kind="assignment_reassigned",
                subject=str(assignment.id),
                actor_id=principal.id,
                detail={"from": str(previous) if previous else None, "to": str(user.id)},
            )
        )
        await session.flush()
        await publish(session, await assignment_records(session, [assignment]))


async def cancel(db: Database, principal: Principal, assignment_id: uuid.UUID) -> None:
    """Cancel a planned assignment: it leaves the inspector's list and the completion rates."""
    async with db.write() as session, session.begin():
        assignment, _agency = await _assignment_in_scope(session, principal, assignment_id)
        if assignment.status != "planned":
            raise Invalid("status", code="planning.error.not_planned")
        assignment.status = "cancelled"
        session.add(assignment)
        session.add(
            AuditEvent(kind="assignment_cancelled", subject=str(assignment.id), actor_id=principal.id)
        )
        await session.flush()
        await publish(session, await assignment_records(session, [assignment]))


async def _generate(session: AsyncSession, schedule: Schedule, horizon: date, now: datetime) -> int:
    try:
        days = occurrences(schedule.rrule, schedule.dtstart, schedule.dtstart, horizon)
    except RecurrenceError as error:
        raise Invalid("rrule", code=error.code, **error.params) from None
    if not days:
        return 0
    raw = schedule.agency_filter or {}
    agency_filter = AgencyFilter(
        bodies=tuple(raw.get("bodies") or ()),
        wilayas=tuple(int(w) for w in raw.get("wilayas") or ()),
        kinds=tuple(raw.get("kinds") or ()),
    )
    agencies = await _agencies(session, agency_filter)
    ids = [uuid.UUID(text) for text in schedule.assignee_ids]
    users = (
        await session.execute(
            select(User).where(col(User.id).in_(ids), col(User.active), col(User.role).in_(ASSIGNABLE_ROLES))
        )
    ).scalars()
    cycles = (
        await session.execute(
            select(EvaluationCycle).where(
                col(EvaluationCycle.starts_on) <= days[-1], col(EvaluationCycle.ends_on) >= days[0]
            )
        )
    ).scalars()
    planned = plan(
        schedule.id,
        agencies,
        agency_filter,
        [_assignee_ref(user) for user in users],
        [CycleRef(c.id, c.kind, c.starts_on, c.ends_on) for c in cycles],
        days,
        schedule.due_days,
    )
    if len(planned) > MAX_PER_RUN:
        raise Invalid(
            "rrule", code="planning.error.too_many_assignments", count=len(planned), max=MAX_PER_RUN
        )
    existing = set(
        (
            await session.execute(
                select(col(Assignment.id)).where(
                    col(Assignment.schedule_id) == schedule.id, col(Assignment.occurs_on).in_(days)
                )
            )
        ).scalars()
    )
    new = [
        Assignment(
            id=p.id,
            schedule_id=schedule.id,
            template_id=schedule.template_id,
            agency_id=p.agency_id,
            cycle_id=p.cycle_id,
            assignee_id=p.assignee_id,
            occurs_on=p.occurs_on,
            due_on=p.due_on,
            status="planned",
            created_at=now,
        )
        for p in planned
        if p.id not in existing
    ]
    if not new:
        return 0
    # ON CONFLICT DO NOTHING: a concurrent run of the same schedule wrote the same rows (same ids).
    await upsert(
        session,
        Assignment,
        [a.model_dump() for a in new],
        keys=("schedule_id", "agency_id", "occurs_on"),
    )
    await publish(session, await assignment_records(session, new), now)
    return len(new)


async def _agencies(session: AsyncSession, agency_filter: AgencyFilter) -> list[AgencyRef]:
    query = (
        select(col(Agency.id), col(Agency.code), col(Body.code), col(Agency.wilaya_code), col(Agency.kind))
        .join(Body, col(Body.id) == col(Agency.body_id))
        .where(col(Agency.active))
    )
    if agency_filter.bodies:
        query = query.where(col(Body.code).in_(agency_filter.bodies))
    if agency_filter.wilayas:
        query = query.where(col(Agency.wilaya_code).in_(agency_filter.wilayas))
    if agency_filter.kinds:
        query = query.where(col(Agency.kind).in_(agency_filter.kinds))
    return [AgencyRef(*row) for row in (await session.execute(query)).all()]


def _assignee_ref(user: User) -> AssigneeRef:
    return AssigneeRef(user.id, user.scope_kind, tuple(user.scope_ids))


async def _assignment_in_scope(
    session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> tuple[Assignment, AgencyRef]:
    row = (
        await session.execute(
            select(Assignment, Agency, col(Body.code))
            .join(Agency, col(Agency.id) == col(Assignment.agency_id))
            .join(Body, col(Body.id) == col(Agency.body_id))
            .where(col(Assignment.id) == assignment_id, agency_scope_clause(principal.scope))
        )
    ).first()
    if row is None:
        raise NotFound("assignment_id")
    assignment, agency, body_code = row
    return assignment, AgencyRef(agency.id, agency.code, body_code, agency.wilaya_code, agency.kind)


async def _check_template(session: AsyncSession, template_id: uuid.UUID) -> None:
    published = await session.execute(
        select(func.count())
        .select_from(TemplateVersion)
        .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(TemplateVersion.template_id))
        .where(
            col(TemplateVersion.template_id) == template_id,
            col(TemplateVersion.status) == "published",
            col(ChecklistTemplate.retired_at).is_(None),
        )
    )
    if not published.scalar_one():
        raise Invalid("template_id", code="planning.error.template")


async def _check_agencies(session: AsyncSession, principal: Principal, agency_filter: AgencyFilter) -> None:
    """The filter must match some agency, and none outside the principal's scope."""
    if agency_filter.bodies:
        known = set(
            (
                await session.execute(select(col(Body.code)).where(col(Body.code).in_(agency_filter.bodies)))
            ).scalars()
        )
        if known != set(agency_filter.bodies):
            raise Invalid("bodies", code="planning.error.choice")
    matching = await _agencies(session, agency_filter)
    if not matching:
        raise Invalid("bodies", code="planning.error.no_agency")
    ids = [a.id for a in matching]
    visible = (
        await session.execute(
            select(func.count())
            .select_from(Agency)
            .where(col(Agency.id).in_(ids), agency_scope_clause(principal.scope))
        )
    ).scalar_one()
    if visible != len(ids):
        raise Invalid("bodies", code="planning.error.agencies_scope")


async def _check_assignees(session: AsyncSession, ids: tuple[uuid.UUID, ...]) -> None:
    found = (
        await session.execute(
            select(func.count())
            .select_from(User)
            .where(col(User.id).in_(ids), col(User.active), col(User.role).in_(ASSIGNABLE_ROLES))
        )
    ).scalar_one()
    if found != len(ids):
        raise Invalid("assignees", code="planning.error.assignee")
