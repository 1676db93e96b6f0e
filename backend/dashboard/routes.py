"""Routes of the the directors' dashboard (/dashboard)."""

from __future__ import annotations

from typing import Final

from litestar.types import ControllerRouterHandler

DASHBOARD_ROUTES: Final[list[ControllerRouterHandler]] = []
