"""Template management: upload a version as a draft, preview it, publish it, retire it.

Each write is one transaction that also records an ``AuditEvent``; publishing and retiring put the
whole version into the sync feed in that same transaction, so a device never sees a status the
database does not hold.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from backend.authz.principal import Principal
from backend.checklists import TemplateDocument, TemplateInvalid, decode_template, parse_template
from backend.checklists.admin_rules import VERSION_EXISTS, Action, count_items, next_status
from backend.checklists.problems import TemplateProblem
from backend.db.engine import Database
from backend.db.tables import AuditEvent, ChecklistTemplate, TemplateVersion
from backend.db.types import utcnow
from backend.errors import DomainError, Invalid, NotFound
from backend.sync_server.feed import publish, template_record
from backend.web.listing import Listing, PageOf


class UploadRejected(Invalid):
    """A document that cannot become a draft, with every problem found (nothing was stored)."""

    code = "templates.upload_rejected"

    def __init__(self, problems: list[TemplateProblem]) -> None:
        field = "version" if any(problem.path == "version" for problem in problems) else "document"
        super().__init__(field)
        self.problems = problems


class StatusRefused(DomainError):
    """A publish or retire that does not apply to the version's current status."""

    status_code = 409
    code = "templates.status_refused"


@dataclass(frozen=True)
class VersionRow:
    """One line of the list of versions."""

    id: uuid.UUID
    template_key: str
    title: dict[str, str]
    version: int
    status: str
    created_at: datetime
    published_at: datetime | None
    items: int


@dataclass(frozen=True)
class VersionView:
    """A version with its decoded document, for the preview."""

    id: uuid.UUID
    template_key: str
    version: int
    status: str
    created_at: datetime
    published_at: datetime | None
    document: TemplateDocument


# Sort keys of the list: each orders by its column, then by template and newest version first.
_ORDERS: dict[str, Any] = {
    "template": col(ChecklistTemplate.key),
    "created": col(TemplateVersion.created_at),
    "status": col(TemplateVersion.status),
}
SORTABLE = tuple(_ORDERS)


async def list_versions(db: Database, listing: Listing) -> PageOf[VersionRow]:
    """One page of every version of every template."""
    first = _ORDERS.get(listing.sort, _ORDERS["template"])
    async with db.read() as session:
        total = (await session.execute(select(func.count()).select_from(TemplateVersion))).scalar_one()
        rows = await session.execute(
            select(TemplateVersion, col(ChecklistTemplate.key), col(ChecklistTemplate.title))
            .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(TemplateVersion.template_id))
            .order_by(
                first.desc() if listing.descending else first.asc(),
                col(ChecklistTemplate.key),
                col(TemplateVersion.version).desc(),
            )
            .offset(listing.offset)
            .limit(listing.per_page)
        )
        items = [
            VersionRow(
                id=version.id,
                template_key=key,
                # A version carries its own title; the template's is the one of its first upload.
                title=version.document.get("title") or title,
                version=version.version,
                status=version.status,
                created_at=version.created_at,
                published_at=version.published_at,
                items=count_items(version.document),
            )
            for version, key, title in rows.all()
        ]
    return PageOf(items=items, total=total, listing=listing)


async def upload(db: Database, principal: Principal, text: str) -> uuid.UUID:
    """Validate a document and store it as a draft version, creating its template on first use.

    Raises:
        UploadRejected: The document is invalid, or its version number is already taken for its key.
    """
    try:
        parsed = parse_template(text)
    except TemplateInvalid as error:
        raise UploadRejected(error.problems) from error
    document: dict[str, Any] = parse_json(text)
    now = utcnow()
    try:
        async with db.write() as session, session.begin():
            template = (
                await session.execute(
                    select(ChecklistTemplate).where(col(ChecklistTemplate.key) == parsed.key)
                )
            ).scalar_one_or_none()
            if template is None:
                template = ChecklistTemplate(key=parsed.key, title=document["title"], created_at=now)
                session.add(template)
                await session.flush()
            elif await _version_taken(session, template.id, parsed.version):
                raise _version_exists(parsed.version)
            version = TemplateVersion(
                template_id=template.id,
                version=parsed.version,
                status="draft",
                document=document,
                created_by=principal.id,
                created_at=now,
            )
            session.add(version)
            await session.flush()
            session.add(_audit(principal, "template_uploaded", version, parsed.key, now))
    except IntegrityError as error:  # the same key and version uploaded at the same moment
        raise _version_exists(parsed.version) from error
    return version.id


async def get_version(db: Database, version_id: uuid.UUID) -> VersionView:
    """A version and its document; NotFound when there is no such version."""
    async with db.read() as session:
        row = (
            await session.execute(
                select(TemplateVersion, col(ChecklistTemplate.key))
                .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(TemplateVersion.template_id))
                .where(col(TemplateVersion.id) == version_id)
            )
        ).one_or_none()
    if row is None:
        raise NotFound("version_id")
    version, key = row
    return VersionView(
        id=version.id,
        template_key=key,
        version=version.version,
        status=version.status,
        created_at=version.created_at,
        published_at=version.published_at,
        document=decode_template(version.document),  # valid when stored; the checks need not rerun
    )


async def change_status(db: Database, principal: Principal, version_id: uuid.UUID, action: Action) -> None:
    """Publish a draft or retire a published version, and hand the new status to devices.

    Raises:
        NotFound: No such version.
        StatusRefused: The version is not in the status the action starts from (publishing twice).
    """
    now = utcnow()
    async with db.write() as session, session.begin():
        # FOR UPDATE on PostgreSQL: two reviewers clicking at once publish the version once
        # (SQLite serializes write transactions already).
        version = (
            await session.execute(
                select(TemplateVersion).where(col(TemplateVersion.id) == version_id).with_for_update()
            )
        ).scalar_one_or_none()
        if version is None:
            raise NotFound("version_id")
        status = next_status(version.status, action)
        if status is None:
            raise StatusRefused("status", code=f"templates.cannot_{action}", status=version.status)
        template = await session.get(ChecklistTemplate, version.template_id)
        if template is None:  # impossible while the foreign key holds; never publish an orphan
            raise NotFound("template_id")
        version.status = status
        if action == "publish":
            version.published_at = now
            template.title = version.document.get("title") or template.title
        session.add(version)
        session.add(_audit(principal, f"template_{status}", version, template.key, now))
        await session.flush()
        await publish(session, [template_record(version, template.key)], now)


def parse_json(text: str) -> dict[str, Any]:
    """The document as stored: the JSON exactly as uploaded (already known to decode)."""
    return cast(dict[str, Any], json.loads(text))


async def _version_taken(session: Any, template_id: uuid.UUID, version: int) -> bool:
    found = await session.execute(
        select(col(TemplateVersion.id)).where(
            col(TemplateVersion.template_id) == template_id, col(TemplateVersion.version) == version
        )
    )
    return found.first() is not None


def _version_exists(version: int) -> UploadRejected:
    return UploadRejected(
        [TemplateProblem(path="version", code=VERSION_EXISTS, message=f"version {version} already exists")]
    )


def _audit(principal: Principal, kind: str, version: TemplateVersion, key: str, now: datetime) -> AuditEvent:
    return AuditEvent(
        at=now,
        actor_id=principal.id,
        kind=kind,
        subject=f"template_version:{version.id}",
        detail={"template_key": key, "version": version.version, "status": version.status},
    )
