"""Loading what a push needs, in a fixed handful of SELECTs whatever the number of ops."""

from __future__ import annotations

import uuid

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Scope
from backend.authz.queries import agency_scope_clause
from backend.db.tables import Agency, Assignment, SyncConflict, SyncEntity, SyncField, TemplateVersion, User
from backend.sync_server.context import ConflictInfo, Context, EntityInfo, EntityKey
from backend.sync_server.references import References
from backend.sync_server.templates import documents
from sync.merge import FieldState


async def load_context(session: AsyncSession, scope: Scope, refs: References) -> Context:
    ctx = Context()
    conflicts = (
        (await session.execute(select(SyncConflict).where(col(SyncConflict.id).in_(refs.conflicts))))
        .scalars()
        .all()
        if refs.conflicts
        else []
    )
    wanted: set[EntityKey] = set(refs.entities) | {(c.entity, c.entity_id) for c in conflicts}
    await _load_entities(session, ctx, wanted)
    # The visits of the children, for their status (lock) and template (item keys).
    parents = {("visit", info.visit_id) for info in ctx.entities.values() if info.visit_id} - set(
        ctx.entities
    )
    await _load_entities(session, ctx, parents)
    keys = list(wanted | parents)
    if keys:
        fields = await session.execute(
            select(SyncField).where(tuple_(col(SyncField.entity), col(SyncField.entity_id)).in_(keys))
        )
        for row in fields.scalars():
            if row.client_id is None or row.author_id is None or row.op_id is None:
                continue  # server-made records are not merged with device writes
            ctx.states[(row.entity, row.entity_id, row.field)] = FieldState(
                value=row.value,
                version=row.version,
                hlc=row.hlc,
                client_id=row.client_id,
                author=row.author_id,
                op_id=row.op_id,
            )
        open_rows = await session.execute(
            select(SyncConflict).where(
                col(SyncConflict.status) == "open",
                tuple_(col(SyncConflict.entity), col(SyncConflict.entity_id)).in_(keys),
            )
        )
        for conflict in [*open_rows.scalars(), *conflicts]:
            info = _conflict_info(conflict)
            ctx.conflicts_by_id[info.id] = info
            if info.status == "open":
                ctx.open_conflicts[info.key] = info

    agencies = refs.agencies | {info.agency_id for info in ctx.entities.values() if info.agency_id}
    agencies |= {c.agency_id for c in conflicts if c.agency_id}
    if agencies:
        ctx.agencies_known = set(
            (await session.execute(select(col(Agency.id)).where(col(Agency.id).in_(agencies)))).scalars()
        )
        ctx.agencies_in_scope = set(
            (
                await session.execute(
                    select(col(Agency.id)).where(col(Agency.id).in_(agencies), agency_scope_clause(scope))
                )
            ).scalars()
        )
    templates = set(refs.template_versions)
    templates |= {
        uuid.UUID(str(state.value)) for key, state in ctx.states.items() if key[2] == "template_version_id"
    }
    if templates:
        published = set(
            (
                await session.execute(
                    select(col(TemplateVersion.id)).where(
                        col(TemplateVersion.id).in_(templates),
                        # A visit started offline before its version was retired still arrives,
                        # checked item by item: nothing typed is lost. Phones offer only published ones.
                        col(TemplateVersion.status).in_(("published", "retired")),
                    )
                )
            ).scalars()
        )
        parsed = await documents(session, set(published))
        ctx.template_items = {
            version_id: frozenset(item.key for item in document.all_items())
            for version_id, document in parsed.items()
        }
    if refs.assignments:
        ctx.assignments = set(
            (
                await session.execute(
                    select(col(Assignment.id)).where(col(Assignment.id).in_(refs.assignments))
                )
            ).scalars()
        )
    if refs.users:
        ctx.users = set(
            (await session.execute(select(col(User.id)).where(col(User.id).in_(refs.users)))).scalars()
        )
    return ctx


async def _load_entities(session: AsyncSession, ctx: Context, keys: set[EntityKey]) -> None:
    if not keys:
        return
    rows = await session.execute(
        select(SyncEntity).where(tuple_(col(SyncEntity.entity), col(SyncEntity.entity_id)).in_(list(keys)))
    )
    for row in rows.scalars():
        ctx.entities[(row.entity, row.entity_id)] = EntityInfo(
            agency_id=row.agency_id, visit_id=row.visit_id, created_by=row.created_by
        )


def _conflict_info(row: SyncConflict) -> ConflictInfo:
    return ConflictInfo(
        id=row.id,
        key=(row.entity, row.entity_id, row.field),
        agency_id=row.agency_id,
        status=row.status,
        base_version=row.base_version,
        candidates=list(row.candidates),
        resolution=row.resolution,
    )
