"""Routes of the evaluations per agency and cycle (/dashboard/evaluations)."""

from __future__ import annotations

from typing import Final

from litestar.types import ControllerRouterHandler

EVALUATION_ROUTES: Final[list[ControllerRouterHandler]] = []
