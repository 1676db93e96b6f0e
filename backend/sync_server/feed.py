"""Records the server makes (agencies, template versions, assignments, review decisions) enter the same
feed as devices' writes, so a pull delivers everything in one commit order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.checklists import parse_template
from backend.db.engine import Database
from backend.db.tables import Agency, ChecklistTemplate, SyncEntity, SyncField, TemplateVersion
from backend.db.types import utcnow
from backend.db.upsert import upsert
from backend.sync_server import clock as change_clock


@dataclass(frozen=True)
class Record:
    """A whole record: ``value`` replaces what devices hold for it."""

    entity: str
    entity_id: uuid.UUID
    agency_id: uuid.UUID | None
    value: dict[str, Any]


async def publish(session: AsyncSession, records: Sequence[Record], now: datetime | None = None) -> None:
    """Write ``records`` into the feed, in the caller's transaction (which must not have locked the clock)."""
    if not records:
        return
    now = now or utcnow()
    clock = await change_clock.lock(session)
    stamp = change_clock.server_hlc(int(now.timestamp() * 1000))
    keys = [(record.entity, record.entity_id) for record in records]
    rows = await session.execute(
        select(col(SyncField.entity), col(SyncField.entity_id), col(SyncField.version)).where(
            tuple_(col(SyncField.entity), col(SyncField.entity_id)).in_(keys), col(SyncField.field) == ""
        )
    )
    versions = {(entity, entity_id): version for entity, entity_id, version in rows.all()}
    numbers = iter(clock.take(len(records)))
    await upsert(
        session,
        SyncEntity,
        [
            {
                "entity": r.entity,
                "entity_id": r.entity_id,
                "agency_id": r.agency_id,
                "visit_id": None,
                "created_by": None,
                "created_at": now,
            }
            for r in records
        ],
        keys=("entity", "entity_id"),
        update=("agency_id",),
    )
    await upsert(
        session,
        SyncField,
        [
            {
                "entity": r.entity,
                "entity_id": r.entity_id,
                "field": "",
                "value": r.value,
                "version": versions.get((r.entity, r.entity_id), 0) + 1,
                "hlc": stamp,
                "client_id": None,
                "author_id": None,
                "op_id": None,
                "change_no": next(numbers),
            }
            for r in records
        ],
        keys=("entity", "entity_id", "field"),
        update=("value", "version", "hlc", "change_no"),
    )
    await change_clock.save(session, clock)


def agency_record(agency: Agency, body_code: str) -> Record:
    return Record(
        entity="agency",
        entity_id=agency.id,
        agency_id=agency.id,
        value={
            "id": str(agency.id),
            "code": agency.code,
            "body": body_code,
            "wilaya_code": agency.wilaya_code,
            "kind": agency.kind,
            "parent_id": str(agency.parent_id) if agency.parent_id else None,
            "name_ar": agency.name_ar,
            "name_fr": agency.name_fr,
            "latitude": agency.latitude,
            "longitude": agency.longitude,
        },
    )


def template_record(version: TemplateVersion, template_key: str) -> Record:
    return Record(
        entity="template_version",
        entity_id=version.id,
        agency_id=None,
        value={
            "id": str(version.id),
            "template_key": template_key,
            "version": version.version,
            "status": version.status,
            "document": version.document,
        },
    )


async def publish_template(db: Database, document: dict[str, Any]) -> uuid.UUID:
    """Validate and publish a template version, creating the template on first use (tools and benchmarks)."""
    parsed = parse_template(document)
    now = utcnow()
    async with db.write() as session, session.begin():
        template = (
            await session.execute(select(ChecklistTemplate).where(col(ChecklistTemplate.key) == parsed.key))
        ).scalar_one_or_none()
        if template is None:
            template = ChecklistTemplate(key=parsed.key, title=document["title"], created_at=now)
            session.add(template)
            await session.flush()
        version = TemplateVersion(
            template_id=template.id,
            version=parsed.version,
            status="published",
            document=document,
            published_at=now,
            created_at=now,
        )
        session.add(version)
        await session.flush()
        await publish(session, [template_record(version, parsed.key)], now)
    return version.id
