"""Migrations build exactly the tables the code declares, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from backend.db.engine import Database
from backend.db.migrate import MIGRATIONS
from backend.db.tables import metadata


async def test_migrated_schema_matches_the_tables(db: Database) -> None:
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), metadata
            )
        )
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    assert diff == []
    assert version == sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))[-1].split("_")[3]


def test_migration_files_have_dated_names() -> None:
    import re

    names = [p.name for p in (MIGRATIONS / "versions").glob("*.py")]
    assert names
    assert all(re.fullmatch(r"\d{4}_\d{2}_\d{2}_\d{4}_[a-z0-9_]+\.py", name) for name in names), names


async def test_sqlite_runs_in_wal_with_foreign_keys(db: Database) -> None:
    if db.dialect != "sqlite":
        return
    async with db.read() as session:
        assert (await session.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
        assert (await session.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
