"""``/healthz``: the process answers and the database too."""

from __future__ import annotations

from litestar import Response, get, head
from sqlalchemy import text

from backend.http.params import DB
from backend.wire import Base


class Health(Base):
    status: str
    database: str


async def _check(db: DB) -> Response[Health]:
    try:
        async with db.read() as session:
            await session.execute(text("SELECT 1"))
    except Exception:  # any failure of the database is "unavailable", never a crash
        return Response(Health(status="unavailable", database=db.dialect), status_code=503)
    return Response(Health(status="ok", database=db.dialect))


@get("/healthz", summary="Liveness and database reachability", cache_control=None)
async def healthz(db: DB) -> Response[Health]:
    return await _check(db)


@head("/healthz", summary="Liveness for probes that send HEAD")
async def healthz_head(db: DB) -> Response[None]:
    result = await _check(db)
    return Response(None, status_code=result.status_code)
