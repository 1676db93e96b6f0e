"""``/api/sync``: push and pull (JSON or MessagePack), and the conflicts a reviewer has to decide."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Response, Router, get, post
from litestar.params import QueryParameter
from sqlalchemy import func, select
from sqlmodel import col

from backend.authz.guards import principal_of, requires, signed_in
from backend.authz.principal import Principal
from backend.db.tables import SyncConflict
from backend.http.params import DB, Limit, Offset, Req
from backend.sync_server import pull as pulling
from backend.sync_server import push as pushing
from backend.sync_server.pull import _visible, conflict_view
from backend.wire import Page
from sync.wire import ConflictView, decode_push, json_encoder, msgpack_encoder

MSGPACK = "application/msgpack"


def _encoded(request: Req, body: object) -> Response[bytes]:
    """Answer in MessagePack to a client that asks for it (or sent it), else JSON."""
    accept = request.headers.get("accept", "")
    sent = request.headers.get("content-type", "")
    if "msgpack" in accept or ("msgpack" in sent and "json" not in accept):
        return Response(msgpack_encoder.encode(body), media_type=MSGPACK)
    return Response(json_encoder.encode(body), media_type="application/json")


def _principal(request: Req) -> Principal:
    return principal_of(request)


@post("/push", status_code=200, guards=[signed_in], summary="Push ops (protocol v1, JSON or MessagePack)")
async def push(request: Req, db: DB) -> Response[bytes]:
    body = await request.body()
    push_request = decode_push(body, request.headers.get("content-type", ""))
    result = await pushing.push(db, _principal(request), push_request)
    return _encoded(request, result)


@get("/pull", guards=[signed_in], summary="Pull the changes after a cursor (protocol v1)")
async def pull(
    request: Req,
    db: DB,
    cursor: Annotated[str | None, QueryParameter(max_length=512)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=5000)] = 1000,
    client_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
) -> Response[bytes]:
    result = await pulling.pull(db, _principal(request), cursor, limit, client_id)
    return _encoded(request, result)


@get(
    "/conflicts", guards=[requires("visits.review")], summary="Conflicts in the reviewer's scope, open first"
)
async def list_conflicts(
    request: Req,
    db: DB,
    status: Annotated[str, QueryParameter(pattern="^(open|resolved)$")] = "open",
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[ConflictView]:
    principal = _principal(request)
    query = select(SyncConflict).where(col(SyncConflict.status) == status)
    visible = _visible(principal, SyncConflict.agency_id)
    if visible is not None:
        query = query.where(visible)  # type: ignore[arg-type]
    async with db.read() as session:
        total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
        rows = await session.execute(query.order_by(col(SyncConflict.opened_at)).offset(offset).limit(limit))
        items = [conflict_view(row) for row in rows.scalars()]
    next_offset = offset + limit if offset + limit < total else None
    return Page(items=items, total=total, offset=offset, limit=limit, next_offset=next_offset)


sync_router = Router(path="/api/sync", route_handlers=[push, pull, list_conflicts], tags=["sync"])
