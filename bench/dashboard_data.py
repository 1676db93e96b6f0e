"""The database bench/dashboard_bench.py measures: a scratch one seeded with the demo and its history
at a scale (``rasd demo --scale N``), one kept for later (``--keep``), or one seeded before (``--reuse``).

SQLite is a file; PostgreSQL a database on the server named by ``RASD_TEST_PG_URL`` (default
postgresql://postgres@127.0.0.1:5432), ``rasd_bench_<pid>`` dropped after unless kept.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlmodel import col

from backend.db.engine import Database
from backend.db.migrate import upgrade_async
from backend.db.tables import EvaluationCycle
from backend.demo.history import seed_history
from backend.demo.seed import seed_demo
from backend.settings import sqlite_url

PASSWORD = "rasd-demo"  # noqa: S105 - the documented public demo password
PG_ENV = "RASD_TEST_PG_URL"


@contextlib.asynccontextmanager
async def scratch_database(kind: str, directory: Path, keep: str | None = None) -> AsyncIterator[str]:
    """A fresh database URL: a SQLite file under ``directory``, or ``rasd_bench_<pid>`` dropped after.

    With ``keep``, the SQLite file at that path, or the PostgreSQL database of that name, is created
    instead and left behind for ``--reuse``; an existing one is refused rather than overwritten.
    """
    if kind == "sqlite":
        path = Path(keep) if keep else directory / "rasd.db"
        if keep and path.exists():
            raise SystemExit(f"{path} exists: pass it to --reuse, or remove it to seed again")
        yield sqlite_url(path)
        return
    dsn = _pg_server()
    name = keep or f"rasd_bench_{os.getpid()}"
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        if keep and await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            raise SystemExit(f"database {name} exists: pass it to --reuse, or drop it to seed again")
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield _pg_url(dsn, name)
    finally:
        if not keep:
            conn = await asyncpg.connect(dsn, timeout=5)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()


def _pg_server() -> str:
    server = os.environ.get(PG_ENV, "postgresql://postgres@127.0.0.1:5432/test")
    return "postgresql://" + server.split("://", 1)[1]


def _pg_url(dsn: str, name: str) -> str:
    return "postgresql+asyncpg://" + dsn.split("://", 1)[1].rsplit("/", 1)[0] + f"/{name}"


def reused_database(kind: str, reuse: str) -> str:
    """The URL of a database seeded before with ``--keep`` (a SQLite path or a PostgreSQL name)."""
    if kind == "sqlite":
        if not Path(reuse).is_file():
            raise SystemExit(f"{reuse} is not a file: seed it first with --keep {reuse}")
        return sqlite_url(Path(reuse))
    return _pg_url(_pg_server(), reuse)


async def prepare(db: Database, scale: int) -> None:
    await upgrade_async(db.engine)
    await seed_demo(db, password=PASSWORD)
    await seed_history(db, scale=scale, progress=lambda line: print(line, flush=True))
    if db.dialect == "postgresql":
        # Fresh statistics and visibility map, as autovacuum would have them a while after the bulk
        # inserts (PostgreSQL 13+ vacuums after inserts too); index-only scans depend on the latter.
        async with db.engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql(
                "VACUUM ANALYZE"
            )
    else:
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")


async def latest_quarter(db: Database) -> EvaluationCycle:
    async with db.read() as session:
        return (
            await session.execute(
                select(EvaluationCycle)
                .where(col(EvaluationCycle.kind) == "quarter", col(EvaluationCycle.starts_on) <= date.today())
                .order_by(col(EvaluationCycle.starts_on).desc())
                .limit(1)
            )
        ).scalar_one()


@contextlib.asynccontextmanager
async def database_url(args: argparse.Namespace, directory: Path) -> AsyncIterator[str]:
    """The database to measure: reused as it is, or made (and seeded by the caller)."""
    if args.reuse:
        yield reused_database(args.db, args.reuse)
        return
    async with scratch_database(args.db, directory, args.keep) as url:
        yield url
