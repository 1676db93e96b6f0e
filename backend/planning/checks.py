"""What the planning checks against the database before a write: the template is published, the
agencies exist and lie in the planner's scope, the inspectors are active and cover some of them.

Shared by creating and changing a schedule, so that both refuse the same things with the same field.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from sqlalchemy import func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.db.tables import Agency, Body, ChecklistTemplate, Schedule, TemplateVersion, User
from backend.errors import Invalid, NotFound
from backend.planning.generation import AgencyFilter, AgencyRef, AssigneeRef

ASSIGNABLE_ROLES: Final = ("inspector", "central_inspector")


def filter_of(schedule: Schedule) -> AgencyFilter:
    """The agencies a schedule chose, as stored (JSON lists)."""
    raw = schedule.agency_filter or {}
    return AgencyFilter(
        bodies=tuple(raw.get("bodies") or ()),
        wilayas=tuple(int(w) for w in raw.get("wilayas") or ()),
        kinds=tuple(raw.get("kinds") or ()),
    )


def assignee_ref(user: User) -> AssigneeRef:
    return AssigneeRef(user.id, user.scope_kind, tuple(user.scope_ids))


def _matching(agency_filter: AgencyFilter) -> list[Any]:
    """WHERE clauses on ``Agency`` joined to ``Body``: the active agencies the filter chooses."""
    where: list[Any] = [col(Agency.active)]
    if agency_filter.bodies:
        where.append(col(Body.code).in_(agency_filter.bodies))
    if agency_filter.wilayas:
        where.append(col(Agency.wilaya_code).in_(agency_filter.wilayas))
    if agency_filter.kinds:
        where.append(col(Agency.kind).in_(agency_filter.kinds))
    return where


async def agencies(session: AsyncSession, agency_filter: AgencyFilter) -> list[AgencyRef]:
    query = (
        select(col(Agency.id), col(Agency.code), col(Body.code), col(Agency.wilaya_code), col(Agency.kind))
        .join(Body, col(Body.id) == col(Agency.body_id))
        .where(*_matching(agency_filter))
    )
    return [AgencyRef(*row) for row in (await session.execute(query)).all()]


async def outside_scope(session: AsyncSession, principal: Principal, agency_filter: AgencyFilter) -> bool:
    """Whether the filter chooses some agency the principal may not see."""
    if principal.scope.kind == "national":
        return False
    outside = await session.execute(
        select(func.count())
        .select_from(Agency)
        .join(Body, col(Body.id) == col(Agency.body_id))
        .where(*_matching(agency_filter), not_(agency_scope_clause(principal.scope)))
    )
    return bool(outside.scalar_one())


async def schedule_in_scope(
    session: AsyncSession, principal: Principal, schedule_id: uuid.UUID, *, lock: bool = False
) -> Schedule:
    """The schedule, when every agency it chooses lies in the principal's scope: the planner could
    have made it. ``lock`` holds its row until the transaction ends (PostgreSQL; SQLite writes are
    serialized already), so that a generation running meanwhile sees the change or precedes it.

    Raises:
        NotFound: no such schedule, or one reaching outside the scope (its existence is not told).
    """
    query = select(Schedule).where(col(Schedule.id) == schedule_id)
    schedule = (await session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if schedule is None or await outside_scope(session, principal, filter_of(schedule)):
        raise NotFound("schedule_id")
    return schedule


async def check_template(session: AsyncSession, template_id: uuid.UUID) -> None:
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


async def check_agencies(
    session: AsyncSession, principal: Principal, agency_filter: AgencyFilter
) -> list[AgencyRef]:
    """The agencies the filter chooses: some, and none outside the principal's scope."""
    if agency_filter.bodies:
        known = set(
            (
                await session.execute(select(col(Body.code)).where(col(Body.code).in_(agency_filter.bodies)))
            ).scalars()
        )
        if known != set(agency_filter.bodies):
            raise Invalid("bodies", code="planning.error.choice")
    matching = await agencies(session, agency_filter)
    if not matching:
        raise Invalid("bodies", code="planning.error.no_agency")
    if await outside_scope(session, principal, agency_filter):
        raise Invalid("bodies", code="planning.error.agencies_scope")
    return matching


async def check_assignees(session: AsyncSession, ids: tuple[uuid.UUID, ...], chosen: list[AgencyRef]) -> None:
    """Every inspector is active, may be given visits, and covers at least one of the ``chosen``
    agencies: one who covers none would never be given a visit of the schedule.

    Raises:
        Invalid: field ``assignees``.
    """
    users = list(
        (
            await session.execute(
                select(User).where(
                    col(User.id).in_(ids), col(User.active), col(User.role).in_(ASSIGNABLE_ROLES)
                )
            )
        ).scalars()
    )
    if len(users) != len(ids):
        raise Invalid("assignees", code="planning.error.assignee")
    if not chosen:  # no agency left in the network: nothing to cover, nothing to refuse
        return
    for user in sorted(users, key=lambda u: u.display_name):
        ref = assignee_ref(user)
        if not any(ref.covers(agency) for agency in chosen):
            raise Invalid("assignees", code="planning.error.assignee_outside", name=user.display_name)


def filter_as_stored(agency_filter: AgencyFilter) -> dict[str, Any]:
    return {
        "bodies": list(agency_filter.bodies),
        "wilayas": list(agency_filter.wilayas),
        "kinds": list(agency_filter.kinds),
    }
