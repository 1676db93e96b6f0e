"""Routes of the indicator readings, entry and import (/manage/indicators)."""

from __future__ import annotations

from typing import Final

from litestar.types import ControllerRouterHandler

INDICATOR_ROUTES: Final[list[ControllerRouterHandler]] = []
