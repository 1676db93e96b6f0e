"""``/api/users`` and ``/api/devices``: administration, for admins only."""

from __future__ import annotations

import uuid

from litestar import Router, get, patch, post
from litestar.params import FromPath, JSONBody

from backend.authz.guards import principal_of, requires
from backend.http.params import DB, Limit, Offset, Req
from backend.users import service
from backend.users.wire import AdminUserView, DeviceView, UserCreate, UserUpdate
from backend.wire import Page

_admin = [requires("users.manage")]


@get("/users", guards=_admin, summary="All users, paginated")
async def list_users(
    db: DB,
    offset: Offset = 0,
    limit: Limit = 100,
) -> Page[AdminUserView]:
    return await service.list_users(db, offset=offset, limit=limit)


@post("/users", guards=_admin, summary="Create a user with a role and a scope")
async def create_user(request: Req, db: DB, data: JSONBody[UserCreate]) -> AdminUserView:
    return await service.create_user(db, data, principal_of(request).id)


@patch("/users/{user_id:uuid}", guards=_admin, summary="Change a user's role, scope, password or state")
async def update_user(
    request: Req, db: DB, user_id: FromPath[uuid.UUID], data: JSONBody[UserUpdate]
) -> AdminUserView:
    return await service.update_user(db, user_id, data, principal_of(request).id)


@get("/users/{user_id:uuid}/devices", guards=_admin, summary="The devices of a user")
async def list_devices(db: DB, user_id: FromPath[uuid.UUID]) -> list[DeviceView]:
    return await service.list_devices(db, user_id)


@post(
    "/devices/{device_id:uuid}/revoke",
    status_code=200,
    guards=[requires("devices.revoke")],
    summary="Revoke a lost device",
)
async def revoke_device(request: Req, db: DB, device_id: FromPath[uuid.UUID]) -> DeviceView:
    return await service.revoke_device(db, device_id, principal_of(request).id)


admin_router = Router(
    path="/api",
    route_handlers=[list_users, create_user, update_user, list_devices, revoke_device],
    tags=["admin"],
)
