"""The rows of each drill-down level: bodies, wilayas and agencies in the user's scope.

A body, wilaya or agency with no agency in scope does not exist for that user: the page answers 404,
as it would for a code that names nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.dashboard.queries import Key, Where, agency_clauses
from backend.db.tables import Agency, Body, Wilaya
from backend.errors import NotFound


@dataclass(frozen=True)
class Place:
    """One row of a drill-down table: its key in the aggregates, its code in links, its names."""

    key: Key
    code: str
    names: dict[str, str] = field(default_factory=dict)
    body_code: str = ""
    wilaya_code: int | None = None

    def label(self, language: str) -> str:
        return self.names.get(language) or self.names.get("fr") or self.code


async def bodies(session: AsyncSession, where: Where) -> list[Place]:
    used = select(col(Agency.body_id)).where(*agency_clauses(where))
    result = await session.execute(select(Body).where(col(Body.id).in_(used)).order_by(col(Body.code)))
    return [
        Place(
            key=body.id,
            code=body.code,
            names={"ar": body.name_ar, "fr": body.name_fr, "en": body.name_en},
            body_code=body.code,
        )
        for body in result.scalars()
    ]


async def wilayas(session: AsyncSession, where: Where) -> list[Place]:
    used = select(col(Agency.wilaya_code)).where(*agency_clauses(where))
    result = await session.execute(
        select(Wilaya).where(col(Wilaya.code).in_(used)).order_by(col(Wilaya.code))
    )
    return [
        Place(
            key=wilaya.code,
            code=str(wilaya.code),
            names={"ar": wilaya.name_ar, "fr": wilaya.name_fr, "en": wilaya.name_fr},
            body_code=where.body or "",
            wilaya_code=wilaya.code,
        )
        for wilaya in result.scalars()
    ]


async def agencies(session: AsyncSession, where: Where) -> list[Place]:
    result = await session.execute(
        select(Agency, col(Body.code))
        .join(Body, col(Body.id) == col(Agency.body_id))
        .where(*agency_clauses(where))
        .order_by(col(Agency.code))
    )
    return [
        Place(
            key=agency.id,
            code=str(agency.id),
            names={"ar": agency.name_ar, "fr": agency.name_fr, "en": agency.name_fr, "code": agency.code},
            body_code=body_code,
            wilaya_code=agency.wilaya_code,
        )
        for agency, body_code in result.all()
    ]


async def body_named(session: AsyncSession, where: Where, code: str) -> Place:
    found = await bodies(session, replace(where, body=code))
    if not found:
        raise NotFound("body")
    return found[0]


async def wilaya_named(session: AsyncSession, where: Where, code: int) -> Place:
    found = await wilayas(session, replace(where, wilaya=code))
    if not found:
        raise NotFound("wilaya")
    return found[0]


async def agency_with_id(session: AsyncSession, where: Where, agency_id: uuid.UUID) -> Place:
    found = await agencies(session, Where(scope=where.scope, agency=agency_id))
    if not found:
        raise NotFound("agency")
    return found[0]
