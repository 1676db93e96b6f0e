"""Reads of agencies, always filtered by scope in SQL."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlmodel import col

from backend.agencies.wire import AgencyView
from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.db.engine import Database
from backend.db.tables import Agency, Body
from backend.errors import NotFound
from backend.wire import Page


def _view(agency: Agency, body_code: str) -> AgencyView:
    return AgencyView(
        id=agency.id,
        code=agency.code,
        body=body_code,
        wilaya_code=agency.wilaya_code,
        kind=agency.kind,
        name_ar=agency.name_ar,
        name_fr=agency.name_fr,
        parent_id=agency.parent_id,
        latitude=agency.latitude,
        longitude=agency.longitude,
    )


async def list_agencies(
    db: Database, principal: Principal, *, offset: int, limit: int, wilaya: int | None, body: str | None
) -> Page[AgencyView]:
    where = [agency_scope_clause(principal.scope), col(Agency.active)]
    if wilaya is not None:
        where.append(col(Agency.wilaya_code) == wilaya)
    if body is not None:
        where.append(col(Body.code) == body)
    query = select(Agency, col(Body.code)).join(Body, col(Body.id) == col(Agency.body_id)).where(*where)
    async with db.read() as session:
        total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
        rows = (
            await session.execute(
                query.order_by(col(Agency.wilaya_code), col(Agency.code)).offset(offset).limit(limit)
            )
        ).all()
    items = [_view(agency, code) for agency, code in rows]
    next_offset = offset + limit if offset + limit < total else None
    return Page(items=items, total=total, offset=offset, limit=limit, next_offset=next_offset)


async def get_agency(db: Database, principal: Principal, agency_id: uuid.UUID) -> AgencyView:
    """One agency; one outside the scope is answered as not found, so its existence does not leak."""
    query = (
        select(Agency, col(Body.code))
        .join(Body, col(Body.id) == col(Agency.body_id))
        .where(col(Agency.id) == agency_id, agency_scope_clause(principal.scope))
    )
    async with db.read() as session:
        row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("agency_id")
    return _view(row[0], row[1])
