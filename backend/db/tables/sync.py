"""The sync engine's storage: the op log, current field states, entities, conflicts, the change clock.

Current state is derived from the op log: ``sync_field`` holds, per field, the value of the op with the
greatest ``(hlc, client_id, op_id)`` and the change number under which it was last written, which is
what a pull pages over. Domain tables (visit, answer, …) are projections of these fields.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, UTCDateTime, utcnow

_BigInt = BigInteger().with_variant(Integer(), "sqlite")


class SyncClock(SQLModel, table=True):
    """One row. Its lock, taken first by every writer of the feed and held to commit, hands out change
    numbers in commit order, so a puller never skips a change that commits late."""

    __tablename__ = "sync_clock"

    id: int = Field(default=1, primary_key=True)
    identity: str = Field(max_length=64)  # changes when the database is recreated
    last_change: int = Field(default=0, sa_column=Column(_BigInt, nullable=False, default=0))


class SyncOp(SQLModel, table=True):
    """Every op pushed, verbatim and append-only, with the outcome it was answered."""

    __tablename__ = "sync_op"
    __table_args__ = (
        UniqueConstraint("client_id", "seq"),
        Index("ix_sync_op_entity", "entity", "entity_id", "field"),
    )

    id: int | None = Field(default=None, sa_column=Column(_BigInt, primary_key=True, autoincrement=True))
    op_id: uuid.UUID = Field(unique=True)
    client_id: uuid.UUID
    seq: int = Field(sa_column=Column(BigInteger(), nullable=False))
    user_id: uuid.UUID
    entity: str = Field(max_length=64)
    entity_id: uuid.UUID
    kind: str = Field(max_length=16)
    field: str | None = Field(default=None, max_length=255)
    value: Any = Field(default=None, sa_column=Column(JSONType))
    base_version: int = 0
    hlc: str = Field(max_length=64)  # as sent
    hlc_applied: str = Field(max_length=64)  # after clamping a clock too far ahead
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    outcome: str = Field(max_length=16)
    version: int | None = None
    conflict_id: uuid.UUID | None = None
    reason: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))


class SyncEntity(SQLModel, table=True):
    """An entity known to the feed, with what decides who may see it."""

    __tablename__ = "sync_entity"
    __table_args__ = (Index("ix_sync_entity_agency", "agency_id"),)

    entity: str = Field(max_length=64, primary_key=True)
    entity_id: uuid.UUID = Field(primary_key=True)
    agency_id: uuid.UUID | None = None  # None: every signed-in user sees it (templates)
    visit_id: uuid.UUID | None = None
    created_by: uuid.UUID | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class SyncField(SQLModel, table=True):
    """The current value of one field of one entity ("" names a whole server-made record)."""

    __tablename__ = "sync_field"
    __table_args__ = (Index("ix_sync_field_change", "change_no"),)

    entity: str = Field(max_length=64, primary_key=True)
    entity_id: uuid.UUID = Field(primary_key=True)
    field: str = Field(max_length=255, primary_key=True)
    value: Any = Field(default=None, sa_column=Column(JSONType))
    version: int
    hlc: str = Field(max_length=64)
    client_id: uuid.UUID | None = None
    author_id: uuid.UUID | None = None
    op_id: uuid.UUID | None = None
    change_no: int = Field(sa_column=Column(_BigInt, nullable=False))


class SyncConflict(SQLModel, table=True):
    """Concurrent writes to one field by different people, kept for a reviewer."""

    __tablename__ = "sync_conflict"
    __table_args__ = (
        Index("ix_sync_conflict_field", "entity", "entity_id", "field", "status"),
        Index("ix_sync_conflict_change", "change_no"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    entity: str = Field(max_length=64)
    entity_id: uuid.UUID
    field: str = Field(max_length=255)
    agency_id: uuid.UUID | None = None
    base_version: int = 0
    base_value: Any = Field(default=None, sa_column=Column(JSONType))
    candidates: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    status: str = Field(max_length=16, default="open")  # open | resolved
    resolution: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    opened_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolved_by: uuid.UUID | None = None
    change_no: int = Field(sa_column=Column(_BigInt, nullable=False))
