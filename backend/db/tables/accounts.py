"""Users, their devices (sync clients) and their sign-in sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, UTCDateTime, utcnow


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # "user" is reserved on PostgreSQL

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=200, default="")
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=32)  # inspector | central_inspector | director | admin
    scope_kind: str = Field(max_length=16, default="agencies")  # national | bodies | wilayas | agencies
    # Body codes, wilaya codes (as text) or agency ids, depending on scope_kind.
    scope_ids: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    language: str = Field(max_length=2, default="ar")
    active: bool = True
    # Kinds of notification this user switched off.
    notifications_off: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Device(SQLModel, table=True):
    """A sync client: one browser profile of one user. Its id is the protocol's ``client_id``."""

    id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    label: str = Field(max_length=200, default="")
    last_seq: int = 0  # the ack watermark of the outbox
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_seen_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AuthSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "auth_session"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    device_id: uuid.UUID | None = Field(default=None, foreign_key="device.id", index=True)
    user_agent: str = Field(max_length=300, default="")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
