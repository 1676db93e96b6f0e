"""Recurrence rules of schedules: occurrences within a window, the form's builder, refusals."""

from __future__ import annotations

import time
from datetime import date

import pytest

from backend.planning.recurrence import MAX_OCCURRENCES, RecurrenceError, build_rule, normalize, occurrences


def test_quarterly_on_the_first_of_the_month_starts_at_the_first_one_after_dtstart() -> None:
    days = occurrences(
        "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1", date(2026, 1, 15), date(2026, 1, 1), date(2026, 12, 31)
    )
    assert days == [date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)]


def test_monthly_without_a_day_repeats_the_day_of_dtstart() -> None:
    days = occurrences("FREQ=MONTHLY", date(2026, 1, 10), date(2026, 1, 1), date(2026, 4, 30))
    assert days == [date(2026, 1, 10), date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 10)]


def test_yearly_until_stops_at_until_and_count_counts_from_dtstart() -> None:
    assert occurrences(
        "FREQ=YEARLY;UNTIL=20281231", date(2025, 3, 1), date(2020, 1, 1), date(2035, 1, 1)
    ) == [
        date(2025, 3, 1),
        date(2026, 3, 1),
        date(2027, 3, 1),
        date(2028, 3, 1),
    ]
    # COUNT=3 is three occurrences in all, even when the window starts after the first.
    assert occurrences("FREQ=MONTHLY;COUNT=3", date(2025, 1, 15), date(2025, 2, 1), date(2030, 1, 1)) == [
        date(2025, 2, 15),
        date(2025, 3, 15),
    ]


def test_the_window_bounds_are_included_and_nothing_outside_is_given() -> None:
    days = occurrences("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1), date(2026, 3, 1), date(2026, 5, 1))
    assert days == [date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)]
    assert occurrences("FREQ=YEARLY", date(2026, 6, 1), date(2026, 6, 2), date(2027, 5, 31)) == []


def test_the_prefix_case_and_spaces_do_not_matter() -> None:
    assert normalize(" rrule:freq=monthly; interval=3 ") == "FREQ=MONTHLY;INTERVAL=3"
    assert occurrences("rrule:freq=yearly", date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 1, 1)
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "planning.rrule.empty"),
        ("FREQ=SOMETIMES", "planning.rrule.invalid"),
        ("INTERVAL=3", "planning.rrule.invalid"),
        ("FREQ=MONTHLY;FREQ=YEARLY", "planning.rrule.invalid"),
        ("DTSTART:20260101\nRRULE:FREQ=DAILY", "planning.rrule.invalid"),
        ("FREQ=MONTHLY;COUNT=2;UNTIL=20270101", "planning.rrule.invalid"),
        ("FREQ=MONTHLY;INTERVAL=often", "planning.rrule.invalid"),
        ("FREQ=HOURLY", "planning.rrule.too_frequent"),
        ("FREQ=MINUTELY;INTERVAL=30", "planning.rrule.too_frequent"),
        ("FREQ=DAILY;BYHOUR=9", "planning.rrule.time_of_day"),
        ("FREQ=DAILY;" + "BYMONTH=1;" * 60, "planning.rrule.too_long"),
    ],
)
def test_unusable_rules_are_refused_with_a_code_of_the_catalogue(text: str, code: str) -> None:
    with pytest.raises(RecurrenceError) as refused:
        occurrences(text, date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31))
    assert refused.value.code == code


def test_too_many_occurrences_in_the_window_are_refused() -> None:
    with pytest.raises(RecurrenceError) as refused:
        occurrences("FREQ=DAILY", date(2026, 1, 1), date(2026, 1, 1), date(2027, 12, 31))
    assert refused.value.code == "planning.rrule.too_many"
    assert refused.value.params == {"limit": MAX_OCCURRENCES}
    assert len(occurrences("FREQ=DAILY", date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31))) == 365


def test_a_rule_that_never_matches_is_answered_quickly() -> None:
    # CPU time, not wall time: the machine may be busy; unbounded, this takes seconds of CPU.
    started = time.process_time()
    assert (
        occurrences(
            "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", date(2026, 1, 1), date(2026, 1, 1), date(2028, 1, 1)
        )
        == []
    )
    assert time.process_time() - started < 2


@pytest.mark.parametrize(
    ("frequency", "options", "rule"),
    [
        ("quarterly", {}, "FREQ=MONTHLY;INTERVAL=3"),
        ("quarterly", {"month_day": 1}, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1"),
        ("semiannual", {"interval": 2, "month_day": -1}, "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=-1"),
        ("monthly", {"count": 6}, "FREQ=MONTHLY;COUNT=6"),
        ("yearly", {"month_day": 15, "month": 3}, "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15"),
        ("yearly", {"interval": 2, "until": date(2030, 12, 31)}, "FREQ=YEARLY;INTERVAL=2;UNTIL=20301231"),
    ],
)
def test_the_form_choices_build_a_rule(frequency: str, options: dict[str, object], rule: str) -> None:
    built = build_rule(frequency, **options)  # type: ignore[arg-type]
    assert built == rule
    occurrences(built, date(2026, 1, 1), date(2026, 1, 1), date(2031, 1, 1))  # and it is usable


def test_a_yearly_rule_with_a_day_falls_once_a_year() -> None:
    rule = build_rule("yearly", month_day=1, month=4)
    assert occurrences(rule, date(2026, 4, 1), date(2026, 1, 1), date(2027, 12, 31)) == [
        date(2026, 4, 1),
        date(2027, 4, 1),
    ]


@pytest.mark.parametrize(
    ("frequency", "options", "code"),
    [
        ("weekly", {}, "planning.rrule.frequency"),
        ("monthly", {"interval": 0}, "planning.rrule.interval"),
        ("monthly", {"interval": 13}, "planning.rrule.interval"),
        ("monthly", {"month_day": 31}, "planning.rrule.month_day"),
        ("monthly", {"count": 2, "until": date(2030, 1, 1)}, "planning.rrule.invalid"),
    ],
)
def test_the_builder_refuses_what_the_form_does_not_offer(
    frequency: str, options: dict[str, object], code: str
) -> None:
    with pytest.raises(RecurrenceError) as refused:
        build_rule(frequency, **options)  # type: ignore[arg-type]
    assert refused.value.code == code
