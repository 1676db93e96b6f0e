"""Projecting the merged fields of touched entities into the domain tables the dashboards query.

The op log and ``sync_field`` are the truth; ``visit``, ``answer``, ``finding``, ``action`` and
``attachment`` are their typed, indexed projection, rewritten for every entity a push touched.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime
from typing import Any, Final

import msgspec
from sqlalchemy import func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.checklists import TemplateDocument
from backend.checklists.scoring import measures, score
from backend.db.tables import Action, ActionEvent, Answer, Assignment, Attachment, Finding, Visit
from backend.db.types import UTCDateTime
from backend.db.upsert import upsert
from backend.localtime import local_day
from backend.sync_server.context import Context
from backend.sync_server.entities import ANSWER_PREFIX, DELETED
from backend.sync_server.plan import Planned
from backend.sync_server.templates import documents


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(value) if isinstance(value, str) else None


def _score(templates: dict[uuid.UUID, TemplateDocument], values: dict[str, Any]) -> dict[str, Any]:
    """The visit's score from its current answers, by the same rules the PWA shows live."""
    document = templates.get(_uuid(values.get("template_version_id")) or uuid.UUID(int=0))
    if document is None:
        return {"score": None, "score_pct": None, **_NO_MEASURES}
    answers = {
        name[len(ANSWER_PREFIX) :]: value.get("value")
        for name, value in values.items()
        if name.startswith(ANSWER_PREFIX) and isinstance(value, dict)
    }
    result = score(document, answers)
    measured = measures(document, answers)
    return {"score": msgspec.to_builtins(result), "score_pct": result.score_pct, **measured._asdict()}


_NO_MEASURES: Final = {
    "delay_days_sum": 0.0,
    "delay_samples": 0,
    "satisfaction_sum": 0.0,
    "satisfaction_count": 0,
}
# Visits count in the period of the day they were made, as the ministry lives it.


def _visit_day(started_at: datetime | None, now: datetime) -> date:
    return local_day(started_at or now)


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


async def project(session: AsyncSession, ctx: Context, planned: Planned, now: datetime) -> None:
    fields: dict[tuple[str, uuid.UUID], dict[str, Any]] = defaultdict(dict)
    for (entity, entity_id, name), state in ctx.states.items():
        if (entity, entity_id) in planned.touched:
            fields[(entity, entity_id)][name] = state.value
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    templates = await documents(
        session, {_uuid(v.get("template_version_id")) for (e, _), v in fields.items() if e == "visit"}
    )
    for (entity, entity_id), values in fields.items():
        info = planned.new_entities.get((entity, entity_id)) or ctx.entities.get((entity, entity_id))
        if info is None:
            continue
        deleted = bool(values.get(DELETED))
        if entity == "visit":
            signature = values.get("signature") or {}
            rows["visit"].append(
                {
                    "id": entity_id,
                    "agency_id": info.agency_id,
                    "created_by": info.created_by,
                    "template_version_id": _uuid(values.get("template_version_id")),
                    "assignment_id": _uuid(values.get("assignment_id")),
                    "status": "deleted" if deleted else values.get("status", "draft"),
                    "started_at": _instant(values.get("started_at")),
                    "visit_day": _visit_day(_instant(values.get("started_at")), now),
                    "location": values.get("location"),
                    "signature_sha256": signature.get("sha256"),
                    "review_comment": values.get("review_comment"),
                    "submitted_at": now if entity_id in planned.submitted else None,
                    **_score(templates, values),
                }
            )
        elif entity == "finding":
            rows["finding"].append(
                {
                    "id": entity_id,
                    "visit_id": info.visit_id,
                    "agency_id": info.agency_id,
                    "item_key": values.get("item_key"),
                    "severity": values.get("severity", "observation"),
                    "description": values.get("description", ""),
                    "evidence": values.get("evidence") or [],
                    "created_by": info.created_by,
                    "deleted": deleted,
                    "created_at": now,
                }
            )
        elif entity == "action":
            rows["action"].append(
                {
                    "id": entity_id,
                    "visit_id": info.visit_id,
                    "agency_id": info.agency_id,
                    "finding_id": _uuid(values.get("finding_id")),
                    "description": "\n".join(filter(None, (values.get("title"), values.get("description")))),
                    "owner_id": _uuid(values.get("owner_id")),
                    "owner_name": values.get("owner_name", ""),
                    "deadline": _day(values.get("deadline")),
                    "status": values.get("status", "open"),
                    "created_by": info.created_by,
                    "deleted": deleted,
                    "created_at": now,
                    "verified_in_visit_id": _uuid(values.get("verified_in_visit_id")),
                }
            )
        elif entity == "attachment":
            rows["attachment"].append(
                {
                    "id": entity_id,
                    "visit_id": info.visit_id,
                    "item_key": values.get("item_key"),
                    "sha256": values.get("sha256"),
                    "size": values.get("size", 0),
                    "mime": values.get("mime", "application/octet-stream"),
                    "taken_at": _instant(values.get("taken_at")),
                    "location": values.get("location"),
                    "created_by": info.created_by,
                    "deleted": deleted,
                }
            )
    answers = [
        {
            "visit_id": entity_id,
            "item_key": name[len(ANSWER_PREFIX) :],
            "value": (state.value or {}).get("value"),
            "note": (state.value or {}).get("note"),
            "author_id": state.author,
            "updated_at": now,
        }
        for (entity, entity_id, name), state in planned.changed.items()
        if entity == "visit" and name.startswith(ANSWER_PREFIX)
    ]
    history = await _action_moves(session, planned, now)  # before the projection overwrites the status
    # Parents before children: the foreign keys are checked row by row.
    for table, name in (
        (Visit, "visit"),
        (Finding, "finding"),
        (Attachment, "attachment"),
        (Action, "action"),
    ):
        batch = rows.get(name, [])
        if batch:
            fixed = ("id", "created_by", "created_at", "submitted_at")
            update_columns = [c for c in batch[0] if c not in fixed]
            await upsert(session, table, batch, keys=("id",), update=update_columns)
    if planned.submitted:
        await session.execute(
            update(Visit).where(col(Visit.id).in_(planned.submitted)).values(submitted_at=now)
        )
        await session.execute(
            update(Assignment)
            .where(
                col(Assignment.id).in_(
                    [
                        row["assignment_id"]
                        for row in rows.get("visit", [])
                        if row["id"] in planned.submitted and row["assignment_id"]
                    ]
                )
            )
            .values(status="done")
        )
    await upsert(
        session,
        Answer,
        answers,
        keys=("visit_id", "item_key"),
        update=("value", "note", "author_id", "updated_at"),
    )
    await _record_action_moves(session, history, now)


async def _action_moves(session: AsyncSession, planned: Planned, now: datetime) -> list[dict[str, Any]]:
    """One history row per action whose status this push changed, whoever pushed it (a phone, or a
    page through ``apply_ops``), so the follow-up's history is complete.

    The status before the push is read from the projection (still the previous merged value), so a
    push that moves an action twice records one event from where it was to where it ends.
    """
    moved = {
        entity_id: state
        for (entity, entity_id, name), state in planned.changed.items()
        if entity == "action" and name == "status"
    }
    if not moved:
        return []
    before = dict(
        (
            await session.execute(select(col(Action.id), col(Action.status)).where(col(Action.id).in_(moved)))
        ).all()
    )
    events = []
    for action_id, state in moved.items():
        if before.get(action_id) == state.value:
            continue
        note = planned.changed.get(("action", action_id, "note"))  # the note sent with this move
        events.append(
            {
                "action_id": action_id,
                "at": now,
                "actor_id": state.author,
                "from_status": before.get(action_id),
                "to_status": str(state.value),
                "note": str(note.value or "") if note is not None else "",
                "evidence": [],
            }
        )
    return events


async def _record_action_moves(session: AsyncSession, events: list[dict[str, Any]], now: datetime) -> None:
    """Write the history (after the actions exist) and stamp when actions were done or verified."""
    if not events:
        return
    await upsert(session, ActionEvent, events, keys=("action_id", "at", "to_status"))
    # A move straight to verified (checked on a later visit) was done by then too.
    stamps: dict[str, dict[str, Any]] = {
        "done": {"done_at": now},
        "verified": {
            "verified_at": now,
            "done_at": func.coalesce(col(Action.done_at), literal(now, UTCDateTime())),
        },
        "open": {"done_at": None, "verified_at": None},
    }
    for status, values in stamps.items():
        ids = [e["action_id"] for e in events if e["to_status"] == status and e["from_status"] is not None]
        if ids:
            await session.execute(update(Action).where(col(Action.id).in_(ids)).values(**values))
