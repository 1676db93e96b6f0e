"""``/api/agencies``."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Router, get
from litestar.params import FromPath, QueryParameter

from backend.agencies import service
from backend.agencies.wire import AgencyView
from backend.authz.guards import principal_of, requires
from backend.http.params import DB, Limit, Offset, Req
from backend.wire import Page


@get("/", guards=[requires("agencies.read")], summary="Agencies in the caller's scope, paginated")
async def list_agencies(
    request: Req,
    db: DB,
    offset: Offset = 0,
    limit: Limit = 100,
    wilaya: Annotated[int | None, QueryParameter(ge=1, le=99)] = None,
    body_code: Annotated[str | None, QueryParameter(max_length=20)] = None,
) -> Page[AgencyView]:
    return await service.list_agencies(
        db, principal_of(request), offset=offset, limit=limit, wilaya=wilaya, body=body_code
    )


@get("/{agency_id:uuid}", guards=[requires("agencies.read")], summary="One agency in the caller's scope")
async def get_agency(request: Req, db: DB, agency_id: FromPath[uuid.UUID]) -> AgencyView:
    return await service.get_agency(db, principal_of(request), agency_id)


agencies_router = Router(path="/api/agencies", route_handlers=[list_agencies, get_agency], tags=["agencies"])
