"""The dashboard's indicators, computed from aggregates: pure rules, no database, no web.

Rates are percentages; a rate or mean whose denominator is zero is ``None`` (shown as "—"), never 0,
so that an agency nobody visited is not mistaken for one that failed. Flags name the dysfunctions a
director must look at, against configurable thresholds; ranks are competition ranks (1, 1, 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

# The order in which flags are shown; each is also a catalogue key ``dashboard.flag.<name>``.
FLAGS: Final = (
    "score",
    "completion",
    "on_time",
    "delay",
    "satisfaction",
    "collection",
    "overdue_actions",
)

# The indicators of ``indicator_reading`` the dashboard shows (collection rates are percentages).
READING_DELAY: Final = "processing_delay_days"
READING_SATISFACTION: Final = "satisfaction"
READING_COLLECTION: Final = "collection_rate"
READING_DEBT_COLLECTION: Final = "debt_collection_rate"
READINGS: Final = (READING_DELAY, READING_SATISFACTION, READING_COLLECTION, READING_DEBT_COLLECTION)


class ThresholdsLike(Protocol):
    """What the flags read from ``backend.evaluations.config.Thresholds``."""

    @property
    def score_pct_min(self) -> float: ...
    @property
    def completion_pct_min(self) -> float: ...
    @property
    def on_time_pct_min(self) -> float: ...
    @property
    def delay_days_max(self) -> float: ...
    @property
    def satisfaction_min(self) -> float: ...
    @property
    def collection_pct_min(self) -> float: ...
    @property
    def overdue_actions_max(self) -> int: ...


@dataclass(frozen=True)
class Sums:
    """What the database adds up for one row (the scope, a body, a wilaya or an agency) and cycle."""

    planned: int = 0  # assignments due in the cycle, not cancelled
    done: int = 0
    on_time: int = 0  # done, with a visit submitted by the due day
    visits: int = 0  # submitted or approved, made in the cycle
    score_sum: float = 0.0
    score_count: int = 0
    previous_score_sum: float = 0.0
    previous_score_count: int = 0
    delay_sum: float = 0.0
    delay_samples: int = 0
    satisfaction_sum: float = 0.0
    satisfaction_count: int = 0
    # Readings whose period overlaps the cycle, per indicator: (sum of values, number of readings).
    readings: dict[str, tuple[float, int]] = field(default_factory=dict)
    open_actions: int = 0
    overdue_actions: int = 0

    def __add__(self, other: Sums) -> Sums:
        """Sums add up, so that a total is exact (a mean of means would not be)."""
        added = {
            name: getattr(self, name) + getattr(other, name)
            for name in self.__dataclass_fields__
            if name != "readings"
        }
        readings = dict(self.readings)
        for indicator, (total, count) in other.readings.items():
            mine = readings.get(indicator, (0.0, 0))
            readings[indicator] = (mine[0] + total, mine[1] + count)
        return Sums(**added, readings=readings)

    def reading_mean(self, indicator: str) -> float | None:
        total, count = self.readings.get(indicator, (0.0, 0))
        return mean(total, count)


@dataclass(frozen=True)
class Indicators:
    """The figures of one row, as shown."""

    planned: int
    done: int
    on_time: int
    visits: int
    completion_pct: float | None
    on_time_pct: float | None
    score_pct: float | None
    previous_score_pct: float | None
    score_change: float | None
    delay_days: float | None
    reading_delay_days: float | None
    satisfaction: float | None
    reading_satisfaction: float | None
    collection_pct: float | None
    debt_collection_pct: float | None
    open_actions: int
    overdue_actions: int


def rate(part: float, whole: float) -> float | None:
    """``part / whole`` as a percentage; None when ``whole`` is zero."""
    return 100.0 * part / whole if whole else None


def mean(total: float, count: float) -> float | None:
    return total / count if count else None


def change(current: float | None, previous: float | None) -> float | None:
    """The difference with the previous cycle, when both are known."""
    if current is None or previous is None:
        return None
    return current - previous


def indicators(sums: Sums) -> Indicators:
    score = mean(sums.score_sum, sums.score_count)
    previous_score = mean(sums.previous_score_sum, sums.previous_score_count)
    return Indicators(
        planned=sums.planned,
        done=sums.done,
        on_time=sums.on_time,
        visits=sums.visits,
        completion_pct=rate(sums.done, sums.planned),
        on_time_pct=rate(sums.on_time, sums.done),
        score_pct=score,
        previous_score_pct=previous_score,
        score_change=change(score, previous_score),
        delay_days=mean(sums.delay_sum, sums.delay_samples),
        reading_delay_days=sums.reading_mean(READING_DELAY),
        satisfaction=mean(sums.satisfaction_sum, sums.satisfaction_count),
        reading_satisfaction=sums.reading_mean(READING_SATISFACTION),
        collection_pct=sums.reading_mean(READING_COLLECTION),
        debt_collection_pct=sums.reading_mean(READING_DEBT_COLLECTION),
        open_actions=sums.open_actions,
        overdue_actions=sums.overdue_actions,
    )


def _below(value: float | None, floor: float) -> bool:
    return value is not None and value < floor


def _above(value: float | None, ceiling: float) -> bool:
    return value is not None and value > ceiling


def flags(figures: Indicators, thresholds: ThresholdsLike) -> list[str]:
    """The dysfunctions of a row, in ``FLAGS`` order; an unknown figure raises no flag."""
    raised = {
        "score": _below(figures.score_pct, thresholds.score_pct_min),
        "completion": _below(figures.completion_pct, thresholds.completion_pct_min),
        "on_time": _below(figures.on_time_pct, thresholds.on_time_pct_min),
        "delay": _above(figures.delay_days, thresholds.delay_days_max)
        or _above(figures.reading_delay_days, thresholds.delay_days_max),
        "satisfaction": _below(figures.satisfaction, thresholds.satisfaction_min)
        or _below(figures.reading_satisfaction, thresholds.satisfaction_min),
        "collection": _below(figures.collection_pct, thresholds.collection_pct_min)
        or _below(figures.debt_collection_pct, thresholds.collection_pct_min),
        "overdue_actions": figures.overdue_actions > thresholds.overdue_actions_max,
    }
    return [name for name in FLAGS if raised[name]]


def ranks(scores: Sequence[float | None]) -> list[int | None]:
    """Competition ranks by score, best first: equal scores share a rank, the next one skips
    (90, 80, 80, 70 → 1, 2, 2, 4); an unknown score is not ranked."""
    # Means of floats that are equal as shown (two decimals) must tie.
    rounded = [None if score is None else round(score, 2) for score in scores]
    known = sorted((score for score in rounded if score is not None), reverse=True)
    first: dict[float, int] = {}
    for position, score in enumerate(known, start=1):
        first.setdefault(score, position)
    return [None if score is None else first[score] for score in rounded]
