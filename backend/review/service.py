"""Reviewing visits: reading the queue and a visit, deciding (approve, return), resolving conflicts.

Decisions and resolutions are writes devices must see, so they go through the sync pipeline
(``apply_ops``) as the reviewer's web device: the state machine, scope, op log, feed and projection
are the ones a phone's push gets. A decision the pipeline does not apply (the visit was approved or
returned meanwhile) rolls the whole request back and is reported; nothing is half-done.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Final, Literal

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Principal
from backend.db.engine import Database
from backend.db.tables import Visit
from backend.db.types import utcnow
from backend.errors import DomainError, Invalid, NotFound
from backend.review import queries
from backend.review.queries import QueueRow
from backend.review.view import VisitPage, build
from backend.sync_server.server_ops import ServerOp, apply_ops
from backend.web.listing import Listing, PageOf
from sync.wire import OpResult

Decision = Literal["approve", "return"]
COMMENT_MAX: Final = 4000
_STATUS: Final[dict[Decision, str]] = {"approve": "approved", "return": "returned"}


class DecisionRefused(DomainError):
    """The pipeline did not apply the decision (e.g. the visit is not submitted any more)."""

    status_code = 409
    code = "review.error.refused"


def checked_comment(text: str | None, *, required: bool) -> str:
    """The review comment as it will be stored: trimmed, required to return a visit, ≤ 4000 chars."""
    comment = (text or "").strip()
    if required and not comment:
        raise Invalid("comment", code="review.error.comment_required")
    if len(comment) > COMMENT_MAX:
        raise Invalid("comment", code="review.error.comment_too_long", limit=COMMENT_MAX)
    return comment


async def load_queue(
    db: Database,
    principal: Principal,
    *,
    status: str,
    wilaya: int | None,
    listing: Listing,
    language: str,
) -> PageOf[QueueRow]:
    async with db.read() as session:
        return await queries.queue(
            session, principal, status=status, wilaya=wilaya, listing=listing, language=language
        )


async def load_visit(
    db: Database, principal: Principal, visit_id: uuid.UUID, language: str, today: date | None = None
) -> VisitPage:
    """The visit page's model; a visit out of scope, a draft or an unknown id is not found."""
    async with db.read() as session:
        record = await queries.visit_in_scope(session, principal, visit_id)
        if record is None:
            raise NotFound("visit_id")
        contents = await queries.visit_contents(session, visit_id)
    return build(record, contents, language, today or utcnow().date())


async def decide(
    db: Database,
    principal: Principal,
    visit_id: uuid.UUID,
    decision: Decision,
    comment: str | None = None,
    now: datetime | None = None,
) -> None:
    """Approve or return a submitted visit in scope, and record who reviewed it and when.

    Raises:
        NotFound: the visit is not reviewable by ``principal``.
        Invalid: returning without a comment, or a comment too long (field ``comment``).
        DecisionRefused: the visit is not submitted any more, the pipeline refused the change, or
            (approving) the visit still has open conflicts: two devices disagree on a value, and
            the reviewer keeps one before approving (returning stays possible).
    """
    now = now or utcnow()
    text = checked_comment(comment, required=decision == "return")
    status = _STATUS[decision]
    async with db.read() as session:
        record = await queries.visit_in_scope(session, principal, visit_id)
    if record is None:
        raise NotFound("visit_id")
    if record.visit.status != "submitted":
        raise DecisionRefused("status", code="review.error.not_submitted", status=record.visit.status)
    # Status first: once returned, the visit is no longer locked and the comment applies plainly.
    changes = [ServerOp("visit", visit_id, "set", "status", status)]
    if decision == "return":
        changes.append(ServerOp("visit", visit_id, "set", "review_comment", text))

    async def record_reviewer(session: AsyncSession, results: list[OpResult]) -> None:
        _require(results[0], "applied")  # a status already there is a noop: refused, nothing changes
        if decision == "approve":
            # In the decision's transaction: a conflict a device pushed a moment ago counts too.
            open_conflicts = (await queries.open_conflict_counts(session, [visit_id])).get(visit_id, 0)
            if open_conflicts:
                raise DecisionRefused("conflicts", code="review.error.open_conflicts", count=open_conflicts)
        for result in results[1:]:
            _require(result, "applied", "noop")  # the same comment as the last return is fine
        await session.execute(
            update(Visit).where(col(Visit.id) == visit_id).values(reviewed_at=now, reviewer_id=principal.id)
        )

    await apply_ops(db, principal, changes, now, then=record_reviewer)


async def resolve(
    db: Database, principal: Principal, conflict_id: uuid.UUID, candidate: str, now: datetime | None = None
) -> uuid.UUID:
    """Settle an open conflict in scope with the value of one of its candidates; the visit's id.

    Raises:
        NotFound: no such conflict in ``principal``'s scope.
        Invalid: ``candidate`` is none of the conflict's (field ``candidate``).
        DecisionRefused: the conflict was already resolved, or the pipeline refused.
    """
    async with db.read() as session:
        found = await queries.conflict_in_scope(session, principal, conflict_id)
    if found is None:
        raise NotFound("conflict_id")
    conflict, visit_id = found
    if conflict.status != "open":
        raise DecisionRefused("candidate", code="review.error.already_resolved")
    chosen = next((c for c in conflict.candidates if str(c.get("op_id")) == candidate), None)
    if chosen is None:
        raise Invalid("candidate", code="review.error.no_candidate")

    async def check(_session: AsyncSession, results: list[OpResult]) -> None:
        _require(results[0], "applied")

    await apply_ops(
        db,
        principal,
        [ServerOp("conflict", conflict_id, "resolve", value=chosen.get("value"))],
        now,
        then=check,
    )
    return visit_id


def _require(result: OpResult, *outcomes: str) -> None:
    """The op had one of ``outcomes``, or the request is refused (raising rolls the transaction back)."""
    if result.outcome in outcomes:
        return
    if result.reason is not None:
        raise DecisionRefused(result.reason.field, code="review.error.refused", reason=result.reason.message)
    raise DecisionRefused(None, code="review.error.not_applied", outcome=result.outcome)
