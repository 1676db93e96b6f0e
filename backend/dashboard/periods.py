"""Which cycle a dashboard page shows, and the cycles it is compared with: pure rules.

A page shows one cycle (chosen in the address, or by default the quarter that contains today in
Africa/Algiers). Its change is measured against the previous cycle of the same kind, and its trends
over the last cycles of that kind, so that a quarter is never compared with a semester.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

DEFAULT_KIND: Final = "quarter"
TREND_LENGTH: Final = 6


@dataclass(frozen=True)
class Period:
    """An evaluation cycle as the dashboard sees it: both ends of ``starts_on..ends_on`` included."""

    code: str
    kind: str
    starts_on: date
    ends_on: date
    name: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    id: uuid.UUID | None = field(default=None, compare=False)

    def label(self, language: str) -> str:
        return self.name.get(language) or self.code

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def overlaps(self, start: date, end: date) -> bool:
        return start <= self.ends_on and end >= self.starts_on


def choose(periods: Sequence[Period], code: str | None, today: date) -> Period | None:
    """The cycle named ``code``; without one, the current cycle of the default kind.

    Returns None when ``code`` names no cycle, or when there is no cycle at all. Without a code and
    with no quarter containing today, the latest quarter that has started (else any latest cycle).
    """
    if code:
        return next((period for period in periods if period.code == code), None)
    return current(periods, today)


def current(periods: Sequence[Period], today: date, kind: str = DEFAULT_KIND) -> Period | None:
    """The cycle of ``kind`` containing ``today``, else the latest one started, else the latest."""
    of_kind = [period for period in periods if period.kind == kind]
    containing = [period for period in of_kind if period.contains(today)]
    if containing:
        return min(containing, key=lambda period: period.ends_on - period.starts_on)
    started = [period for period in of_kind if period.starts_on <= today]
    if started:
        return max(started, key=lambda period: period.starts_on)
    if periods:
        return max(periods, key=lambda period: (period.starts_on <= today, period.starts_on))
    return None


def previous(periods: Sequence[Period], chosen: Period) -> Period | None:
    """The latest cycle of the same kind that ended before ``chosen`` starts."""
    earlier = [p for p in periods if p.kind == chosen.kind and p.ends_on < chosen.starts_on]
    return max(earlier, key=lambda period: period.starts_on, default=None)


def recent(periods: Sequence[Period], chosen: Period, count: int = TREND_LENGTH) -> list[Period]:
    """Up to ``count`` cycles of ``chosen``'s kind ending with it, oldest first (for trends)."""
    earlier = sorted(
        (p for p in periods if p.kind == chosen.kind and p.ends_on < chosen.starts_on),
        key=lambda period: period.starts_on,
    )
    return [*earlier[-(count - 1) :], chosen] if count > 1 else [chosen]
