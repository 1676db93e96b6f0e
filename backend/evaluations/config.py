"""Weights and thresholds of evaluations and of the dashboard's dysfunction flags: configuration, not
code. The defaults below apply until a central inspector saves others (``app_setting`` key
``evaluation``); saved values are validated before they are stored.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.tables import AppSetting

SETTING_KEY: Final = "evaluation"
Weight = Annotated[float, msgspec.Meta(ge=0, le=100)]


class Weights(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """How much each component counts in an agency's evaluation score (normalized by their sum)."""

    checklist: Weight = 50.0  # mean checklist score of the cycle's visits
    indicators: Weight = 30.0  # processing delays, satisfaction, collection rate against targets
    follow_up: Weight = 20.0  # corrective actions done on time among those due


class Thresholds(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Below (or above, for delays and overdue actions) these, a dysfunction is flagged."""

    score_pct_min: Annotated[float, msgspec.Meta(ge=0, le=100)] = 60.0
    completion_pct_min: Annotated[float, msgspec.Meta(ge=0, le=100)] = 80.0
    on_time_pct_min: Annotated[float, msgspec.Meta(ge=0, le=100)] = 70.0
    delay_days_max: Annotated[float, msgspec.Meta(ge=0, le=3650)] = 30.0
    satisfaction_min: Annotated[float, msgspec.Meta(ge=1, le=5)] = 3.0
    collection_pct_min: Annotated[float, msgspec.Meta(ge=0, le=100)] = 80.0
    overdue_actions_max: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 0


class EvaluationConfig(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    weights: Weights = msgspec.field(default_factory=Weights)
    thresholds: Thresholds = msgspec.field(default_factory=Thresholds)


DEFAULT: Final = EvaluationConfig()


def from_json(value: dict[str, Any]) -> EvaluationConfig:
    """A stored configuration; raises ``msgspec.ValidationError`` naming the bad field."""
    return msgspec.convert(value, EvaluationConfig)


async def load_config(session: AsyncSession) -> EvaluationConfig:
    row = await session.get(AppSetting, SETTING_KEY)
    return from_json(row.value) if row is not None else DEFAULT
