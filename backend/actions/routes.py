"""Routes of the follow-up of corrective actions (/dashboard/actions): thin handlers over ``service``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Final, TypeAlias

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, PathParameter
from litestar.response import Stream
from litestar.types import ControllerRouterHandler

from backend.actions import service
from backend.actions.queries import SORTABLE
from backend.actions.rules import EVIDENCE_MAX_BYTES, STATUS_FILTERS, parse_filters
from backend.actions.service import ChangeRefused
from backend.authz.guards import principal_of, requires
from backend.blobs.routes import blob_store_for
from backend.db.types import utcnow
from backend.http.language import request_language
from backend.http.params import DB, AppSettings, Req
from backend.i18n import translate
from backend.web.listing import parse_listing
from backend.web.page import render, see_other

Sha256: TypeAlias = Annotated[
    str, PathParameter(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the photo")
]
_READ = [requires("dashboard.read")]
# The photo (at most 5 MiB) and the form's few fields, with room for the multipart framing.
_FORM_MAX_BYTES: Final = EVIDENCE_MAX_BYTES + 256 * 1024


@get("/dashboard/actions", guards=_READ, include_in_schema=False, summary="Follow-up of corrective actions")
async def actions_page(request: Req, db: DB) -> Response[Any]:
    principal = principal_of(request)
    filters = parse_filters(request.query_params)
    listing = parse_listing(request.query_params, SORTABLE, default_sort="deadline")
    page, counts = await service.list_actions(db, principal, filters, listing, utcnow())
    bodies, wilayas = await service.filter_choices(db)
    context = {
        "page": page,
        "listing": listing,
        "counts": counts,
        "filters": filters,
        "status_filters": STATUS_FILTERS,
        "bodies": bodies,
        "wilayas": wilayas,
    }
    return render(request, "dashboard/actions/list.html", context, title="actions.title")


@get(
    "/dashboard/actions/{action_id:uuid}",
    guards=_READ,
    include_in_schema=False,
    summary="One corrective action and its history",
)
async def action_page(request: Req, db: DB, action_id: FromPath[uuid.UUID]) -> Response[Any]:
    detail = await service.action_detail(db, principal_of(request), action_id, utcnow())
    changed = request.query_params.get("changed") == "1"
    context = {"action": detail, "errors": {}, "typed": {"status": "", "note": ""}, "changed": changed}
    return render(request, "dashboard/actions/detail.html", context, title="actions.detail_title")


@post(
    "/dashboard/actions/{action_id:uuid}/status",
    guards=_READ,
    include_in_schema=False,
    request_max_body_size=_FORM_MAX_BYTES,
    summary="Move a corrective action to another status",
)
async def change_action_status(
    request: Req, db: DB, settings: AppSettings, action_id: FromPath[uuid.UUID]
) -> Response[Any]:
    principal = principal_of(request)
    form = await request.form()
    target = str(form.get("status") or "")[:20]
    note = str(form.get("note") or "").strip()
    upload = form.get("evidence")
    # A file input left empty still sends a part, with no file name.
    evidence = await upload.read() if isinstance(upload, UploadFile) and upload.filename else None
    try:
        await service.change_status(
            db, blob_store_for(settings), principal, action_id, target=target, note=note, evidence=evidence
        )
    except ChangeRefused as refused:
        language = request_language(request)
        errors = {
            field: translate(f"actions.error.{code}", language) for field, code in refused.errors.items()
        }
        detail = await service.action_detail(db, principal, action_id, utcnow())
        typed = {"status": target, "note": note}
        context = {"action": detail, "errors": errors, "typed": typed, "changed": False}
        return render(
            request, "dashboard/actions/detail.html", context, status=422, title="actions.detail_title"
        )
    return see_other(f"/dashboard/actions/{action_id}?changed=1")


@get(
    "/dashboard/actions/{action_id:uuid}/evidence/{sha256:str}",
    guards=_READ,
    include_in_schema=False,
    summary="An evidence photo of a corrective action",
)
async def action_evidence(
    request: Req, db: DB, settings: AppSettings, action_id: FromPath[uuid.UUID], sha256: Sha256
) -> Response[Any]:
    store = blob_store_for(settings)
    blob = await service.evidence_blob(db, store, principal_of(request), action_id, sha256)
    headers = {
        "Cache-Control": "private, max-age=86400",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
        "Content-Length": str(blob.length),
    }
    return Stream(store.read(sha256), media_type=blob.mime, headers=headers)


ACTION_ROUTES: Final[list[ControllerRouterHandler]] = [
    actions_page,
    action_page,
    change_action_status,
    action_evidence,
]
