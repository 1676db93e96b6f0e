"""Checklist templates and their immutable versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, UTCDateTime, utcnow


class ChecklistTemplate(SQLModel, table=True):
    __tablename__ = "checklist_template"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    title: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    retired_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class TemplateVersion(SQLModel, table=True):
    """One version of a template: a JSON document, immutable once published."""

    __tablename__ = "template_version"
    __table_args__ = (UniqueConstraint("template_id", "version"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    template_id: uuid.UUID = Field(foreign_key="checklist_template.id", index=True)
    version: int
    status: str = Field(max_length=16, default="draft")  # draft | published | retired
    document: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    created_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
