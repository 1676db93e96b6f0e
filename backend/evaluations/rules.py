"""The evaluation of an agency over a cycle, as pure rules: no web framework, no database.

An evaluation combines three components, each a score from 0 to 100:

* ``checklist``: the mean ``score_pct`` of the agency's submitted or approved visits of the cycle;
* ``indicators``: the mean of the normalized indicators that are known — processing delay,
  citizens' satisfaction and collection rate. Delay and satisfaction come from two sources, the
  visits (sampled files, interviews: pooled sums over counts) and the imported readings (mean of the
  readings); when both exist each source counts once, because a reading is the agency's whole
  figure and a visit's sample is a handful of files. Each value becomes 0–100 against the targets
  of the configuration (``normalize``);
* ``follow_up``: corrective actions done (or verified) by their deadline, among those due.

The score is the weighted mean of the components that exist: a missing component (no visit, no
indicator, no action due) drops out and the remaining weights are renormalized to their own sum, so
an agency is never penalized for data that was not collected. With no component at all the score is
unknown (``None``), and the agency is left out of the ranking.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Final, TypeVar

import msgspec

from backend.evaluations.config import EvaluationConfig, Targets, Thresholds, Weights

K = TypeVar("K", bound=Hashable)
DIGITS: Final = 2  # scores are compared (ranks, changes) at the precision they are shown
# The flags, in the order a director reads them.
FLAGS: Final = (
    "low_score",
    "critical_failed",
    "long_delays",
    "low_satisfaction",
    "low_collection",
    "overdue_actions",
)


class VisitInput(msgspec.Struct, frozen=True, array_like=True):
    """One visit that counts: what it scored and measured."""

    id: str
    score_pct: float | None
    critical_failed: int = 0
    delay_days_sum: float = 0.0
    delay_samples: int = 0
    satisfaction_sum: float = 0.0
    satisfaction_count: int = 0


class ReadingInput(msgspec.Struct, frozen=True, array_like=True):
    id: str
    indicator: str
    value: float


class ActionCounts(msgspec.Struct, frozen=True):
    """Actions whose deadline falls in the period: ``due`` (deadline passed, or already done),
    ``on_time`` (done or verified by the deadline) and ``overdue`` (deadline passed, not done)."""

    due: int = 0
    on_time: int = 0
    overdue: int = 0


class AgencyInputs(msgspec.Struct, frozen=True):
    visits: list[VisitInput] = msgspec.field(default_factory=list)
    readings: list[ReadingInput] = msgspec.field(default_factory=list)
    actions: ActionCounts = msgspec.field(default_factory=ActionCounts)


class Result(msgspec.Struct, frozen=True):
    score: float | None
    components: dict[str, float | int | None]
    flags: list[str]


def normalize(value: float, best: float, worst: float) -> float:
    """``value`` on a 0–100 scale: 100 at ``best`` or beyond, 0 at ``worst`` or beyond, linear between.

    Works in both directions (fewer delay days are better; more satisfaction is better).
    """
    if best == worst:
        return 100.0 if value == best else 0.0
    ratio = (value - worst) / (best - worst)
    return round(100.0 * min(1.0, max(0.0, ratio)), DIGITS)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _two_sources(total: float, count: int, readings: Sequence[float]) -> float | None:
    """The visits' pooled mean and the readings' mean, each counting once when present."""
    sources = [value for value in (total / count if count else None, _mean(readings)) if value is not None]
    return _mean(sources)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def components(inputs: AgencyInputs, targets: Targets) -> dict[str, float | int | None]:
    """The components (0–100 or ``None``) and the raw measures behind them."""
    visits = inputs.visits
    by_indicator: dict[str, list[float]] = {}
    for reading in inputs.readings:
        by_indicator.setdefault(reading.indicator, []).append(reading.value)
    scores = [visit.score_pct for visit in visits if visit.score_pct is not None]
    delay = _two_sources(
        sum(v.delay_days_sum for v in visits),
        sum(v.delay_samples for v in visits),
        by_indicator.get("processing_delay_days", []),
    )
    satisfaction = _two_sources(
        sum(v.satisfaction_sum for v in visits),
        sum(v.satisfaction_count for v in visits),
        by_indicator.get("satisfaction", []),
    )
    collection = _mean(by_indicator.get("collection_rate", []))
    debt_collection = _mean(by_indicator.get("debt_collection_rate", []))
    normalized = {
        "delay": None
        if delay is None
        else normalize(delay, targets.delay_days_best, targets.delay_days_worst),
        "satisfaction": None
        if satisfaction is None
        else normalize(satisfaction, targets.satisfaction_best, targets.satisfaction_worst),
        "collection": None
        if collection is None
        else normalize(collection, targets.collection_pct_best, targets.collection_pct_worst),
        "debt_collection": None
        if debt_collection is None
        else normalize(debt_collection, targets.debt_collection_pct_best, targets.debt_collection_pct_worst),
    }
    actions = inputs.actions
    return {
        "checklist": _rounded(_mean(scores)),
        "indicators": _rounded(_mean([v for v in normalized.values() if v is not None])),
        "follow_up": round(100.0 * actions.on_time / actions.due, DIGITS) if actions.due else None,
        **normalized,
        "delay_days": _rounded(delay),
        "satisfaction_mean": _rounded(satisfaction),
        "collection_pct": _rounded(collection),
        "debt_collection_pct": _rounded(debt_collection),
        "visits": len(visits),
        "critical_failed": sum(v.critical_failed for v in visits),
        "actions_due": actions.due,
        "actions_on_time": actions.on_time,
        "actions_overdue": actions.overdue,
    }


def combine(parts: Mapping[str, float | int | None], weights: Weights) -> float | None:
    """The weighted mean of the components present, weights renormalized over them."""
    weighted = [
        (float(value), weight)
        for name, weight in (
            ("checklist", weights.checklist),
            ("indicators", weights.indicators),
            ("follow_up", weights.follow_up),
        )
        if (value := parts.get(name)) is not None and weight > 0
    ]
    total_weight = sum(weight for _value, weight in weighted)
    if total_weight <= 0:
        return None
    return round(sum(value * weight for value, weight in weighted) / total_weight, DIGITS)


def flags(score: float | None, parts: Mapping[str, float | int | None], thresholds: Thresholds) -> list[str]:
    """The dysfunctions a director must decide on; unknown values raise no flag."""

    def below(value: float | int | None, limit: float) -> bool:
        return value is not None and value < limit

    def above(value: float | int | None, limit: float) -> bool:
        return value is not None and value > limit

    raised = {
        "low_score": below(score, thresholds.score_pct_min),
        "critical_failed": above(parts.get("critical_failed"), 0),
        "long_delays": above(parts.get("delay_days"), thresholds.delay_days_max),
        "low_satisfaction": below(parts.get("satisfaction_mean"), thresholds.satisfaction_min),
        "low_collection": below(parts.get("collection_pct"), thresholds.collection_pct_min),
        "overdue_actions": above(parts.get("actions_overdue"), thresholds.overdue_actions_max),
    }
    return [name for name in FLAGS if raised[name]]


def evaluate(inputs: AgencyInputs, config: EvaluationConfig) -> Result:
    """The score, components and flags of one agency (ranks and change need the others: see below)."""
    parts = components(inputs, config.targets)
    score = combine(parts, config.weights)
    return Result(score=score, components=parts, flags=flags(score, parts, config.thresholds))


def competition_ranks(scores: Mapping[K, float | None]) -> dict[K, int | None]:
    """Ranks by descending score, ties sharing a rank ("1, 2, 2, 4"); unknown scores get no rank."""
    known = sorted(((score, key) for key, score in scores.items() if score is not None), key=lambda p: -p[0])
    ranks: dict[K, int | None] = dict.fromkeys(scores)
    previous: float | None = None
    rank = 0
    for position, (score, key) in enumerate(known, start=1):
        if score != previous:
            rank, previous = position, score
        ranks[key] = rank
    return ranks


def ranks_within(scores: Mapping[K, float | None], group_of: Mapping[K, Hashable]) -> dict[K, int | None]:
    """Competition ranks inside each group (a wilaya)."""
    groups: dict[Hashable, dict[K, float | None]] = {}
    for key, score in scores.items():
        groups.setdefault(group_of[key], {})[key] = score
    ranks: dict[K, int | None] = {}
    for members in groups.values():
        ranks.update(competition_ranks(members))
    return ranks


def change(current: float | None, previous: float | None) -> float | None:
    """Points gained (positive) or lost since the previous cycle of the same kind."""
    if current is None or previous is None:
        return None
    return round(current - previous, DIGITS)
