"""The recent visits of the demo inspectors' wilayas go through the real sync pipeline.

So their visits, findings and actions are in the feed exactly as if the phones had pushed them:
`inspector`, `inspector2` and `inspector.oran` find the open actions of their agencies on their
next pull. Every change is applied as its author (the inspector, or the central inspector who
reviews and verifies), at the moment it happened (``now`` in the past), in the order it happened.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from backend.authz.principal import Principal
from backend.db.engine import Database
from backend.db.tables import ActionEvent, Visit
from backend.db.upsert import upsert
from backend.demo.history_records import ActionRecord, VisitRecord, event_rows
from backend.sync_server.server_ops import ServerOp, apply_ops


class HistoryPushRejected(RuntimeError):
    """The pipeline refused a change of the demo history: the generator and the rules disagree."""


@dataclass(frozen=True)
class _Step:
    at: datetime
    author: Principal
    ops: list[ServerOp]


def _visit_ops(
    record: VisitRecord, template_version_id: uuid.UUID, assignment_id: uuid.UUID | None
) -> list[ServerOp]:
    plan = record.plan
    fields: dict[str, Any] = {
        "agency_id": str(plan.agency.id),
        "template_version_id": str(template_version_id),
        "started_at": plan.started_at.isoformat(),
    }
    if assignment_id is not None:
        fields["assignment_id"] = str(assignment_id)
    location = record.answers.get("arrival_location")
    if location is not None:
        fields["location"] = location
    ops = [ServerOp("visit", plan.id, "create", value=fields)]
    ops += [
        ServerOp("visit", plan.id, "set", f"answers.{key}", {"value": value, "note": None})
        for key, value in record.answers.items()
    ]
    ops += [
        ServerOp(
            "finding",
            finding.id,
            "create",
            value={
                "visit_id": str(plan.id),
                "item_key": finding.item_key,
                "severity": finding.severity,
                "description": finding.description,
            },
        )
        for finding in record.findings
    ]
    ops += [
        ServerOp(
            "action",
            action.id,
            "create",
            value={
                "visit_id": str(plan.id),
                "finding_id": str(action.finding_id),
                "title": action.title,
                "owner_name": action.owner_name,
                "deadline": action.deadline.isoformat(),
            },
        )
        for action in record.actions
    ]
    ops.append(ServerOp("visit", plan.id, "submit"))
    return ops


def _action_steps(action: ActionRecord, author: Principal, reviewer: Principal) -> list[_Step]:
    """The follow-up of an action in as few pushes as the state machine allows: straight to its last
    status (open → in_progress or done is one move), then verified by the reviewer. The finer history
    (each intermediate move at its own time) is written with the events afterwards."""
    life = action.life
    if life.status == "open":
        return []
    reached = "done" if life.status == "verified" else life.status
    at = next(at for at, _from, to in life.events if to == reached)
    steps = [_Step(at, author, [ServerOp("action", action.id, "set", "status", reached)])]
    if life.status == "verified" and life.verified_at is not None:
        verify = [ServerOp("action", action.id, "set", "status", "verified")]
        if life.verified_in is not None:
            verify.append(ServerOp("action", action.id, "set", "verified_in_visit_id", str(life.verified_in)))
        steps.append(_Step(life.verified_at, reviewer, verify))
    return steps


def _steps(
    records: list[VisitRecord],
    principals: dict[uuid.UUID, Principal],
    reviewer: Principal,
    template_version_id: uuid.UUID,
    assignments: dict[uuid.UUID, uuid.UUID],
) -> list[_Step]:
    steps: list[_Step] = []
    for record in records:
        plan, author = record.plan, principals[record.inspector.id]
        ops = _visit_ops(record, template_version_id, assignments.get(plan.id))
        steps.append(_Step(plan.submitted_at, author, ops))
        for action in record.actions:
            steps += _action_steps(action, author, reviewer)
        if plan.reviewed_at is not None:
            review = [ServerOp("visit", plan.id, "set", "status", plan.status)]
            if plan.review_comment:
                review.append(ServerOp("visit", plan.id, "set", "review_comment", plan.review_comment))
            steps.append(_Step(plan.reviewed_at, reviewer, review))
    steps.sort(key=lambda step: step.at)
    return steps


async def push_history(
    db: Database,
    records: list[VisitRecord],
    principals: dict[uuid.UUID, Principal],
    reviewer: Principal,
    template_version_id: uuid.UUID,
    assignments: dict[uuid.UUID, uuid.UUID],
    progress: Callable[[str], None] | None = None,
) -> int:
    """Apply every change of ``records`` through the sync pipeline, in the order they happened, then
    write what it does not keep (review time and reviewer, actions' creation events). Returns the
    number of ops applied."""
    steps = _steps(records, principals, reviewer, template_version_id, assignments)
    count = 0
    for number, step in enumerate(steps, 1):
        results = await apply_ops(db, step.author, step.ops, now=step.at)
        refused = [result for result in results if result.outcome in ("rejected", "conflict")]
        if refused:
            raise HistoryPushRejected(f"{refused[0].outcome}: {refused[0].reason}")
        count += len(step.ops)
        if progress and number % 200 == 0:
            progress(f"  synced {number:,}/{len(steps):,} changes of the demo inspectors' visits")
    # The pipeline recorded each push's move of an action (and stamped its done and verified times);
    # the full history (creation, intermediate moves) and the review's time and reviewer are not sync
    # fields: written here, the events keyed as the pipeline keys them.
    async with db.write() as session, session.begin():
        for record in records:
            plan = record.plan
            if plan.reviewed_at is not None:
                await session.execute(
                    update(Visit)
                    .where(col(Visit.id) == plan.id)
                    .values(reviewed_at=plan.reviewed_at, reviewer_id=reviewer.id)
                )
        events = [
            row for r in records for a in r.actions for row in event_rows(a, r.inspector.id, reviewer.id)
        ]
        await upsert(
            session,
            ActionEvent,
            events,
            keys=("action_id", "at", "to_status"),
            update=("from_status", "note"),
        )
    return count
