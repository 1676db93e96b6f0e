"""Migrations build exactly the tables the code declares, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlmodel import col

from backend.db.engine import Database
from backend.db.migrate import MIGRATIONS, alembic_config
from backend.db.tables import ChecklistTemplate, Schedule, metadata


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


def _migrate(connection: Any, url: str, action: str, revision: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    getattr(command, action)(config, revision)


async def test_0007_keeps_the_schedules_and_leaves_them_never_resumed(seeded: Database) -> None:
    """0007 adds ``schedule.resumed_on`` to a table that holds rows: they stay, never resumed."""
    async with seeded.write() as session, session.begin():
        template_id = (await session.execute(select(col(ChecklistTemplate.id)).limit(1))).scalar_one()
        schedule = Schedule(
            name="Contrôle mensuel",
            template_id=template_id,
            rrule="FREQ=MONTHLY",
            dtstart=date(2026, 1, 1),
            agency_filter={"wilayas": [16]},
            assignee_ids=[],
        )
        session.add(schedule)
    url = seeded.engine.url.render_as_string(hide_password=False)
    async with seeded.engine.connect() as connection:
        await connection.run_sync(_migrate, url, "downgrade", "0006")
        await connection.commit()
    async with seeded.engine.connect() as connection:
        await connection.run_sync(_migrate, url, "upgrade", "head")
        await connection.commit()
    async with seeded.read() as session:
        kept = await session.get(Schedule, schedule.id)
    assert kept is not None
    assert (kept.name, kept.dtstart, kept.agency_filter, kept.active) == (
        "Contrôle mensuel",
        date(2026, 1, 1),
        {"wilayas": [16]},
        True,
    )
    assert kept.resumed_on is None
