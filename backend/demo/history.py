"""``rasd demo``'s history: past quarters of visits, findings, actions, assignments and readings.

So that the dashboard is alive right after ``make run``, and so that ``rasd demo --scale N`` grows a
national dataset for benchmarks (scale 1: about one visit per agency and quarter; scale 40: about
100,000 visits). Deterministic for a given seed and day.

* Who visits: in wilayas 16 and 31 the demo inspectors (``inspector``, ``inspector2``,
  ``inspector.oran``); elsewhere ``demo.history``, an inactive inspector account with national scope
  and no usable password, made by `history_setting`, that nobody can sign in as.
* How it is written: set-based inserts (one ``INSERT`` per table and batch of agencies, one
  transaction per batch), never an ORM object per row. In the demo inspectors' wilayas, the visit of
  each quarter's assignment goes through the sync pipeline instead (`history_sync`) when it is in
  the current quarter or still has an action to follow up, so that their phones pull those visits
  and every open action of their agencies.
* Beyond scale 1, the extra visits keep their answers for the last two quarters only (their score
  and measures are stored for every quarter): answers are most of the rows and no page reads old ones.
* Idempotent: ids are UUIDv5 of what they stand for, and an agency whose history is there is skipped.
"""

from __future__ import annotations

import time as clock
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Final

from sqlalchemy import select
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import Action, ActionEvent, Answer, Assignment, Finding, IndicatorReading, Visit
from backend.db.types import utcnow
from backend.db.upsert import insert_all
from backend.demo.history_indicators import reading_rows
from backend.demo.history_plan import AgencyPlan, plan_agency
from backend.demo.history_records import Person, VisitRecord, build_visit, child_rows, visit_row
from backend.demo.history_setting import Setting, load_setting
from backend.demo.history_sync import push_history
from backend.localtime import LOCAL_ZONE as LOCAL
from backend.sync_server.feed import Record, publish

DEFAULT_SEED: Final = 2026
BATCH_VISITS: Final = 2000  # visits (with their answers, findings, actions) per transaction

Progress = Callable[[str], None]


@dataclass
class HistoryReport:
    visits: int = 0
    synced_visits: int = 0
    answers: int = 0
    findings: int = 0
    actions: int = 0
    assignments: int = 0
    readings: int = 0
    skipped_agencies: int = 0
    quarters: list[str] = field(default_factory=list)
    seconds: float = 0.0


async def seed_history(
    db: Database,
    *,
    scale: int = 1,
    today: date | None = None,
    seed: int = DEFAULT_SEED,
    agencies: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> HistoryReport:
    """Write the demo history of every agency (or of the ``agencies`` codes) up to ``today``.

    Args:
        db: the database, with the base demo seeded (`seed_demo`).
        scale: visits per agency and quarter.
        today: the day the history runs up to (excluded); by default today in Algiers. Everything
            written happened before its midnight (or before now).
        seed: the random seed; the same seed gives the same history.
        agencies: agency codes to limit the history to (tests); all agencies by default.
        progress: called with a line of text now and then.
    """
    started = clock.perf_counter()
    say = progress or (lambda _line: None)
    now = utcnow() if today is None else datetime.combine(today, time(0), LOCAL).astimezone(UTC)
    report = HistoryReport()
    loaded = await load_setting(db, seed, now, agencies)
    if loaded is None:
        return report
    setting, quarters, infos = loaded
    report.quarters = [quarter.code for quarter in quarters]
    plans = [plan_agency(seed, info, quarters, max(1, scale), now) for info in infos]
    done = await _already_there(db, plans)
    report.skipped_agencies = len(done)
    plans = [plan for plan in plans if plan.agency.id not in done]
    total = sum(len(plan.visits) for plan in plans)
    say(
        f"history: {len(plans)} agencies × {len(quarters)} quarters ({report.quarters[0]} … "
        f"{report.quarters[-1]}), {total:,} visits at scale {scale}"
    )
    synced: list[VisitRecord] = []
    current: list[dict[str, Any]] = []  # assignments of the last quarter, for the devices' feed
    assignment_of: dict[uuid.UUID, uuid.UUID] = {}
    batch: list[AgencyPlan] = []
    for plan in plans:
        batch.append(plan)
        if sum(len(p.visits) for p in batch) >= BATCH_VISITS:
            await _write_batch(db, setting, batch, report, synced, assignment_of, current)
            say(
                f"  {report.visits + len(synced):,}/{total:,} visits ({clock.perf_counter() - started:.0f} s)"
            )
            batch = []
    if batch:
        await _write_batch(db, setting, batch, report, synced, assignment_of, current)
    if synced:
        say(
            f"  {len(synced)} visits of wilayas 16 and 31 through the sync pipeline "
            f"({clock.perf_counter() - started:.0f} s)"
        )
        await push_history(
            db, synced, setting.principals, setting.reviewer, setting.version_id, assignment_of, say
        )
        report.synced_visits = len(synced)
        report.visits += len(synced)
        report.answers += sum(len(record.answers) for record in synced)
        report.findings += sum(len(record.findings) for record in synced)
        report.actions += sum(len(record.actions) for record in synced)
    if plans:
        async with db.write() as session, session.begin():
            await publish(session, [_assignment_record(row, setting.version_id) for row in current], now)
        say(f"  assignments published ({clock.perf_counter() - started:.0f} s)")
        await _recompute_evaluations(db, [quarter.cycle_id for quarter in quarters], now, say)
    report.seconds = clock.perf_counter() - started
    say(
        f"history: {report.visits:,} visits ({report.synced_visits} synced), {report.answers:,} answers, "
        f"{report.findings:,} findings, {report.actions:,} actions, {report.assignments:,} assignments, "
        f"{report.readings:,} readings in {report.seconds:.1f} s"
    )
    return report


async def has_visits(db: Database) -> bool:
    async with db.read() as session:
        return (await session.execute(select(col(Visit.id)).limit(1))).first() is not None


async def _already_there(db: Database, plans: list[AgencyPlan]) -> set[uuid.UUID]:
    """Agencies whose history was written: the assignment of their first quarter exists."""
    firsts = [plan.assignments[0].id for plan in plans if plan.assignments]
    found: set[uuid.UUID] = set()
    async with db.read() as session:
        for start in range(0, len(firsts), 2000):
            rows = await session.execute(
                select(col(Assignment.agency_id)).where(col(Assignment.id).in_(firsts[start : start + 2000]))
            )
            found.update(rows.scalars())
    return found


def _inspector(setting: Setting, plan: AgencyPlan, visit_id: uuid.UUID) -> Person:
    choices = setting.inspectors.get(plan.agency.wilaya) or [setting.history_user]
    return choices[visit_id.int % len(choices)]


async def _write_batch(
    db: Database,
    setting: Setting,
    batch: list[AgencyPlan],
    report: HistoryReport,
    synced: list[VisitRecord],
    assignment_of: dict[uuid.UUID, uuid.UUID],
    current: list[dict[str, Any]],
) -> None:
    rows: dict[str, list[dict[str, Any]]] = {
        name: [] for name in ("assignment", "visit", "answer", "finding", "action", "action_event", "reading")
    }
    reviewer = setting.reviewer.id
    for plan in batch:
        asked = {a.visit.id: a.id for a in plan.assignments if a.visit is not None}
        for index, visit in enumerate(plan.visits):
            inspector = _inspector(setting, plan, visit.id)
            previous = plan.visits[index - 1].day if index else None
            record = build_visit(
                setting.seed,
                setting.document,
                setting.sections,
                visit,
                inspector,
                previous,
                plan.visits[index + 1 :],
                setting.now,
            )
            if (
                visit.id in asked
                and inspector != setting.history_user
                and (
                    visit.quarter.code == setting.current_quarter
                    or any(action.life.status != "verified" for action in record.actions)
                )
            ):
                synced.append(record)
                assignment_of[visit.id] = asked[visit.id]
                continue
            row = visit_row(record, setting.version_id, reviewer)
            row["assignment_id"] = asked.get(visit.id)
            rows["visit"].append(row)
            for name, children in child_rows(record, reviewer).items():
                rows[name] += children
            if visit.number > 0 and visit.quarter.code not in setting.answered_quarters:
                # Beyond scale 1, answers are kept for the last two quarters only: the scores and
                # measures (all the dashboard reads) are stored for every visit, and the answers,
                # most of the rows, would make a large history slow to write for no page.
                del rows["answer"][len(rows["answer"]) - len(record.answers) :]
        for assignment in plan.assignments:
            made = assignment.visit
            rows["assignment"].append(
                {
                    "id": assignment.id,
                    "schedule_id": setting.schedule_id,
                    "template_id": setting.template_id,
                    "agency_id": plan.agency.id,
                    "cycle_id": assignment.quarter.cycle_id,
                    "assignee_id": _inspector(setting, plan, made.id if made else assignment.id).id,
                    "occurs_on": assignment.quarter.start,
                    "due_on": assignment.quarter.due,
                    "status": assignment.status,
                    "visit_id": made.id if made else None,
                    "created_at": datetime.combine(assignment.quarter.start, time(6), LOCAL).astimezone(UTC),
                }
            )
            if assignment.quarter.code == setting.current_quarter:
                current.append(rows["assignment"][-1])
        rows["reading"] += reading_rows(setting.seed, plan, reviewer, setting.now)
    async with db.write() as session, session.begin():
        for table, name in (
            (Assignment, "assignment"),
            (Visit, "visit"),
            (Answer, "answer"),
            (Finding, "finding"),
            (Action, "action"),
            (ActionEvent, "action_event"),
            (IndicatorReading, "reading"),
        ):
            for start in range(0, len(rows[name]), 10000):
                await insert_all(session, table, rows[name][start : start + 10000])
    report.visits += len(rows["visit"])
    report.answers += len(rows["answer"])
    report.findings += len(rows["finding"])
    report.actions += len(rows["action"])
    report.assignments += len(rows["assignment"])
    report.readings += len(rows["reading"])


def _assignment_record(row: dict[str, Any], version_id: uuid.UUID) -> Record:
    """An assignment as devices receive it (the PWA's work list reads these fields)."""
    value = {
        name: (str(value) if isinstance(value, uuid.UUID | date) else value)
        for name, value in row.items()
        if name != "created_at"
    }
    return Record(
        "assignment", row["id"], row["agency_id"], {**value, "template_version_id": str(version_id)}
    )


async def _recompute_evaluations(
    db: Database, cycle_ids: list[uuid.UUID], now: datetime, say: Progress
) -> None:
    """Evaluations of the cycles, when the evaluations engine offers it (it is optional here)."""
    try:
        from backend.evaluations import service  # optional: built alongside
    except ImportError:
        return
    recompute = getattr(service, "recompute_open_cycles", None)
    if recompute is not None:
        say("  computing the evaluations of the open cycles")
        await recompute(db, now)
        return
    compute = getattr(service, "compute_cycle", None)
    if compute is None:
        say("  (evaluations not computed: backend.evaluations.service offers no recompute_open_cycles)")
        return
    say("  computing the evaluations of every quarter")
    for cycle_id in cycle_ids:
        await compute(db, cycle_id, now)
