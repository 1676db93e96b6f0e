"""Rules of the directors' dashboard: rates, change, flags, ranks, and which cycle a page shows."""

from __future__ import annotations

from datetime import date

import pytest

from backend.dashboard.cache import FigureCache
from backend.dashboard.indicators import Sums, change, flags, indicators, mean, ranks, rate
from backend.dashboard.periods import Period, choose, current, previous, recent
from backend.evaluations.config import Thresholds
from backend.web.templating import number, percent


def test_rates_and_means_with_no_denominator_are_unknown_and_shown_as_a_dash() -> None:
    assert rate(0, 0) is None and mean(0.0, 0) is None
    assert rate(1, 4) == 25.0 and mean(9.0, 3) == 3.0
    figures = indicators(Sums())
    assert figures.completion_pct is None and figures.on_time_pct is None and figures.score_pct is None
    assert percent(figures.completion_pct) == "—" and number(figures.satisfaction, 2) == "—"


def test_on_time_rate_is_over_the_visits_done_not_over_the_plan() -> None:
    figures = indicators(Sums(planned=4, done=2, on_time=1))
    assert figures.completion_pct == 50.0 and figures.on_time_pct == 50.0


def test_change_is_the_difference_with_the_previous_cycle_when_both_are_known() -> None:
    assert change(70.0, 60.0) == 10.0 and change(None, 60.0) is None and change(70.0, None) is None
    figures = indicators(
        Sums(score_sum=150.0, score_count=2, previous_score_sum=80.0, previous_score_count=1)
    )
    assert figures.score_pct == 75.0 and figures.score_change == -5.0


def test_sums_add_up_to_exact_totals_readings_included() -> None:
    one = Sums(visits=1, score_sum=90.0, score_count=1, readings={"collection_rate": (70.0, 1)})
    two = Sums(visits=3, score_sum=150.0, score_count=3, readings={"collection_rate": (270.0, 3)})
    total = indicators(one + two)
    assert total.visits == 4 and total.score_pct == 60.0  # not the mean of 90 and 50
    assert total.collection_pct == 85.0


def test_flags_against_thresholds_and_none_for_unknown_figures() -> None:
    thresholds = Thresholds()
    assert flags(indicators(Sums()), thresholds) == []
    bad = Sums(
        planned=10,
        done=5,
        on_time=1,
        score_sum=50.0,
        score_count=1,
        delay_sum=40.0,
        delay_samples=1,
        satisfaction_sum=2.0,
        satisfaction_count=1,
        readings={"debt_collection_rate": (10.0, 1)},
        overdue_actions=1,
    )
    assert flags(indicators(bad), thresholds) == [
        "score",
        "completion",
        "on_time",
        "delay",
        "satisfaction",
        "collection",
        "overdue_actions",
    ]
    at_threshold = Sums(planned=5, done=4, on_time=4, score_sum=60.0, score_count=1)
    assert flags(indicators(at_threshold), thresholds) == []
    strict = Thresholds(overdue_actions_max=2)
    assert flags(indicators(Sums(overdue_actions=2)), strict) == []
    assert flags(indicators(Sums(readings={"processing_delay_days": (31.0, 1)})), thresholds) == ["delay"]


def test_ranks_share_ties_and_skip_and_leave_unknown_unranked() -> None:
    assert ranks([70.0, 90.0, 80.0, 80.0, None]) == [4, 1, 2, 2, None]
    assert ranks([100 / 3, 33.333333333]) == [1, 1]  # equal as shown
    assert ranks([]) == []


def _q(year: int, quarter: int) -> Period:
    start = date(year, 3 * quarter - 2, 1)
    ends = {1: date(year, 3, 31), 2: date(year, 6, 30), 3: date(year, 9, 30), 4: date(year, 12, 31)}
    return Period(f"{year}-Q{quarter}", "quarter", start, ends[quarter], {"fr": f"T{quarter} {year}"})


SEMESTER = Period("2026-S2", "semester", date(2026, 7, 1), date(2026, 12, 31))
CYCLES = [_q(2025, 3), _q(2025, 4), _q(2026, 1), _q(2026, 2), _q(2026, 3), _q(2026, 4), SEMESTER]


@pytest.mark.parametrize(
    ("code", "today", "expected"),
    [
        (None, date(2026, 11, 23), "2026-Q4"),  # the quarter containing today, not the semester
        (None, date(2026, 4, 1), "2026-Q2"),
        (None, date(2027, 2, 1), "2026-Q4"),  # no quarter yet for today: the latest started
        ("2026-S2", date(2026, 11, 23), "2026-S2"),
        ("2025-Q3", date(2026, 11, 23), "2025-Q3"),
    ],
)
def test_the_cycle_shown(code: str | None, today: date, expected: str) -> None:
    chosen = choose(CYCLES, code, today)
    assert chosen is not None and chosen.code == expected


def test_an_unknown_cycle_or_none_at_all() -> None:
    assert choose(CYCLES, "1999-Q9", date(2026, 1, 1)) is None
    assert current([], date(2026, 1, 1)) is None
    assert current([SEMESTER], date(2026, 8, 1)) == SEMESTER  # no quarter: any latest cycle


def test_previous_and_recent_are_of_the_same_kind() -> None:
    assert previous(CYCLES, _q(2026, 4)) == _q(2026, 3)
    assert previous(CYCLES, _q(2025, 3)) is None
    assert previous(CYCLES, SEMESTER) is None  # never a quarter
    assert [p.code for p in recent(CYCLES, _q(2026, 3), count=3)] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert [p.code for p in recent(CYCLES, _q(2025, 4))] == ["2025-Q3", "2025-Q4"]
    assert recent(CYCLES, SEMESTER) == [SEMESTER]
    assert _q(2026, 4).label("ar") == "2026-Q4" and _q(2026, 4).label("fr") == "T4 2026"


def test_the_figure_cache_forgets_on_a_new_stamp_after_its_time_and_past_its_size() -> None:
    cache = FigureCache(size=2, ttl=60.0)
    cache.put("a", 1, "figures")
    assert cache.get("a", 1) == (True, "figures")
    assert cache.get("a", 2) == (False, None)  # the data changed
    cache.put("b", 1, "b")
    cache.put("c", 1, "c")
    assert cache.get("a", 1) == (False, None)  # least recently used, dropped
    stale = FigureCache(ttl=-1.0)
    stale.put("a", 1, "figures")
    assert stale.get("a", 1) == (False, None)
