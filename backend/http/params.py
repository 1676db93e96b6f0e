"""Explicit Litestar parameter markers shared by the routes (inferred ones are deprecated in 2.25)."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from backend.db.engine import Database
from backend.settings import Settings

DB: TypeAlias = NamedDependency[Database]
AppSettings: TypeAlias = NamedDependency[Settings]
Offset: TypeAlias = Annotated[int, QueryParameter(ge=0, le=1_000_000)]
Limit: TypeAlias = Annotated[int, QueryParameter(ge=1, le=500)]
Req: TypeAlias = Request[Any, Any, Any]
