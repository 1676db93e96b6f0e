"""Wire types of the auth endpoints."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

from backend.authz.principal import Role, ScopeKind
from backend.wire import Base

Username = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
Language = Annotated[str, msgspec.Meta(pattern="^(ar|fr|en)$")]


class LoginRequest(Base):
    username: Username
    password: Password
    # The PWA names its sync client so that a lost device can be revoked.
    device_id: uuid.UUID | None = None
    device_label: Annotated[str, msgspec.Meta(max_length=200)] = ""


class ScopeView(Base):
    kind: ScopeKind
    ids: list[str]


class UserView(Base):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    scope: ScopeView
    language: str


class Me(Base):
    user: UserView


class MeUpdate(Base):
    language: Language | None = None
