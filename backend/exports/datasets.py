"""The four datasets of the exports: their columns and their rows, read in bounded chunks.

Every dataset hangs off visits: the visits in the user's scope that pass the filters come in
keyset pages (``backend.exports.visit_query``), and the answers, findings and actions of each page
come with one more query, so that memory holds one page at a time whatever the size of the export.
Column keys are stable English names: scripts that read the files rely on them, whatever the
language of the person who exported.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from backend.actions.rules import NOT_DONE, OVERDUE, is_overdue
from backend.authz.principal import Principal
from backend.db.engine import Database
from backend.db.tables import Action, Answer, Finding, TemplateVersion, User
from backend.db.types import utcnow
from backend.exports.filters import ExportRequest
from backend.exports.formats import Row
from backend.exports.visit_query import visit_filters, visit_pages
from backend.localtime import local_today

_AGENCY: Final = ("agency_code", "agency_name_ar", "agency_name_fr")
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "visits": (
        "visit_id",
        *_AGENCY,
        "body",
        "wilaya_code",
        "wilaya_name_ar",
        "wilaya_name_fr",
        "inspector",
        "inspector_name",
        "status",
        "visit_day",
        "started_at",
        "submitted_at",
        "reviewed_at",
        "score_pct",
        "delay_days_mean",
        "delay_samples",
        "satisfaction_mean",
        "satisfaction_count",
    ),
    "answers": (
        "visit_id",
        "visit_day",
        *_AGENCY,
        "section",
        "item_key",
        "item_label",
        "item_type",
        "value",
        "note",
    ),
    "findings": (
        "finding_id",
        "visit_id",
        "visit_day",
        *_AGENCY,
        "item_key",
        "item_label",
        "severity",
        "description",
        "created_at",
    ),
    "actions": (
        "action_id",
        "visit_id",
        "visit_day",
        *_AGENCY,
        "description",
        "owner",
        "owner_user",
        "deadline",
        "status",
        "overdue",
        "done_at",
        "verified_at",
    ),
}
# Visits per page: the children of one page (52 answers a visit) stay a few thousand rows.
PAGE_SIZES: Final = {"visits": 1000, "answers": 100, "findings": 500, "actions": 500}


class ItemInfo:
    """Where an item sits in its template version, and what it is called."""

    __slots__ = ("label", "order", "section", "type")

    def __init__(self, order: int, section: str, label: str, type_: str) -> None:
        self.order, self.section, self.label, self.type = order, section, label, type_


def localized(text: Any, language: str) -> str:
    """A ``{ar, fr, en}`` text in ``language``, else in any language it has."""
    if not isinstance(text, dict):
        return str(text or "")
    return str(text.get(language) or text.get("fr") or text.get("ar") or text.get("en") or "")


def item_index(document: dict[str, Any], language: str) -> dict[str, ItemInfo]:
    """The items of a template document by key, in document order."""
    index: dict[str, ItemInfo] = {}
    for section in document.get("sections", []):
        for item in section.get("items", []):
            index[item["key"]] = ItemInfo(
                len(index), section.get("key", ""), localized(item.get("label"), language), item["type"]
            )
    return index


def flatten(value: Any) -> str | int | float | bool | None:
    """An answer as one cell: scalars as they are, a list of choices joined, rows as JSON text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list) and all(isinstance(part, str | int | float) for part in value):
        return "; ".join(str(part) for part in value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _agency(visit: Any) -> tuple[str, str, str]:
    return (visit.agency_code, visit.agency_name_ar, visit.agency_name_fr)


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 2) if count else None


def visit_row(visit: Any) -> Row:
    return (
        str(visit.id),
        *_agency(visit),
        visit.body,
        visit.wilaya_code,
        visit.wilaya_name_ar,
        visit.wilaya_name_fr,
        visit.inspector,
        visit.inspector_name,
        visit.status,
        visit.visit_day,
        visit.started_at,
        visit.submitted_at,
        visit.reviewed_at,
        visit.score_pct,
        _mean(visit.delay_days_sum, visit.delay_samples),
        visit.delay_samples,
        _mean(visit.satisfaction_sum, visit.satisfaction_count),
        visit.satisfaction_count,
    )


class Exporter:
    """The rows of one export request, chunk by chunk."""

    def __init__(
        self,
        db: Database,
        principal: Principal,
        request: ExportRequest,
        days: tuple[date | None, date | None],
        language: str,
    ) -> None:
        self.db, self.request, self.language = db, request, language
        self.clauses = visit_filters(principal, request, days)
        self.columns = COLUMNS[request.dataset]
        self._items: dict[uuid.UUID, dict[str, ItemInfo]] = {}
        self._today = local_today(utcnow())

    async def chunks(self) -> AsyncIterator[list[Row]]:
        """Lists of rows, each bounded by the page size of the dataset."""
        dataset = self.request.dataset
        async for page in visit_pages(self.db, self.clauses, PAGE_SIZES[dataset]):
            if dataset == "visits":
                rows = [visit_row(visit) for visit in page]
            else:
                async with self.db.read() as session:
                    rows = await self._children(session, dataset, page)
            if rows:
                yield rows

    async def _children(self, session: AsyncSession, dataset: str, page: list[Any]) -> list[Row]:
        await self._load_items(session, {visit.template_version_id for visit in page})
        visits = {visit.id: visit for visit in page}
        if dataset == "answers":
            return await self._answers(session, visits)
        if dataset == "findings":
            return await self._findings(session, visits)
        return await self._actions(session, visits)

    async def _load_items(self, session: AsyncSession, version_ids: set[uuid.UUID]) -> None:
        missing = version_ids - self._items.keys()
        if not missing:
            return
        query = select(col(TemplateVersion.id), col(TemplateVersion.document)).where(
            col(TemplateVersion.id).in_(missing)
        )
        for version_id, document in (await session.execute(query)).all():
            self._items[version_id] = item_index(document, self.language)

    def _item(self, visit: Any, key: str | None) -> ItemInfo | None:
        return self._items.get(visit.template_version_id, {}).get(key or "")

    async def _answers(self, session: AsyncSession, visits: dict[uuid.UUID, Any]) -> list[Row]:
        query = select(Answer).where(col(Answer.visit_id).in_(visits))
        answers = list((await session.execute(query)).scalars())
        order = {visit_id: position for position, visit_id in enumerate(visits)}

        def key(answer: Answer) -> tuple[int, int, str]:
            info = self._item(visits[answer.visit_id], answer.item_key)
            return (order[answer.visit_id], info.order if info else 1_000_000, answer.item_key)

        rows: list[Row] = []
        for answer in sorted(answers, key=key):
            visit = visits[answer.visit_id]
            info = self._item(visit, answer.item_key)
            rows.append(
                (
                    str(visit.id),
                    visit.visit_day,
                    *_agency(visit),
                    info.section if info else None,
                    answer.item_key,
                    info.label if info else None,
                    info.type if info else None,
                    flatten(answer.value),
                    answer.note,
                )
            )
        return rows

    async def _findings(self, session: AsyncSession, visits: dict[uuid.UUID, Any]) -> list[Row]:
        query = (
            select(Finding)
            .where(col(Finding.visit_id).in_(visits), col(Finding.deleted).is_(False))
            .order_by(col(Finding.created_at), col(Finding.id))
        )
        findings = sorted((await session.execute(query)).scalars(), key=_by_visit(visits))
        rows: list[Row] = []
        for finding in findings:
            visit = visits[finding.visit_id]
            info = self._item(visit, finding.item_key)
            rows.append(
                (
                    str(finding.id),
                    str(visit.id),
                    visit.visit_day,
                    *_agency(visit),
                    finding.item_key,
                    info.label if info else None,
                    finding.severity,
                    finding.description,
                    finding.created_at,
                )
            )
        return rows

    async def _actions(self, session: AsyncSession, visits: dict[uuid.UUID, Any]) -> list[Row]:
        owner = aliased(User)
        query = (
            select(Action, owner.username)  # type: ignore[call-overload]
            .outerjoin(owner, owner.id == col(Action.owner_id))
            .where(col(Action.visit_id).in_(visits), col(Action.deleted).is_(False))
            .order_by(col(Action.created_at), col(Action.id))
        )
        wanted = self.request.action_status
        if wanted == OVERDUE:
            query = query.where(col(Action.status).in_(NOT_DONE), col(Action.deadline) < self._today)
        elif wanted:
            query = query.where(col(Action.status) == wanted)
        found = sorted((await session.execute(query)).all(), key=lambda row: _by_visit(visits)(row[0]))
        rows: list[Row] = []
        for action, owner_user in found:
            visit = visits[action.visit_id]
            rows.append(
                (
                    str(action.id),
                    str(visit.id),
                    visit.visit_day,
                    *_agency(visit),
                    action.description,
                    action.owner_name or None,
                    owner_user,
                    action.deadline,
                    action.status,
                    is_overdue(action.status, action.deadline, self._today),
                    action.done_at,
                    action.verified_at,
                )
            )
        return rows


def _by_visit(visits: dict[uuid.UUID, Any]) -> Any:
    order = {visit_id: position for position, visit_id in enumerate(visits)}

    def key(record: Finding | Action) -> tuple[int, datetime]:
        return (order[record.visit_id], record.created_at)

    return key
