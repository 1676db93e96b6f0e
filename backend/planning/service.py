"""Writes of the planning: cycles, schedules (made, paused, resumed, changed), the generation of their
assignments, reassigning and cancelling. One transaction each; every assignment made or changed enters
the sync feed in it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.db.engine import Database
from backend.db.tables import Agency, Assignment, AuditEvent, Body, EvaluationCycle, Schedule, User
from backend.db.types import utcnow
from backend.db.upsert import upsert
from backend.errors import AlreadyExists, Invalid, NotFound
from backend.localtime import local_today
from backend.planning.checks import (
    ASSIGNABLE_ROLES,
    agencies,
    assignee_ref,
    check_agencies,
    check_assignees,
    check_template,
    filter_as_stored,
    filter_of,
    schedule_in_scope,
)
from backend.planning.forms import CycleForm, ScheduleChange, ScheduleForm
from backend.planning.generation import AgencyFilter, AgencyRef, CycleRef, plan
from backend.planning.records import assignment_records, republish_settled
from backend.planning.recurrence import RecurrenceError, occurrences
from backend.sync_server.feed import publish

HORIZON_DAYS: Final = 90
MAX_PER_RUN: Final = 20_000  # assignments one generation may plan: a mistyped rule never floods the feed
RESUMED: Final = "schedule_resumed"


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
        await check_template(session, form.template_id)
        agency_filter = AgencyFilter(bodies=form.bodies, wilayas=form.wilayas, kinds=form.kinds)
        chosen = await check_agencies(session, principal, agency_filter)
        await check_assignees(session, form.assignee_ids, chosen)
        schedule = Schedule(
            name=form.name,
            template_id=form.template_id,
            rrule=form.rrule,
            dtstart=form.dtstart,
            due_days=form.due_days,
            agency_filter=filter_as_stored(agency_filter),
            assignee_ids=[str(user_id) for user_id in form.assignee_ids],
            created_by=principal.id,
            created_at=now,
        )
        session.add(schedule)
        await session.flush()
        created = await _generate(session, schedule, now)
        session.add(
            AuditEvent(
                kind="schedule_created",
                subject=str(schedule.id),
                actor_id=principal.id,
                detail={"name": form.name, "assignments": created},
            )
        )
    return schedule.id, created


async def generate(
    db: Database, principal: Principal, schedule_id: uuid.UUID, now: datetime | None = None
) -> int:
    """Generate a schedule in the principal's scope up to the horizon; how many are new (0 on a rerun,
    0 while the schedule is paused).

    Raises:
        NotFound: no such schedule in the principal's scope.
        Invalid: field ``rrule``, when the rule can no longer be expanded.
    """
    now = now or utcnow()
    async with db.write() as session, session.begin():
        schedule = await schedule_in_scope(session, principal, schedule_id, lock=True)
        return await _generate(session, schedule, now)


async def generate_due(db: Database, now: datetime) -> int:
    """Generate every active schedule up to ``now`` + 90 days, and send devices the assignments whose
    status changed since they were published (done when their visit was submitted). Run periodically."""
    async with db.read() as session:
        ids = list((await session.execute(select(col(Schedule.id)).where(col(Schedule.active)))).scalars())
    created = 0
    for schedule_id in ids:  # one transaction per schedule: a broken one never blocks the others
        try:
            async with db.write() as session, session.begin():
                # Read again, locked: a schedule paused since the list above is skipped.
                query = select(Schedule).where(col(Schedule.id) == schedule_id).with_for_update()
                schedule = (await session.execute(query)).scalar_one_or_none()
                if schedule is not None:
                    created += await _generate(session, schedule, now)
        except Invalid:
            continue
    async with db.write() as session, session.begin():
        await republish_settled(session, now)
    return created


async def pause(db: Database, principal: Principal, schedule_id: uuid.UUID) -> bool:
    """Stop a schedule generating assignments; those already generated stay as they are.

    Returns whether it was running (pausing twice changes nothing).

    Raises:
        NotFound: no such schedule in the principal's scope.
    """
    async with db.write() as session, session.begin():
        schedule = await schedule_in_scope(session, principal, schedule_id, lock=True)
        if not schedule.active:
            return False
        schedule.active = False
        session.add(schedule)
        session.add(AuditEvent(kind="schedule_paused", subject=str(schedule.id), actor_id=principal.id))
    return True


async def resume(
    db: Database, principal: Principal, schedule_id: uuid.UUID, now: datetime | None = None
) -> int:
    """Let a paused schedule generate again, from the day it is resumed: the occurrences that fell while
    it was paused are not made up (they would all be late at once). Generates up to the horizon at
    once, as creating does; returns how many assignments are new (0 when it was not paused).

    Raises:
        NotFound: no such schedule in the principal's scope.
        Invalid: field ``rrule``, when the rule can no longer be expanded (nothing is changed).
    """
    now = now or utcnow()
    async with db.write() as session, session.begin():
        schedule = await schedule_in_scope(session, principal, schedule_id, lock=True)
        if schedule.active:
            return 0
        schedule.active = True
        schedule.resumed_on = local_today(now)
        session.add(schedule)
        resumed = AuditEvent(kind=RESUMED, subject=str(schedule.id), actor_id=principal.id, at=now)
        session.add(resumed)
        created = await _generate(session, schedule, now)
        resumed.detail = {"assignments": created}
    return created


async def change_schedule(
    db: Database, principal: Principal, schedule_id: uuid.UUID, change: ScheduleChange
) -> bool:
    """Rename a schedule, change its delay or its inspectors. Assignments generated from then on follow
    the change; those already generated keep their inspector and due date. Returns whether anything
    changed.

    Raises:
        NotFound: no such schedule in the principal's scope.
        Invalid: field ``assignees`` (unknown, inactive, or covering none of the schedule's agencies).
    """
    async with db.write() as session, session.begin():
        schedule = await schedule_in_scope(session, principal, schedule_id, lock=True)
        await check_assignees(session, change.assignee_ids, await agencies(session, filter_of(schedule)))
        before = {"name": schedule.name, "due_days": schedule.due_days, "assignee_ids": schedule.assignee_ids}
        after = {
            "name": change.name,
            "due_days": change.due_days,
            "assignee_ids": [str(user_id) for user_id in change.assignee_ids],
        }
        changed = {
            key: {"from": before[key], "to": value} for key, value in after.items() if before[key] != value
        }
        if not changed:
            return False
        schedule.name, schedule.due_days = change.name, change.due_days
        schedule.assignee_ids = [str(user_id) for user_id in change.assignee_ids]
        session.add(schedule)
        session.add(
            AuditEvent(
                kind="schedule_changed", subject=str(schedule.id), actor_id=principal.id, detail=changed
            )
        )
    return True


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
        if not assignee_ref(user).covers(agency):
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


def _generation_start(schedule: Schedule) -> date:
    """The first day generated: the schedule's first day, or the day it was last resumed."""
    return max(schedule.dtstart, schedule.resumed_on) if schedule.resumed_on else schedule.dtstart


async def _generate(session: AsyncSession, schedule: Schedule, now: datetime) -> int:
    """Plan the schedule's occurrences up to ``now`` + the horizon and insert those not there yet;
    nothing while the schedule is paused."""
    if not schedule.active:
        return 0
    horizon = local_today(now) + timedelta(days=HORIZON_DAYS)
    start = _generation_start(schedule)
    try:
        days = occurrences(schedule.rrule, schedule.dtstart, start, horizon) if start <= horizon else []
    except RecurrenceError as error:
        raise Invalid("rrule", code=error.code, **error.params) from None
    if not days:
        return 0
    agency_filter = filter_of(schedule)
    chosen = await agencies(session, agency_filter)
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
        chosen,
        agency_filter,
        [assignee_ref(user) for user in users],
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
