"""``pull``: the changes after a cursor that the user may see, in commit order, a page at a time."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.db.engine import Database
from backend.db.tables import Agency, Device, SyncConflict, SyncEntity, SyncField
from backend.sync_server import clock as change_clock
from backend.sync_server.entities import DELETED
from sync import cursor as cursors
from sync.wire import Change, ConflictCandidate, ConflictView, PullResponse, Resolution


def _visible(principal: Principal, column: object) -> object:
    """Rows whose agency the principal sees, or that belong to no agency (templates)."""
    if principal.scope.kind == "national":
        return None
    in_scope = select(col(Agency.id)).where(agency_scope_clause(principal.scope))
    return or_(column.is_(None), column.in_(in_scope))  # type: ignore[attr-defined]


async def pull(
    db: Database, principal: Principal, cursor_text: str | None, limit: int, client_id: uuid.UUID | None
) -> PullResponse:
    async with db.read() as session:
        # The clock first: every change at or below it is committed, so the page can end there.
        clock = await change_clock.read(session)
        position, reset = cursors.resume(cursor_text or None, clock.identity)
        if position > clock.last_change:  # the database went back in time (a restore)
            position, reset = 0, True
        visible = _visible(principal, SyncEntity.agency_id)
        query = (
            select(SyncField)
            .join(
                SyncEntity,
                (col(SyncEntity.entity) == col(SyncField.entity))
                & (col(SyncEntity.entity_id) == col(SyncField.entity_id)),
            )
            .where(col(SyncField.change_no) > position, col(SyncField.change_no) <= clock.last_change)
            .order_by(col(SyncField.change_no))
            .limit(limit + 1)
        )
        if visible is not None:
            query = query.where(visible)  # type: ignore[arg-type]
        rows = list((await session.execute(query)).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        until = rows[-1].change_no if more else clock.last_change
        conflicts = await _conflicts(session, principal, position, until)
        last_seq = await _last_seq(session, principal, client_id)
    return PullResponse(
        changes=[_change(row) for row in rows],
        conflicts=conflicts,
        cursor=cursors.encode(clock.identity, until),
        more=more,
        last_seq=last_seq,
        reset=reset,
    )


def _change(row: SyncField) -> Change:
    if row.field == DELETED:
        return Change(
            entity=row.entity,
            entity_id=row.entity_id,
            field=None,
            value=None,
            version=row.version,
            hlc=row.hlc,
            author=row.author_id,
            deleted=bool(row.value),
        )
    return Change(
        entity=row.entity,
        entity_id=row.entity_id,
        field=row.field or None,
        value=row.value,
        version=row.version,
        hlc=row.hlc,
        author=row.author_id,
    )


async def _conflicts(
    session: AsyncSession, principal: Principal, after: int, until: int
) -> list[ConflictView]:
    query = select(SyncConflict).where(
        col(SyncConflict.change_no) > after, col(SyncConflict.change_no) <= until
    )
    visible = _visible(principal, SyncConflict.agency_id)
    if visible is not None:
        query = query.where(visible)  # type: ignore[arg-type]
    return [
        conflict_view(row)
        for row in (await session.execute(query.order_by(col(SyncConflict.change_no)))).scalars()
    ]


def conflict_view(row: SyncConflict) -> ConflictView:
    return ConflictView(
        id=row.id,
        entity=row.entity,
        entity_id=row.entity_id,
        field=row.field,
        base_value=row.base_value,
        base_version=row.base_version,
        status=row.status,  # type: ignore[arg-type]
        candidates=msgspec.convert(row.candidates, list[ConflictCandidate]),
        resolution=msgspec.convert(row.resolution, Resolution) if row.resolution else None,
    )


async def _last_seq(session: AsyncSession, principal: Principal, client_id: uuid.UUID | None) -> int:
    device_id = client_id or principal.device_id
    if device_id is None:
        return 0
    device = await session.get(Device, device_id)
    return device.last_seq if device is not None and device.user_id == principal.id else 0
