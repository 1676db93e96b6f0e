"""The ranked table of evaluations of one cycle, as the page shows it: scoped, filtered, sorted, paged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.db.engine import Database
from backend.db.tables import Agency, Body, Evaluation, EvaluationCycle, Wilaya
from backend.web.listing import Listing, PageOf

SORTABLE: Final[dict[str, Any]] = {
    "rank": col(Evaluation.rank_national),
    "score": col(Evaluation.score),
    "change": col(Evaluation.change),
    "agency": col(Agency.code),
    "wilaya": col(Agency.wilaya_code),
}


@dataclass(frozen=True)
class CycleChoice:
    code: str
    name: str


@dataclass(frozen=True)
class EvaluationRow:
    id: uuid.UUID
    agency_id: uuid.UUID
    agency_code: str
    agency_name: str
    body: str
    wilaya_code: int
    wilaya_name: str
    score: float | None
    components: dict[str, Any]
    change: float | None
    flags: list[str]
    rank_national: int | None
    rank_wilaya: int | None
    decision: str | None


@dataclass(frozen=True)
class Filters:
    cycle: str | None
    body: str | None
    wilaya: int | None


@dataclass(frozen=True)
class RankingView:
    cycle: CycleChoice | None
    cycles: list[CycleChoice]
    bodies: list[str]
    wilayas: list[tuple[int, str]]
    page: PageOf[EvaluationRow]


def _name(names: dict[str, str], language: str, fallback: str) -> str:
    return names.get(language) or names.get("fr") or fallback


async def _cycles(session: AsyncSession, language: str, today: date) -> tuple[list[CycleChoice], str | None]:
    """Every cycle, newest first, and the default one: the latest that has started (a quarter before
    the semester that starts the same day)."""
    cycles = (
        (
            await session.execute(
                select(EvaluationCycle).order_by(
                    col(EvaluationCycle.starts_on).desc(), col(EvaluationCycle.ends_on)
                )
            )
        )
        .scalars()
        .all()
    )
    default = next((c.code for c in cycles if c.starts_on <= today), cycles[-1].code if cycles else None)
    return [CycleChoice(c.code, _name(c.name, language, c.code)) for c in cycles], default


def _ordered(statement: Any, listing: Listing) -> Any:
    column = SORTABLE[listing.sort]
    # Unknown values last whichever the direction: an agency without data is not "first".
    return statement.order_by(
        column.is_(None), column.desc() if listing.descending else column.asc(), col(Agency.code)
    )


async def ranking(
    db: Database, principal: Principal, filters: Filters, listing: Listing, language: str, today: date
) -> RankingView:
    """One page of the cycle's evaluations of the agencies in the principal's scope."""
    async with db.read() as session:
        cycles, default = await _cycles(session, language, today)
        code = filters.cycle if filters.cycle in {c.code for c in cycles} else default
        chosen = next((c for c in cycles if c.code == code), None)
        bodies = list((await session.execute(select(col(Body.code)).order_by(col(Body.code)))).scalars())
        wilayas = [
            (row.code, row.name_ar if language == "ar" else row.name_fr)
            for row in await session.execute(
                select(col(Wilaya.code), col(Wilaya.name_ar), col(Wilaya.name_fr)).order_by(col(Wilaya.code))
            )
        ]
        if chosen is None:
            return RankingView(None, cycles, bodies, wilayas, PageOf([], 0, listing))
        where: list[ColumnElement[bool]] = [
            col(EvaluationCycle.code) == chosen.code,
            agency_scope_clause(principal.scope),
        ]
        if filters.body:
            where.append(col(Body.code) == filters.body)
        if filters.wilaya:
            where.append(col(Agency.wilaya_code) == filters.wilaya)
        joined = (
            select(Evaluation, Agency, col(Body.code), col(Wilaya.name_ar), col(Wilaya.name_fr))
            .join(Agency, col(Agency.id) == col(Evaluation.agency_id))
            .join(Body, col(Body.id) == col(Agency.body_id))
            .join(Wilaya, col(Wilaya.code) == col(Agency.wilaya_code))
            .join(EvaluationCycle, col(EvaluationCycle.id) == col(Evaluation.cycle_id))
            .where(*where)
        )
        total = (
            await session.execute(
                select(func.count()).select_from(joined.with_only_columns(col(Evaluation.id)).subquery())
            )
        ).scalar_one()
        found = await session.execute(
            _ordered(joined, listing).offset(listing.offset).limit(listing.per_page)
        )
        items = [
            EvaluationRow(
                id=evaluation.id,
                agency_id=agency.id,
                agency_code=agency.code,
                agency_name=agency.name_ar if language == "ar" else agency.name_fr,
                body=body,
                wilaya_code=agency.wilaya_code,
                wilaya_name=wilaya_ar if language == "ar" else wilaya_fr,
                score=evaluation.score,
                components=evaluation.components,
                change=evaluation.change,
                flags=evaluation.flags,
                rank_national=evaluation.rank_national,
                rank_wilaya=evaluation.rank_wilaya,
                decision=evaluation.decision,
            )
            for evaluation, agency, body, wilaya_ar, wilaya_fr in found
        ]
    return RankingView(chosen, cycles, bodies, wilayas, PageOf(items, total, listing))
