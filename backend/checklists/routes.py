"""Routes of the templates management pages (/manage/templates): thin handlers over ``service``."""

from __future__ import annotations

import uuid
from typing import Any, Final

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.types import ControllerRouterHandler

from backend.authz.guards import principal_of, requires
from backend.checklists import service
from backend.checklists.admin_rules import (
    MAX_UPLOAD_BYTES,
    Action,
    group_problems,
    read_upload,
    reason_code,
    summarize,
)
from backend.checklists.problems import TemplateProblem
from backend.http.language import request_language
from backend.http.params import DB, Req
from backend.i18n import translate
from backend.web.listing import parse_listing
from backend.web.page import render, see_other

_GUARDS: Final = [requires("templates.manage")]
_NEW: Final = "manage/templates/new.html"
_PREVIEW: Final = "manage/templates/preview.html"


@get("/manage/templates", guards=_GUARDS, include_in_schema=False, summary="Template versions")
async def templates_page(request: Req, db: DB) -> Response[Any]:
    listing = parse_listing(request.query_params, service.SORTABLE, default_sort="template")
    page = await service.list_versions(db, listing)
    return render(request, "manage/templates/list.html", {"page": page}, title="templates.list_title")


@get("/manage/templates/new", guards=_GUARDS, include_in_schema=False, summary="Upload form")
async def upload_form(request: Req) -> Response[Any]:
    return _upload_page(request, "", [])


@post("/manage/templates", guards=_GUARDS, include_in_schema=False, summary="Upload a draft version")
async def upload_version(request: Req, db: DB) -> Response[Any]:
    form = await request.form()
    upload = form.get("file")
    # One byte more than allowed is enough to know that a file is too large, without reading it all.
    file_bytes = await upload.read(MAX_UPLOAD_BYTES + 1) if isinstance(upload, UploadFile) else None
    pasted = form.get("document")
    text, problem = read_upload(file_bytes, pasted if isinstance(pasted, str) else "")
    if problem is not None:
        return _upload_page(request, text, [problem], status=422)
    try:
        version_id = await service.upload(db, principal_of(request), text)
    except service.UploadRejected as error:
        return _upload_page(request, text, error.problems, status=error.status_code)
    return see_other(f"/manage/templates/versions/{version_id}")


@get(
    "/manage/templates/versions/{version_id:uuid}",
    guards=_GUARDS,
    include_in_schema=False,
    summary="Preview of a template version",
)
async def preview_page(request: Req, db: DB, version_id: FromPath[uuid.UUID]) -> Response[Any]:
    return await _preview(request, db, version_id)


@post(
    "/manage/templates/versions/{version_id:uuid}/publish",
    guards=_GUARDS,
    include_in_schema=False,
    summary="Publish a draft version",
)
async def publish_version(request: Req, db: DB, version_id: FromPath[uuid.UUID]) -> Response[Any]:
    return await _change(request, db, version_id, "publish")


@post(
    "/manage/templates/versions/{version_id:uuid}/retire",
    guards=_GUARDS,
    include_in_schema=False,
    summary="Retire a published version",
)
async def retire_version(request: Req, db: DB, version_id: FromPath[uuid.UUID]) -> Response[Any]:
    return await _change(request, db, version_id, "retire")


async def _change(request: Req, db: DB, version_id: uuid.UUID, action: Action) -> Response[Any]:
    try:
        await service.change_status(db, principal_of(request), version_id, action)
    except service.StatusRefused as error:
        language = request_language(request)
        status = translate(f"templates.status.{error.params['status']}", language)
        message = translate(error.code, language, status=status)
        return await _preview(request, db, version_id, error=message, status=error.status_code)
    return see_other(f"/manage/templates/versions/{version_id}?done={action}")


async def _preview(
    request: Req, db: DB, version_id: uuid.UUID, *, error: str = "", status: int = 200
) -> Response[Any]:
    view = await service.get_version(db, version_id)
    language = request_language(request)
    done = request.query_params.get("done") if status == 200 else None
    context = {
        "view": view,
        "summary": summarize(view.document),
        # The document's own title heads the page, in the page's language.
        "title": getattr(view.document.title, language),
        "error": error,
        "done": done if done in ("publish", "retire") else None,
    }
    return render(request, _PREVIEW, context, status=status)


def _upload_page(
    request: Req, text: str, problems: list[TemplateProblem], *, status: int = 200
) -> Response[Any]:
    context = {
        "document": text,
        "groups": group_problems(problems, text),
        "problem_count": len(problems),
        "max_kib": MAX_UPLOAD_BYTES // 1024,
        "reason": reason_code,
    }
    return render(request, _NEW, context, status=status, title="templates.new_title")


TEMPLATE_ROUTES: Final[list[ControllerRouterHandler]] = [
    templates_page,
    upload_form,
    upload_version,
    preview_page,
    publish_version,
    retire_version,
]
