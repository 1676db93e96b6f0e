"""Routes of the review of submitted visits (/manage/review)."""

from __future__ import annotations

from typing import Final

from litestar.types import ControllerRouterHandler

REVIEW_ROUTES: Final[list[ControllerRouterHandler]] = []
