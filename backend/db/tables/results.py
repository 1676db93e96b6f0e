"""Indicator readings and evaluations of an agency over a cycle."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, UTCDateTime, utcnow


class IndicatorReading(SQLModel, table=True):
    """One value of one indicator for one agency over one period."""

    __tablename__ = "indicator_reading"
    __table_args__ = (
        UniqueConstraint("agency_id", "indicator", "period_start", "period_end"),
        Index("ix_reading_indicator_period", "indicator", "period_start"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    agency_id: uuid.UUID = Field(foreign_key="agency.id")
    indicator: str = Field(max_length=40)  # processing_delay_days, satisfaction, collection_rate, …
    period_start: date
    period_end: date
    value: float
    unit: str = Field(max_length=20, default="")
    source: str = Field(max_length=16, default="manual")  # manual | import | visit
    created_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Evaluation(SQLModel, table=True):
    """Agency × cycle: scores, indicators, follow-up, rank and the director's decision."""

    __table_args__ = (
        UniqueConstraint("agency_id", "cycle_id"),
        Index("ix_evaluation_cycle_score", "cycle_id", "score"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    agency_id: uuid.UUID = Field(foreign_key="agency.id")
    cycle_id: uuid.UUID = Field(foreign_key="evaluation_cycle.id")
    score: float | None = None
    components: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    rank_wilaya: int | None = None
    rank_national: int | None = None
    change: float | None = None
    decision: str | None = None
    decided_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    computed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
