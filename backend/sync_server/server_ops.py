"""Writes made on the server's pages (a review decision, an action's follow-up, a conflict resolved)
go through the same pipeline as a device's push: the same checks of role, scope and state machine,
the same op log, merge, projection and feed. So a returned visit reaches the inspector's phone on its
next pull exactly as a change from another device would.

Each user's pages write as one "web" device of theirs, with a stable client id; its ops get the
next seqs and stamps later than anything already stored for the fields they touch, based on the
version they saw, so they never raise a conflict against what the user was shown.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Principal
from backend.db.engine import Database
from backend.db.tables import Device, SyncField
from backend.db.types import utcnow
from backend.sync_server import clock as change_clock
from backend.sync_server.push import push_in
from sync import hlc as hlc_text
from sync.wire import Op, OpKind, OpResult, PushRequest

_WEB_NAMESPACE: Final = uuid.UUID("6f1d7c3e-5a0b-4c59-9a55-2f4b1d0e7a10")
# Runs in the same transaction once the ops are applied; raising rolls everything back.
Then = Callable[[AsyncSession, list[OpResult]], Awaitable[None]]


@dataclass(frozen=True)
class ServerOp:
    """A change asked for on a page. ``field`` is None for ``create`` (value: the fields) and ``resolve``."""

    entity: str
    entity_id: uuid.UUID
    kind: OpKind
    field: str | None = None
    value: Any = None


def web_client_id(user_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(_WEB_NAMESPACE, str(user_id))


async def apply_ops(
    db: Database,
    principal: Principal,
    changes: Sequence[ServerOp],
    now: datetime | None = None,
    *,
    then: Then | None = None,
) -> list[OpResult]:
    """Apply ``changes`` in one transaction as ``principal``'s web device; one result per change.

    ``then``, if given, gets the session and the results before the commit: it may write more in the
    same transaction (e.g. who reviewed a visit), or raise to roll the whole request back (e.g. when
    the decision it carried was refused).
    """
    now = now or utcnow()
    client_id = web_client_id(principal.id)
    async with db.write() as session, session.begin():
        await change_clock.lock(session)  # before reading seqs and versions: nothing moves under us
        device = await session.get(Device, client_id)
        last_seq = device.last_seq if device is not None else 0
        if device is None:
            session.add(Device(id=client_id, user_id=principal.id, label="web", created_at=now))
            await session.flush()
        keys = [(c.entity, c.entity_id, c.field) for c in changes if c.field is not None]
        states: dict[tuple[str, uuid.UUID, str], tuple[int, str]] = {}
        if keys:
            rows = await session.execute(
                select(
                    col(SyncField.entity),
                    col(SyncField.entity_id),
                    col(SyncField.field),
                    col(SyncField.version),
                    col(SyncField.hlc),
                ).where(
                    tuple_(col(SyncField.entity), col(SyncField.entity_id), col(SyncField.field)).in_(keys)
                )
            )
            states = {(e, i, f): (v, h) for e, i, f, v, h in rows.all()}
        latest = max((hlc_text.parse(h).ms for _v, h in states.values()), default=0)
        clock = hlc_text.Clock(client_id, wall=lambda: max(int(now.timestamp() * 1000), latest + 1))
        ops = [
            Op(
                op_id=uuid.uuid4(),
                seq=last_seq + index + 1,
                entity=change.entity,
                entity_id=change.entity_id,
                kind=change.kind,
                field=change.field,
                value=change.value,
                base_version=states.get((change.entity, change.entity_id, change.field or ""), (0, ""))[0],
                hlc=clock.now(),
            )
            for index, change in enumerate(changes)
        ]
        response = await push_in(
            session, principal, PushRequest(protocol=1, client_id=client_id, ops=ops), now
        )
        if then is not None:
            await then(session, response.results)
    return response.results
