"""Which visits an export covers: the user's scope and the filters, read in keyset pages.

Pages follow ``(visit_day, id)``, never OFFSET (which rereads everything it skips), and each page is
read in a short session of its own, so a slow download holds no database connection between pages.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, Date, Select, and_, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.db.engine import Database
from backend.db.tables import Agency, Body, User, Visit, Wilaya
from backend.exports.filters import ExportRequest

# Visits without a day (none come from the sync pipeline) sort first instead of vanishing.
_NO_DAY: Final = literal(date(1970, 1, 1), Date)
_sort_day: Final = func.coalesce(col(Visit.visit_day), _NO_DAY)


def visit_filters(
    principal: Principal, request: ExportRequest, days: tuple[date | None, date | None]
) -> list[Any]:
    """The WHERE clauses that every dataset applies to visits (scope first)."""
    clauses: list[Any] = [agency_scope_clause(principal.scope), col(Visit.status) != "deleted"]
    day_from, day_to = days
    if day_from is not None:
        clauses.append(col(Visit.visit_day) >= day_from)
    if day_to is not None:
        clauses.append(col(Visit.visit_day) <= day_to)
    if request.status:
        clauses.append(col(Visit.status) == request.status)
    if request.body:
        clauses.append(col(Body.code) == request.body)
    if request.wilaya is not None:
        clauses.append(col(Agency.wilaya_code) == request.wilaya)
    if request.agency:
        clauses.append(col(Agency.code) == request.agency)
    return clauses


def _visit_select(clauses: Sequence[Any]) -> Select[Any]:
    inspector = aliased(User)
    query: Any = (
        select(
            col(Visit.id).label("id"),
            _sort_day.label("sort_day"),
            col(Visit.visit_day).label("visit_day"),
            col(Visit.template_version_id).label("template_version_id"),
            col(Visit.status).label("status"),
            col(Visit.started_at).label("started_at"),
            col(Visit.submitted_at).label("submitted_at"),
            col(Visit.reviewed_at).label("reviewed_at"),
            col(Visit.score_pct).label("score_pct"),
            col(Visit.delay_days_sum).label("delay_days_sum"),
            col(Visit.delay_samples).label("delay_samples"),
            col(Visit.satisfaction_sum).label("satisfaction_sum"),
            col(Visit.satisfaction_count).label("satisfaction_count"),
            col(Agency.code).label("agency_code"),
            col(Agency.name_ar).label("agency_name_ar"),
            col(Agency.name_fr).label("agency_name_fr"),
            col(Agency.wilaya_code).label("wilaya_code"),
            col(Body.code).label("body"),
            col(Wilaya.name_ar).label("wilaya_name_ar"),
            col(Wilaya.name_fr).label("wilaya_name_fr"),
            inspector.username.label("inspector"),  # type: ignore[attr-defined]
            inspector.display_name.label("inspector_name"),  # type: ignore[attr-defined]
        )
        .join(Agency, col(Agency.id) == col(Visit.agency_id))
        .join(Body, col(Body.id) == col(Agency.body_id))
        .join(Wilaya, col(Wilaya.code) == col(Agency.wilaya_code))
        .outerjoin(inspector, inspector.id == col(Visit.created_by))  # type: ignore[arg-type]
        .where(*clauses)
    )
    return cast("Select[Any]", query)  # one row of many labelled columns


async def visit_pages(db: Database, clauses: Sequence[Any], size: int) -> AsyncIterator[list[Any]]:
    """The visits that pass ``clauses``, ordered by day then id, ``size`` at a time."""
    after: tuple[date, uuid.UUID] | None = None
    while True:
        query = _visit_select(clauses)
        if after is not None:
            day, last = after
            keyset: ColumnElement[bool] = or_(_sort_day > day, and_(_sort_day == day, col(Visit.id) > last))
            query = query.where(keyset)
        query = query.order_by(_sort_day, col(Visit.id)).limit(size)
        async with db.read() as session:
            page = list((await session.execute(query)).all())
        if not page:
            return
        yield page
        if len(page) < size:
            return
        after = (page[-1].sort_day, page[-1].id)
