"""Routes of the cycles, schedules and assignments (/manage/planning)."""

from __future__ import annotations

from typing import Final

from litestar.types import ControllerRouterHandler

PLANNING_ROUTES: Final[list[ControllerRouterHandler]] = []
