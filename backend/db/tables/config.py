"""Settings an administrator or central inspector changes at run time (evaluation weights, thresholds)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, UTCDateTime, utcnow


class AppSetting(SQLModel, table=True):
    """One named JSON document of configuration; its absence means the built-in default."""

    __tablename__ = "app_setting"

    key: str = Field(max_length=80, primary_key=True)
    value: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
