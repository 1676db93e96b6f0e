"""The signed-in user as every request sees it."""

from __future__ import annotations

import uuid
from typing import Final, Literal

import msgspec

Role = Literal["inspector", "central_inspector", "director", "admin"]
ScopeKind = Literal["national", "bodies", "wilayas", "agencies"]

ROLES: Final[tuple[Role, ...]] = ("inspector", "central_inspector", "director", "admin")
SCOPE_KINDS: Final[tuple[ScopeKind, ...]] = ("national", "bodies", "wilayas", "agencies")
# Roles that review visits and verify actions of others.
REVIEWERS: Final[frozenset[str]] = frozenset({"central_inspector", "director", "admin"})


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    """What part of the network a user sees: everything, some bodies, some wilayas or some agencies."""

    kind: ScopeKind
    ids: tuple[str, ...] = ()


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    scope: Scope
    language: str
    session_id: uuid.UUID
    device_id: uuid.UUID | None = None
