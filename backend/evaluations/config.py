"""Weights and thresholds of evaluations and of the dashboard's dysfunction flags: configuration, not
code. The defaults below apply until a central inspector saves others (``app_setting`` key
``evaluation``); saved values are validated before they are stored.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Final

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.tables import AppSetting, AuditEvent
from backend.db.types import utcnow
from backend.db.upsert import upsert

SETTING_KEY: Final = "evaluation"
Weight = Annotated[float, msgspec.Meta(ge=0, le=100)]
Days = Annotated[float, msgspec.Meta(ge=0, le=3650)]
Pct = Annotated[float, msgspec.Meta(ge=0, le=100)]
Rating = Annotated[float, msgspec.Meta(ge=1, le=5)]


class Weights(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """How much each component counts in an agency's evaluation score (normalized by their sum)."""

    checklist: Weight = 50.0  # mean checklist score of the cycle's visits
    indicators: Weight = 30.0  # processing delays, satisfaction, collection rates against targets
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


class Targets(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """How an indicator becomes a 0–100 score: 100 at ``*_best`` or better, 0 at ``*_worst`` or worse,
    linear in between (see ``rules.normalize``)."""

    delay_days_best: Days = 15.0
    delay_days_worst: Days = 90.0
    satisfaction_best: Rating = 4.5
    satisfaction_worst: Rating = 2.0
    collection_pct_best: Pct = 95.0
    collection_pct_worst: Pct = 50.0
    # Arrears are recovered far less than current contributions are collected: lower marks.
    debt_collection_pct_best: Pct = 70.0
    debt_collection_pct_worst: Pct = 20.0


class EvaluationConfig(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    weights: Weights = msgspec.field(default_factory=Weights)
    thresholds: Thresholds = msgspec.field(default_factory=Thresholds)
    # Added after the first saved documents: a default keeps them readable.
    targets: Targets = msgspec.field(default_factory=Targets)


DEFAULT: Final = EvaluationConfig()


class ConfigError(ValueError):
    """A configuration that decodes but makes no sense; ``field`` is dotted (``weights.checklist``)."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


def check(config: EvaluationConfig) -> EvaluationConfig:
    """Rules across fields: some weight must count, and a target's best must differ from its worst
    in the right direction (fewer days is better; more satisfaction and collection is better)."""
    weights = config.weights
    if weights.checklist + weights.indicators + weights.follow_up <= 0:
        raise ConfigError("weights.checklist", "no_weight")
    targets = config.targets
    if targets.delay_days_best >= targets.delay_days_worst:
        raise ConfigError("targets.delay_days_best", "best_not_better")
    if targets.satisfaction_best <= targets.satisfaction_worst:
        raise ConfigError("targets.satisfaction_best", "best_not_better")
    if targets.collection_pct_best <= targets.collection_pct_worst:
        raise ConfigError("targets.collection_pct_best", "best_not_better")
    if targets.debt_collection_pct_best <= targets.debt_collection_pct_worst:
        raise ConfigError("targets.debt_collection_pct_best", "best_not_better")
    return config


def from_json(value: dict[str, Any]) -> EvaluationConfig:
    """A stored configuration; raises ``msgspec.ValidationError`` naming the bad field."""
    return msgspec.convert(value, EvaluationConfig)


def to_json(config: EvaluationConfig) -> dict[str, Any]:
    document: dict[str, Any] = msgspec.to_builtins(config)
    return document


async def load_config(session: AsyncSession) -> EvaluationConfig:
    """The configuration in force: the saved one, or the defaults."""
    row = await session.get(AppSetting, SETTING_KEY)
    return from_json(row.value) if row is not None else DEFAULT


async def save_config(session: AsyncSession, config: EvaluationConfig, actor_id: uuid.UUID) -> None:
    """Store ``config`` (checked) as the one in force, inside the caller's transaction."""
    check(config)
    await upsert(
        session,
        AppSetting,
        [{"key": SETTING_KEY, "value": to_json(config), "updated_by": actor_id, "updated_at": utcnow()}],
        keys=("key",),
        update=("value", "updated_by", "updated_at"),
    )
    session.add(
        AuditEvent(actor_id=actor_id, kind="evaluation_settings", subject=SETTING_KEY, detail=to_json(config))
    )
