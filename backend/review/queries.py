"""What the review pages read, always restricted to the reviewer's scope in SQL.

A visit outside the scope, or still a draft, is simply not found: its existence does not leak.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.db.tables import (
    Action,
    Agency,
    Answer,
    Attachment,
    Body,
    ChecklistTemplate,
    Finding,
    SyncConflict,
    SyncEntity,
    TemplateVersion,
    User,
    Visit,
    Wilaya,
)
from backend.web.listing import Listing, PageOf

REVIEWABLE: Final = ("submitted", "returned", "approved")
SORTABLE: Final = ("submitted", "agency", "wilaya", "inspector", "score")


@dataclass(frozen=True)
class QueueRow:
    visit_id: uuid.UUID
    status: str
    agency: str
    agency_code: str
    wilaya: str
    inspector: str
    submitted_at: datetime | None
    score_pct: float | None
    open_conflicts: int


def _name(language: str, ar: str, fr: str) -> str:
    return ar if language == "ar" else fr


def _in_scope(principal: Principal) -> ColumnElement[bool]:
    return agency_scope_clause(principal.scope)


def _order(listing: Listing, language: str) -> list[Any]:
    column: Any = {
        "submitted": col(Visit.submitted_at),
        "agency": col(Agency.name_ar) if language == "ar" else col(Agency.name_fr),
        "wilaya": col(Agency.wilaya_code),
        "inspector": col(User.display_name),
        "score": col(Visit.score_pct),
    }[listing.sort]
    ordered = column.desc() if listing.descending else column.asc()
    return [ordered.nulls_last(), col(Visit.id)]


async def queue(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str,
    wilaya: int | None,
    listing: Listing,
    language: str,
) -> PageOf[QueueRow]:
    """One page of the visits in scope with ``status``, with their open conflicts counted."""
    where = [col(Visit.status) == status, _in_scope(principal)]
    if wilaya is not None:
        where.append(col(Agency.wilaya_code) == wilaya)
    total = (
        await session.execute(
            select(func.count())
            .select_from(Visit)
            .join(Agency, col(Agency.id) == col(Visit.agency_id))
            .where(*where)
        )
    ).scalar_one()
    query = (
        select(
            col(Visit.id),
            col(Visit.status),
            col(Visit.submitted_at),
            col(Visit.score_pct),
            col(Agency.code),
            col(Agency.name_ar),
            col(Agency.name_fr),
            col(Wilaya.code),
            col(Wilaya.name_ar),
            col(Wilaya.name_fr),
            col(User.display_name),
            col(User.username),
        )
        .join(Agency, col(Agency.id) == col(Visit.agency_id))
        .join(Wilaya, col(Wilaya.code) == col(Agency.wilaya_code))
        .join(User, col(User.id) == col(Visit.created_by))
        .where(*where)
        .order_by(*_order(listing, language))
        .offset(listing.offset)
        .limit(listing.per_page)
    )
    found = (await session.execute(query)).all()
    counts = await open_conflict_counts(session, [row[0] for row in found])
    items = [
        QueueRow(
            visit_id=row[0],
            status=row[1],
            submitted_at=row[2],
            score_pct=row[3],
            agency_code=row[4],
            agency=_name(language, row[5], row[6]),
            wilaya=f"{row[7]:02d} {_name(language, row[8], row[9])}",
            inspector=row[10] or row[11],
            open_conflicts=counts.get(row[0], 0),
        )
        for row in found
    ]
    return PageOf(items=items, total=total, listing=listing)


async def open_conflict_counts(session: AsyncSession, visit_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Open conflicts per visit, on the visit itself or on its findings, actions and attachments."""
    if not visit_ids:
        return {}
    rows = await session.execute(
        select(col(SyncEntity.visit_id), func.count())
        .select_from(SyncConflict)
        .join(
            SyncEntity,
            (col(SyncEntity.entity) == col(SyncConflict.entity))
            & (col(SyncEntity.entity_id) == col(SyncConflict.entity_id)),
        )
        .where(col(SyncConflict.status) == "open", col(SyncEntity.visit_id).in_(visit_ids))
        .group_by(col(SyncEntity.visit_id))
    )
    return {visit_id: count for visit_id, count in rows.all() if visit_id is not None}


@dataclass(frozen=True)
class VisitRecord:
    """A reviewable visit in scope and the names around it."""

    visit: Visit
    agency: Agency
    wilaya: Wilaya
    body: Body
    template_key: str
    template_title: dict[str, str]
    template_version: int
    document: dict[str, Any]
    inspector: str
    reviewer: str | None


async def visit_in_scope(
    session: AsyncSession, principal: Principal, visit_id: uuid.UUID
) -> VisitRecord | None:
    """The visit if it is reviewable (submitted, returned or approved) and in ``principal``'s scope."""
    row = (
        await session.execute(
            select(Visit, Agency, Wilaya, Body, ChecklistTemplate, TemplateVersion, User)
            .join(Agency, col(Agency.id) == col(Visit.agency_id))
            .join(Wilaya, col(Wilaya.code) == col(Agency.wilaya_code))
            .join(Body, col(Body.id) == col(Agency.body_id))
            .join(TemplateVersion, col(TemplateVersion.id) == col(Visit.template_version_id))
            .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(TemplateVersion.template_id))
            .join(User, col(User.id) == col(Visit.created_by))
            .where(col(Visit.id) == visit_id, col(Visit.status).in_(REVIEWABLE), _in_scope(principal))
        )
    ).first()
    if row is None:
        return None
    visit, agency, wilaya, body, template, version, inspector = row
    reviewer = await session.get(User, visit.reviewer_id) if visit.reviewer_id else None
    return VisitRecord(
        visit=visit,
        agency=agency,
        wilaya=wilaya,
        body=body,
        template_key=template.key,
        template_title=template.title,
        template_version=version.version,
        document=version.document,
        inspector=inspector.display_name or inspector.username,
        reviewer=(reviewer.display_name or reviewer.username) if reviewer else None,
    )


@dataclass(frozen=True)
class VisitContents:
    answers: dict[str, tuple[Any, str | None]]  # item key → (value, note)
    attachments: list[Attachment]
    findings: list[Finding]
    actions: list[Action]
    conflicts: list[SyncConflict]
    users: dict[uuid.UUID, str]  # names of the action owners and conflict authors


async def visit_contents(session: AsyncSession, visit_id: uuid.UUID) -> VisitContents:
    """Everything recorded in a visit (already known to be in scope), and its open conflicts."""
    answers = {
        row.item_key: (row.value, row.note)
        for row in (await session.execute(select(Answer).where(col(Answer.visit_id) == visit_id))).scalars()
    }
    attachments = list(
        (
            await session.execute(
                select(Attachment).where(
                    col(Attachment.visit_id) == visit_id, col(Attachment.deleted).is_(False)
                )
            )
        ).scalars()
    )
    findings = list(
        (
            await session.execute(
                select(Finding)
                .where(col(Finding.visit_id) == visit_id, col(Finding.deleted).is_(False))
                .order_by(col(Finding.created_at), col(Finding.id))
            )
        ).scalars()
    )
    actions = list(
        (
            await session.execute(
                select(Action)
                .where(col(Action.visit_id) == visit_id, col(Action.deleted).is_(False))
                .order_by(col(Action.deadline).nulls_last(), col(Action.id))
            )
        ).scalars()
    )
    conflicts = list(
        (
            await session.execute(
                select(SyncConflict)
                .join(
                    SyncEntity,
                    (col(SyncEntity.entity) == col(SyncConflict.entity))
                    & (col(SyncEntity.entity_id) == col(SyncConflict.entity_id)),
                )
                .where(col(SyncConflict.status) == "open", col(SyncEntity.visit_id) == visit_id)
                .order_by(col(SyncConflict.opened_at), col(SyncConflict.id))
            )
        ).scalars()
    )
    wanted = {action.owner_id for action in actions if action.owner_id}
    for conflict in conflicts:
        for candidate in conflict.candidates:
            try:
                wanted.add(uuid.UUID(str(candidate.get("author"))))
            except ValueError:
                continue
    users: dict[uuid.UUID, str] = {}
    if wanted:
        rows = await session.execute(
            select(col(User.id), col(User.display_name), col(User.username)).where(col(User.id).in_(wanted))
        )
        users = {user_id: name or username for user_id, name, username in rows.all()}
    return VisitContents(
        answers=answers,
        attachments=attachments,
        findings=findings,
        actions=actions,
        conflicts=conflicts,
        users=users,
    )


async def conflict_in_scope(
    session: AsyncSession, principal: Principal, conflict_id: uuid.UUID
) -> tuple[SyncConflict, uuid.UUID] | None:
    """A conflict of a reviewable visit in scope, with that visit's id."""
    row = (
        await session.execute(
            select(SyncConflict, col(SyncEntity.visit_id))
            .join(
                SyncEntity,
                (col(SyncEntity.entity) == col(SyncConflict.entity))
                & (col(SyncEntity.entity_id) == col(SyncConflict.entity_id)),
            )
            .join(Visit, col(Visit.id) == col(SyncEntity.visit_id))
            .join(Agency, col(Agency.id) == col(Visit.agency_id))
            .where(col(SyncConflict.id) == conflict_id, _in_scope(principal))
        )
    ).first()
    if row is None or row[1] is None:
        return None
    return row[0], row[1]
