"""Routes of the directors' dashboard (/dashboard): drill-down pages, the visits behind a figure, charts.

Every handler needs ``dashboard.read`` and reads only the agencies of the user's scope; a body,
wilaya or agency outside it answers 404, as one that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

from litestar import Response, get
from litestar.params import FromPath, QueryParameter
from litestar.types import ControllerRouterHandler

from backend.authz.guards import principal_of, requires
from backend.dashboard import agency_details, links, service, views, visit_list
from backend.dashboard.cache import cached
from backend.dashboard.charts import CHARTS, render_chart
from backend.dashboard.queries import Where
from backend.dashboard.service import Board, Row
from backend.dashboard.views import Figure
from backend.errors import Invalid, NotFound
from backend.http.language import request_language
from backend.http.params import DB, Req
from backend.localtime import local_today
from backend.web.listing import parse_listing
from backend.web.page import render, translator

CycleCode = Annotated[str | None, QueryParameter(max_length=20)]
BodyCode = Annotated[str | None, QueryParameter(name="body", max_length=20)]
WilayaCode = Annotated[int | None, QueryParameter(ge=1, le=99)]
GUARDS: Final = [requires("dashboard.read")]
# A chart is a picture of the figures: no script may run in it, its own styles may.
CHART_HEADERS: Final = {
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class RowView:
    """A row of a drill-down table and where its figures lead."""

    row: Row
    filters: dict[str, object]
    href: str
    figures: list[Figure] = field(default_factory=list)


def _row(row: Row, cycle: str, filters: dict[str, object], href: str) -> RowView:
    return RowView(row, filters, href, views.figures(row.figures, cycle, filters, href))


def _where(request: Req, **narrowed: Any) -> Where:
    return Where(scope=principal_of(request).scope, **narrowed)


def _context(
    request: Req, board: Board, filters: dict[str, object], rows: list[RowView], readings_href: str = ""
) -> dict[str, Any]:
    language = request_language(request)
    code = board.cycle.code
    return {
        "board": board,
        "cards": views.cards(board.total, code, filters, readings_href),
        "rows": rows,
        "filters": filters,
        "links": links,
        "cycle_code": code,
        "charts": [(name, links.chart(name, code, filters, language)) for name in CHARTS],
    }


@get("/dashboard", guards=GUARDS, include_in_schema=False, summary="The national dashboard")
async def national_page(request: Req, db: DB, cycle: CycleCode = None) -> Response[Any]:
    board = await service.board(
        db, principal_of(request), cycle_code=cycle, level="body", where=_where(request)
    )
    code = board.cycle.code
    rows = [_row(row, code, {"body": row.place.code}, links.body(code, row.place.code)) for row in board.rows]
    return render(
        request, "dashboard/national.html", _context(request, board, {}, rows), title="dashboard.title"
    )


@get("/dashboard/body/{code:str}", guards=GUARDS, include_in_schema=False, summary="A body's wilayas")
async def body_page(request: Req, db: DB, code: FromPath[str], cycle: CycleCode = None) -> Response[Any]:
    where = _where(request, body=code[:20])
    place = await service.place_for(db, where, "body", code[:20])
    board = await service.board(db, principal_of(request), cycle_code=cycle, level="wilaya", where=where)
    cycle_code = board.cycle.code
    rows = [
        _row(
            row,
            cycle_code,
            {"body": place.code, "wilaya": row.place.key},
            links.wilaya(cycle_code, int(str(row.place.key)), place.code),
        )
        for row in board.rows
    ]
    context = _context(request, board, {"body": place.code}, rows)
    t = translator(request_language(request))
    context |= {
        "place": place,
        "title": t("dashboard.body.title", name=place.label(request_language(request))),
    }
    return render(request, "dashboard/body.html", context)


@get("/dashboard/wilaya/{code:int}", guards=GUARDS, include_in_schema=False, summary="A wilaya's agencies")
async def wilaya_page(
    request: Req, db: DB, code: FromPath[int], cycle: CycleCode = None, body_code: BodyCode = None
) -> Response[Any]:
    where = _where(request, body=body_code, wilaya=code)
    place = await service.place_for(db, where, "wilaya", code)
    board = await service.board(db, principal_of(request), cycle_code=cycle, level="agency", where=where)
    cycle_code = board.cycle.code
    rows = [
        _row(row, cycle_code, {"agency": row.place.code}, links.agency(cycle_code, row.place.code))
        for row in board.rows
    ]
    filters: dict[str, object] = {"body": body_code, "wilaya": code}
    context = _context(request, board, filters, rows)
    language = request_language(request)
    name = place.label(language) + (f" · {body_code}" if body_code else "")
    context |= {
        "place": place,
        "body": body_code,
        "title": translator(language)("dashboard.wilaya.title", name=name),
    }
    return render(request, "dashboard/wilaya.html", context)


@get("/dashboard/agency/{agency_id:uuid}", guards=GUARDS, include_in_schema=False, summary="An agency")
async def agency_page(
    request: Req, db: DB, agency_id: FromPath[uuid.UUID], cycle: CycleCode = None
) -> Response[Any]:
    where = _where(request, agency=agency_id)
    place = await service.place_for(db, where, "agency", agency_id)
    board = await service.board(
        db, principal_of(request), cycle_code=cycle, level="agency", where=where, rows_of=[place]
    )
    today = local_today()
    listing = parse_listing({}, list(visit_list.SORTABLE), default_sort="date", default_descending=True)
    async with db.read() as session:
        visits = await visit_list.visit_page(
            session, where, board.cycle, indicator="visits", status=None, listing=listing, today=today
        )
        actions = await agency_details.open_actions(session, agency_id, today)
        owners = await agency_details.owners(session, agency_id, today)
        evaluation = await agency_details.evaluation(session, agency_id, board.cycle.id)
    filters: dict[str, object] = {"agency": agency_id}
    context = _context(request, board, filters, [], readings_href="#readings")
    language = request_language(request)
    context |= {
        "place": place,
        "visits": visits,
        "actions": actions,
        "owners": owners,
        "evaluation": evaluation,
        "title": translator(language)("dashboard.agency.title", name=place.label(language)),
    }
    return render(request, "dashboard/agency.html", context)


@get("/dashboard/visits", guards=GUARDS, include_in_schema=False, summary="The visits behind a figure")
async def visits_page(
    request: Req,
    db: DB,
    cycle: CycleCode = None,
    body_code: BodyCode = None,
    wilaya: WilayaCode = None,
    agency: Annotated[uuid.UUID | None, QueryParameter()] = None,
    status: Annotated[str | None, QueryParameter(max_length=16)] = None,
    indicator: Annotated[str, QueryParameter(max_length=16)] = "visits",
) -> Response[Any]:
    if indicator not in visit_list.INDICATORS:
        raise Invalid("indicator", detail=indicator)
    if status and status not in visit_list.STATUSES:
        raise Invalid("status", detail=status)
    where = _where(request, body=body_code, wilaya=wilaya, agency=agency)
    await _check_places(db, where)
    listing = parse_listing(
        request.query_params, list(visit_list.SORTABLE), default_sort="date", default_descending=True
    )
    today = local_today()
    async with db.read() as session:
        periods = await service.load_periods(session)
        chosen = service.pick(periods, cycle, today)
        key = ("visits", where, chosen.code, indicator, status or None, today)
        page = await visit_list.visit_page(
            session,
            where,
            chosen,
            indicator=indicator,
            status=status or None,
            listing=listing,
            today=today,
            counted=lambda count: cached(db, session, key, count),
        )
    context = {
        "page": page,
        "cycle": chosen,
        "cycles": periods,
        "indicator": indicator,
        "status": status or "",
        "filters": {"body": body_code, "wilaya": wilaya, "agency": agency},
        "indicators": visit_list.INDICATORS,
        "statuses": visit_list.STATUSES,
        "links": links,
    }
    return render(request, "dashboard/visits.html", context, title="dashboard.visits.title")


async def _check_places(db: DB, where: Where) -> None:
    """Each filter of the visits list names a place of the user's scope (else 404)."""
    bare = Where(scope=where.scope)
    if where.body is not None:
        await service.place_for(db, bare, "body", where.body)
    if where.wilaya is not None:
        await service.place_for(db, bare, "wilaya", where.wilaya)
    if where.agency is not None:
        await service.place_for(db, bare, "agency", where.agency)


@get("/dashboard/charts/{name:str}", guards=GUARDS, include_in_schema=False, summary="A trend chart (SVG)")
async def chart(
    request: Req,
    db: DB,
    name: FromPath[str],
    cycle: CycleCode = None,
    body_code: BodyCode = None,
    wilaya: WilayaCode = None,
    agency: Annotated[uuid.UUID | None, QueryParameter()] = None,
) -> Response[bytes]:
    spec = CHARTS.get(name.removesuffix(".svg")) if name.endswith(".svg") else None
    if spec is None:
        raise NotFound("name")
    where = _where(request, body=body_code, wilaya=wilaya, agency=agency)
    await _check_places(db, where)
    trend = await service.trend(db, where, cycle)
    language = request_language(request)
    labels = [period.label(language) for period in trend.cycles]
    document = render_chart(spec, labels, trend.series, translator(language))
    return Response(document, media_type="image/svg+xml", headers=CHART_HEADERS)


DASHBOARD_ROUTES: Final[list[ControllerRouterHandler]] = [
    national_page,
    body_page,
    wilaya_page,
    agency_page,
    visits_page,
    chart,
]
