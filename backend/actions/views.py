"""What the follow-up pages show: plain values, never table objects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class AgencyRef:
    id: uuid.UUID
    code: str
    name_ar: str
    name_fr: str

    def name(self, language: str) -> str:
        return self.name_ar if language == "ar" else self.name_fr


@dataclass(frozen=True)
class ActionRow:
    """One line of the follow-up list."""

    id: uuid.UUID
    agency: AgencyRef
    description: str
    owner: str
    deadline: date | None
    status: str
    overdue: bool
    days_late: int
    visit_id: uuid.UUID


@dataclass(frozen=True)
class StatusCount:
    status: str  # a status, or "overdue"
    count: int


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    note: str
    evidence: list[str]


@dataclass(frozen=True)
class ActionDetail:
    id: uuid.UUID
    agency: AgencyRef
    body_code: str
    visit_id: uuid.UUID
    visit_day: date | None
    finding_severity: str | None
    finding_description: str | None
    description: str
    owner: str
    deadline: date | None
    status: str
    overdue: bool
    days_late: int
    note: str | None
    history: list[HistoryEntry]
    next_statuses: tuple[str, ...]
