"""Visits and what an inspector records in them: answers, attachments, findings, actions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, UTCDateTime, utcnow


class Visit(SQLModel, table=True):
    """A visit, identified by a UUID made on the device."""

    __table_args__ = (
        Index("ix_visit_agency_status", "agency_id", "status"),
        Index("ix_visit_cycle_agency", "cycle_id", "agency_id"),
        Index("ix_visit_submitted", "submitted_at"),
        # The dashboard's sums of a period read this index only (covering): 3x faster than the table.
        Index(
            "ix_visit_day_cover",
            "visit_day",
            "agency_id",
            "status",
            "score_pct",
            "delay_days_sum",
            "delay_samples",
            "satisfaction_sum",
            "satisfaction_count",
        ),
        Index("ix_visit_assignment", "assignment_id"),  # the visits of planned assignments (on time?)
    )

    id: uuid.UUID = Field(primary_key=True)
    agency_id: uuid.UUID = Field(foreign_key="agency.id")
    template_version_id: uuid.UUID = Field(foreign_key="template_version.id")
    assignment_id: uuid.UUID | None = Field(default=None, foreign_key="assignment.id")
    cycle_id: uuid.UUID | None = Field(default=None, foreign_key="evaluation_cycle.id")
    created_by: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    status: str = Field(max_length=16, default="draft")  # draft | submitted | approved | returned
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    reviewer_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    review_comment: str | None = None
    location: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    signature_sha256: str | None = Field(default=None, max_length=64, index=True)
    # Raw points and maxima per section, so trends stay comparable when templates change.
    score: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    score_pct: float | None = None
    # The local day of the visit (Africa/Algiers): which cycle's period it counts in.
    visit_day: date | None = None
    # What the visit measured, as sums and counts (exact averages over agencies and periods).
    delay_days_sum: float = 0.0
    delay_samples: int = 0
    satisfaction_sum: float = 0.0
    satisfaction_count: int = 0


class Answer(SQLModel, table=True):
    """One answer per visit and item."""

    visit_id: uuid.UUID = Field(foreign_key="visit.id", primary_key=True)
    item_key: str = Field(max_length=80, primary_key=True)
    value: Any = Field(default=None, sa_column=Column(JSONType))
    note: str | None = None
    author_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Blob(SQLModel, table=True):
    """Bytes addressed by their SHA-256, stored once however many attachments use them."""

    sha256: str = Field(max_length=64, primary_key=True)
    length: int
    received: int = 0  # bytes held; complete when equal to length
    mime: str = Field(max_length=100, default="application/octet-stream")
    uploaded_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Attachment(SQLModel, table=True):
    """A photo, signature or file of a visit: metadata; the bytes are a blob."""

    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID = Field(foreign_key="visit.id", index=True)
    item_key: str | None = Field(default=None, max_length=80)
    sha256: str = Field(max_length=64, index=True)
    size: int
    mime: str = Field(max_length=100)
    taken_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    location: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    created_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    deleted: bool = False


class Finding(SQLModel, table=True):
    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID = Field(foreign_key="visit.id", index=True)
    agency_id: uuid.UUID = Field(foreign_key="agency.id", index=True)
    item_key: str | None = Field(default=None, max_length=80)
    severity: str = Field(max_length=16)  # critical | major | minor | observation
    description: str = ""
    evidence: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    created_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    deleted: bool = False


class Action(SQLModel, table=True):
    """A corrective action with an owner and a binding deadline."""

    __table_args__ = (
        Index("ix_action_status_deadline", "status", "deadline"),
        # Covers the follow-up page's counts per status and its narrow lists (read from the index only).
        Index("ix_action_agency_status_deadline", "agency_id", "status", "deadline", "deleted", "visit_id"),
    )

    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID = Field(foreign_key="visit.id", index=True)
    finding_id: uuid.UUID | None = Field(default=None, foreign_key="finding.id")
    agency_id: uuid.UUID = Field(foreign_key="agency.id")
    description: str = ""
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", index=True)
    owner_name: str = Field(max_length=200, default="")  # the agency's manager named on site
    deadline: date | None = None
    status: str = Field(max_length=16, default="open")  # open | in_progress | done | verified
    created_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    verified_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    verified_in_visit_id: uuid.UUID | None = None
    deleted: bool = False


class ActionEvent(SQLModel, table=True):
    """The history of an action: every status change, with its evidence."""

    __tablename__ = "action_event"
    __table_args__ = (UniqueConstraint("action_id", "at", "to_status"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: uuid.UUID = Field(foreign_key="action.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    note: str = ""
    evidence: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
