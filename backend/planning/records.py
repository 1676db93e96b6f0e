"""Assignments as devices hold them: the whole record published into the sync feed, and its repair
when the status changed without a publication (a visit submitted through a push)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.db.tables import Assignment, ChecklistTemplate, EvaluationCycle, SyncField
from backend.sync_server.feed import Record, publish


async def assignment_records(session: AsyncSession, assignments: list[Assignment]) -> list[Record]:
    """The feed records of ``assignments``: what the PWA's work list reads."""
    if not assignments:
        return []
    template_ids = {a.template_id for a in assignments}
    keys = dict(
        (
            await session.execute(
                select(col(ChecklistTemplate.id), col(ChecklistTemplate.key)).where(
                    col(ChecklistTemplate.id).in_(template_ids)
                )
            )
        ).all()
    )
    cycle_ids = {a.cycle_id for a in assignments if a.cycle_id}
    codes = dict(
        (
            await session.execute(
                select(col(EvaluationCycle.id), col(EvaluationCycle.code)).where(
                    col(EvaluationCycle.id).in_(cycle_ids)
                )
            )
        ).all()
    )
    return [
        Record(
            entity="assignment",
            entity_id=a.id,
            agency_id=a.agency_id,
            value={
                "id": str(a.id),
                "agency_id": str(a.agency_id),
                "schedule_id": str(a.schedule_id) if a.schedule_id else None,
                # No version: the device starts the visit on the newest published version of the key.
                "template_id": str(a.template_id),
                "template_key": keys.get(a.template_id),
                "cycle_id": str(a.cycle_id) if a.cycle_id else None,
                "cycle_code": codes.get(a.cycle_id) if a.cycle_id else None,
                "assignee_id": str(a.assignee_id) if a.assignee_id else None,
                "occurs_on": a.occurs_on.isoformat(),
                "due_on": a.due_on.isoformat(),
                "status": a.status,
                "visit_id": str(a.visit_id) if a.visit_id else None,
            },
        )
        for a in assignments
    ]


async def republish_settled(session: AsyncSession, now: datetime, limit: int = 1000) -> int:
    """Republish assignments whose feed record says another status than the table.

    A submitted visit marks its assignment done inside the push pipeline, which holds the change
    clock; the record devices hold is brought up to date here, on the next periodic run.
    """
    published_status = SyncField.value["status"].as_string()
    stale = (
        await session.execute(
            select(Assignment)
            .join(
                SyncField,
                (col(SyncField.entity) == "assignment")
                & (col(SyncField.entity_id) == col(Assignment.id))
                & (col(SyncField.field) == ""),
            )
            .where(col(Assignment.status) != "planned", published_status != col(Assignment.status))
            .limit(limit)
        )
    ).scalars()
    records = await assignment_records(session, list(stale))
    await publish(session, records, now)
    return len(records)
