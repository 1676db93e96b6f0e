"""Create and change users, list and revoke devices. One transaction per call, audited."""

from __future__ import annotations

import uuid
from typing import cast

import anyio.to_thread
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.auth.passwords import hash_password
from backend.authz.principal import Role, ScopeKind
from backend.db.engine import Database
from backend.db.tables import Agency, AuditEvent, AuthSession, Body, Device, User, Wilaya
from backend.db.types import utcnow
from backend.errors import AlreadyExists, Invalid, NotFound
from backend.users.wire import AdminUserView, DeviceView, ScopeIn, UserCreate, UserUpdate
from backend.wire import Page


def user_view(user: User) -> AdminUserView:
    return AdminUserView(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=cast(Role, user.role),
        scope=ScopeIn(kind=cast(ScopeKind, user.scope_kind), ids=list(user.scope_ids)),
        language=user.language,
        active=user.active,
        created_at=user.created_at,
    )


async def _check_scope(session: AsyncSession, scope: ScopeIn) -> None:
    """Every id of a scope must name something that exists; national takes none."""
    ids = set(scope.ids)
    if scope.kind == "national":
        if ids:
            raise Invalid("scope.ids", detail="national scope takes no ids")
        return
    if not ids:
        raise Invalid("scope.ids", detail=f"a {scope.kind} scope needs at least one id")
    if scope.kind == "bodies":
        found = set((await session.execute(select(col(Body.code)).where(col(Body.code).in_(ids)))).scalars())
    elif scope.kind == "wilayas":
        codes = {int(i) for i in ids if i.isdigit()}
        rows = await session.execute(select(col(Wilaya.code)).where(col(Wilaya.code).in_(codes)))
        found = {str(code) for code in rows.scalars()}
    else:
        uuids = set()
        for value in ids:
            try:
                uuids.add(uuid.UUID(value))
            except ValueError:
                continue
        rows = await session.execute(select(col(Agency.id)).where(col(Agency.id).in_(uuids)))
        found = {str(agency_id) for agency_id in rows.scalars()}
    unknown = sorted(ids - found)
    if unknown:
        raise Invalid("scope.ids", detail="unknown: " + ", ".join(unknown[:10]))


async def create_user(db: Database, data: UserCreate, actor_id: uuid.UUID | None = None) -> AdminUserView:
    password_hash = await anyio.to_thread.run_sync(hash_password, data.password)
    user = User(
        username=data.username,
        display_name=data.display_name or data.username,
        password_hash=password_hash,
        role=data.role,
        scope_kind=data.scope.kind,
        scope_ids=sorted(set(data.scope.ids)),
        language=data.language,
    )
    try:
        async with db.write() as session, session.begin():
            await _check_scope(session, data.scope)
            if (
                await session.execute(select(col(User.id)).where(col(User.username) == data.username))
            ).first():
                raise AlreadyExists("username", value=data.username)
            session.add(user)
            session.add(AuditEvent(kind="user_created", subject=data.username, actor_id=actor_id))
    except IntegrityError as exc:  # a concurrent create of the same name
        raise AlreadyExists("username", value=data.username) from exc
    return user_view(user)


async def update_user(
    db: Database, user_id: uuid.UUID, data: UserUpdate, actor_id: uuid.UUID | None = None
) -> AdminUserView:
    password_hash = (
        None if data.password is None else await anyio.to_thread.run_sync(hash_password, data.password)
    )
    async with db.write() as session, session.begin():
        user = await session.get(User, user_id)
        if user is None:
            raise NotFound("user_id")
        changed = []
        for name in ("display_name", "role", "language", "active"):
            value = getattr(data, name)
            if value is not None:
                setattr(user, name, value)
                changed.append(name)
        if data.scope is not None:
            await _check_scope(session, data.scope)
            user.scope_kind, user.scope_ids = data.scope.kind, sorted(set(data.scope.ids))
            changed.append("scope")
        if password_hash is not None:
            user.password_hash = password_hash
            changed.append("password")
        if password_hash is not None or data.active is False:
            # A new password or a disabled account signs every browser out.
            await session.execute(
                update(AuthSession)
                .where(col(AuthSession.user_id) == user_id, col(AuthSession.revoked_at).is_(None))
                .values(revoked_at=utcnow())
            )
        session.add(user)
        session.add(
            AuditEvent(
                kind="user_updated", subject=user.username, actor_id=actor_id, detail={"changed": changed}
            )
        )
    return user_view(user)


async def find_user_id(db: Database, username: str) -> uuid.UUID:
    async with db.read() as session:
        user_id = (
            await session.execute(select(col(User.id)).where(col(User.username) == username))
        ).scalar_one_or_none()
    if user_id is None:
        raise NotFound("username")
    return user_id


async def list_users(db: Database, *, offset: int, limit: int) -> Page[AdminUserView]:
    async with db.read() as session:
        total = (await session.execute(select(func.count()).select_from(User))).scalar_one()
        users = (
            await session.execute(select(User).order_by(col(User.username)).offset(offset).limit(limit))
        ).scalars()
        items = [user_view(user) for user in users]
    next_offset = offset + limit if offset + limit < total else None
    return Page(items=items, total=total, offset=offset, limit=limit, next_offset=next_offset)


def device_view(device: Device) -> DeviceView:
    return DeviceView(
        id=device.id,
        user_id=device.user_id,
        label=device.label,
        last_seq=device.last_seq,
        created_at=device.created_at,
        last_seen_at=device.last_seen_at,
        revoked_at=device.revoked_at,
    )


async def list_devices(db: Database, user_id: uuid.UUID) -> list[DeviceView]:
    async with db.read() as session:
        devices = (
            await session.execute(
                select(Device)
                .where(col(Device.user_id) == user_id)
                .order_by(col(Device.created_at))
                .limit(200)
            )
        ).scalars()
        return [device_view(device) for device in devices]


async def revoke_device(db: Database, device_id: uuid.UUID, actor_id: uuid.UUID | None = None) -> DeviceView:
    """A lost device: its sessions end and its pushes are refused from now on."""
    now = utcnow()
    async with db.write() as session, session.begin():
        device = await session.get(Device, device_id)
        if device is None:
            raise NotFound("device_id")
        if device.revoked_at is None:
            device.revoked_at = now
            session.add(device)
            await session.execute(
                update(AuthSession)
                .where(col(AuthSession.device_id) == device_id, col(AuthSession.revoked_at).is_(None))
                .values(revoked_at=now)
            )
            session.add(AuditEvent(kind="device_revoked", subject=str(device_id), actor_id=actor_id))
    return device_view(device)
