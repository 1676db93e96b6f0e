"""Routes of the follow-up of corrective actions (/dashboard/actions)."""

from __future__ import annotations

from typing import Final

from litestar.types import ControllerRouterHandler

ACTION_ROUTES: Final[list[ControllerRouterHandler]] = []
