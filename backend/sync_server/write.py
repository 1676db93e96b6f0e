"""Writing a planned push: op log, entities, fields and conflicts, each in one set-based statement."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.db.tables import SyncConflict, SyncEntity, SyncField, SyncOp
from backend.db.upsert import insert_all, upsert
from backend.sync_server.clock import Clock
from backend.sync_server.context import Actor, ConflictInfo
from backend.sync_server.plan import Planned
from sync.wire import Op, OpResult

_FIELD_COLUMNS = ("value", "version", "hlc", "client_id", "author_id", "op_id", "change_no")
_CONFLICT_COLUMNS = (
    "candidates",
    "status",
    "resolution",
    "resolved_at",
    "resolved_by",
    "change_no",
    "base_version",
    "base_value",
)


def op_log_rows(
    actor: Actor, ops: list[Op], hlcs: list[str], results: list[OpResult], now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "op_id": op.op_id,
            "client_id": actor.client_id,
            "seq": op.seq,
            "user_id": actor.user_id,
            "entity": op.entity,
            "entity_id": op.entity_id,
            "kind": op.kind,
            "field": op.field,
            "value": op.value,
            "base_version": op.base_version,
            "hlc": op.hlc,
            "hlc_applied": hlc,
            "received_at": now,
            "outcome": result.outcome,
            "version": result.version,
            "conflict_id": result.conflict_id,
            "reason": msgspec.to_builtins(result.reason) if result.reason else None,
        }
        for op, hlc, result in zip(ops, hlcs, results, strict=True)
    ]


async def write_planned(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    planned: Planned,
    log_rows: list[dict[str, Any]],
    now: datetime,
) -> None:
    numbers = iter(clock.take(len(planned.changed) + len(planned.conflicts)))
    await insert_all(session, SyncOp, log_rows)
    await upsert(
        session,
        SyncEntity,
        [
            {
                "entity": entity,
                "entity_id": entity_id,
                "agency_id": info.agency_id,
                "visit_id": info.visit_id,
                "created_by": info.created_by,
                "created_at": now,
            }
            for (entity, entity_id), info in planned.new_entities.items()
        ],
        keys=("entity", "entity_id"),
    )
    await upsert(
        session,
        SyncField,
        [
            {
                "entity": entity,
                "entity_id": entity_id,
                "field": name,
                "value": state.value,
                "version": state.version,
                "hlc": state.hlc,
                "client_id": state.client_id,
                "author_id": state.author,
                "op_id": state.op_id,
                "change_no": next(numbers),
            }
            for (entity, entity_id, name), state in planned.changed.items()
        ],
        keys=("entity", "entity_id", "field"),
        update=_FIELD_COLUMNS,
    )
    if planned.conflicts:
        base_values = await _base_values(session, [c for c in planned.conflicts.values() if c.is_new])
        await upsert(
            session,
            SyncConflict,
            [
                _conflict_row(conflict, base_values, next(numbers), actor, now)
                for conflict in planned.conflicts.values()
            ],
            keys=("id",),
            update=_CONFLICT_COLUMNS,
        )


def _conflict_row(
    conflict: ConflictInfo, base_values: dict[uuid.UUID, Any], change_no: int, actor: Actor, now: datetime
) -> dict[str, Any]:
    entity, entity_id, name = conflict.key
    resolved = conflict.status == "resolved"
    return {
        "id": conflict.id,
        "entity": entity,
        "entity_id": entity_id,
        "field": name,
        "agency_id": conflict.agency_id,
        "base_version": conflict.base_version,
        "base_value": base_values.get(conflict.id),
        "candidates": conflict.candidates,
        "status": conflict.status,
        "resolution": conflict.resolution,
        "opened_at": now,
        "resolved_at": now if resolved else None,
        "resolved_by": actor.user_id if resolved else None,
        "change_no": change_no,
    }


async def _base_values(session: AsyncSession, conflicts: list[ConflictInfo]) -> dict[uuid.UUID, Any]:
    """The value each writer started from: the op that made the field's ``base_version``."""
    wanted = [c for c in conflicts if c.base_version > 0]
    if not wanted:
        return {}
    conditions = [
        and_(
            col(SyncOp.entity) == c.key[0],
            col(SyncOp.entity_id) == c.key[1],
            col(SyncOp.field) == c.key[2],
            col(SyncOp.version) == c.base_version,
            col(SyncOp.outcome).in_(("applied", "conflict")),
        )
        for c in wanted
    ]
    rows = await session.execute(
        select(col(SyncOp.entity), col(SyncOp.entity_id), col(SyncOp.field), col(SyncOp.value)).where(
            or_(*conditions)
        )
    )
    by_key = {(row[0], row[1], row[2]): row[3] for row in rows.all()}
    return {c.id: by_key.get(c.key) for c in wanted}
