"""Routes that change a schedule once made: pause it, resume it, edit what may change.

Its template, agencies and recurrence stay as made (a new schedule changes those). A schedule whose
agencies reach outside the planner's scope is not found, as the assignments out of scope are.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from backend.authz.guards import principal_of
from backend.errors import DomainError
from backend.http.params import DB, Req
from backend.planning import queries, service
from backend.planning.forms import FormInvalid, parse_schedule_change
from backend.planning.web import GUARD, domain_errors, field_messages
from backend.web.page import form_fields, form_lists, render, see_other


@post(
    "/manage/schedules/{schedule_id:uuid}/pause",
    guards=GUARD,
    include_in_schema=False,
    summary="Pause a schedule: no new assignments, those generated are kept",
)
async def pause_schedule(request: Req, db: DB, schedule_id: FromPath[uuid.UUID]) -> Response[Any]:
    await service.pause(db, principal_of(request), schedule_id)
    return see_other(f"/manage/schedules/{schedule_id}?changed=paused")


@post(
    "/manage/schedules/{schedule_id:uuid}/resume",
    guards=GUARD,
    include_in_schema=False,
    summary="Resume a paused schedule and generate it from today",
)
async def resume_schedule(request: Req, db: DB, schedule_id: FromPath[uuid.UUID]) -> Response[Any]:
    created = await service.resume(db, principal_of(request), schedule_id)
    return see_other(f"/manage/schedules/{schedule_id}?changed=resumed&created={created}")


async def _edit_form(
    request: Req,
    db: DB,
    schedule_id: uuid.UUID,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    """The form of what may change in a schedule, filled with its values or with what was typed."""
    schedule, template_title = await queries.schedule_to_change(db, principal_of(request), schedule_id)
    current = {
        "name": schedule.name,
        "due_days": str(schedule.due_days),
        "assignees": list(schedule.assignee_ids),
    }
    return render(
        request,
        "manage/planning/schedule_edit.html",
        {
            "schedule": (schedule, template_title),
            "people": await queries.people(db),
            "form": form if form is not None else current,
            "errors": errors or {},
        },
        status=status,
        title="planning.schedule.edit",
    )


@get(
    "/manage/schedules/{schedule_id:uuid}/edit",
    guards=GUARD,
    include_in_schema=False,
    summary="The form to rename a schedule, change its delay or its inspectors",
)
async def edit_schedule(request: Req, db: DB, schedule_id: FromPath[uuid.UUID]) -> Template:
    return await _edit_form(request, db, schedule_id)


@post(
    "/manage/schedules/{schedule_id:uuid}/edit",
    guards=GUARD,
    include_in_schema=False,
    summary="Rename a schedule, change its delay or its inspectors",
)
async def change_schedule(request: Req, db: DB, schedule_id: FromPath[uuid.UUID]) -> Response[Any]:
    fields = await form_fields(request)
    lists = await form_lists(request)
    typed: dict[str, Any] = {
        "name": fields.get("name", ""),
        "due_days": fields.get("due_days", ""),
        "assignees": lists.get("assignees", []),
    }
    try:
        change = parse_schedule_change(fields, lists)
        await service.change_schedule(db, principal_of(request), schedule_id, change)
    except FormInvalid as invalid:
        return await _edit_form(request, db, schedule_id, typed, field_messages(request, invalid.errors), 422)
    except DomainError as error:
        if error.status_code != 422:
            raise
        return await _edit_form(
            request, db, schedule_id, typed, field_messages(request, domain_errors(error)), 422
        )
    return see_other(f"/manage/schedules/{schedule_id}?changed=edited")


SCHEDULE_CHANGE_ROUTES: Final[list[ControllerRouterHandler]] = [
    pause_schedule,
    resume_schedule,
    edit_schedule,
    change_schedule,
]
