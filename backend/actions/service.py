"""The follow-up of corrective actions: listing them, showing one with its history, moving its status.

A status change made on the pages goes through ``apply_ops`` (the sync pipeline, as the user's "web"
device), so the inspector's phone sees it on its next pull and the history row is written by the same
projection that records a phone's changes.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import col

from backend.actions import queries
from backend.actions.rules import (
    EVIDENCE_MAX_BYTES,
    OVERDUE,
    STATUSES,
    ActionFilters,
    change_errors,
    days_late,
    is_overdue,
    next_statuses,
)
from backend.actions.views import (
    ActionDetail,
    ActionRow,
    AgencyRef,
    HistoryEntry,
    StatusCount,
)
from backend.authz.principal import Principal
from backend.blobs import service as blobs
from backend.blobs.service import CHUNK_MAX_BYTES, BlobInfo
from backend.blobs.store import BlobStore
from backend.dashboard.cache import cached
from backend.db.engine import Database
from backend.db.tables import ActionEvent, Blob, Body, SyncField, Wilaya
from backend.db.types import utcnow
from backend.errors import DomainError, NotFound
from backend.localtime import local_today
from backend.sync_server.server_ops import ServerOp, apply_ops
from backend.web.listing import Listing, PageOf

# Reasons of the sync pipeline shown as they are; any other refusal is reported as "rejected".
_KNOWN_REASONS = frozenset({"illegal_transition", "not_reviewer", "out_of_scope", "unknown_status"})


class ChangeRefused(DomainError):
    """A status change that was not made, with what is wrong per field (``{field: code}``)."""

    status_code = 422
    code = "invalid"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors)))
        self.errors = errors


async def list_actions(
    db: Database, principal: Principal, filters: ActionFilters, listing: Listing, now: datetime
) -> tuple[PageOf[ActionRow], list[StatusCount]]:
    """One page of the actions ``principal`` sees, and the counts per status under the same filters."""
    today = local_today(now)
    scope = principal.scope
    query = queries.page_query(
        scope,
        filters,
        today,
        sort=listing.sort,
        descending=listing.descending,
        offset=listing.offset,
        limit=listing.per_page,
    )
    async with db.read() as session:

        async def count() -> list[tuple[str, int, int]]:
            rows = await session.execute(queries.status_counts_query(scope, filters, today))
            return [(status, int(actions), int(late or 0)) for status, actions, late in rows]

        # Counting reads every action in scope (~220,000 nationally): kept until the sync feed moves
        # (every change of an action or a visit goes through it) or for a minute at most.
        counted = await cached(db, session, ("actions.status_counts", scope, filters, today), count)
        found = await session.execute(query)
    items = [
        ActionRow(
            id=row.id,
            agency=AgencyRef(row.agency_id, row.agency_code, row.name_ar, row.name_fr),
            description=row.description,
            owner=row.owner_name or row.display_name or "",
            deadline=row.deadline,
            status=row.status,
            overdue=is_overdue(row.status, row.deadline, today),
            days_late=days_late(row.status, row.deadline, today),
            visit_id=row.visit_id,
        )
        for row in found
    ]
    per_status = {status: actions for status, actions, _late in counted}
    late = sum(late for _status, _actions, late in counted)
    counts = [StatusCount(status, per_status.get(status, 0)) for status in STATUSES]
    # The counts are taken under every filter but the status one, so the list's total is one of them.
    if filters.status == OVERDUE:
        total = late
    elif filters.status is not None:
        total = per_status.get(filters.status, 0)
    else:
        total = sum(per_status.values())
    return PageOf(items, total, listing), [*counts, StatusCount(OVERDUE, late)]


async def filter_choices(db: Database) -> tuple[list[str], list[tuple[int, str, str]]]:
    """The bodies (codes) and wilayas (code, Arabic and French names) the list can be filtered by."""
    async with db.read() as session:
        bodies = list((await session.execute(select(col(Body.code)).order_by(col(Body.code)))).scalars())
        wilayas = (
            await session.execute(
                select(col(Wilaya.code), col(Wilaya.name_ar), col(Wilaya.name_fr)).order_by(col(Wilaya.code))
            )
        ).all()
    return bodies, [(code, name_ar, name_fr) for code, name_ar, name_fr in wilayas]


async def action_detail(
    db: Database, principal: Principal, action_id: uuid.UUID, now: datetime
) -> ActionDetail:
    """One action ``principal`` sees, with its history; not found when out of scope (no leak)."""
    today = local_today(now)
    async with db.read() as session:
        row = (await session.execute(queries.detail_query(principal.scope, action_id))).first()
        if row is None:
            raise NotFound("action_id")
        history = (await session.execute(queries.history_query(action_id))).all()
        note = (
            await session.execute(
                select(col(SyncField.value)).where(
                    col(SyncField.entity) == "action",
                    col(SyncField.entity_id) == action_id,
                    col(SyncField.field) == "note",
                )
            )
        ).scalar_one_or_none()
    action, agency_code, name_ar, name_fr, body_code, visit_day, _visit_status, severity, finding, owner = row
    return ActionDetail(
        id=action.id,
        agency=AgencyRef(action.agency_id, agency_code, name_ar, name_fr),
        body_code=body_code,
        visit_id=action.visit_id,
        visit_day=visit_day,
        finding_severity=severity,
        finding_description=finding,
        description=action.description,
        owner=action.owner_name or owner or "",
        deadline=action.deadline,
        status=action.status,
        overdue=is_overdue(action.status, action.deadline, today),
        days_late=days_late(action.status, action.deadline, today),
        note=note if isinstance(note, str) else None,
        history=[
            HistoryEntry(
                at=event.at,
                actor=actor or "",
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
                evidence=list(event.evidence or []),
            )
            for event, actor in history
        ],
        next_statuses=next_statuses(action.status, principal.role),
    )


async def change_status(
    db: Database,
    store: BlobStore,
    principal: Principal,
    action_id: uuid.UUID,
    *,
    target: str,
    note: str,
    evidence: bytes | None,
) -> None:
    """Move an action to ``target`` with ``note`` and an optional evidence photo.

    Raises:
        NotFound: the action is not in ``principal``'s scope.
        ChangeRefused: the move is not allowed, a note is missing, the evidence is not a JPEG or PNG
            of at most 5 MiB; nothing was changed.
    """
    now = utcnow()
    detail = await action_detail(db, principal, action_id, now)
    errors = change_errors(detail.status, target, principal.role, note, evidence)
    if errors:
        raise ChangeRefused(errors)
    sha256 = await _store_evidence(db, store, principal, evidence) if evidence is not None else None
    changes = [ServerOp("action", action_id, "set", "status", target)]
    if note:
        changes.append(ServerOp("action", action_id, "set", "note", note))
    # The status goes first: checked again under the sync lock, in case someone moved it meanwhile.
    results = await apply_ops(db, principal, changes, now)
    status = results[0]
    if status.outcome == "rejected":
        code = status.reason.code if status.reason else "rejected"
        raise ChangeRefused({"status": code if code in _KNOWN_REASONS else "rejected"})
    if sha256 is not None:
        await _attach_evidence(db, action_id, now, target, sha256)


async def _store_evidence(db: Database, store: BlobStore, principal: Principal, data: bytes) -> str:
    """Keep the photo as a content-addressed blob (once, however often it is sent); its SHA-256."""
    sha256 = hashlib.sha256(data).hexdigest()
    offset = 0
    while offset < len(data):  # the blob service takes chunks of at most CHUNK_MAX_BYTES
        chunk = data[offset : offset + CHUNK_MAX_BYTES]
        offset = await blobs.append_chunk(
            db,
            store,
            principal,
            sha256=sha256,
            offset=offset,
            length=len(data),
            data=chunk,
            max_bytes=EVIDENCE_MAX_BYTES,
        )
    return sha256


async def _attach_evidence(
    db: Database, action_id: uuid.UUID, at: datetime, target: str, sha256: str
) -> None:
    """Add the photo to the history row the projection wrote for this move (same instant, same status).

    ``apply_ops`` carries only the fields devices sync (status, note); the evidence stays on the
    server, so it joins its event right after, keyed by the event's unique (action, at, to_status).
    """
    async with db.write() as session, session.begin():
        await session.execute(
            update(ActionEvent)
            .where(
                col(ActionEvent.action_id) == action_id,
                col(ActionEvent.at) == at,
                col(ActionEvent.to_status) == target,
            )
            .values(evidence=[sha256])
        )


async def evidence_blob(
    db: Database, store: BlobStore, principal: Principal, action_id: uuid.UUID, sha256: str
) -> BlobInfo:
    """An evidence photo of an action ``principal`` sees; not found unless its history names it."""
    async with db.read() as session:
        if (await session.execute(queries.detail_query(principal.scope, action_id))).first() is None:
            raise NotFound("action_id")
        evidence: list[Any] = [
            list(event.evidence or [])
            for event in (
                await session.execute(select(ActionEvent).where(col(ActionEvent.action_id) == action_id))
            ).scalars()
        ]
        blob = await session.get(Blob, sha256)
    if not any(sha256 in items for items in evidence) or blob is None or blob.completed_at is None:
        raise NotFound("sha256")
    if not await store.has(sha256):
        raise NotFound("sha256")
    return BlobInfo(sha256=sha256, mime=blob.mime, length=blob.length)
