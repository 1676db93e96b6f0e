"""Routes of the cycles, schedules and assignments (/manage/planning).

Thin handlers: read the form or the query, call ``service`` (writes) or ``queries`` (reads), render.
A refused form is shown again with status 422, what was typed kept and the message beside its field.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Mapping
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from backend.authz.guards import principal_of
from backend.errors import DomainError, NotFound
from backend.http.params import DB, Req
from backend.localtime import local_today
from backend.planning import queries, service
from backend.planning.forms import AGENCY_KINDS, CYCLE_KINDS, FormInvalid, parse_cycle, parse_schedule
from backend.planning.recurrence import FREQUENCIES
from backend.planning.schedule_routes import SCHEDULE_CHANGE_ROUTES
from backend.planning.web import GUARD, domain_errors, field_messages
from backend.web.listing import parse_listing
from backend.web.page import form_fields, form_lists, render, safe_next, see_other

# What the schedule's page says after a change (``?changed=``): anything else is ignored.
_CHANGES: Final = ("paused", "resumed", "edited")


async def _home(
    request: Req,
    db: DB,
    *,
    cycle_form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    principal = principal_of(request)
    listing = parse_listing(
        request.query_params, queries.SCHEDULE_SORTS, default_sort="created_at", default_descending=True
    )
    today = local_today()
    return render(
        request,
        "manage/planning/index.html",
        {
            "cycles": await queries.cycles(db),
            "schedules": await queries.schedules(db, principal, listing, today),
            "listing": listing,
            "cycle_kinds": CYCLE_KINDS,
            "form": cycle_form or {},
            "errors": errors or {},
            "created": request.query_params.get("created"),
        },
        status=status,
        title="planning.title",
    )


@get("/manage/planning", guards=GUARD, include_in_schema=False, summary="Cycles and schedules")
async def planning_home(request: Req, db: DB) -> Template:
    return await _home(request, db)


@post("/manage/cycles", guards=GUARD, include_in_schema=False, summary="Create an evaluation cycle")
async def create_cycle(request: Req, db: DB) -> Response[Any]:
    fields = await form_fields(request)
    try:
        await service.create_cycle(db, principal_of(request), parse_cycle(fields))
    except FormInvalid as invalid:
        return await _home(
            request, db, cycle_form=fields, errors=field_messages(request, invalid.errors), status=422
        )
    except DomainError as error:
        return await _home(
            request,
            db,
            cycle_form=fields,
            errors=field_messages(request, domain_errors(error)),
            status=error.status_code if error.status_code != 409 else 422,
        )
    return see_other("/manage/planning?created=cycle")


async def _schedule_form(
    request: Req, db: DB, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    return render(
        request,
        "manage/planning/schedule_new.html",
        {
            **await queries.form_choices(db, principal_of(request)),
            "frequencies": FREQUENCIES,
            "agency_kinds": AGENCY_KINDS,
            "form": form,
            "errors": errors,
        },
        status=status,
        title="planning.schedule.new",
    )


@get("/manage/schedules/new", guards=GUARD, include_in_schema=False, summary="The new schedule form")
async def new_schedule(request: Req, db: DB) -> Template:
    today = local_today()
    defaults: dict[str, Any] = {
        "frequency": "quarterly",
        "interval": "1",
        "month_day": "1",
        "due_days": "30",
        "dtstart": today.replace(day=1).isoformat(),
        "bodies": [],
        "wilayas": [],
        "kinds": [],
        "assignees": [],
    }
    return await _schedule_form(request, db, defaults, {})


@post("/manage/schedules", guards=GUARD, include_in_schema=False, summary="Create a schedule and generate it")
async def create_schedule(request: Req, db: DB) -> Response[Any]:
    fields = await form_fields(request)
    lists = await form_lists(request)
    typed: dict[str, Any] = {
        **fields,
        **{k: lists.get(k, []) for k in ("bodies", "wilayas", "kinds", "assignees")},
    }
    try:
        schedule_id, created = await service.create_schedule(
            db, principal_of(request), parse_schedule(fields, lists)
        )
    except FormInvalid as invalid:
        return await _schedule_form(request, db, typed, field_messages(request, invalid.errors), 422)
    except DomainError as error:
        if error.status_code != 422:
            raise
        return await _schedule_form(request, db, typed, field_messages(request, domain_errors(error)), 422)
    return see_other(f"/manage/schedules/{schedule_id}?created={created}")


def _assignment_filters(query: Mapping[str, str], schedule_id: uuid.UUID | None) -> queries.AssignmentFilters:

    def uuid_or_none(text: str | None) -> uuid.UUID | None:
        try:
            return uuid.UUID(text) if text else None
        except ValueError:
            return None

    wilaya = query.get("wilaya") or ""
    return queries.AssignmentFilters(
        status=query.get("status") if query.get("status") in queries.STATUSES else None,
        assignee=uuid_or_none(query.get("assignee")),
        wilaya=int(wilaya) if wilaya.isdigit() and 0 < int(wilaya) < 100 else None,
        body=(query.get("body") or None),
        schedule=schedule_id,
    )


def _link_on(path: str, current: Mapping[str, str]) -> Any:
    """``link(**changes)`` on ``path`` with the ``current`` query: a page shown again after a POST
    sorts and pages like the one the form came from."""

    def link(**changes: object) -> str:
        merged = {**current, **changes}
        query = urlencode({k: v for k, v in merged.items() if v not in (None, "") and k != "lang"})
        return f"{path}?{query}" if query else path

    return link


async def _assignments_page(
    request: Req,
    db: DB,
    *,
    schedule_id: uuid.UUID | None = None,
    errors: dict[str, str] | None = None,
    error_row: uuid.UUID | None = None,
    back: str | None = None,
    status: int = 200,
) -> Template:
    """The assignments of a schedule, or all those in scope; after a refused POST, the list the form
    came from (``back``), with the error beside the row."""
    principal = principal_of(request)
    if back is None:
        query: Mapping[str, str] = request.query_params
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        extra: dict[str, Any] = {}
    else:
        parts = urlsplit(back)
        query = dict(parse_qsl(parts.query))
        back = f"/manage/assignments?{parts.query}" if parts.query else "/manage/assignments"
        extra = {"link": _link_on("/manage/assignments", query)}
    schedule = None
    may_change = False
    if schedule_id is not None:
        found = await queries.schedule(db, schedule_id)
        if found is None:
            raise NotFound("schedule_id")
        schedule = found
        may_change = await queries.may_change(db, principal, found[0])
    listing = parse_listing(query, queries.ASSIGNMENT_SORTS, default_sort="late")
    filters = _assignment_filters(query, schedule_id)
    page = await queries.assignments(db, principal, filters, listing, local_today())
    choices = await queries.form_choices(db, principal)
    return render(
        request,
        "manage/planning/schedule.html" if schedule else "manage/planning/assignments.html",
        {
            "page": page,
            "listing": listing,
            "filters": filters,
            "statuses": queries.STATUSES,
            "people": choices["people"],
            "bodies": choices["bodies"],
            "wilayas": choices["wilayas"],
            "schedule": schedule,
            "may_change": may_change,
            "changed": query.get("changed") if query.get("changed") in _CHANGES else None,
            "errors": errors or {},
            "error_row": error_row,
            "created": query.get("created"),
            "back": back,
            **extra,
        },
        status=status,
        title="planning.schedule.title" if schedule else "planning.assignments.title",
    )


@get(
    "/manage/schedules/{schedule_id:uuid}",
    guards=GUARD,
    include_in_schema=False,
    summary="A schedule and its assignments",
)
async def schedule_detail(request: Req, db: DB, schedule_id: FromPath[uuid.UUID]) -> Template:
    return await _assignments_page(request, db, schedule_id=schedule_id)


@post(
    "/manage/schedules/{schedule_id:uuid}/generate",
    guards=GUARD,
    include_in_schema=False,
    summary="Generate a schedule's assignments up to the horizon",
)
async def generate_schedule(request: Req, db: DB, schedule_id: FromPath[uuid.UUID]) -> Response[Any]:
    created = await service.generate(db, principal_of(request), schedule_id)
    return see_other(f"/manage/schedules/{schedule_id}?created={created}")


async def _on_assignment(
    request: Req, db: DB, assignment_id: uuid.UUID, back: str, change: Awaitable[object]
) -> Response[Any]:
    """Apply a change to one assignment; back to the list, or the list again with the refusal (422)."""
    try:
        await change
    except DomainError as error:
        if error.status_code != 422:
            raise
        errors = field_messages(request, domain_errors(error))
        return await _assignments_page(
            request, db, errors=errors, error_row=assignment_id, back=back, status=422
        )
    return see_other(back)


@get("/manage/assignments", guards=GUARD, include_in_schema=False, summary="Assignments in scope")
async def list_assignments(request: Req, db: DB) -> Template:
    return await _assignments_page(request, db)


@post(
    "/manage/assignments/{assignment_id:uuid}/reassign",
    guards=GUARD,
    include_in_schema=False,
    summary="Give an assignment to another inspector",
)
async def reassign_assignment(request: Req, db: DB, assignment_id: FromPath[uuid.UUID]) -> Response[Any]:
    fields = await form_fields(request)
    back = safe_next(fields.get("next"), "/manage/assignments")
    text = fields.get("assignee_id", "")
    try:
        user_id = uuid.UUID(text) if text else None
    except ValueError:
        user_id = None
    change = service.reassign(db, principal_of(request), assignment_id, user_id)
    return await _on_assignment(request, db, assignment_id, back, change)


@post(
    "/manage/assignments/{assignment_id:uuid}/cancel",
    guards=GUARD,
    include_in_schema=False,
    summary="Cancel a planned assignment",
)
async def cancel_assignment(request: Req, db: DB, assignment_id: FromPath[uuid.UUID]) -> Response[Any]:
    fields = await form_fields(request)
    back = safe_next(fields.get("next"), "/manage/assignments")
    change = service.cancel(db, principal_of(request), assignment_id)
    return await _on_assignment(request, db, assignment_id, back, change)


PLANNING_ROUTES: Final[list[ControllerRouterHandler]] = [
    planning_home,
    create_cycle,
    new_schedule,
    create_schedule,
    schedule_detail,
    generate_schedule,
    *SCHEDULE_CHANGE_ROUTES,
    list_assignments,
    reassign_assignment,
    cancel_assignment,
]
