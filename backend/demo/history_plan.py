"""The shape of the demo history, decided before anything is written: which visits happen when, by
whom, how they were reviewed, and how their corrective actions were followed up.

Pure rules (no database). Everything comes from a random generator seeded by the demo seed and the
agency's code, so the same seed gives the same history on every machine, and ids are UUIDv5 of what
they stand for, so a second run recognizes what the first one wrote.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from backend.localtime import LOCAL_ZONE as LOCAL

NAMESPACE: Final = uuid.UUID("0b6f5f0e-7c1a-4a53-9f1e-3d2a8c4e5b71")
DUE_DAYS: Final = 75  # assignments are due 75 days into their quarter: a visit after that is late
MISSED_SHARE: Final = 0.04  # past quarters: share of agencies nobody visited (their assignment is late)
RETURNED_SHARE: Final = 0.15  # current quarter: share of reviews that return the visit
_WEEKEND: Final = (4, 5)  # Friday and Saturday


@dataclass(frozen=True)
class Quarter:
    code: str
    cycle_id: uuid.UUID
    start: date
    end: date  # inclusive
    index: int  # 0 for the oldest

    @property
    def due(self) -> date:
        return self.start + timedelta(days=DUE_DAYS)


@dataclass(frozen=True)
class AgencyInfo:
    id: uuid.UUID
    code: str
    body: str
    wilaya: int
    latitude: float
    longitude: float


@dataclass
class PlannedVisit:
    """One visit of the history, before its answers are drawn."""

    id: uuid.UUID
    agency: AgencyInfo
    quarter: Quarter
    number: int  # 0 is the one its quarter's assignment asked for
    day: date
    started_at: datetime
    submitted_at: datetime
    quality: float
    status: str = "approved"
    reviewed_at: datetime | None = None
    review_comment: str | None = None


@dataclass
class PlannedAssignment:
    id: uuid.UUID
    agency: AgencyInfo
    quarter: Quarter
    status: str  # planned | done
    visit: PlannedVisit | None


@dataclass
class AgencyPlan:
    agency: AgencyInfo
    base: float  # the agency's quality, 0-1
    slope: float  # its change per quarter
    visits: list[PlannedVisit] = field(default_factory=list)
    assignments: list[PlannedAssignment] = field(default_factory=list)


@dataclass(frozen=True)
class ActionLife:
    """How a corrective action was followed up: its status now and every change, in order."""

    status: str
    done_at: datetime | None
    verified_at: datetime | None
    verified_in: uuid.UUID | None
    events: tuple[tuple[datetime, str | None, str], ...]  # (at, from status, to status)


def agency_rng(seed: int, code: str, purpose: str) -> random.Random:
    return random.Random(f"{seed}:{code}:{purpose}")  # noqa: S311 - demo data, not secrets


def quality_of(seed: int, agency: AgencyInfo) -> tuple[float, float]:
    """An agency's base quality and trend: a body effect, a wilaya effect and its own."""
    body = random.Random(f"{seed}:body:{agency.body}").uniform(-0.06, 0.06)  # noqa: S311
    wilaya = random.Random(f"{seed}:wilaya:{agency.wilaya}").uniform(-0.1, 0.1)  # noqa: S311
    rng = agency_rng(seed, agency.code, "quality")
    base = min(0.95, max(0.3, rng.uniform(0.45, 0.85) + body + wilaya))
    return base, rng.uniform(-0.035, 0.045)


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL).astimezone(UTC)


def _workday(day: date, last: date) -> date:
    while day.weekday() in _WEEKEND and day < last:
        day += timedelta(days=1)
    return day


def plan_agency(
    seed: int, agency: AgencyInfo, quarters: list[Quarter], scale: int, now: datetime
) -> AgencyPlan:
    """The visits and assignments of one agency over ``quarters``, those up to ``now``."""
    base, slope = quality_of(seed, agency)
    plan = AgencyPlan(agency=agency, base=base, slope=slope)
    rng = agency_rng(seed, agency.code, "visits")
    today = now.astimezone(LOCAL).date()
    middle = (len(quarters) - 1) / 2
    for quarter in quarters:
        current = quarter.start <= today <= quarter.end
        missed = not current and rng.random() < MISSED_SHARE
        first: PlannedVisit | None = None
        for number in range(scale):
            offset = rng.randint(0, (quarter.end - quarter.start).days)
            day = _workday(quarter.start + timedelta(days=offset), quarter.end)
            quality = min(0.98, max(0.05, base + slope * (quarter.index - middle) + rng.gauss(0, 0.04)))
            started = _at(day, rng.randint(8, 11), rng.randrange(0, 60, 5))
            submitted = started + timedelta(hours=rng.randint(2, 5), minutes=rng.randrange(0, 60, 5))
            if missed or day >= today or submitted > now:
                continue
            visit = PlannedVisit(
                id=uuid.uuid5(NAMESPACE, f"visit:{seed}:{agency.code}:{quarter.code}:{number}"),
                agency=agency,
                quarter=quarter,
                number=number,
                day=day,
                started_at=started,
                submitted_at=submitted,
                quality=quality,
            )
            _review(visit, rng, now, current)
            plan.visits.append(visit)
            if number == 0:
                first = visit
        plan.assignments.append(
            PlannedAssignment(
                id=uuid.uuid5(NAMESPACE, f"assignment:{seed}:{agency.code}:{quarter.code}"),
                agency=agency,
                quarter=quarter,
                status="done" if first else "planned",
                visit=first,
            )
        )
    plan.visits.sort(key=lambda visit: visit.started_at)
    return plan


def _review(visit: PlannedVisit, rng: random.Random, now: datetime, current: bool) -> None:
    """Reviewed a few days after submission; in the current quarter some are still waiting or returned."""
    reviewed = visit.submitted_at + timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 6))
    returned = current and rng.random() < RETURNED_SHARE
    if reviewed > now:
        visit.status = "submitted"
        return
    visit.reviewed_at = reviewed
    visit.status = "returned" if returned else "approved"
    if returned:
        visit.review_comment = rng.choice(
            (
                "Compléter l'échantillon de dossiers (10 dossiers au moins).",
                "يرجى إرفاق صور المقر وتوقيع المسؤول.",
                "Préciser les causes des retards constatés.",
            )
        )


def action_life(
    rng: random.Random,
    quality: float,
    created_at: datetime,
    deadline: date,
    later_visits: list[PlannedVisit],
    now: datetime,
) -> ActionLife:
    """Good agencies act more often and sooner; a later visit after the work is done verifies it."""
    events: list[tuple[datetime, str | None, str]] = [(created_at, None, "open")]
    if rng.random() > 0.35 + 0.6 * quality:  # never acted upon: open, overdue once past its deadline
        return ActionLife("open", None, None, None, tuple(events))
    allowed = (deadline - created_at.astimezone(LOCAL).date()).days
    took = max(3, int(rng.uniform(0.3, 1.0 + 0.8 * (1 - quality)) * allowed))
    done_at = created_at + timedelta(days=took, hours=rng.randint(1, 6))
    started_at = created_at + timedelta(days=max(1, took // 3), hours=1)
    if started_at > now:
        return ActionLife("open", None, None, None, tuple(events))
    events.append((started_at, "open", "in_progress"))
    if done_at > now:
        return ActionLife("in_progress", None, None, None, tuple(events))
    events.append((done_at, "in_progress", "done"))
    check = next((visit for visit in later_visits if visit.started_at > done_at), None)
    if check is None or check.submitted_at > now:
        return ActionLife("done", done_at, None, None, tuple(events))
    events.append((check.submitted_at, "done", "verified"))
    return ActionLife("verified", done_at, check.submitted_at, check.id, tuple(events))
