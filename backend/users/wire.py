from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from backend.auth.wire import Language, Username
from backend.authz.principal import Role, ScopeKind
from backend.wire import Base

NewPassword = Annotated[str, msgspec.Meta(min_length=8, max_length=256)]
DisplayName = Annotated[str, msgspec.Meta(max_length=200)]


class ScopeIn(Base):
    kind: ScopeKind
    ids: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=64)]], msgspec.Meta(max_length=500)
    ] = msgspec.field(default_factory=list)


class UserCreate(Base):
    username: Username
    password: NewPassword
    role: Role
    scope: ScopeIn
    display_name: DisplayName = ""
    language: Language = "ar"


class UserUpdate(Base):
    display_name: DisplayName | None = None
    password: NewPassword | None = None
    role: Role | None = None
    scope: ScopeIn | None = None
    language: Language | None = None
    active: bool | None = None


class AdminUserView(Base):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    scope: ScopeIn
    language: str
    active: bool
    created_at: datetime


class DeviceView(Base):
    id: uuid.UUID
    user_id: uuid.UUID
    label: str
    last_seq: int
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None
