"""Planning the assignments of a schedule: which agency, which day, who, in which cycle.

Pure and deterministic: the same schedule, agencies, assignees, cycles and occurrences always give
the same plan, so generating twice (the database keeps one row per schedule, agency and occurrence)
creates nothing the second time. No Litestar, no SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

# The shortest period wins when cycles overlap: a visit counts in its quarter before its year.
_CYCLE_ORDER: Final = {"quarter": 0, "semester": 1, "year": 2}


@dataclass(frozen=True)
class AgencyRef:
    id: uuid.UUID
    code: str
    body_code: str
    wilaya_code: int
    kind: str


@dataclass(frozen=True)
class AgencyFilter:
    """Agencies chosen by body codes, wilaya codes and kinds; an empty list keeps every value."""

    bodies: tuple[str, ...] = ()
    wilayas: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()

    def matches(self, agency: AgencyRef) -> bool:
        return (
            (not self.bodies or agency.body_code in self.bodies)
            and (not self.wilayas or agency.wilaya_code in self.wilayas)
            and (not self.kinds or agency.kind in self.kinds)
        )


@dataclass(frozen=True)
class AssigneeRef:
    """An inspector and the part of the network they may visit (as ``User.scope_kind/scope_ids``)."""

    id: uuid.UUID
    scope_kind: str
    scope_ids: tuple[str, ...] = ()

    def covers(self, agency: AgencyRef) -> bool:
        match self.scope_kind:
            case "national":
                return True
            case "bodies":
                return agency.body_code in self.scope_ids
            case "wilayas":
                return str(agency.wilaya_code) in self.scope_ids
            case "agencies":
                return str(agency.id) in self.scope_ids
        return False


@dataclass(frozen=True)
class CycleRef:
    id: uuid.UUID
    kind: str
    starts_on: date
    ends_on: date  # included


@dataclass(frozen=True)
class PlannedAssignment:
    id: uuid.UUID
    agency_id: uuid.UUID
    occurs_on: date
    due_on: date
    assignee_id: uuid.UUID | None
    cycle_id: uuid.UUID | None


def assignment_id(schedule_id: uuid.UUID, agency_id: uuid.UUID, day: date) -> uuid.UUID:
    """The id of a schedule's assignment: the same on every run, so two concurrent generations of one
    schedule write the same rows and the same feed records."""
    return uuid.uuid5(schedule_id, f"{agency_id}:{day.isoformat()}")


def cycle_of(day: date, cycles: Iterable[CycleRef]) -> CycleRef | None:
    """The cycle that holds ``day``, the shortest kind first (then the latest start, then the id)."""
    holding = [cycle for cycle in cycles if cycle.starts_on <= day <= cycle.ends_on]
    if not holding:
        return None
    return min(
        holding,
        key=lambda c: (
            _CYCLE_ORDER.get(c.kind, 9),
            (c.ends_on - c.starts_on).days,
            -c.starts_on.toordinal(),
            c.id,
        ),
    )


def _stable(*parts: object) -> int:
    """A hash that is the same in every process (Python's ``hash`` of text is salted per process)."""
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


def plan(
    schedule_id: uuid.UUID,
    agencies: Iterable[AgencyRef],
    agency_filter: AgencyFilter,
    assignees: Sequence[AssigneeRef],
    cycles: Sequence[CycleRef],
    occurrences: Iterable[date],
    due_days: int,
) -> list[PlannedAssignment]:
    """One assignment per (matching agency, occurrence), due ``due_days`` after the occurrence.

    Each goes to an assignee whose scope covers the agency: the least loaded one for that
    occurrence, ties broken by a stable hash of (agency, day, assignee), so that visits are spread
    evenly and the choice never depends on the order of the inputs. With nobody covering the agency
    the assignment is left unassigned, for a central inspector to give it to someone.
    """
    chosen = sorted((a for a in agencies if agency_filter.matches(a)), key=lambda a: (a.code, a.id))
    people = sorted(set(assignees), key=lambda a: a.id)
    planned: list[PlannedAssignment] = []
    for day in sorted(set(occurrences)):
        cycle = cycle_of(day, cycles)
        load = dict.fromkeys((person.id for person in people), 0)
        for agency in chosen:
            eligible = [person for person in people if person.covers(agency)]
            assignee: uuid.UUID | None = None
            if eligible:
                best = min(eligible, key=lambda p: (load[p.id], _stable(agency.id, day, p.id)))
                load[best.id] += 1
                assignee = best.id
            planned.append(
                PlannedAssignment(
                    id=assignment_id(schedule_id, agency.id, day),
                    agency_id=agency.id,
                    occurs_on=day,
                    due_on=day + timedelta(days=due_days),
                    assignee_id=assignee,
                    cycle_id=cycle.id if cycle else None,
                )
            )
    return planned
