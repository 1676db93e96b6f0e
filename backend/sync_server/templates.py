"""Published template versions, parsed once per process: they are immutable."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.checklists import TemplateDocument, parse_template
from backend.db.tables import TemplateVersion

_PARSED: dict[uuid.UUID, TemplateDocument] = {}


async def documents(
    session: AsyncSession, version_ids: set[uuid.UUID | None]
) -> dict[uuid.UUID, TemplateDocument]:
    """The parsed documents of these versions (unknown ids are left out)."""
    wanted = {version_id for version_id in version_ids if version_id is not None}
    missing = wanted - set(_PARSED)
    if missing:
        rows = await session.execute(
            select(col(TemplateVersion.id), col(TemplateVersion.document)).where(
                col(TemplateVersion.id).in_(missing)
            )
        )
        for version_id, document in rows.all():
            _PARSED[version_id] = parse_template(document)
    return {version_id: _PARSED[version_id] for version_id in wanted if version_id in _PARSED}
