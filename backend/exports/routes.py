"""Routes of the CSV, XLSX and PDF exports (/dashboard/exports, and a visit's report.pdf).

Downloads are streamed: rows leave in chunks as they are read, so an export of a whole country holds
one chunk in memory at a time. Parameters are checked before the first byte is sent; a bad one
re-renders the export form with the field's error (422), as a form post would.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, Final

import anyio
import anyio.to_thread
from litestar import Response, get
from litestar.params import FromPath
from litestar.response import Stream, Template
from litestar.types import ControllerRouterHandler
from sqlalchemy import select
from sqlmodel import col

from backend.authz.guards import principal_of, requires
from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.blobs.routes import blob_store_for
from backend.db.engine import Database
from backend.db.tables import Agency, Body, EvaluationCycle, Wilaya
from backend.exports.datasets import Exporter
from backend.exports.filters import (
    ACTION_STATUSES,
    DATASETS,
    FORMATS,
    VISIT_STATUSES,
    ExportRequest,
    FieldError,
    narrow,
    parse_export,
)
from backend.exports.formats import MEDIA_TYPES, CsvWriter, XlsxWriter
from backend.exports.report import visit_report_pdf
from backend.http.language import request_language
from backend.http.params import DB, AppSettings, Req
from backend.web.page import PAGE_HEADERS, render, translator

_read = [requires("dashboard.read")]
FILE_READ_SIZE: Final = 256 * 1024


async def _choices(db: Database, principal: Principal, language: str) -> dict[str, Any]:
    """What the form offers: cycles, and the bodies and wilayas that hold agencies in scope."""
    in_scope = select(col(Agency.body_id), col(Agency.wilaya_code)).where(
        agency_scope_clause(principal.scope)
    )
    async with db.read() as session:
        cycles = await session.execute(
            select(EvaluationCycle).order_by(col(EvaluationCycle.starts_on).desc())
        )
        cycle_list = [(c.code, c.name.get(language) or c.code) for c in cycles.scalars()]
        body_ids = select(in_scope.subquery().c.body_id)
        bodies = await session.execute(
            select(Body).where(col(Body.id).in_(body_ids)).order_by(col(Body.code))
        )
        wilaya_codes = select(in_scope.subquery().c.wilaya_code)
        wilayas = await session.execute(
            select(Wilaya).where(col(Wilaya.code).in_(wilaya_codes)).order_by(col(Wilaya.code))
        )
        return {
            "cycles": cycle_list,
            "bodies": [(b.code, getattr(b, f"name_{language}", b.name_fr)) for b in bodies.scalars()],
            "wilayas": [(w.code, w.name_ar if language == "ar" else w.name_fr) for w in wilayas.scalars()],
        }


async def _form(
    request: Req, db: Database, errors: Mapping[str, str] | None = None, *, status: int = 200
) -> Template:
    language = request_language(request)
    values = {key: value for key, value in request.query_params.items() if key != "lang"}
    context = {
        **await _choices(db, principal_of(request), language),
        "datasets": DATASETS,
        "formats": FORMATS,
        "visit_statuses": VISIT_STATUSES,
        "action_statuses": ACTION_STATUSES,
        "values": values,
        "errors": dict(errors or {}),
    }
    return render(request, "dashboard/exports/index.html", context, status=status, title="exports.title")


def _messages(request: Req, errors: list[FieldError]) -> dict[str, str]:
    t = translator(request_language(request))
    messages: dict[str, str] = {}
    for error in errors:
        messages.setdefault(
            error.field, t(f"exports.error.{error.code}", field=t(f"exports.field.{error.field}"))
        )
    return messages


@get("/dashboard/exports", guards=_read, include_in_schema=False)
async def exports_page(request: Req, db: DB) -> Template:
    """The export form: a dataset, a format and filters; its buttons download."""
    return await _form(request, db)


async def _cycle_days(db: Database, code: str) -> tuple[Any, Any] | None:
    async with db.read() as session:
        found = await session.execute(
            select(col(EvaluationCycle.starts_on), col(EvaluationCycle.ends_on)).where(
                col(EvaluationCycle.code) == code
            )
        )
        row = found.first()
    return (row[0], row[1]) if row else None


@get("/dashboard/exports/download", guards=_read, include_in_schema=False)
async def download_export(request: Req, db: DB) -> Response[Any]:
    """One dataset as CSV or XLSX, streamed; a bad parameter re-renders the form (422)."""
    parsed = parse_export(dict(request.query_params))
    if isinstance(parsed, list):
        return await _form(request, db, _messages(request, parsed), status=422)
    cycle = await _cycle_days(db, parsed.cycle) if parsed.cycle else None
    if parsed.cycle and cycle is None:
        return await _form(request, db, _messages(request, [FieldError("cycle", "unknown")]), status=422)
    exporter = Exporter(
        db,
        principal_of(request),
        parsed,
        narrow(parsed.day_from, parsed.day_to, cycle),
        request_language(request),
    )
    content = _csv(exporter) if parsed.format == "csv" else _xlsx(exporter, parsed)
    headers = {
        **PAGE_HEADERS,
        "Content-Disposition": f'attachment; filename="{parsed.filename()}"',
    }
    return Stream(content, media_type=MEDIA_TYPES[parsed.format], headers=headers)


async def _csv(exporter: Exporter) -> AsyncIterator[bytes]:
    writer = CsvWriter()
    yield writer.header(exporter.columns)
    async for chunk in exporter.chunks():
        yield writer.rows(chunk)


async def _xlsx(exporter: Exporter, parsed: ExportRequest) -> AsyncIterator[bytes]:
    # openpyxl spools the rows to disk as they come; the finished file is then sent in pieces.
    with tempfile.TemporaryDirectory(prefix="rasd-export-") as directory:
        path = Path(directory) / "export.xlsx"
        writer = XlsxWriter(parsed.dataset, exporter.columns, path)
        async for chunk in exporter.chunks():
            await anyio.to_thread.run_sync(writer.add, chunk)
        await anyio.to_thread.run_sync(writer.save)
        async with await anyio.open_file(path, "rb") as handle:
            while piece := await handle.read(FILE_READ_SIZE):
                yield piece


@get("/dashboard/visits/{visit_id:uuid}/report.pdf", guards=_read, include_in_schema=False)
async def visit_report(
    request: Req, db: DB, settings: AppSettings, visit_id: FromPath[uuid.UUID]
) -> Response[bytes]:
    """The PDF report of a visit in the user's language; 404 outside the user's scope."""
    pdf, filename = await visit_report_pdf(
        db, blob_store_for(settings), principal_of(request), visit_id, request_language(request)
    )
    headers = {**PAGE_HEADERS, "Content-Disposition": f'inline; filename="{filename}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


EXPORT_ROUTES: Final[list[ControllerRouterHandler]] = [exports_page, download_export, visit_report]
