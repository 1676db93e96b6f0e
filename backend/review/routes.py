"""Routes of the review of submitted visits (/manage/review): the queue, a visit, the decisions."""

from __future__ import annotations

import uuid
from typing import Any, Final

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.types import ControllerRouterHandler

from backend.authz.guards import principal_of, requires
from backend.errors import DomainError
from backend.http.language import request_language
from backend.http.params import DB, Req
from backend.i18n import translate
from backend.review import service
from backend.review.queries import REVIEWABLE, SORTABLE
from backend.review.service import Decision
from backend.web.listing import parse_listing
from backend.web.page import form_fields, query_string, render, see_other

_GUARDS: Final = [requires("visits.review")]
QUEUE: Final = "/manage/review"
# Notices a redirect may ask the next page to show (never free text from the query string).
_NOTICES: Final = frozenset({"approved", "returned", "resolved"})


def _notice(request: Req) -> str:
    notice = request.query_params.get("notice", "")
    return translate(f"review.notice.{notice}", request_language(request)) if notice in _NOTICES else ""


def _wilaya(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and 1 <= int(text) <= 99 else None


@get(QUEUE, guards=_GUARDS, include_in_schema=False, summary="Visits waiting for review, in scope")
async def review_queue(request: Req, db: DB) -> Response[Any]:
    query = request.query_params
    status = query.get("status") if query.get("status") in REVIEWABLE else "submitted"
    listing = parse_listing(query, SORTABLE, default_sort="submitted")
    wilaya = _wilaya(query.get("wilaya"))
    language = request_language(request)
    page = await service.load_queue(
        db,
        principal_of(request),
        status=status or "submitted",
        wilaya=wilaya,
        listing=listing,
        language=language,
    )
    context = {
        "page": page,
        "listing": listing,
        "status": status,
        "statuses": REVIEWABLE,
        "wilaya": wilaya,
        "notice_text": _notice(request),
    }
    return render(request, "manage/review/queue.html", context, title="review.queue.title")


async def _visit_page(
    request: Req,
    db: DB,
    visit_id: uuid.UUID,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    error: str = "",
    typed: str = "",
) -> Response[Any]:
    language = request_language(request)
    visit = await service.load_visit(db, principal_of(request), visit_id, language)
    context = {
        "visit": visit,
        "title": visit.title,
        "errors": errors or {},
        "error_text": error,
        "typed_comment": typed,
        "notice_text": _notice(request),
        "queue_url": QUEUE,
    }
    return render(request, "manage/review/visit.html", context, status=status)


@get(f"{QUEUE}/{{visit_id:uuid}}", guards=_GUARDS, include_in_schema=False, summary="One visit to review")
async def review_visit(request: Req, db: DB, visit_id: FromPath[uuid.UUID]) -> Response[Any]:
    return await _visit_page(request, db, visit_id)


async def _decide(request: Req, db: DB, visit_id: uuid.UUID, decision: Decision) -> Response[Any]:
    fields = await form_fields(request)
    comment = fields.get("comment", "")
    language = request_language(request)
    try:
        await service.decide(db, principal_of(request), visit_id, decision, comment)
    except service.DecisionRefused as refused:
        message = translate(refused.code, language, **_params(refused, language))
        return await _visit_page(
            request, db, visit_id, status=refused.status_code, error=message, typed=comment
        )
    except DomainError as invalid:
        if invalid.field != "comment":
            raise
        message = translate(invalid.code, language, **invalid.params)
        return await _visit_page(
            request, db, visit_id, status=invalid.status_code, errors={"comment": message}, typed=comment
        )
    notice = "approved" if decision == "approve" else "returned"
    return see_other(f"{QUEUE}?{query_string({'notice': notice})}")


def _params(error: DomainError, language: str) -> dict[str, object]:
    params = dict(error.params)
    if "status" in params:  # a status is shown as the word of the page's language
        params["status"] = translate(f"review.status.{params['status']}", language)
    return params


@post(
    f"{QUEUE}/{{visit_id:uuid}}/approve", guards=_GUARDS, include_in_schema=False, summary="Approve a visit"
)
async def approve_visit(request: Req, db: DB, visit_id: FromPath[uuid.UUID]) -> Response[Any]:
    return await _decide(request, db, visit_id, "approve")


@post(
    f"{QUEUE}/{{visit_id:uuid}}/return",
    guards=_GUARDS,
    include_in_schema=False,
    summary="Return a visit to its inspector",
)
async def return_visit(request: Req, db: DB, visit_id: FromPath[uuid.UUID]) -> Response[Any]:
    return await _decide(request, db, visit_id, "return")


@post(
    f"{QUEUE}/conflicts/{{conflict_id:uuid}}/resolve",
    guards=_GUARDS,
    include_in_schema=False,
    summary="Resolve a conflict with one of its candidates",
)
async def resolve_conflict(request: Req, db: DB, conflict_id: FromPath[uuid.UUID]) -> Response[Any]:
    fields = await form_fields(request)
    visit_id = uuid.UUID(fields["visit_id"]) if _is_uuid(fields.get("visit_id")) else None
    language = request_language(request)
    try:
        visit_id = await service.resolve(db, principal_of(request), conflict_id, fields.get("candidate", ""))
    except DomainError as refused:
        if visit_id is None or refused.field != "candidate":
            raise
        message = translate(refused.code, language, **refused.params)
        return await _visit_page(request, db, visit_id, status=refused.status_code, error=message)
    return see_other(f"{QUEUE}/{visit_id}?{query_string({'notice': 'resolved'})}")


def _is_uuid(text: str | None) -> bool:
    try:
        uuid.UUID(text or "")
    except ValueError:
        return False
    return True


REVIEW_ROUTES: Final[list[ControllerRouterHandler]] = [
    review_queue,
    review_visit,
    approve_visit,
    return_visit,
    resolve_conflict,
]
