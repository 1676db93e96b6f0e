"""Sign-in, sign-out and the lookup of the principal behind a session cookie."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import anyio.to_thread
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.auth.passwords import hash_password, needs_rehash, verify_password
from backend.auth.ratelimit import locked_for
from backend.auth.sessions import new_token, token_hash
from backend.authz.principal import Principal, Role, Scope, ScopeKind
from backend.db.engine import Database
from backend.db.tables import AuditEvent, AuthSession, Device, User
from backend.db.types import utcnow
from backend.errors import BadCredentials, DeviceRevoked, TooManyAttempts
from backend.settings import Settings

# An address gets more tries than a username: many inspectors may sit behind one NAT.
_PER_ADDRESS_FACTOR = 4


@dataclass(frozen=True)
class SignedIn:
    token: str
    principal: Principal
    expires_at: datetime


def principal_from(user: User, session_id: uuid.UUID, device_id: uuid.UUID | None) -> Principal:
    return Principal(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=cast(Role, user.role),
        scope=Scope(kind=cast(ScopeKind, user.scope_kind), ids=tuple(user.scope_ids)),
        language=user.language,
        session_id=session_id,
        device_id=device_id,
    )


async def login(
    db: Database,
    settings: Settings,
    *,
    username: str,
    password: str,
    ip: str,
    user_agent: str,
    device_id: uuid.UUID | None = None,
    device_label: str = "",
) -> SignedIn:
    now = utcnow()
    window = timedelta(seconds=settings.login_window_seconds)
    async with db.read() as session:
        failures = (
            await session.execute(
                select(col(AuditEvent.subject), col(AuditEvent.at)).where(
                    col(AuditEvent.kind) == "login_failed",
                    col(AuditEvent.at) > now - window,
                    or_(col(AuditEvent.subject) == username, col(AuditEvent.ip) == ip),
                )
            )
        ).all()
        user = (
            await session.execute(select(User).where(col(User.username) == username))
        ).scalar_one_or_none()
    by_name = [at for subject, at in failures if subject == username]
    by_ip = [at for _subject, at in failures]
    wait = locked_for(by_name, now, limit=settings.login_max_failures, window=window) or locked_for(
        by_ip, now, limit=settings.login_max_failures * _PER_ADDRESS_FACTOR, window=window
    )
    if wait is not None:
        raise TooManyAttempts(minutes=max(1, int(wait.total_seconds() // 60) + 1))

    stored = user.password_hash if user is not None and user.active else None
    ok = await anyio.to_thread.run_sync(verify_password, stored, password)
    async with db.write() as session, session.begin():
        if not ok or user is None:
            # Committed, not rolled back: the failure must count towards the limit.
            session.add(AuditEvent(kind="login_failed", subject=username, ip=ip, at=now))
            signed = None
        else:
            if needs_rehash(user.password_hash):
                user.password_hash = await anyio.to_thread.run_sync(hash_password, password)
                session.add(user)
            if device_id is not None:
                await _claim_device(session, user.id, device_id, device_label, now)
            signed = _open_session(
                session, user, settings, user_agent=user_agent, device_id=device_id, now=now
            )
            session.add(AuditEvent(kind="login_ok", subject=username, ip=ip, actor_id=user.id, at=now))
    if signed is None:
        raise BadCredentials(field="password")
    return signed


def _open_session(
    session: AsyncSession,
    user: User,
    settings: Settings,
    *,
    user_agent: str,
    device_id: uuid.UUID | None,
    now: datetime,
) -> SignedIn:
    token = new_token()
    auth = AuthSession(
        token_hash=token_hash(token),
        user_id=user.id,
        device_id=device_id,
        user_agent=user_agent[:300],
        created_at=now,
        expires_at=now + timedelta(days=settings.session_days),
    )
    session.add(auth)
    return SignedIn(
        token=token, principal=principal_from(user, auth.id, device_id), expires_at=auth.expires_at
    )


async def _claim_device(
    session: AsyncSession, user_id: uuid.UUID, device_id: uuid.UUID, label: str, now: datetime
) -> None:
    """Register the device for this user. A device of another user, or a revoked one, is refused."""
    device = await session.get(Device, device_id)
    if device is None:
        session.add(
            Device(id=device_id, user_id=user_id, label=label[:200], created_at=now, last_seen_at=now)
        )
        await session.flush()  # the session row that follows refers to it
    elif device.user_id != user_id or device.revoked_at is not None:
        raise DeviceRevoked("device_id")
    else:
        device.last_seen_at = now
        session.add(device)


async def resolve(db: Database, token: str) -> Principal | None:
    """The principal behind a cookie's token, or None when it is unknown, expired or revoked."""
    now = utcnow()
    async with db.read() as session:
        row = (
            await session.execute(
                select(AuthSession, User)
                .join(User, col(User.id) == col(AuthSession.user_id))
                .where(col(AuthSession.token_hash) == token_hash(token))
            )
        ).first()
        if row is None:
            return None
        auth, user = row
        if auth.revoked_at is not None or auth.expires_at <= now or not user.active:
            return None
        if auth.device_id is not None:
            device = await session.get(Device, auth.device_id)
            if device is not None and device.revoked_at is not None:
                return None
    return principal_from(user, auth.id, auth.device_id)


async def logout(db: Database, principal: Principal) -> None:
    async with db.write() as session, session.begin():
        await session.execute(
            update(AuthSession).where(col(AuthSession.id) == principal.session_id).values(revoked_at=utcnow())
        )
        session.add(AuditEvent(kind="logout", subject=principal.username, actor_id=principal.id))
