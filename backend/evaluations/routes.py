"""Routes of the evaluations per agency and cycle (/dashboard/evaluations) and of their settings
(/manage/settings/evaluation)."""

from __future__ import annotations

import uuid
from typing import Any, Final

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.types import ControllerRouterHandler

from backend.authz.guards import principal_of, requires
from backend.db.types import utcnow
from backend.errors import Invalid
from backend.evaluations import service
from backend.evaluations.config import load_config, save_config
from backend.evaluations.ranking import SORTABLE, Filters, ranking
from backend.evaluations.rules import FLAGS
from backend.evaluations.settings_form import FIELDS, form_values, parse_settings
from backend.http.language import request_language
from backend.http.params import DB, Req
from backend.i18n import translate
from backend.localtime import local_today
from backend.web.listing import parse_listing
from backend.web.page import form_fields, query_string, render, see_other

SETTINGS_PATH: Final = "/manage/settings/evaluation"


def _wilaya(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and 1 <= int(text) <= 99 else None


async def _ranking_page(
    request: Req, db: DB, *, status: int = 200, error: str = "", failed_id: uuid.UUID | None = None
) -> Response[Any]:
    principal = principal_of(request)
    query = request.query_params
    listing = parse_listing(query, list(SORTABLE), default_sort="rank")
    filters = Filters(
        cycle=query.get("cycle"), body=query.get("body") or None, wilaya=_wilaya(query.get("wilaya"))
    )
    language = request_language(request)
    view = await ranking(db, principal, filters, listing, language, local_today())
    context = {
        "view": view,
        "filters": filters,
        "listing": listing,
        "flags_order": FLAGS,
        "may_decide": principal.role in service.DECIDERS,
        "may_recompute": principal.role in ("central_inspector", "admin"),
        "error": error,
        "failed_id": failed_id,
        "recomputed": query.get("recomputed") == "1",
        "decision_max": service.DECISION_MAX,
    }
    return render(
        request, "dashboard/evaluations/list.html", context, status=status, title="evaluations.title"
    )


@get("/dashboard/evaluations", guards=[requires("dashboard.read")], include_in_schema=False)
async def evaluations_page(request: Req, db: DB) -> Response[Any]:
    """The ranked evaluations of a cycle, in the reader's scope."""
    return await _ranking_page(request, db)


@post("/dashboard/evaluations/recompute", guards=[requires("planning.manage")], include_in_schema=False)
async def recompute_evaluations(request: Req, db: DB) -> Response[Any]:
    """Recompute one cycle now (late data is otherwise picked up by the periodic recomputation)."""
    fields = await form_fields(request)
    cycle = await service.recompute(db, fields.get("cycle", "")[:20], utcnow())
    return see_other("/dashboard/evaluations?" + query_string({"cycle": cycle.code, "recomputed": 1}))


@post(
    "/dashboard/evaluations/{evaluation_id:uuid}/decision",
    guards=[requires("dashboard.read")],
    include_in_schema=False,
)
async def record_decision(request: Req, db: DB, evaluation_id: FromPath[uuid.UUID]) -> Response[Any]:
    """A director's decision on an evaluation (directors and administrators, in their scope)."""
    fields = await form_fields(request)
    try:
        code = await service.decide(
            db, principal_of(request), evaluation_id, fields.get("decision", ""), utcnow()
        )
    except Invalid as error:
        message = translate(error.code, request_language(request), **error.params)
        return await _ranking_page(request, db, status=422, error=message, failed_id=evaluation_id)
    return see_other("/dashboard/evaluations?" + query_string({"cycle": code}))


def _settings(
    request: Req, values: dict[str, str], errors: dict[str, str], *, status: int = 200, saved: bool = False
) -> Response[Any]:
    sections: dict[str, list[str]] = {}
    for spec in FIELDS:
        sections.setdefault(spec.name.split(".")[0], []).append(spec.name)
    context = {"values": values, "errors": errors, "sections": sections, "saved": saved}
    return render(
        request, "manage/settings/evaluation.html", context, status=status, title="evaluations.settings.title"
    )


@get(SETTINGS_PATH, guards=[requires("planning.manage")], include_in_schema=False)
async def settings_form(request: Req, db: DB) -> Response[Any]:
    """The weights, thresholds and targets in force, as a form."""
    async with db.read() as session:
        config = await load_config(session)
    return _settings(request, form_values(config), {}, saved=request.query_params.get("saved") == "1")


@post(SETTINGS_PATH, guards=[requires("planning.manage")], include_in_schema=False)
async def save_settings(request: Req, db: DB) -> Response[Any]:
    """Save the settings (all or nothing), then recompute the open cycles with them."""
    fields = await form_fields(request)
    config, problems = parse_settings(fields)
    if config is None:
        language = request_language(request)
        errors = {
            name: translate(problem.code, language, **problem.params) for name, problem in problems.items()
        }
        typed = {spec.name: fields.get(spec.name, "")[:40] for spec in FIELDS}
        return _settings(request, typed, errors, status=422)
    principal = principal_of(request)
    async with db.write() as session, session.begin():
        await save_config(session, config, principal.id)
    await service.recompute_open_cycles(db, utcnow())
    return see_other(f"{SETTINGS_PATH}?saved=1")


EVALUATION_ROUTES: Final[list[ControllerRouterHandler]] = [
    evaluations_page,
    recompute_evaluations,
    record_decision,
    settings_form,
    save_settings,
]
