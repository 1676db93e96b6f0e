"""Loading what the rules look at: a handful of bounded queries, one read transaction.

Each query is limited to the rules' window (``rules.window``: from ``lookback_days`` ago to the
furthest reminder ahead) and capped at ``LIMIT`` rows, so a run costs the same on a database of
ten years as on one of ten days.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Final, cast

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Scope, ScopeKind
from backend.db.engine import Database
from backend.db.tables import Action, Agency, Assignment, Body, Device, Finding, SyncField, User, Visit
from backend.notifications.rules import (
    CriticalFinding,
    DueVisit,
    Facts,
    OpenAction,
    Place,
    Policy,
    Recipient,
    ReturnedVisit,
    StaleDevice,
    window,
)

LIMIT: Final = 5000  # rows per query and run; anything beyond waits for the next minute
SUBMITTED: Final = ("submitted", "approved", "returned")


async def load_facts(db: Database, policy: Policy, now: datetime) -> Facts:
    first_day, last_day = window(policy, now)
    since = now - timedelta(days=policy.lookback_days)
    async with db.read() as session:
        due_visits = [
            DueVisit(
                assignment_id=row.id, agency_id=row.agency_id, assignee_id=row.assignee_id, due_on=row.due_on
            )
            for row in await session.execute(
                select(
                    col(Assignment.id),
                    col(Assignment.agency_id),
                    col(Assignment.assignee_id),
                    col(Assignment.due_on),
                )
                .where(
                    col(Assignment.status) == "planned",
                    col(Assignment.assignee_id).is_not(None),
                    col(Assignment.due_on).between(first_day, last_day),
                )
                .limit(LIMIT)
            )
        ]
        open_actions = [
            OpenAction(
                action_id=row.id,
                visit_id=row.visit_id,
                agency_id=row.agency_id,
                owner_id=row.owner_id,
                deadline=row.deadline,
                description=row.description,
            )
            for row in await session.execute(
                select(
                    col(Action.id),
                    col(Action.visit_id),
                    col(Action.agency_id),
                    col(Action.owner_id),
                    col(Action.deadline),
                    col(Action.description),
                )
                .where(
                    col(Action.status).in_(("open", "in_progress")),
                    col(Action.deadline).between(first_day, last_day),
                    col(Action.deleted).is_(False),
                )
                .limit(LIMIT)
            )
        ]
        findings = [
            CriticalFinding(
                finding_id=row.id,
                visit_id=row.visit_id,
                agency_id=row.agency_id,
                description=row.description,
                submitted_at=row.submitted_at,
            )
            for row in await session.execute(
                select(
                    col(Finding.id),
                    col(Finding.visit_id),
                    col(Finding.agency_id),
                    col(Finding.description),
                    col(Visit.submitted_at),
                )
                .join(Visit, col(Visit.id) == col(Finding.visit_id))
                .where(
                    col(Finding.severity) == "critical",
                    col(Finding.deleted).is_(False),
                    col(Visit.status).in_(SUBMITTED),
                    col(Visit.submitted_at) >= since,
                )
                .limit(LIMIT)
            )
        ]
        returned = [
            ReturnedVisit(
                visit_id=row.id,
                agency_id=row.agency_id,
                inspector_id=row.created_by,
                submitted_at=row.submitted_at,
                comment=row.review_comment or "",
            )
            for row in await session.execute(
                select(
                    col(Visit.id),
                    col(Visit.agency_id),
                    col(Visit.created_by),
                    col(Visit.submitted_at),
                    col(Visit.review_comment),
                )
                .where(col(Visit.status) == "returned", col(Visit.submitted_at) >= since)
                .limit(LIMIT)
            )
        ]
        stale = await _stale_devices(session, policy, now)
        named = (
            {v.assignee_id for v in due_visits}
            | {a.owner_id for a in open_actions if a.owner_id}
            | {v.inspector_id for v in returned}
            | {d.user_id for d in stale}
        )
        users, directors = await _recipients(session, named)
        agency_ids = (
            {v.agency_id for v in due_visits}
            | {a.agency_id for a in open_actions}
            | {f.agency_id for f in findings}
            | {v.agency_id for v in returned}
            | {d.agency_id for d in stale}
        )
        agencies = await _places(session, agency_ids)
    return Facts(
        agencies=agencies,
        users=users,
        directors=directors,
        due_visits=due_visits,
        open_actions=open_actions,
        critical_findings=findings,
        returned_visits=returned,
        stale_devices=stale,
    )


async def _stale_devices(session: AsyncSession, policy: Policy, now: datetime) -> list[StaleDevice]:
    """Devices silent for ``device_stale_days`` (within the lookback) that wrote to a draft visit of
    their user: the draft's fields in ``sync_field`` name the device (``client_id``) that wrote them."""
    quiet_since = now - timedelta(days=policy.device_stale_days)
    wrote_to_draft = exists().where(
        col(SyncField.entity) == "visit",
        col(SyncField.entity_id) == col(Visit.id),
        col(SyncField.client_id) == col(Device.id),
    )
    rows = await session.execute(
        select(
            col(Device.id),
            col(Device.user_id),
            col(Device.label),
            col(Device.last_seen_at),
            col(Visit.agency_id),
        )
        .join(Visit, and_(col(Visit.created_by) == col(Device.user_id), col(Visit.status) == "draft"))
        .where(
            col(Device.revoked_at).is_(None),
            col(Device.last_seen_at) <= quiet_since,
            col(Device.last_seen_at) >= quiet_since - timedelta(days=policy.lookback_days),
            wrote_to_draft,
        )
        .order_by(col(Device.id), col(Visit.agency_id))
        .limit(LIMIT)
    )
    devices: dict[uuid.UUID, StaleDevice] = {}
    for row in rows:
        devices.setdefault(
            row.id,
            StaleDevice(
                device_id=row.id,
                user_id=row.user_id,
                label=row.label,
                last_seen_at=row.last_seen_at,
                agency_id=row.agency_id,
            ),
        )
    return list(devices.values())


async def _recipients(
    session: AsyncSession, named: set[uuid.UUID]
) -> tuple[dict[uuid.UUID, Recipient], list[Recipient]]:
    """The active users named by events, and every active director (few: one per body or region)."""
    rows = await session.execute(
        select(User).where(
            col(User.active).is_(True),
            (col(User.id).in_(named)) | (col(User.role) == "director"),
        )
    )
    users: dict[uuid.UUID, Recipient] = {}
    directors: list[Recipient] = []
    for user in rows.scalars():
        recipient = Recipient(
            id=user.id,
            role=user.role,
            language=user.language,
            scope=Scope(kind=cast(ScopeKind, user.scope_kind), ids=tuple(user.scope_ids)),
            off=frozenset(user.notifications_off),
        )
        if user.id in named:
            users[user.id] = recipient
        if user.role == "director":
            directors.append(recipient)
    return users, directors


async def _places(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, Place]:
    if not ids:
        return {}
    rows = await session.execute(
        select(
            col(Agency.id), col(Agency.wilaya_code), col(Agency.name_ar), col(Agency.name_fr), col(Body.code)
        )
        .join(Body, col(Body.id) == col(Agency.body_id))
        .where(col(Agency.id).in_(ids))
    )
    return {
        row.id: Place(
            id=row.id,
            body_code=row.code,
            wilaya_code=row.wilaya_code,
            name_ar=row.name_ar,
            name_fr=row.name_fr,
        )
        for row in rows
    }
