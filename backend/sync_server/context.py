"""What a push is decided against: the state loaded from the database before planning (pure data)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sync.merge import FieldState

Key = tuple[str, uuid.UUID, str]  # entity, entity_id, field
EntityKey = tuple[str, uuid.UUID]


@dataclass(frozen=True)
class EntityInfo:
    agency_id: uuid.UUID | None
    visit_id: uuid.UUID | None
    created_by: uuid.UUID | None


@dataclass
class ConflictInfo:
    id: uuid.UUID
    key: Key
    agency_id: uuid.UUID | None
    status: str
    base_version: int
    candidates: list[dict[str, Any]]
    is_new: bool = False
    resolution: dict[str, Any] | None = None
    touched: bool = False


@dataclass(frozen=True)
class Actor:
    """The signed-in user pushing, and the device it pushes from."""

    user_id: uuid.UUID
    role: str
    client_id: uuid.UUID
    may_write_visits: bool


@dataclass
class Context:
    """Everything planning reads. ``in_scope`` lists the agencies (among those referenced) the actor sees."""

    entities: dict[EntityKey, EntityInfo] = field(default_factory=dict)
    states: dict[Key, FieldState] = field(default_factory=dict)
    open_conflicts: dict[Key, ConflictInfo] = field(default_factory=dict)
    conflicts_by_id: dict[uuid.UUID, ConflictInfo] = field(default_factory=dict)
    agencies_in_scope: set[uuid.UUID] = field(default_factory=set)
    agencies_known: set[uuid.UUID] = field(default_factory=set)
    template_items: dict[uuid.UUID, frozenset[str]] = field(default_factory=dict)
    assignments: set[uuid.UUID] = field(default_factory=set)
    users: set[uuid.UUID] = field(default_factory=set)
