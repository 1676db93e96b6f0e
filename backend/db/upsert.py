"""Set-based ``INSERT … ON CONFLICT`` for SQLite and PostgreSQL alike: one compiled statement, many rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel


async def upsert(
    session: AsyncSession,
    model: type[SQLModel],
    rows: Sequence[dict[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str] | None = None,
    where: ColumnElement[bool] | None = None,
) -> None:
    """Insert ``rows``; on a conflict on ``keys`` update the ``update`` columns (or do nothing)."""
    if not rows:
        return
    table = table_of(model)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table)
    if update:
        statement = statement.on_conflict_do_update(
            index_elements=list(keys), set_={name: statement.excluded[name] for name in update}, where=where
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    # One statement, compiled once (and cached), executed with many parameter sets: SQLAlchemy's
    # "insertmanyvalues" sends it as multi-row INSERTs. Building .values(rows) instead recompiles a
    # new statement for every batch, which profiling showed to be most of a push's time.
    await session.execute(statement, list(rows))


async def insert_all(session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Plain multi-row INSERT, chunked."""
    if rows:
        await session.execute(table_of(model).insert(), list(rows))


def table_of(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel's metaclass
    return table
