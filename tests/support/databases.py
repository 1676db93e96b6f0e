"""Real databases for tests: a SQLite file per test, a PostgreSQL database per session."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from backend.db.engine import make_engine
from backend.db.migrate import upgrade_async
from backend.db.tables import metadata
from backend.settings import sqlite_url

PG_ENV = "RASD_TEST_PG_URL"  # e.g. postgresql://postgres@127.0.0.1:5432/test
REQUIRE_ENV = "RASD_REQUIRE_SUITES"  # set by `make test` and CI: a skipped suite is a failure


def skip_or_fail(reason: str) -> None:
    """Locally a missing service skips; where every suite is required it fails loudly."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"required suite could not run: {reason}", pytrace=False)
    pytest.skip(reason)


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def sqlalchemy_pg_url(url: str) -> str:
    return "postgresql+asyncpg://" + url.split("://", 1)[1]


def run_blocking(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to the end on a loop of its own, even when called from inside a running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade_async(engine)
    finally:
        await engine.dispose()


class PostgresDatabase:
    """A database of our own on the real server, migrated once, emptied before each test."""

    def __init__(self, server_url: str) -> None:
        self.server_dsn = asyncpg_dsn(server_url)
        self.name = f"rasd_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        base = sqlalchemy_pg_url(server_url).rsplit("/", 1)[0]
        self.url = f"{base}/{self.name}"

    def create(self) -> None:
        async def run() -> None:
            conn = await asyncpg.connect(self.server_dsn, timeout=5)
            try:
                await conn.execute(f'CREATE DATABASE "{self.name}"')
            finally:
                await conn.close()
            await _migrate(self.url)

        run_blocking(run())

    def drop(self) -> None:
        async def run() -> None:
            conn = await asyncpg.connect(self.server_dsn, timeout=5)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            finally:
                await conn.close()

        run_blocking(run())

    async def truncate(self) -> None:
        # The clock row is made by a migration: reset it (a new identity, as a new database has) instead.
        tables = ", ".join(
            f'"{table.name}"' for table in metadata.sorted_tables if table.name != "sync_clock"
        )
        engine = make_engine(self.url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                await conn.execute(
                    text("UPDATE sync_clock SET last_change = 0, identity = :identity"),
                    {"identity": uuid.uuid4().hex},
                )
        finally:
            await engine.dispose()


class SqliteTemplate:
    """A migrated SQLite file, copied for each test (a copy costs less than a migration)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "template.db"
        run_blocking(_migrate(sqlite_url(self.path)))

    def copy_to(self, directory: Path) -> str:
        target = directory / "rasd.db"
        shutil.copyfile(self.path, target)
        return sqlite_url(target)
