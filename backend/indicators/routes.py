"""Routes of the indicator readings, entry and import (/manage/indicators)."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.types import ControllerRouterHandler

from backend.authz.guards import principal_of, requires
from backend.db.types import utcnow
from backend.evaluations.service import recompute_open_cycles
from backend.http.language import request_language
from backend.http.params import DB, Req
from backend.i18n import translate
from backend.indicators import service
from backend.indicators.catalog import CATALOG
from backend.indicators.importing import COLUMNS, MAX_BYTES, Refused, RowError, read_table
from backend.web.listing import parse_listing
from backend.web.page import form_fields, query_string, render, see_other

PATH: Final = "/manage/indicators"


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def _message(code: str, language: str, params: dict[str, Any]) -> str:
    return translate(f"indicators.error.{code}", language, **params)


async def _page(
    request: Req,
    db: DB,
    *,
    status: int = 200,
    entry: dict[str, str] | None = None,
    entry_errors: dict[str, str] | None = None,
    import_errors: list[dict[str, Any]] | None = None,
    import_problem: str = "",
) -> Response[Any]:
    query = request.query_params
    language = request_language(request)
    listing = parse_listing(query, list(service.SORTABLE), default_sort="period", default_descending=True)
    indicator = query.get("indicator")
    filters = service.ReadingFilters(
        indicator=indicator if indicator in CATALOG else None,
        agency=(query.get("agency") or "").strip()[:40] or None,
        start=_day(query.get("from")),
        end=_day(query.get("to")),
    )
    page = await service.list_readings(db, principal_of(request), filters, listing, language)
    context = {
        "page": page,
        "listing": listing,
        "filters": filters,
        "indicators": list(CATALOG.values()),
        "entry": entry or dict.fromkeys(COLUMNS, ""),
        "entry_errors": entry_errors or {},
        "import_errors": import_errors or [],
        "import_problem": import_problem,
        "created": query.get("created"),
        "updated": query.get("updated"),
        "recorded": query.get("recorded") == "1",
        "max_mib": MAX_BYTES // (1024 * 1024),
    }
    return render(request, "manage/indicators/list.html", context, status=status, title="indicators.title")


@get(PATH, guards=[requires("indicators.write")], include_in_schema=False)
async def readings_page(request: Req, db: DB) -> Response[Any]:
    """The readings in scope, with the entry and import forms."""
    return await _page(request, db)


@post(PATH, guards=[requires("indicators.write")], include_in_schema=False)
async def record_reading(request: Req, db: DB) -> Response[Any]:
    """One reading from the entry form, checked by the same rules as an import."""
    fields = await form_fields(request)
    table = service.single_row(fields)
    language = request_language(request)
    now = utcnow()
    try:
        _stored, errors = await service.import_table(db, principal_of(request), table, now, source="manual")
    except Refused:
        errors = [RowError(2, column, "required", {}) for column in COLUMNS]
    if errors:
        messages: dict[str, str] = {}
        for error in errors:
            messages.setdefault(error.column, _message(error.code, language, error.params))
        entry = dict(zip(COLUMNS, table[1], strict=True))
        return await _page(request, db, status=422, entry=entry, entry_errors=messages)
    await recompute_open_cycles(db, now)
    return see_other(f"{PATH}?recorded=1")


@post(f"{PATH}/import", guards=[requires("indicators.write")], include_in_schema=False)
async def import_readings(request: Req, db: DB) -> Response[Any]:
    """A CSV or XLSX file of readings: every row valid and all stored, or nothing stored."""
    form = await request.form()
    upload = form.get("file")
    language = request_language(request)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _page(request, db, status=422, import_problem=_message("no_file", language, {}))
    content = await upload.read(MAX_BYTES + 1)
    now = utcnow()
    try:
        table = read_table(upload.filename, content)
        stored, errors = await service.import_table(db, principal_of(request), table, now)
    except Refused as refused:
        return await _page(
            request, db, status=422, import_problem=_message(refused.code, language, refused.params)
        )
    if stored is None:
        listed = [
            {"row": e.row, "column": e.column, "reason": _message(e.code, language, e.params)} for e in errors
        ]
        return await _page(request, db, status=422, import_errors=listed)
    await recompute_open_cycles(db, now)
    return see_other(f"{PATH}?" + query_string({"created": stored.created, "updated": stored.updated}))


INDICATOR_ROUTES: Final[list[ControllerRouterHandler]] = [readings_page, record_reading, import_readings]
