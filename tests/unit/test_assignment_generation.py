"""Planning a schedule's assignments: agencies chosen, due dates, who goes, which cycle, idempotence."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date

from backend.planning.generation import (
    AgencyFilter,
    AgencyRef,
    AssigneeRef,
    CycleRef,
    assignment_id,
    cycle_of,
    plan,
)

SCHEDULE = uuid.UUID("00000000-0000-0000-0000-0000000000aa")


def agency(code: str, body: str, wilaya: int, kind: str = "agency") -> AgencyRef:
    return AgencyRef(uuid.uuid5(uuid.NAMESPACE_DNS, code), code, body, wilaya, kind)


AGENCIES = [
    agency("CNAS-16", "CNAS", 16),
    agency("CNAS-16-C1", "CNAS", 16, "centre"),
    agency("CNAS-16-C2", "CNAS", 16, "centre"),
    agency("CASNOS-16", "CASNOS", 16),
    agency("CNAS-31", "CNAS", 31),
    agency("ANEM-16", "ANEM", 16),
]
ALGER_1 = AssigneeRef(uuid.UUID(int=1), "wilayas", ("16",))
ALGER_2 = AssigneeRef(uuid.UUID(int=2), "wilayas", ("16",))
ORAN = AssigneeRef(uuid.UUID(int=3), "wilayas", ("31",))
CNAS_ONLY = AssigneeRef(uuid.UUID(int=4), "bodies", ("CNAS",))
Q1 = CycleRef(uuid.UUID(int=11), "quarter", date(2026, 1, 1), date(2026, 3, 31))
S1 = CycleRef(uuid.UUID(int=12), "semester", date(2026, 1, 1), date(2026, 6, 30))
Y = CycleRef(uuid.UUID(int=13), "year", date(2026, 1, 1), date(2026, 12, 31))
DAYS = [date(2026, 1, 1), date(2026, 4, 1)]


def test_the_filter_keeps_the_chosen_bodies_wilayas_and_kinds() -> None:
    chosen = AgencyFilter(bodies=("CNAS", "CASNOS"), wilayas=(16,))
    assert [a.code for a in AGENCIES if chosen.matches(a)] == [
        "CNAS-16",
        "CNAS-16-C1",
        "CNAS-16-C2",
        "CASNOS-16",
    ]
    centres = AgencyFilter(kinds=("centre",))
    assert [a.code for a in AGENCIES if centres.matches(a)] == ["CNAS-16-C1", "CNAS-16-C2"]
    assert all(AgencyFilter().matches(a) for a in AGENCIES)


def test_one_assignment_per_agency_and_occurrence_due_after_the_delay() -> None:
    planned = plan(SCHEDULE, AGENCIES, AgencyFilter(wilayas=(16,)), [ALGER_1, ALGER_2], [Q1], DAYS, 14)
    assert len(planned) == 5 * 2
    assert len({(p.agency_id, p.occurs_on) for p in planned}) == 10
    assert {(p.occurs_on, p.due_on) for p in planned} == {
        (date(2026, 1, 1), date(2026, 1, 15)),
        (date(2026, 4, 1), date(2026, 4, 15)),
    }


def test_assignees_cover_the_agency_and_share_the_load() -> None:
    planned = plan(SCHEDULE, AGENCIES, AgencyFilter(), [ALGER_1, ALGER_2, ORAN], [], DAYS, 10)
    by_code = {a.id: a for a in AGENCIES}
    for p in planned:
        assert p.assignee_id is not None
        person = next(x for x in (ALGER_1, ALGER_2, ORAN) if x.id == p.assignee_id)
        assert person.covers(by_code[p.agency_id])
    oran = [p for p in planned if by_code[p.agency_id].wilaya_code == 31]
    assert {p.assignee_id for p in oran} == {ORAN.id}
    # Five agencies of Alger on one day: three for one inspector, two for the other.
    first_day = Counter(p.assignee_id for p in planned if p.occurs_on == DAYS[0] and p.assignee_id != ORAN.id)
    assert sorted(first_day.values()) == [2, 3]


def test_an_agency_nobody_covers_is_left_unassigned() -> None:
    planned = plan(SCHEDULE, AGENCIES, AgencyFilter(), [CNAS_ONLY], [], DAYS[:1], 10)
    by_id = {a.id: a for a in AGENCIES}
    for p in planned:
        assert (p.assignee_id == CNAS_ONLY.id) == (by_id[p.agency_id].body_code == "CNAS")


def test_the_shortest_cycle_holding_the_occurrence_is_chosen() -> None:
    assert cycle_of(date(2026, 2, 1), [Y, S1, Q1]) == Q1
    assert cycle_of(date(2026, 5, 1), [Y, S1, Q1]) == S1
    assert cycle_of(date(2026, 9, 1), [Y, S1, Q1]) == Y
    assert cycle_of(date(2027, 1, 1), [Y, S1, Q1]) is None
    assert cycle_of(date(2026, 3, 31), [Q1]) == Q1  # the last day is in the cycle
    planned = plan(SCHEDULE, AGENCIES[:1], AgencyFilter(), [ALGER_1], [Q1, S1, Y], DAYS, 0)
    assert [p.cycle_id for p in planned] == [Q1.id, S1.id]


def test_planning_is_deterministic_whatever_the_order_of_the_inputs() -> None:
    first = plan(SCHEDULE, AGENCIES, AgencyFilter(), [ALGER_1, ALGER_2, ORAN], [Q1, S1], DAYS, 7)
    again = plan(
        SCHEDULE,
        list(reversed(AGENCIES)),
        AgencyFilter(),
        [ORAN, ALGER_2, ALGER_1],
        [S1, Q1],
        list(reversed(DAYS)),
        7,
    )
    assert sorted(first, key=lambda p: p.id) == sorted(again, key=lambda p: p.id)
    # The ids are those of (schedule, agency, day): a rerun writes the same rows, so it creates nothing.
    assert {p.id for p in first} == {assignment_id(SCHEDULE, p.agency_id, p.occurs_on) for p in first}
    assert len({p.id for p in first}) == len(first)
    other = plan(uuid.uuid4(), AGENCIES, AgencyFilter(), [ALGER_1], [], DAYS, 7)
    assert not {p.id for p in other} & {p.id for p in first}


def test_a_later_run_with_a_longer_horizon_only_adds_the_new_occurrences() -> None:
    short = plan(SCHEDULE, AGENCIES, AgencyFilter(), [ALGER_1, ALGER_2, ORAN], [], DAYS[:1], 7)
    long = plan(SCHEDULE, AGENCIES, AgencyFilter(), [ALGER_1, ALGER_2, ORAN], [], DAYS, 7)
    assert set(short) <= set(long)
    assert {p.occurs_on for p in set(long) - set(short)} == {DAYS[1]}
