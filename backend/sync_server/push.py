"""``push``: one transaction per request, all or nothing, then an outcome per op."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.policy import may
from backend.authz.principal import Principal
from backend.db.engine import Database
from backend.db.tables import Device, SyncOp
from backend.db.types import utcnow
from backend.errors import DeviceRevoked, Unavailable
from backend.sync_server import clock as change_clock
from backend.sync_server.context import Actor
from backend.sync_server.load import load_context
from backend.sync_server.plan import Planner
from backend.sync_server.project import project
from backend.sync_server.references import references
from backend.sync_server.write import op_log_rows, write_planned
from sync.hlc import clamp_all
from sync.sequence import plan_push
from sync.wire import Op, OpResult, PushRequest, PushResponse, Reason

log = logging.getLogger("rasd.sync")
# SQLSTATEs after which the same push may simply be tried again: serialization failure, deadlock.
_TRANSIENT = {"40001", "40P01"}


async def push(
    db: Database, principal: Principal, request: PushRequest, now: datetime | None = None
) -> PushResponse:
    now = now or utcnow()
    try:
        async with db.write() as session, session.begin():
            return await push_in(session, principal, request, now)
    except DBAPIError as exc:
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if exc.connection_invalidated or code in _TRANSIENT or "database is locked" in str(exc.orig):
            log.warning("push rolled back, transient: %s", exc.orig)
            raise Unavailable() from exc
        raise


async def push_in(
    session: AsyncSession, principal: Principal, request: PushRequest, now: datetime
) -> PushResponse:
    clock = await change_clock.lock(session)  # first: serializes writers of the feed until commit
    device = await _device(session, principal, request, now)
    plan = plan_push(device.last_seq, request.ops)
    results: dict[int, OpResult] = await _replayed(session, request, plan.duplicates)  # by seq

    fresh = list(plan.fresh)
    taken = await _taken_op_ids(session, fresh)
    for op in fresh:
        if op.op_id in taken:  # an op_id another client, seq or op of this push already used
            results[op.seq] = OpResult(
                op_id=op.op_id,
                outcome="rejected",
                reason=Reason(code="duplicate_op_id", message="This op_id was already used.", field="op_id"),
            )
            continue
        taken.add(op.op_id)
    fresh = [op for op in fresh if op.seq not in results]
    if fresh:
        clamped = clamp_all([op.hlc for op in fresh], int(now.timestamp() * 1000))
        for op, stamp in zip(fresh, clamped, strict=True):
            if stamp.clamped:
                log.warning(
                    "clock ahead",
                    extra={
                        "client_id": str(request.client_id),
                        "skew_ms": stamp.skew_ms,
                        "op_id": str(op.op_id),
                    },
                )
        hlcs = [stamp.hlc for stamp in clamped]
        actor = Actor(
            user_id=principal.id,
            role=principal.role,
            client_id=request.client_id,
            may_write_visits=may(principal, "visits.write"),
        )
        context = await load_context(session, principal.scope, references(fresh))
        planned = Planner(actor, context, now).plan(fresh, hlcs)
        await write_planned(
            session, clock, actor, planned, op_log_rows(actor, fresh, hlcs, planned.results, now), now
        )
        await change_clock.save(session, clock)
        await project(session, context, planned, now)
        results.update({op.seq: result for op, result in zip(fresh, planned.results, strict=True)})
    device.last_seq = plan.last_seq
    device.last_seen_at = now
    session.add(device)
    return PushResponse(last_seq=plan.last_seq, results=[results[op.seq] for op in request.ops])


async def _device(session: AsyncSession, principal: Principal, request: PushRequest, now: datetime) -> Device:
    """The device pushing: registered on first sight; another user's or a revoked one is refused."""
    device = await session.get(Device, request.client_id, with_for_update=True)
    if device is None:
        device = Device(id=request.client_id, user_id=principal.id, created_at=now, last_seen_at=now)
        session.add(device)
        await session.flush()
    elif device.user_id != principal.id or device.revoked_at is not None:
        raise DeviceRevoked("client_id")
    return device


async def _replayed(
    session: AsyncSession, request: PushRequest, duplicates: tuple[Op, ...]
) -> dict[int, OpResult]:
    """Ops already acknowledged answer exactly what they answered the first time, and change nothing."""
    if not duplicates:
        return {}
    rows = await session.execute(
        select(SyncOp).where(
            col(SyncOp.client_id) == request.client_id, col(SyncOp.seq).in_([op.seq for op in duplicates])
        )
    )
    stored = {row.seq: row for row in rows.scalars()}
    results = {}
    for op in duplicates:
        row = stored.get(op.seq)
        if row is None or row.op_id != op.op_id:
            reason = Reason(
                code="duplicate_seq", message="This seq was acknowledged for another op.", field="seq"
            )
            results[op.seq] = OpResult(op_id=op.op_id, outcome="rejected", reason=reason)
            continue
        results[op.seq] = OpResult(
            op_id=row.op_id,
            outcome=row.outcome,  # type: ignore[arg-type]
            version=row.version,
            conflict_id=row.conflict_id,
            reason=Reason(**row.reason) if row.reason else None,
        )
    return results


async def _taken_op_ids(session: AsyncSession, ops: list[Op]) -> set[object]:
    if not ops:
        return set()
    rows = await session.execute(
        select(col(SyncOp.op_id)).where(col(SyncOp.op_id).in_([op.op_id for op in ops]))
    )
    return set(rows.scalars())
