"""Routes of the templates management pages (/manage/templates)."""

from __future__ import annotations

from typing import Final

from litestar.types import ControllerRouterHandler

TEMPLATE_ROUTES: Final[list[ControllerRouterHandler]] = []
