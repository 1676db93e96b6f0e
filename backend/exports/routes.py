"""Routes of the CSV, XLSX and PDF exports (/dashboard/exports)."""

from __future__ import annotations

from typing import Final

from litestar.types import ControllerRouterHandler

EXPORT_ROUTES: Final[list[ControllerRouterHandler]] = []
